"""Announcements: a recording played to the caller ("we are closed for the holidays"), then the
call goes on to a destination, or hangs up."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.audio import audio_path, prompt_fields
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import AnnouncementConfig

f.register_target(f.Target("announcement", "announcement:[a-z0-9-]{1,20}", "announcements", "announcement:",
                           "an announcement"))


@register
class Announcements(Kind):
    """A recording, then a destination."""

    name = "announcements"
    noun = "announcement"
    label = "Announcement"
    table = "announcements"
    schema_name = "Announcement"
    key = "name"
    title_field = "title"
    audio_files = ("prompts", "recording_sha256")
    fields = {
        "name": f.short_name("closed", "a destination names it as announcement:<name>"),
        "title": f.text("Name", 60, default="", example="Closed for the holidays"),
        **prompt_fields("recording"),
        "then_destination": f.Destination(label="Then", allowed=None, default="hangup", example="voicemail:101",
                                          ref_phrase="sends callers who heard it to"),
    }
    pbx_config = AnnouncementConfig

    def check(self, scope, row) -> None:
        """An announcement followed by itself would play until the hop limit."""
        if row.then_destination == f"announcement:{row.name}":
            raise f.fail("then_destination", "not the announcement itself", "an announcement cannot lead to itself")

    def reset(self, scope) -> None:
        """No announcements."""
        scope.delete_all(self.draft)

    def to_pbx(self, row, context: dict) -> AnnouncementConfig:
        """The announcement with its recording's converted file."""
        recording = (audio_path(context["data_dir"], "prompts", context["code"], row.recording_sha256)
                     if row.recording_sha256 else None)
        return AnnouncementConfig(row.name, row.title, recording, row.then_destination)
