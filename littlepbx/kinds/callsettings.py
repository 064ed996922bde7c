"""The organization's call settings, one of each (the admin's draft, live after Apply): where its
parking lot's slots are, and the announcement outside callers hear before a recorded call."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.base import SINGLETON, Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import CallSettingsConfig

DEFAULTS = {"parking_first": 701, "parking_slots": 20, "recording_notice": None}
LAST_SLOT = 999_999  # slots are dialled like the organization's numbers: at most six digits


@register
class CallSettings(Kind):
    """Parking slots and the recorded-call notice."""

    name = "callsettings"
    noun = "call settings"
    label = "Call settings"
    table = "call_settings"
    schema_name = "CallSettings"
    key = None
    key_scope = SINGLETON
    fields = {
        "parking_first": f.Integer(label="First parking slot", minimum=10, maximum=LAST_SLOT,
                                   default=DEFAULTS["parking_first"],
                                   help="#77 parks a call in the first free slot from this one and says its "
                                        "number; any phone of the organization dials it to take the call"),
        "parking_slots": f.Integer(label="Parking slots", minimum=1, maximum=100, default=DEFAULTS["parking_slots"],
                                   help="how many calls may be parked at once"),
        "recording_notice": f.Text(label="Recorded calls first play", max_length=20, nullable=True, default=None,
                                   pattern=r"^[a-z0-9][a-z0-9-]{0,19}$", refers_to="announcements",
                                   on_delete="set_null", example="recorded",
                                   message="the short name of one of the organization's announcements",
                                   help="an announcement whose recording outside callers hear before a call "
                                        "that is recorded goes on (its own 'Then' is not used); empty: none"),
    }
    routes = frozenset({"get", "update"})
    pbx_config = CallSettingsConfig

    def check(self, scope, row) -> None:
        """Every slot is a number of at most six digits."""
        last = row.parking_first + row.parking_slots - 1
        if last > LAST_SLOT:
            raise f.fail("parking_slots", f"the last slot would be {last}: at most {LAST_SLOT}",
                         "parking slots are numbers of at most six digits")

    def reset(self, scope) -> None:
        """Slots 701-720, no notice."""
        scope.delete_all(self.draft)
        scope.add(self.draft(**DEFAULTS))

    def to_pbx(self, row, context: dict) -> CallSettingsConfig:
        """The settings (the defaults when the organization has none yet)."""
        return CallSettingsConfig() if row is None else super().to_pbx(row, context)

