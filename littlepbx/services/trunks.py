"""Upstream SIP trunks: one inbound and one outbound per organization, set by integrators."""
from __future__ import annotations

from littlepbx.errors import NotFound, ValidationError
from littlepbx.models import TRUNK_DIRECTIONS, Trunk
from littlepbx.services import validation as v
from littlepbx.services.scope import OrgScope

FIELDS = {
    "host": (v.host,),
    "port": (v.port,),
    "transport": (v.choice, v.TRANSPORTS),
    "username": (v.sip_user,),
    "password": (v.text, 80, 1),
    "register": (v.boolean,),
    "from_user": (v.sip_user,),
    "from_domain": (v.text, 80, 1),
    "source_addresses": (v.addresses,),
}


def _direction(direction: str) -> str:
    if direction not in TRUNK_DIRECTIONS:
        raise NotFound(f"no trunk direction {direction!r}; use inbound or outbound")
    return direction


def get_trunk(scope: OrgScope, direction: str) -> Trunk:
    """The organization's draft trunk in ``direction``, or NotFound."""
    return scope.get(Trunk, f"{_direction(direction)} trunk", direction=direction)


def put_trunk(scope: OrgScope, direction: str, data: dict) -> Trunk:
    """Create or replace the trunk in ``direction`` (a PUT: omitted fields take their defaults)."""
    scope.require("trunks.manage")
    _direction(direction)
    values = v.check_fields(data, FIELDS, required=("host",))
    if values.get("register") and not (values.get("username") and values.get("password")):
        raise ValidationError("registration needs a username and a password",
                              {"register": "needs username and password"})
    if direction == "inbound" and not values.get("source_addresses") and not values.get("username"):
        raise ValidationError("an inbound trunk needs the addresses calls come from",
                              {"source_addresses": "required for an inbound trunk"})
    trunk = scope.find(Trunk, direction=direction)
    if trunk is None:
        trunk = Trunk(direction=direction)
        scope.add(trunk)
    defaults = {"port": 5060, "transport": "udp", "username": None, "password": None,
                "register": False, "from_user": None, "from_domain": None,
                "source_addresses": ""}
    for name, default in defaults.items():
        setattr(trunk, name, default if values.get(name) is None else values[name])
    trunk.host = values["host"]
    scope.audit("trunk.put", direction)
    return trunk


def delete_trunk(scope: OrgScope, direction: str) -> None:
    """Remove the trunk in ``direction`` (after the next Apply no call uses it)."""
    scope.require("trunks.manage")
    trunk = get_trunk(scope, direction)
    scope.delete(trunk)
    scope.audit("trunk.delete", direction)


def as_dict(trunk: Trunk) -> dict:
    """The public shape of a trunk: the password is never returned, only whether it is set."""
    return {"direction": trunk.direction, "host": trunk.host, "port": trunk.port,
            "transport": trunk.transport, "username": trunk.username,
            "password_set": bool(trunk.password), "register": trunk.register,
            "from_user": trunk.from_user, "from_domain": trunk.from_domain,
            "source_addresses": trunk.source_addresses.split() if trunk.source_addresses else []}
