"""DIDs: phone numbers the integrator assigns to an organization; its admin picks where each rings."""
from __future__ import annotations

from sqlalchemy import select, update

from littlepbx import fields as f
from littlepbx.errors import Conflict, QuotaExceeded
from littlepbx.kinds.base import GLOBAL, Kind
from littlepbx.kinds.extensions import RESET_NUMBER
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import DidConfig


@register
class Dids(Kind):
    """An E.164 number: one organization holds it, and its calls go to a destination of its own
    (an extension, a mailbox, a ring group, a menu, business hours, ...) or are refused."""

    name = "dids"
    noun = "DID"
    label = "Number"
    table = "dids"
    schema_name = "Did"
    key = "number"
    key_scope = GLOBAL   # a number belongs to one organization on the whole server
    fields = {
        "number": f.e164(required=True, editable=False,
                         help="spaces, dots, dashes and parentheses are dropped; a missing + is added"),
        "destination": f.Destination(label="Rings", allowed=None, nullable=True, on_delete="set_null",
                                     ref_phrase="rings", example="100",
                                     help="where calls to this number go; null: they are refused"),
        "description": f.text("Description", 100, default="", permission="dids.assign",
                              help="set by the integrator"),
        "record_calls": f.Boolean(label="Record its calls", default=False,
                                  help="every call to this number, kept the organization's recording days"),
    }
    permissions = {"read": "pbx.view", "create": "dids.assign", "update": "pbx.edit", "delete": "dids.assign"}
    verbs = {"create": "assign", "update": "update", "delete": "release"}
    # Before destinations, a DID rang an extension: "extension": "101" still means "destination": "101".
    aliases = {"extension": "destination"}
    pbx_config = DidConfig

    def before_create(self, scope, values: dict) -> None:
        """A number is held by one organization at a time, drafts and live configurations alike."""
        number = values["number"]
        if scope.count(self.draft) >= scope.org.max_dids:
            raise QuotaExceeded(f"the organization may have at most {scope.org.max_dids} numbers",
                                {"number": "number limit reached"})
        if scope.session.get(self.draft, number) is not None:
            raise Conflict(f"{number} is already assigned", {"number": "already assigned"})
        live_elsewhere = scope.session.scalar(
            select(self.live.org_id).where(self.live.number == number, self.live.org_id != scope.org.id))
        if live_elsewhere is not None:
            raise Conflict(f"{number} is still live in another organization until that one applies",
                           {"number": "still live elsewhere"})

    def reset(self, scope) -> None:
        """Every number rings the reset extension."""
        scope.session.execute(update(self.draft).where(self.draft.org_id == scope.org.id)
                              .values(destination=RESET_NUMBER))
