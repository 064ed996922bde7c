"""An extension's own call flow through the real PBX (Asterisk, and FreeSWITCH where marked) with
sipp phones and upstreams: where its calls go when its phone is busy or not connected, follow me
(the numbers rung after the phone itself, an outside one taking the call only by pressing 1), and
the number it calls out as."""
from __future__ import annotations

import re

import pytest

from littlepbx.pbx_backends.base import DidConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_OUT, call, extension, org_t1, password
from .sipp import CALLER_PORT, wait_until

pytestmark = pytest.mark.asterisk

OUTSIDE = "+15558888"  # an outside number: t1's calls to it go to its upstream, T1_UPSTREAM_OUT


def t1_with(*changes: tuple[str, dict]):
    """Org t1 with extensions 101-104 (104 never registers), each changed as given."""
    changed = dict(changes)
    return org_t1(extensions=tuple(extension("t1", number, **changed.get(number, {}))
                                   for number in ("101", "102", "103", "104")))


def caller_run(pbx, phone: str, dialled: str, scenario: str, duration_ms: int = 1000):
    return pbx.sipp.start(scenario, PHONE_IPS[phone], CALLER_PORT, service=dialled, user=phone,
                          password=password(phone), duration_ms=duration_ms, timeout_s=40)


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_a_phone_is_not_connected_then_its_calls_go_at_once_where_the_admin_sends_them(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(("104", {"when_unregistered": "102", "ring_seconds": 30})))
    call(pbx, "t1-101", "104", PHONE_IPS["t1-102"], answered=True)
    pbx.apply(t1_with())  # without: as when not answered (104 hangs up)
    call(pbx, "t1-101", "104", None, answered=False)


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_a_phone_is_busy_then_a_second_call_goes_where_the_admin_sends_busy_calls(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(("103", {"when_busy": OUTSIDE})))
    busy_phone = pbx.sipp.answering(PHONE_IPS["t1-103"])
    outside = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario=pbx.sipp.hanging_up(500))
    try:
        first = caller_run(pbx, "t1-102", "103", "call_answered.xml", duration_ms=8000)
        assert wait_until(lambda: "ACK sip:" in busy_phone.trace(), 10), "103 is on a call with 102"
        call(pbx, "t1-101", "103", None, answered=True)  # answered by the outside number
        assert outside.wait(10) == 0, outside.output()
        assert f"INVITE sip:{OUTSIDE}@" in outside.trace()
        assert first.wait(20) == 0, first.output()
        assert busy_phone.trace().count("INVITE sip:") == 1, "the busy phone was not rung again"
    finally:
        busy_phone.stop()
        outside.stop()


@pytest.mark.backends("asterisk", "freeswitch")
def test_follow_me_rings_its_numbers_one_by_one_and_an_outside_one_takes_the_call_by_pressing_1(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(("103", {"follow_me": ("102", OUTSIDE), "follow_me_confirm": True})))
    own = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    colleague = pbx.sipp.answering(PHONE_IPS["t1-102"], scenario="ring.xml")
    mobile = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario=pbx.sipp.hanging_up(3000, pressing="1"))
    try:
        caller = caller_run(pbx, "t1-101", "103", "call_answered.xml", duration_ms=1000)
        assert caller.wait(45) == 0, caller.output()  # answered: by the mobile, once it pressed 1
        for rang in (own, colleague):
            assert rang.wait(10) == 0, rang.output()  # rang (3 s each), then was cancelled
        assert mobile.wait(10) == 0, mobile.output()
        assert f"INVITE sip:{OUTSIDE}@" in mobile.trace()
    finally:
        for run in (own, colleague, mobile):
            run.stop()


@pytest.mark.backends("asterisk", "freeswitch")
def test_a_mobiles_voicemail_answering_without_pressing_1_never_takes_the_call(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(("103", {"follow_me": (OUTSIDE,), "follow_me_order": "together", "no_answer": "forward",
                               "forward_to": "102"})))
    own = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    voicemail = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario=pbx.sipp.hanging_up(20000))  # answers, presses nothing
    colleague = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        caller = caller_run(pbx, "t1-101", "103", "call_answered.xml", duration_ms=500)
        assert caller.wait(45) == 0, caller.output()
        assert colleague.wait(10) == 0, colleague.output()  # the call went on to "if not answered": 102
        assert voicemail.wait(10) == 0, voicemail.output()  # answered, asked, and let go by the PBX
        assert "BYE sip:" in voicemail.trace().split("INVITE sip:", 1)[1]
    finally:
        for run in (own, voicemail, colleague):
            run.stop()


@pytest.mark.backends("asterisk", "freeswitch")
def test_a_phone_calls_out_as_its_extensions_own_number_else_as_the_organizations_first(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(extensions=(extension("t1", "101"), extension("t1", "102", outbound_caller_id="+15550199"),
                                 extension("t1", "103")),
                     dids=(DidConfig("+15550101", "101"), DidConfig("+15550199", "102"))))
    for phone, shown in (("t1-102", "+15550199"), ("t1-101", "+15550101")):
        upstream = pbx.sipp.answering(T1_UPSTREAM_OUT)
        try:
            call(pbx, phone, OUTSIDE, None, answered=True)
            assert upstream.wait(10) == 0, upstream.output()
            sent_from = re.search(r"^\s*From:.*$", upstream.trace(), re.M).group(0)
            assert f"sip:{shown}@" in sent_from, sent_from
        finally:
            upstream.stop()
