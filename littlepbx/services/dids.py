"""DIDs: integrators assign and release numbers; the organization picks where each rings."""
from __future__ import annotations

from sqlalchemy import select

from littlepbx.errors import Conflict, ValidationError
from littlepbx.models import Did, LiveDid
from littlepbx.services import validation as v
from littlepbx.services.extensions import require_extension
from littlepbx.services.scope import OrgScope

ASSIGN_FIELDS = {
    "number": (v.e164,),
    "extension": (v.extension_number,),
    "description": (v.text, 100),
}
# What an organization admin may change on a DID: only where it rings.
ROUTE_FIELDS = {"extension": (v.extension_number,)}


def normalise(number: str) -> str:
    """The stored form of a number given in a URL (with or without '+')."""
    try:
        return v.e164(number)
    except v.FieldError:
        return str(number)


def list_dids(scope: OrgScope) -> list[Did]:
    """The organization's DIDs (draft), by number."""
    return scope.all(Did, order_by=Did.number)


def get_did(scope: OrgScope, number: str) -> Did:
    """One of the organization's DIDs, or NotFound."""
    return scope.get(Did, f"DID {number}", number=normalise(number))


def assign_did(scope: OrgScope, data: dict) -> Did:
    """Give the organization a number; refused while any other organization holds it."""
    scope.require("dids.assign")
    values = v.check_fields(data, ASSIGN_FIELDS, required=("number",))
    number = values["number"]
    if scope.session.get(Did, number) is not None:
        raise Conflict(f"{number} is already assigned", {"number": "already assigned"})
    live_elsewhere = scope.session.scalar(
        select(LiveDid.org_id).where(LiveDid.number == number, LiveDid.org_id != scope.org.id))
    if live_elsewhere is not None:
        raise Conflict(f"{number} is still live in another organization until that one applies",
                       {"number": "still live elsewhere"})
    require_extension(scope, values.get("extension"))
    did = Did(number=number, extension=values.get("extension"),
              description=values.get("description") or "")
    scope.add(did)
    scope.audit("did.assign", number)
    return did


def update_did(scope: OrgScope, number: str, data: dict) -> Did:
    """Change where a DID rings (anyone who edits the PBX) or its description (integrators)."""
    scope.require("pbx.edit")
    did = get_did(scope, number)
    if isinstance(data, dict) and "number" in data and normalise(data["number"]) != did.number:
        raise ValidationError("a DID's number cannot change", {"number": "cannot be changed"})
    data = {k: val for k, val in data.items() if k != "number"} if isinstance(data, dict) else data
    fields = ASSIGN_FIELDS if scope.actor.may("dids.assign") else ROUTE_FIELDS
    values = v.check_fields(data, {k: r for k, r in fields.items() if k != "number"}, partial=True)
    if "extension" in values:
        require_extension(scope, values["extension"])
        did.extension = values["extension"]
    if "description" in values:
        did.description = values["description"] or ""
    scope.audit("did.update", did.number, {"fields": sorted(values)})
    return did


def release_did(scope: OrgScope, number: str) -> None:
    """Take a number away from the organization (it stops ringing after the next Apply)."""
    scope.require("dids.assign")
    did = get_did(scope, number)
    scope.delete(did)
    scope.audit("did.release", did.number)


def as_dict(did: Did) -> dict:
    """The public shape of a DID."""
    return {"number": did.number, "extension": did.extension, "description": did.description}
