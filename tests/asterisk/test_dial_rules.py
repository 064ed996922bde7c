"""Dial rules and what each extension may call, through the real Asterisk: short numbers and
rewritten prefixes reach the organization's upstream as the rule says; a phone that may not call
abroad (or out at all) is refused, also when it transfers a call there or forwards every call
there; emergency numbers always go out."""
from __future__ import annotations

import time

import pytest

from littlepbx.pbx_backends.base import DialRuleConfig, PhoneState

from .helpers import PHONE_IPS, T1_UPSTREAM_OUT, call, extension, org_t1, password
from .sipp import CALLER_PORT

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")

RULES = (DialRuleConfig("411", 3, "+18003733411", False), DialRuleConfig("0NXXXXXXXXX", 1, "+49", False),
         DialRuleConfig("00X.", 2, "+", True))


def t1_ruled(**permissions: str):
    """Org t1 in Germany (calling code 49) with RULES; extension "t1-<n>" may call ``permissions[n]``."""
    return org_t1(extensions=tuple(extension("t1", n, outside_calls=permissions.get(f"e{n}", "all"))
                                   for n in ("101", "102", "103")),
                  dialrules=RULES, country_code="49", emergency_numbers=("112",))


def sent_out(pbx, phone: str, dialled: str) -> str | None:
    """``phone`` dials ``dialled``: the request URI's user the upstream received, or None when the
    call was refused and nothing reached the upstream."""
    upstream = pbx.sipp.answering(T1_UPSTREAM_OUT)
    try:
        run = pbx.sipp.run("call_answered.xml", PHONE_IPS[phone], CALLER_PORT, service=dialled, user=phone,
                           password=password(phone), duration_ms=200)
        if run.process.returncode != 0:
            time.sleep(0.3)
            assert "INVITE sip:" not in upstream.trace(), upstream.output()
            return None
        assert upstream.wait(10) == 0, upstream.output()
        return upstream.trace().split("INVITE sip:", 1)[1].split("@", 1)[0]
    finally:
        upstream.stop()


@BOTH
def test_short_numbers_go_out_only_through_a_rule_and_rules_rewrite_what_is_sent(t1_restored):
    pbx = t1_restored
    assert sent_out(pbx, "t1-101", "411") is None, "3 to 6 digits that are none of the org's numbers: no rule, refused"
    pbx.apply(t1_ruled())
    assert sent_out(pbx, "t1-101", "411") == "+18003733411"
    assert sent_out(pbx, "t1-101", "03012345678") == "+493012345678"
    assert sent_out(pbx, "t1-101", "00447700900123") == "+447700900123"
    assert sent_out(pbx, "t1-101", "+15559990000") == "+15559990000", "no rule: as dialled"
    call(pbx, "t1-101", "102", PHONE_IPS["t1-102"], answered=True)  # the org's own numbers come first


@BOTH
def test_an_extension_calls_out_only_where_it_may_and_always_to_emergency_numbers(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_ruled(e102="national", e103="none"))
    assert sent_out(pbx, "t1-102", "+4930111111") == "+4930111111", "the org's own country"
    assert sent_out(pbx, "t1-102", "03012345678") == "+493012345678", "a rule not marked abroad"
    assert sent_out(pbx, "t1-102", "+447700900123") is None, "another calling code: abroad"
    assert sent_out(pbx, "t1-102", "00447700900123") is None, "a rule marked abroad"
    assert sent_out(pbx, "t1-102", "411") is None, "a rule's number of another calling code: abroad"
    assert sent_out(pbx, "t1-102", "4930123456789") is None, "as dialled, without +: cannot tell, refused"
    assert sent_out(pbx, "t1-103", "+4930111111") is None
    assert sent_out(pbx, "t1-103", "411") is None
    assert sent_out(pbx, "t1-103", "112") == "112", "emergency numbers always go out"
    call(pbx, "t1-103", "101", PHONE_IPS["t1-101"], answered=True)


def test_a_forward_every_call_abroad_stops_once_the_extension_may_no_longer_call_there(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_ruled())
    pbx.backend.set_phone_state("t1", "102", PhoneState(forward_to="+447700900123"))
    try:
        assert sent_out(pbx, "t1-101", "102") == "+447700900123", "102 may call abroad: its calls follow"
        pbx.apply(t1_ruled(e102="national"))
        assert sent_out(pbx, "t1-101", "102") is None, "now it may not: they go where unanswered ones go"
    finally:
        pbx.backend.set_phone_state("t1", "102", PhoneState())


def test_a_phone_that_may_not_call_abroad_cannot_transfer_a_call_or_forward_its_calls_there(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_ruled(e102="national"))
    upstream = pbx.sipp.answering(T1_UPSTREAM_OUT)
    talking_to = pbx.sipp.answering(PHONE_IPS["t1-101"])
    try:
        run = pbx.sipp.run(pbx.sipp.pressing("**100447700900123#", 6000, phone=True), PHONE_IPS["t1-102"],
                           CALLER_PORT, service="101", user="t1-102", password=password("t1-102"), timeout_s=40)
        assert run.process.returncode == 0, run.output()
        time.sleep(0.5)
        assert "INVITE sip:" not in upstream.trace(), "nothing went abroad"
    finally:
        upstream.stop()
        talking_to.stop()
    refused = pbx.sipp.run("call_refused.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="*72+447700900123",
                           user="t1-102", password=password("t1-102"))
    assert refused.process.returncode == 0, refused.output()
    assert pbx.backend.phone_states("t1")["102"] == PhoneState()
    answered = pbx.sipp.run("call_answered.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="*72+4930111111",
                            user="t1-102", password=password("t1-102"))
    assert answered.process.returncode == 0, answered.output()
    assert pbx.backend.phone_states("t1")["102"] == PhoneState(forward_to="+4930111111")
    pbx.backend.set_phone_state("t1", "102", PhoneState())
