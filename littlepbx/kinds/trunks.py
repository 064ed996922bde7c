"""Upstream SIP trunks: one inbound and one outbound per organization, set by integrators."""
from __future__ import annotations

from littlepbx import fields as f
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
        "source_addresses": f.AddressList(label="Source addresses", default=""),
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

    def extra(self, scope, rows: list, pbx) -> dict:
        """Whether a password is set (the password itself is never answered)."""
        return {self.key_of(row): {"password_set": bool(row.password)} for row in rows}

    def to_pbx(self, row, context: dict) -> TrunkConfig:
        """The trunk, its source addresses as a tuple."""
        return TrunkConfig(row.direction, row.host, row.port, row.transport, row.username, row.password,
                           row.register, row.from_user, row.from_domain, tuple(row.source_addresses.split()))
