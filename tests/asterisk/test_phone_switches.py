"""Do not disturb (*78/*79) and forwarding every call (*72<number>/*73), switched from the phone
through the real Asterisk: at once, no Apply; the switch is the caller's own phone's, never
another organization's, and an Apply keeps it."""
from __future__ import annotations

import pytest

from littlepbx.pbx_backends.base import PhoneState

from .helpers import PHONE_IPS, call, extension, org_t1, password
from .sipp import CALLER_PORT

pytestmark = pytest.mark.asterisk


@pytest.fixture(autouse=True)
def switched_back(t1_restored):
    """Every phone rings normally again after each test (an Apply would keep the switches)."""
    yield
    for code, numbers in (("t1", ("101", "102", "103")), ("t2", ("101", "102"))):
        for number in numbers:
            t1_restored.backend.set_phone_state(code, number, False, None)


def dial_code(pbx, phone: str, code: str) -> None:
    """``phone`` dials a feature code; Asterisk answers, says it is done, and hangs up."""
    run = pbx.sipp.run("call_answered.xml", PHONE_IPS[phone], CALLER_PORT, service=code, user=phone,
                       password=password(phone), duration_ms=200)
    assert run.process.returncode == 0, run.output()


def t1_103_forwards_to_voicemail_when_unanswered():
    return org_t1(extensions=(extension("t1", "101"), extension("t1", "102"),
                              extension("t1", "103", no_answer="forward", forward_to="101")))


def test_when_a_phone_switches_do_not_disturb_then_its_calls_go_where_unanswered_ones_go(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_103_forwards_to_voicemail_when_unanswered())
    dial_code(pbx, "t1-103", "*78")
    assert pbx.backend.phone_states("t1")["103"] == PhoneState(dnd=True)
    assert pbx.backend.phone_states("t2")["101"] == PhoneState(), "another org's extension 101 is untouched"
    # 103 does not ring: its unanswered calls go to 101 at once.
    ringing = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    try:
        call(pbx, "t1-102", "103", PHONE_IPS["t1-101"], answered=True)
        assert "INVITE sip:" not in ringing.trace(), ringing.output()
    finally:
        ringing.stop()
    pbx.apply(t1_103_forwards_to_voicemail_when_unanswered())  # an Apply keeps what the phone switched
    assert pbx.backend.phone_states("t1")["103"].dnd is True
    dial_code(pbx, "t1-103", "*79")
    assert pbx.backend.phone_states("t1")["103"] == PhoneState()
    call(pbx, "t1-102", "103", PHONE_IPS["t1-103"], answered=True)


def test_when_a_phone_forwards_every_call_then_they_reach_that_number_until_it_stops(t1_restored):
    pbx = t1_restored
    dial_code(pbx, "t1-101", "*72102")
    assert pbx.backend.phone_states("t1")["101"] == PhoneState(forward_to="102")
    call(pbx, "t1-103", "101", PHONE_IPS["t1-102"], answered=True)
    call(pbx, "t1-103", "102", PHONE_IPS["t1-102"], answered=True)  # 102 itself is not forwarded
    dial_code(pbx, "t1-101", "*73")
    assert pbx.backend.phone_states("t1")["101"] == PhoneState()
    call(pbx, "t1-103", "101", PHONE_IPS["t1-101"], answered=True)


def test_a_forward_to_another_orgs_extension_spelled_any_way_reaches_nothing_of_it(t1_restored):
    pbx = t1_restored
    for code in ("*72t2-101", "*72101%40t2", "*72"):
        run = pbx.sipp.run("call_refused.xml", PHONE_IPS["t1-101"], CALLER_PORT, service=code, user="t1-101",
                           password=password("t1-101"))
        assert run.process.returncode == 0, run.output()
    assert pbx.backend.phone_states("t1")["101"] == PhoneState()
