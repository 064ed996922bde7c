"""Ring groups: several phones (and outside numbers) rung together or one by one, by one number."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.base import Kind
from littlepbx.kinds.musicclasses import music_class_field
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import RING_STRATEGIES, RingGroupConfig

STRATEGY_LABELS = {"ringall": "All at once", "hunt": "One by one, in order",
                   "memoryhunt": "One by one, starting after the last who answered"}
STRATEGIES = tuple((strategy, STRATEGY_LABELS[strategy]) for strategy in RING_STRATEGIES)

f.register_target(f.Target("ringgroup", "ringgroup:[0-9]{2,6}", "ringgroups", "ringgroup:", "a ring group"))


@register
class RingGroups(Kind):
    """A group of phones a call rings, with what happens when nobody answers."""

    name = "ringgroups"
    noun = "ring group"
    label = "Ring group"
    table = "ring_groups"
    schema_name = "RingGroup"
    key = "number"
    title_field = "name"
    dialable = True
    fields = {
        "number": f.extension_number(required=True, editable=False, example="600",
                                     help="dialled by the organization's phones; a destination as ringgroup:<number>"),
        "name": f.text("Name", 60, default="", example="Sales"),
        "members": f.DestinationList(label="Members", allowed=("extension", "external"), default="",
                                     ref_phrase="rings", example=["101", "102"],
                                     help="extensions, and outside numbers (through the organization's upstream)"),
        "strategy": f.Choice(label="Ring", options=STRATEGIES, default="ringall", column_length=16),
        "ring_seconds": f.Integer(label="Ring for (seconds)", minimum=5, maximum=300, default=20,
                                  help="all at once: in all; one by one: each member"),
        "cid_prefix": f.text("Caller name prefix", 20, default="", example="Sales:",
                             help="shown before the caller's name on the members' phones"),
        "no_answer": f.Destination(label="If nobody answers", allowed=None, default="hangup", example="voicemail:101",
                                   ref_phrase="sends unanswered calls to"),
        "music_class": music_class_field(label="Callers hear",
                                         help="music instead of ringing while the members ring; empty: ringing"),
    }
    pbx_config = RingGroupConfig

    def to_pbx(self, row, context: dict) -> RingGroupConfig:
        """The group, its members as a tuple."""
        return RingGroupConfig(row.number, row.name, tuple(row.members.split()), row.strategy, row.ring_seconds,
                               row.cid_prefix, row.no_answer, row.music_class)

    def check(self, scope, row) -> None:
        """A group whose unanswered calls ring the group again would only ring until the hop limit."""
        if row.no_answer == f"ringgroup:{row.number}":
            raise f.fail("no_answer", "not the group itself", "a ring group cannot send unanswered calls to itself")

    def reset(self, scope) -> None:
        """No ring groups (the numbers that rang them ring the reset extension)."""
        scope.delete_all(self.draft)
