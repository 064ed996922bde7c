"""Paging (intercom) groups: one number that makes the members' phones answer on their speaker at
once, so the caller speaks to all of them; they listen (one-way)."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import PagingGroupConfig

f.register_target(f.Target("paging", "paging:[0-9]{2,6}", "paginggroups", "paging:", "a paging group"))


@register
class PagingGroups(Kind):
    """A number that pages several phones: they answer by themselves, on speaker."""

    name = "paginggroups"
    noun = "paging group"
    label = "Paging group"
    table = "paging_groups"
    schema_name = "PagingGroup"
    key = "number"
    title_field = "name"
    dialable = True
    fields = {
        "number": f.extension_number(required=True, editable=False, example="700",
                                     help="dialled by the organization's phones; a destination as paging:<number>"),
        "name": f.text("Name", 60, default="", example="Warehouse"),
        "members": f.DestinationList(label="Members", allowed=("extension",), default="", ref_phrase="pages",
                                     example=["101", "102"], help="the extensions whose speakers it opens"),
        "seconds": f.Integer(label="Longest page (seconds)", minimum=10, maximum=600, default=60),
    }
    pbx_config = PagingGroupConfig

    def to_pbx(self, row, context: dict) -> PagingGroupConfig:
        """The group, its members as a tuple."""
        return PagingGroupConfig(row.number, row.name, tuple(row.members.split()), row.seconds)

    def reset(self, scope) -> None:
        """No paging groups."""
        scope.delete_all(self.draft)
