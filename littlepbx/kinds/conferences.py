"""Conference rooms: a number the organization's phones (and, as a destination, its callers)
dial to talk together; an optional PIN, a moderator PIN, music until the moderator is in, and
a largest number of members."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.base import Kind
from littlepbx.kinds.musicclasses import music_class_field
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import ConferenceConfig

f.register_target(f.Target("conference", "conference:[0-9]{2,6}", "conferences", "conference:", "a conference room"))


@register
class Conferences(Kind):
    """A numbered room where callers talk together."""

    name = "conferences"
    noun = "conference room"
    label = "Conference room"
    table = "conferences"
    schema_name = "Conference"
    key = "number"
    title_field = "name"
    dialable = True
    fields = {
        "number": f.extension_number(required=True, editable=False, example="850",
                                     help="dialled by the organization's phones; a destination as conference:<number>"),
        "name": f.text("Name", 60, default="", example="Weekly meeting"),
        "pin": f.pin("PIN", nullable=True, default=None, secret=True,
                     help="asked of everyone who joins; none: anyone who dials the number is in"),
        "moderator_pin": f.pin("Moderator PIN", nullable=True, default=None, secret=True,
                               help="who enters it instead joins as the moderator"),
        "wait_for_moderator": f.Boolean(label="Music until the moderator joins", default=False,
                                        help="members wait with music, not hearing each other, until the "
                                             "moderator is in (set a moderator PIN)"),
        "max_members": f.Integer(label="Largest number of members", minimum=2, maximum=100, default=20),
        "music_class": music_class_field(),
    }
    pbx_config = ConferenceConfig

    def check(self, scope, row) -> None:
        """Waiting for a moderator needs a way to be one; the two PINs must tell members and the
        moderator apart."""
        if row.wait_for_moderator and not row.moderator_pin:
            raise f.fail("moderator_pin", "required when members wait for the moderator",
                         "members waiting for a moderator need a moderator PIN")
        if row.pin and row.pin == row.moderator_pin:
            raise f.fail("moderator_pin", "must differ from the PIN", "the moderator PIN must differ from the PIN")

    def reset(self, scope) -> None:
        """No conference rooms."""
        scope.delete_all(self.draft)
