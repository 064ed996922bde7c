"""Music classes: besides the organization's music on hold, named lists of uploaded files (played
in order, or shuffled) that a queue or a ring group plays to its callers instead."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.audio import audio_path
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import MusicClassConfig

MAX_FILES = 20


def music_class_field(**options) -> f.Text:
    """A field naming one of the organization's music classes (empty: its music on hold)."""
    return f.Text(**{"label": "Music", "max_length": 20, "pattern": r"^[a-z0-9][a-z0-9-]{0,19}$", "nullable": True,
                     "default": None, "refers_to": "musicclasses", "on_delete": "set_null", "example": "jazz",
                     "message": "the short name of one of the organization's music classes",
                     "help": "what callers hear while they wait; empty: the organization's music on hold", **options})


@register
class MusicClasses(Kind):
    """A named list of music files."""

    name = "musicclasses"
    noun = "music class"
    label = "Music class"
    table = "music_classes"
    schema_name = "MusicClass"
    key = "name"
    title_field = "title"
    audio_files = ("moh", "files")
    fields = {
        "name": f.short_name("jazz", "queues and ring groups name it"),
        "title": f.text("Name", 60, default="", example="Jazz"),
        "shuffle": f.Boolean(label="Shuffle", default=False, help="play the files in random order"),
        "files": f.TextList(label="Files", max_length=64, max_items=MAX_FILES, separator=" ", column_length=1300,
                            pattern=r"^[0-9a-f]{64}$", message="a SHA-256 digest in hex", default="", access="read",
                            help="the converted uploads, by content (POST …/files with an MP3 or WAV)"),
        "file_names": f.TextList(label="File names", max_length=255, max_items=MAX_FILES, column_length=5200,
                                 default="", access="read", help="the uploaded files' names, in the same order"),
    }
    pbx_config = MusicClassConfig

    def reset(self, scope) -> None:
        """No music classes."""
        scope.delete_all(self.draft)

    def to_pbx(self, row, context: dict) -> MusicClassConfig:
        """The class with the converted files it plays."""
        paths = tuple(audio_path(context["data_dir"], "moh", context["code"], digest)
                      for digest in self.fields["files"].dump(row.files))
        return MusicClassConfig(row.name, row.title, paths, row.shuffle)
