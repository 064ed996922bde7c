"""Destinations through the real Asterisk: a number's calls go to a mailbox, an outside number or
nowhere; a forward goes on to its target's own call flow; a loop ends; an altered row is refused."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import update

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.base import DidConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, T1_UPSTREAM_OUT, extension, org_t1, password, upstream_call
from .sipp import CALLER_PORT, PHONE_PORT, wait_until

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")
DID = "+15550101"


def t1_routing(destination: str, *extensions):
    """t1 with its DID going to ``destination`` and some extensions replaced."""
    replaced = {e.number: e for e in extensions}
    base = org_t1()
    return org_t1(extensions=tuple(replaced.get(e.number, e) for e in base.extensions),
                  dids=(DidConfig(DID, destination),))


@BOTH
def test_when_a_number_goes_to_a_mailbox_then_the_caller_leaves_a_message_there(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_routing("voicemail:102", extension("t1", "102", voicemail_enabled=True)))
    before = pbx.voicemails("t1", "102")
    run = pbx.sipp.run("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID, duration_ms=10000, timeout_s=40)
    assert run.process.returncode == 0, run.output()
    assert wait_until(lambda: pbx.voicemails("t1", "102") > before, 10)


@BOTH
def test_when_a_number_goes_to_an_outside_number_then_it_leaves_through_the_orgs_upstream(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_routing("+15559990042"))
    carrier = pbx.sipp.answering(T1_UPSTREAM_OUT)
    try:
        run = pbx.sipp.run("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID)
        assert run.process.returncode == 0, run.output()
        assert carrier.wait(10) == 0, carrier.output()
        assert "INVITE sip:+15559990042@127.0.0.52" in carrier.trace()
    finally:
        carrier.stop()


@BOTH
def test_when_a_number_goes_to_hang_up_then_its_calls_are_refused(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_routing("hangup"))
    upstream_call(pbx, T1_UPSTREAM_IN, DID, None, answered=False)


@BOTH
def test_when_an_extension_forwards_then_the_call_follows_its_targets_own_flow(t1_restored):
    """101 does not answer and forwards to 102, which does not answer either: 102's mailbox takes it."""
    pbx = t1_restored
    pbx.apply(t1_routing("101", extension("t1", "101", ring_seconds=1, no_answer="forward", forward_to="102"),
                         extension("t1", "102", ring_seconds=1, no_answer="voicemail", voicemail_enabled=True)))
    before = pbx.voicemails("t1", "102")
    with ringing_unanswered(pbx, "t1-101", "t1-102"):
        run = pbx.sipp.run("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID, duration_ms=10000,
                           timeout_s=40)
    assert run.process.returncode == 0, run.output()
    assert wait_until(lambda: pbx.voicemails("t1", "102") > before, 10)


@BOTH
def test_when_extensions_forward_to_each_other_then_the_loop_ends(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_routing("101", extension("t1", "101", ring_seconds=1, no_answer="forward", forward_to="102"),
                         extension("t1", "102", ring_seconds=1, no_answer="forward", forward_to="101")))
    with ringing_unanswered(pbx, "t1-101", "t1-102", calls=8):
        run = pbx.sipp.run("call_refused.xml", PHONE_IPS["t1-103"], CALLER_PORT, service="101", user="t1-103",
                           password=password("t1-103"), timeout_s=40)
    assert run.process.returncode == 0, run.output()
    assert pbx.backend.health()["ok"], "the PBX still runs"


@contextmanager
def ringing_unanswered(pbx, *phones, calls=1):
    """The phones ring and never answer while the block runs. Not left unheard: an INVITE nobody
    answers at all is sent again for half a minute and would reach the next test's phone there."""
    runs = [pbx.sipp.answering(PHONE_IPS[phone], scenario="ring.xml", calls=calls) for phone in phones]
    try:
        yield runs
    finally:
        for run in runs:
            run.stop()


@pytest.mark.parametrize("tampered", ["voicemail:101@t2", "ringgroup:600&PJSIP/t2-101", "voicemail:t2-101",
                                      "t2-101", "VoiceMail:101"])
def test_when_a_route_row_is_altered_behind_the_apps_back_then_the_dialplan_refuses_it(t1_restored, tampered):
    pbx = t1_restored
    pbx.apply(t1_routing("101"))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_did_routes).where(tables.lp_did_routes.c.tenantid == "t1")
                           .values(destination=tampered))
    victim = pbx.sipp.answering(PHONE_IPS["t2-101"])
    try:
        upstream_call(pbx, T1_UPSTREAM_IN, DID, None, answered=False)
        assert "INVITE" not in victim.trace()
    finally:
        victim.stop()
    assert not pbx.spool("t2", "101").exists()
