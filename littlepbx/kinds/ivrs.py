"""Menus (IVR, auto-attendant): a greeting, then a key pressed leads somewhere; optionally the
caller dials an extension's number directly. Nothing pressed, or a key that leads nowhere, plays
the menu again a few times, then goes to its own destination."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.audio import audio_path, prompt_fields
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import IVR_KEYS, IvrConfig

# The field of each key: option_1 … option_9, option_0, option_star, option_hash.
KEY_NAMES = {key: {"*": "star", "#": "hash"}.get(key, key) for key in IVR_KEYS}
OPTION_FIELDS = {key: f"option_{name}" for key, name in KEY_NAMES.items()}

f.register_target(f.Target("ivr", "ivr:[a-z0-9-]{1,20}", "ivrs", "ivr:", "a menu"))


def option_field(key: str) -> f.Destination:
    return f.Destination(label=f"Press {key}", allowed=None, nullable=True, default=None, example="ringgroup:600",
                         ref_phrase=f"sends key {key} to", help="empty: the key is not an option")


@register
class Ivrs(Kind):
    """A menu callers hear: each key leads to a destination."""

    name = "ivrs"
    noun = "menu"
    label = "Menu"
    table = "ivrs"
    schema_name = "Ivr"
    key = "name"
    title_field = "title"
    audio_files = ("prompts", "greeting_sha256")
    fields = {
        "name": f.short_name("main", "a destination names it as ivr:<name>"),
        "title": f.text("Name", 60, default="", example="Main menu"),
        **prompt_fields("greeting"),
        **{field: option_field(key) for key, field in OPTION_FIELDS.items()},
        "direct_dial": f.Boolean(label="Callers may dial an extension", default=False,
                                 help="typing an extension's (or a ring group's) number during the greeting calls it"),
        "timeout_seconds": f.Integer(label="Wait for a key (seconds)", minimum=1, maximum=30, default=5),
        "repeats": f.Integer(label="Play again", minimum=0, maximum=5, default=2,
                             help="times the menu is played again when no key or a wrong key is pressed"),
        "timeout_destination": f.Destination(label="If no key is pressed", allowed=None, default="hangup",
                                             example="100", ref_phrase="sends callers who press nothing to"),
        "invalid_destination": f.Destination(label="After wrong keys", allowed=None, default="hangup",
                                             example="100", ref_phrase="sends callers who press wrong keys to"),
    }
    pbx_config = IvrConfig

    def check(self, scope, row) -> None:
        """Options may come back to the menu (a caller chose it); what ends a menu may not."""
        for name in ("timeout_destination", "invalid_destination"):
            if getattr(row, name) == f"ivr:{row.name}":
                raise f.fail(name, "not the menu itself", "a menu cannot end by playing itself again")

    def reset(self, scope) -> None:
        """No menus."""
        scope.delete_all(self.draft)

    def to_pbx(self, row, context: dict) -> IvrConfig:
        """The menu with its greeting's converted file and the keys that lead somewhere."""
        greeting = (audio_path(context["data_dir"], "prompts", context["code"], row.greeting_sha256)
                    if row.greeting_sha256 else None)
        options = tuple((key, getattr(row, field)) for key, field in OPTION_FIELDS.items() if getattr(row, field))
        return IvrConfig(row.name, row.title, greeting, options, row.direct_dial, row.timeout_seconds, row.repeats,
                         row.timeout_destination, row.invalid_destination)
