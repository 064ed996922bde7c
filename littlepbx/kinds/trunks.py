"""Upstream SIP trunks, set by integrators: one inbound and one outbound per organization, and
optionally a failover one that its calls out try when the outbound one cannot take them."""
from __future__ import annotations

import ipaddress

from sqlalchemy import select

from littlepbx import fields as f
from littlepbx.errors import Conflict, ValidationError
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import TRANSPORTS, TrunkConfig
from littlepbx.pbx_backends.upstreams import address_problem, as_network

DIRECTIONS = (("inbound", "Inbound"), ("outbound", "Outbound"), ("failover", "Outbound failover"))


@register
class Trunks(Kind):
    """Where the organization's calls come from (inbound) and leave through (outbound, and the
    failover upstream when the outbound one is down or refuses with 503)."""

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
        "source_addresses": f.AddressList(
            label="Source addresses", default="", permission="trunks.addresses",
            help="inbound: the addresses, networks or host names whose calls are this organization's (held "
                 "by one organization only); outbound with registration: where the carrier sends the calls "
                 "of the registration from, besides its host"),
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
        if row.register and row.direction == "failover":
            raise f.fail("register", "not for a failover upstream", "a failover upstream only takes calls out: "
                                                                    "it does not register")
        if row.direction == "inbound" and not row.source_addresses and not row.username:
            raise f.fail("source_addresses", "required for an inbound trunk",
                         "an inbound trunk needs the addresses calls come from")
        problems = {name: problem for name, problem in (("host", host_problem(row.host, scope.settings)),
                                                        ("source_addresses", addresses_problem(row, scope.settings)))
                    if problem}
        if problems:
            raise ValidationError(next(iter(problems.values())), problems)
        taken = self.held_elsewhere(scope, row.source_addresses.split()) if row.direction == "inbound" else []
        if taken:
            raise Conflict(f"{', '.join(taken)}: calls from there already belong to another organization",
                           {"source_addresses": "held by another organization"})

    def held_elsewhere(self, scope, addresses: list[str]) -> list[str]:
        """Which of ``addresses`` (or networks) overlap what another organization's inbound trunk
        names, in its draft or live configuration: an address identifies whose calls arrive from
        it, so it belongs to one organization only. Host names are compared by what they resolve
        to when each Apply claims it."""
        networks = {a: network for a in addresses if (network := as_network(a))}
        if not networks:
            return []
        held = set()
        for model in (self.draft, self.live):
            for value in scope.session.scalars(select(model.source_addresses)
                                               .where(model.org_id != scope.org.id, model.direction == "inbound",
                                                      model.source_addresses != "")):
                held.update(filter(None, map(as_network, value.split())))
        return sorted(a for a, network in networks.items() if any(network.overlaps(other) for other in held))

    def extra(self, scope, rows: list, pbx) -> dict:
        """Whether a password is set (the password itself is never answered)."""
        return {self.key_of(row): {"password_set": bool(row.password)} for row in rows}

    def to_pbx(self, row, context: dict) -> TrunkConfig:
        """The trunk, its source addresses as a tuple."""
        return TrunkConfig(row.direction, row.host, row.port, row.transport, row.username, row.password,
                           row.register, row.from_user, row.from_domain, tuple(row.source_addresses.split()))


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
# The column that holds them, space-separated.
SOURCE_ADDRESSES_LENGTH = 1000


def addresses_problem(row, settings: dict) -> str | None:
    """The first source address or network an upstream's calls may not come from, or None."""
    if len(row.source_addresses) > SOURCE_ADDRESSES_LENGTH:
        return f"{len(row.source_addresses)} characters in all: at most {SOURCE_ADDRESSES_LENGTH}"
    count = 0
    for item in row.source_addresses.split():
        network = as_network(item)
        if network is None:
            continue  # a host name: checked with what it resolves to, at each Apply
        if str(network) != item and f"{network.network_address}" != item:
            return f"{item} has host bits set: the network is {network}"
        count += network.num_addresses
        for address in {network.network_address, network.broadcast_address}:
            problem = address_problem(address, settings)
            if problem:
                return problem.replace(str(address), item, 1) if network.prefixlen < 32 else problem
    if count > MAX_SOURCE_ADDRESSES:
        return f"{count} addresses in all: at most {MAX_SOURCE_ADDRESSES}"
    return None
