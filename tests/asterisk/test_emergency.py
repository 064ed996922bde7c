"""Emergency numbers through the real Asterisk: a phone dials its country's emergency number and
the call leaves through its own upstream with the emergency caller ID, even while the
organization is at its call limit (which refuses any other call); another country's number is
an unknown short number."""
from __future__ import annotations

import pytest

from .helpers import PHONE_IPS, T1_UPSTREAM_OUT, org_t1, password
from .sipp import CALLER_PORT, wait_until

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")


def first_from(trace: str) -> str:
    return next((line for line in trace.splitlines() if line.strip().startswith("From:")), "")


def dial(pbx, phone: str, number: str, answered: bool):
    scenario = "call_answered.xml" if answered else "call_refused.xml"
    return pbx.sipp.run(scenario, PHONE_IPS[phone], CALLER_PORT, service=number, user=phone,
                        password=password(phone))


@BOTH
def test_an_emergency_call_leaves_with_its_caller_id_even_at_the_call_limit(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(max_concurrent_calls=1, emergency_numbers=("911",), emergency_caller_id="+15550199"))
    busy_line = pbx.sipp.answering(PHONE_IPS["t1-102"])
    talking = pbx.sipp.start("call_answered.xml", PHONE_IPS["t1-101"], CALLER_PORT, service="102", user="t1-101",
                             password=password("t1-101"), duration_ms=8000)
    upstream = pbx.sipp.answering(T1_UPSTREAM_OUT)
    try:
        assert wait_until(lambda: pbx.backend.active_calls("t1") == 1, 10)
        refused = dial(pbx, "t1-103", "+15559990000", answered=False)  # the limit holds for others
        assert refused.process.returncode == 0, refused.output()
        run = dial(pbx, "t1-103", "911", answered=True)
        assert run.process.returncode == 0, run.output()
        assert upstream.wait(10) == 0, upstream.output()
        assert "INVITE sip:911@127.0.0.52" in upstream.trace(), upstream.output()
        assert "+15550199" in first_from(upstream.trace()), upstream.trace()
        assert talking.wait(20) == 0, talking.output()
    finally:
        for run in (busy_line, talking, upstream):
            run.stop()


@BOTH
def test_another_countrys_emergency_number_is_only_an_unknown_short_number(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(emergency_numbers=("911",)))
    upstream = pbx.sipp.answering(T1_UPSTREAM_OUT)
    try:
        run = dial(pbx, "t1-103", "112", answered=False)
        assert run.process.returncode == 0, run.output()
        assert "INVITE" not in upstream.trace()
    finally:
        upstream.stop()
