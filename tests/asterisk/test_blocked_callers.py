"""Blocked callers through the real Asterisk: a blocked number is refused and rings nobody; a
blocked prefix goes where the organization sends it; other callers ring as before; another
organization's list blocks nothing here. A phone blocks the last outside caller that rang it
(*32), at once, for its own organization only."""
from __future__ import annotations

import pytest

from littlepbx.pbx_backends.base import BlockedCallerConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, T2_UPSTREAM_IN, org_t1, org_t2, password
from .sipp import CALLER_PORT, PHONE_PORT

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")
DID = "+15550101"


def call_from(pbx, caller: str, callee_ip: str | None, answered: bool, others=(), upstream=T1_UPSTREAM_IN, did=DID):
    """An upstream call to ``did`` from ``caller``; ``callee_ip`` answers (or, refused, nobody rings)."""
    callee = pbx.sipp.answering(callee_ip) if callee_ip else None
    ringing = [pbx.sipp.answering(ip, scenario="ring.xml") for ip in others]
    scenario = "upstream_call_answered.xml" if answered else "upstream_call_refused.xml"
    try:
        run = pbx.sipp.run(scenario, upstream, PHONE_PORT, service=did, keys={"user": caller})
        assert run.process.returncode == 0, run.output()
        if callee is not None:
            assert callee.wait(10) == 0, callee.output()
        assert all("INVITE sip:" not in other.trace() for other in ringing), "a phone rang"
    finally:
        for run in ([callee] if callee else []) + ringing:
            run.stop()


@BOTH
def test_blocked_numbers_are_refused_and_blocked_prefixes_go_where_the_org_sends_them(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(blocked_callers=(BlockedCallerConfig("+15559990001", "exact", None),
                                      BlockedCallerConfig("1555999", "prefix", "102"))))
    pbx.apply(org_t2(blocked_callers=(BlockedCallerConfig("+15551230000", "exact", None),)))
    call_from(pbx, "+15559990001", None, answered=False, others=(PHONE_IPS["t1-101"],))
    call_from(pbx, "+15559990077", PHONE_IPS["t1-102"], answered=True, others=(PHONE_IPS["t1-101"],))
    call_from(pbx, "+15551230000", PHONE_IPS["t1-101"], answered=True)  # t2 blocks it, not t1


def dial_code(pbx, phone: str, code: str) -> None:
    """``phone`` dials a feature code; Asterisk answers, says it is done, and hangs up."""
    run = pbx.sipp.run("call_answered.xml", PHONE_IPS[phone], CALLER_PORT, service=code, user=phone,
                       password=password(phone), duration_ms=200)
    assert run.process.returncode == 0, run.output()


@BOTH
def test_a_phone_blocks_the_last_outside_caller_that_rang_it_at_once_for_its_own_org_only(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t2())
    caller, other = "+15557770001", "+15557770002"
    try:
        call_from(pbx, caller, PHONE_IPS["t1-101"], answered=True)  # t1's DID rings 101
        call_from(pbx, caller, PHONE_IPS["t2-101"], answered=True, upstream=T2_UPSTREAM_IN, did="+15550201")
        dial_code(pbx, "t1-101", "*32")
        assert [(b.number, b.extension) for b in pbx.backend.phone_blocks("t1")] == [(caller, "101")]
        assert pbx.backend.phone_blocks("t2") == [], "t2's phone blocked nothing"
        call_from(pbx, caller, None, answered=False, others=(PHONE_IPS["t1-101"],))
        call_from(pbx, other, PHONE_IPS["t1-101"], answered=True)  # anyone else rings as before
        call_from(pbx, caller, PHONE_IPS["t2-101"], answered=True, upstream=T2_UPSTREAM_IN, did="+15550201")
        dial_code(pbx, "t1-101", "*32")  # now the last caller is the other one
        assert {b.number for b in pbx.backend.phone_blocks("t1")} == {caller, other}
        assert pbx.backend.unblock("t1", caller) and not pbx.backend.unblock("t2", other)
        call_from(pbx, caller, PHONE_IPS["t1-101"], answered=True)  # unblocked: rings again at once
        assert [b.number for b in pbx.backend.phone_blocks("t1")] == [other]
    finally:
        for number in (caller, other):
            pbx.backend.unblock("t1", number)
