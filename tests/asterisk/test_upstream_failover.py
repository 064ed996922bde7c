"""A second outbound upstream as failover, through the real Asterisk: a call out that the
organization's outbound upstream cannot take (503, or no answer to the INVITE) goes out through
its failover upstream; a busy callee is not tried again elsewhere; an organization without one,
or another organization, never uses it."""
from __future__ import annotations

import dataclasses

import pytest

from littlepbx.pbx_backends.base import BackendError, TrunkConfig

from .helpers import T1_UPSTREAM_OUT, T2_UPSTREAM_OUT, call, org_t1, org_t2
from .sipp import PHONE_PORT

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")

OUTSIDE = "+15558888"
T1_FAILOVER = "127.0.0.55"


def t1_with_failover():
    org = org_t1()
    return dataclasses.replace(org, trunks=org.trunks + (
        TrunkConfig("failover", T1_FAILOVER, PHONE_PORT, "udp", None, None, False, None, None),))


@BOTH
def test_when_the_outbound_upstream_is_down_a_call_out_leaves_through_the_failover_one(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with_failover())
    primary = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario=pbx.sipp.refusing("503 Service Unavailable"))
    failover = pbx.sipp.answering(T1_FAILOVER, scenario=pbx.sipp.hanging_up(500))
    try:
        call(pbx, "t1-101", OUTSIDE, None, answered=True)
        assert failover.wait(10) == 0, failover.output()
        assert f"INVITE sip:{OUTSIDE}@" in primary.trace() and f"INVITE sip:{OUTSIDE}@" in failover.trace()
    finally:
        primary.stop()
        failover.stop()


@BOTH
@pytest.mark.parametrize("caller, primary_ip, refusal", [
    ("t1-101", T1_UPSTREAM_OUT, "486 Busy Here"),  # a busy callee is not called again elsewhere
    ("t2-101", T2_UPSTREAM_OUT, "503 Service Unavailable"),  # another org's upstream is down: not ours to use
])
def test_the_failover_upstream_takes_only_its_own_orgs_calls_that_the_outbound_one_could_not(
        t1_restored, caller, primary_ip, refusal):
    pbx = t1_restored
    pbx.apply(t1_with_failover())
    pbx.apply(org_t2())
    primary = pbx.sipp.answering(primary_ip, scenario=pbx.sipp.refusing(refusal))
    failover = pbx.sipp.answering(T1_FAILOVER, scenario="ring.xml")
    try:
        call(pbx, caller, OUTSIDE, None, answered=False)
        assert "INVITE sip:" in primary.trace() and "INVITE sip:" not in failover.trace()
    finally:
        primary.stop()
        failover.stop()


@BOTH
def test_a_failover_upstream_without_an_outbound_one_is_refused_at_apply(t1_restored):
    pbx = t1_restored
    org = t1_with_failover()
    with pytest.raises(BackendError, match="outbound upstream first"):
        pbx.apply(dataclasses.replace(org, trunks=tuple(t for t in org.trunks if t.direction != "outbound")))
