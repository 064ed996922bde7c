"""Do not disturb (*78/*79) and the forwards (every call *72<number>/*73, when busy *90<number>/*91,
when unanswered *52<number>/*53), switched from the phone through the real Asterisk and FreeSWITCH: at once, no
Apply; the switch is the caller's own phone's, never another organization's, and an Apply keeps it."""
from __future__ import annotations

import pytest

from littlepbx.pbx_backends.base import PhoneState

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, call, extension, org_t1, password, upstream_call
from .sipp import CALLER_PORT, wait_until

pytestmark = [pytest.mark.asterisk, pytest.mark.backends("asterisk", "freeswitch")]


@pytest.fixture(autouse=True)
def switched_back(t1_restored):
    """Every phone rings normally again after each test (an Apply would keep the switches)."""
    yield
    for code, numbers in (("t1", ("101", "102", "103")), ("t2", ("101", "102"))):
        for number in numbers:
            t1_restored.backend.set_phone_state(code, number, PhoneState())


def dial_code(pbx, phone: str, code: str) -> None:
    """``phone`` dials a feature code; the PBX answers, says it is done, and hangs up."""
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


def test_a_forward_to_another_orgs_extension_spelled_any_way_or_to_itself_reaches_nothing_of_it(t1_restored):
    pbx = t1_restored
    for code in ("*72t2-101", "*72101%40t2", "*72", "*90t2-101", "*52101%40t2", "*90", "*52101"):
        run = pbx.sipp.run("call_refused.xml", PHONE_IPS["t1-101"], CALLER_PORT, service=code, user="t1-101",
                           password=password("t1-101"))
        assert run.process.returncode == 0, run.output()
    assert pbx.backend.phone_states("t1")["101"] == PhoneState()


def test_when_a_phone_forwards_busy_calls_then_a_call_finding_it_on_a_call_goes_there(t1_restored):
    pbx = t1_restored
    dial_code(pbx, "t1-101", "*90103")
    assert pbx.backend.phone_states("t1")["101"] == PhoneState(forward_busy="103")
    busy_phone = pbx.sipp.answering(PHONE_IPS["t1-101"])
    try:
        first = pbx.sipp.start("call_answered.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="101", user="t1-102",
                               password=password("t1-102"), duration_ms=8000, timeout_s=40)
        assert wait_until(lambda: "ACK sip:" in busy_phone.trace(), 10), "101 is on a call with 102"
        upstream_call(pbx, T1_UPSTREAM_IN, "+15550101", PHONE_IPS["t1-103"], answered=True)  # its DID: 101
        assert first.wait(20) == 0, first.output()
        assert busy_phone.trace().count("INVITE sip:") == 1, "the busy phone was not rung again"
    finally:
        busy_phone.stop()
    dial_code(pbx, "t1-101", "*91")
    assert pbx.backend.phone_states("t1")["101"] == PhoneState()


def test_when_a_phone_forwards_unanswered_calls_then_they_go_there_after_ringing_or_at_once_on_dnd(t1_restored):
    pbx = t1_restored
    dial_code(pbx, "t1-103", "*52102")
    assert pbx.backend.phone_states("t1")["103"] == PhoneState(forward_unanswered="102")
    ringing = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    try:
        call(pbx, "t1-101", "103", PHONE_IPS["t1-102"], answered=True)  # after 103 rang its 3 s
        assert "INVITE sip:" in ringing.trace(), ringing.output()
    finally:
        ringing.stop()
    dial_code(pbx, "t1-103", "*78")  # do not disturb: at once, without ringing
    ringing = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    try:
        call(pbx, "t1-101", "103", PHONE_IPS["t1-102"], answered=True)
        assert "INVITE sip:" not in ringing.trace(), ringing.output()
    finally:
        ringing.stop()
    dial_code(pbx, "t1-103", "*79")
    dial_code(pbx, "t1-103", "*53")
    assert pbx.backend.phone_states("t1")["103"] == PhoneState()
