"""Upstream SIP trunks: one inbound and one outbound per organization, set by integrators."""
from __future__ import annotations

import ipaddress

from sqlalchemy import select

from littlepbx import fields as f
from littlepbx.errors import Conflict, ValidationError
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import TRANSPORTS, TrunkConfig

DIRECTIONS = (("inbound", "Inbound"), ("outbound", "Outbound"))


@register
class Trunks(Kind):
    """Where the organization's calls come from (inbound) and leave through (outbound)."""

    name = "trunks"
    noun = "trunk"
    label = "Trunk"
    table = "trunks"
    schema_name = "Trunk"
    key = "direction"
    key_values = tuple(value for value, _ in DIRECTIONS)
    fields = {
        "direction": f.Choice(label="Direction", options=DIRECTIONS, required=True, editable=False,
                              ident=True, column_length=8),
        "host": f.host(required=True),
        "port": f.port(default=5060),
        "transport": f.Choice(label="Transport", options=tuple((t, t.upper()) for t in TRANSPORTS),
                              default="udp", column_length=8),
        "username": f.sip_user("User name", nullable=True),
        "password": f.Text(label="Password", max_length=80, min_length=1, column_length=128, nullable=True,
                           access="write", secret=True, help="never answered: see password_set"),
        "register": f.Boolean(label="Register", default=False,
                              help="register to the upstream (needs username and password)"),
        "from_user": f.sip_user("From user", nullable=True),
        "from_domain": f.host("From domain", nullable=True, help="a host name or address: nothing else goes "
                              "into the From header"),
        "source_addresses": f.AddressList(label="Source addresses", default="", permission="trunks.addresses"),
    }
    outputs = {"password_set": f.Boolean(label="Password set", access="read")}
    permissions = {"read": "pbx.view", "create": "trunks.manage", "update": "trunks.manage",
                   "delete": "trunks.manage"}
    routes = frozenset({"get", "put", "delete"})
    pbx_config = TrunkConfig

    def check(self, scope, row) -> None:
        """Registration needs credentials; an inbound trunk needs to know where calls come from."""
        if row.register and not (row.username and row.password):
            raise f.fail("register", "needs username and password", "registration needs a username and a password")
        if row.direction == "inbound" and not row.source_addresses and not row.username:
            raise f.fail("source_addresses", "required for an inbound trunk",
                         "an inbound trunk needs the addresses calls come from")
        problems = {name: problem for name, problem in (("host", host_problem(row.host, scope.settings)),
                                                        ("source_addresses", addresses_problem(row, scope.settings)))
                    if problem}
        if problems:
            raise ValidationError(next(iter(problems.values())), problems)
        taken = self.held_elsewhere(scope, row.source_addresses.split())
        if taken:
            raise Conflict(f"{', '.join(taken)}: calls from there already belong to another organization",
                           {"source_addresses": "held by another organization"})

    def held_elsewhere(self, scope, addresses: list[str]) -> list[str]:
        """Which of ``addresses`` (or networks) overlap what another organization's trunk names, in
        its draft or live configuration: an address identifies whose calls arrive from it, so it
        belongs to one organization only."""
        if not addresses:
            return []
        held = set()
        for model in (self.draft, self.live):
            for value in scope.session.scalars(select(model.source_addresses)
                                               .where(model.org_id != scope.org.id, model.source_addresses != "")):
                held.update(ipaddress.IPv4Network(item) for item in value.split())
        return sorted(a for a in addresses if any(ipaddress.IPv4Network(a).overlaps(other) for other in held))

    def extra(self, scope, rows: list, pbx) -> dict:
        """Whether a password is set (the password itself is never answered)."""
        return {self.key_of(row): {"password_set": bool(row.password)} for row in rows}

    def to_pbx(self, row, context: dict) -> TrunkConfig:
        """The trunk, its source addresses as a tuple."""
        return TrunkConfig(row.direction, row.host, row.port, row.transport, row.username, row.password,
                           row.register, row.from_user, row.from_domain, tuple(row.source_addresses.split()))


def address_problem(address: ipaddress.IPv4Address, settings: dict) -> str | None:
    """Why an upstream may not be at ``address``, or None."""
    if address.is_link_local or address.is_multicast or address.is_unspecified or address.is_reserved:
        return f"{address} is not an address an upstream can have"
    if (address.is_loopback or address.is_private) and not settings.get("ALLOW_PRIVATE_UPSTREAMS"):
        return f"{address} is a loopback or private address (the operator's ALLOW_PRIVATE_UPSTREAMS allows them)"
    return None


def host_problem(host: str, settings: dict) -> str | None:
    """Why a trunk may not point at ``host``: a bad address, or this server's own SIP address."""
    own = {str(settings.get(key) or "").lower() for key in ("SIP_PUBLIC_HOST", "ASTERISK_SIP_HOST")} - {"", "0.0.0.0"}
    if host.lower() in own:
        return f"{host} is this server's own SIP address"
    if host.lower().rstrip(".") == "localhost":
        host = "127.0.0.1"
    try:
        return address_problem(ipaddress.IPv4Address(host), settings)
    except ValueError:
        return None  # a host name: what it resolves to is the carrier's


# Addresses of all the source networks of one trunk together (each is at most a /24).
MAX_SOURCE_ADDRESSES = 1024


def addresses_problem(row, settings: dict) -> str | None:
    """The first source address or network an upstream's calls may not come from, or None."""
    count = 0
    for item in row.source_addresses.split():
        try:
            network = ipaddress.IPv4Network(item)
        except ValueError:
            return f"{item} has host bits set: the network is {ipaddress.IPv4Network(item, strict=False)}"
        count += network.num_addresses
        for address in {network.network_address, network.broadcast_address}:
            problem = address_problem(address, settings)
            if problem:
                return problem.replace(str(address), item, 1) if network.prefixlen < 32 else problem
    if count > MAX_SOURCE_ADDRESSES:
        return f"{count} addresses in all: at most {MAX_SOURCE_ADDRESSES}"
    return None
