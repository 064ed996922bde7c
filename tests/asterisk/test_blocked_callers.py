"""Blocked callers through the real Asterisk: a blocked number is refused and rings nobody; a
blocked prefix goes where the organization sends it; other callers ring as before; another
organization's list blocks nothing here."""
from __future__ import annotations

import pytest

from littlepbx.pbx_backends.base import BlockedCallerConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, org_t1, org_t2
from .sipp import PHONE_PORT

pytestmark = pytest.mark.asterisk
DID = "+15550101"


def call_from(pbx, caller: str, callee_ip: str | None, answered: bool, others=()):
    """An upstream call to DID from ``caller``; ``callee_ip`` answers (or, refused, nobody rings)."""
    callee = pbx.sipp.answering(callee_ip) if callee_ip else None
    ringing = [pbx.sipp.answering(ip, scenario="ring.xml") for ip in others]
    scenario = "upstream_call_answered.xml" if answered else "upstream_call_refused.xml"
    try:
        run = pbx.sipp.run(scenario, T1_UPSTREAM_IN, PHONE_PORT, service=DID, keys={"user": caller})
        assert run.process.returncode == 0, run.output()
        if callee is not None:
            assert callee.wait(10) == 0, callee.output()
        assert all("INVITE sip:" not in other.trace() for other in ringing), "a phone rang"
    finally:
        for run in ([callee] if callee else []) + ringing:
            run.stop()


def test_blocked_numbers_are_refused_and_blocked_prefixes_go_where_the_org_sends_them(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(blocked_callers=(BlockedCallerConfig("+15559990001", "exact", None),
                                      BlockedCallerConfig("1555999", "prefix", "102"))))
    pbx.apply(org_t2(blocked_callers=(BlockedCallerConfig("+15551230000", "exact", None),)))
    call_from(pbx, "+15559990001", None, answered=False, others=(PHONE_IPS["t1-101"],))
    call_from(pbx, "+15559990077", PHONE_IPS["t1-102"], answered=True, others=(PHONE_IPS["t1-101"],))
    call_from(pbx, "+15551230000", PHONE_IPS["t1-101"], answered=True)  # t2 blocks it, not t1
