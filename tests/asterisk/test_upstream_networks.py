"""Upstream source networks through the real Asterisk: calls from any address of an org's source
network are its calls; an address of the network that another org holds fails the Apply."""
from __future__ import annotations

import pytest

from littlepbx.pbx_backends.base import BackendError, TrunkConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, UNKNOWN_SOURCE, org_t1, trunks, upstream_call
from .sipp import PHONE_PORT

pytestmark = pytest.mark.asterisk
DID = "+15550101"


def t1_from(*sources):
    inbound, outbound = trunks(T1_UPSTREAM_IN, "127.0.0.52")
    inbound = TrunkConfig("inbound", inbound.host, PHONE_PORT, "udp", None, None, False, None, None, tuple(sources))
    return org_t1(trunks=(inbound, outbound))


def test_when_the_source_is_a_network_then_calls_from_any_of_its_addresses_are_the_orgs(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_from("127.0.0.48/30"))  # .48 to .51: the upstream calls from .51
    upstream_call(pbx, T1_UPSTREAM_IN, DID, PHONE_IPS["t1-101"], answered=True)
    upstream_call(pbx, UNKNOWN_SOURCE, DID, PHONE_IPS["t1-101"], answered=False)


def test_when_a_network_holds_another_orgs_address_then_the_apply_fails_and_nothing_moves(t1_restored):
    pbx = t1_restored
    with pytest.raises(BackendError, match="127.0.0.53"):
        pbx.apply(t1_from("127.0.0.52/30"))  # .53 is t2's upstream
    upstream_call(pbx, "127.0.0.53", "+15550201", PHONE_IPS["t2-101"], answered=True)
