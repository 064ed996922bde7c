"""In-call features through the real Asterisk: transfers (the keys **1 and **0, and the phone's
transfer button, a SIP REFER), parking (#77, then dialling the slot) and pickup (**<number>, *8).
Each within the organization only: another organization's phones are never reached, its parked
calls never taken, its ringing phones never answered."""
from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from littlepbx.pbx_backends.base import CallSettingsConfig, RingGroupConfig

from .helpers import (
    PHONE_IPS,
    T1_UPSTREAM_IN,
    T1_UPSTREAM_OUT,
    T2_UPSTREAM_IN,
    T2_UPSTREAM_OUT,
    extension,
    joining,
    members,
    org_t1,
    org_t2,
    password,
    room,
    rooms,
)
from .sipp import (
    CALLER_PORT,
    PHONE_PORT,
    SCENARIOS,
    final_answer,
    final_status,
    hung_up_by_pbx,
    transfer_result,
    wait_until,
)

pytestmark = pytest.mark.asterisk
BOTH = pytest.mark.backends("asterisk", "freeswitch")


def phone_call(pbx, phone: str, dialled: str, scenario: str, duration_ms: int = 200, call_id: str | None = None):
    """``phone`` calls ``dialled`` with ``scenario`` (from its caller port; call_answered.xml hangs
    up ``duration_ms`` after the answer; ``call_id``: the call's Call-ID, not sipp's); returns the
    run at once."""
    return pbx.sipp.start(scenario, PHONE_IPS[phone], CALLER_PORT, service=dialled, user=phone,
                          password=password(phone), timeout_s=40, duration_ms=duration_ms, call_id=call_id)


def finished(run, timeout: float = 20) -> None:
    """``run`` ended as its scenario says."""
    assert run.wait(timeout) == 0, run.output()


@BOTH
def test_when_a_phone_presses_star_star_1_and_a_number_then_the_other_party_is_put_through_to_it(t1_restored):
    pbx = t1_restored
    target = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario=pbx.sipp.hanging_up(1500))
    transferee = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        transferer = phone_call(pbx, "t1-101", "102", pbx.sipp.pressing("**1103#", 8000, phone=True))
        finished(transferer, 45)
        assert hung_up_by_pbx(transferer), "the phone that transferred is out of the call"
        finished(target)       # 103 rang, answered, and hung up after 1.5 s ...
        finished(transferee)   # ... on 102, who was put through to it
        assert "INVITE sip:" in target.trace()
    finally:
        target.stop()
        transferee.stop()


@BOTH
def test_when_a_phone_presses_star_star_0_then_it_consults_and_hanging_up_completes_the_transfer(t1_restored):
    pbx = t1_restored
    target = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario=pbx.sipp.hanging_up(5000))
    transferee = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        # 101 talks to 102, presses **0 and 103: 103 answers 101 (the consultation); 101 hangs up.
        transferer = phone_call(pbx, "t1-101", "102", pbx.sipp.pressing("**0103#", 2500, phone=True))
        finished(transferer, 45)
        assert not hung_up_by_pbx(transferer), "the phone that transferred hung up itself"
        assert "INVITE sip:" in target.trace(), "103 was called for the consultation"
        time.sleep(0.5)
        assert transferee.process.poll() is None, "102 stays in the call once 101 is gone: it is with 103"
        finished(target)
        finished(transferee)
    finally:
        target.stop()
        transferee.stop()


@BOTH
def test_the_phone_that_answered_transfers_its_caller_with_star_star_1(t1_restored):
    pbx = t1_restored
    target = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario=pbx.sipp.hanging_up(1500))
    # 102 answers 101's call and presses **1103#: 101 is put through to 103.
    transferer = pbx.sipp.answering(PHONE_IPS["t1-102"], scenario=pbx.sipp.hanging_up(20000, pressing="**1103#"))
    try:
        caller = phone_call(pbx, "t1-101", "102", pbx.sipp.pressing("", 15000, phone=True))
        finished(target, 20)  # 103 rang, answered, and hung up after 1.5 s ...
        finished(caller, 12)  # ... on 101, who was put through to it
        assert "INVITE sip:" in target.trace() and hung_up_by_pbx(caller)
        # 102 left the call when it transferred: the PBX hung it up (long before its own 20 s)
        assert wait_until(lambda: hung_up_by_pbx(transferer), 5), transferer.output()
    finally:
        target.stop()
        transferer.stop()


@BOTH
def test_an_outside_caller_pressing_the_transfer_keys_transfers_nothing(t1_restored):
    pbx = t1_restored
    target = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    callee = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario=pbx.sipp.hanging_up(9000))
    try:
        caller = pbx.sipp.start(pbx.sipp.pressing("**1103#", 5000), T1_UPSTREAM_IN, PHONE_PORT,
                                service="+15550101", timeout_s=40)
        finished(caller, 30)
        assert not hung_up_by_pbx(caller), "the outside caller stayed with 101 and hung up itself"
        finished(callee)
        assert "INVITE sip:" not in target.trace(), "103 never rang"
    finally:
        target.stop()
        callee.stop()


@pytest.mark.parametrize("refer_to, reached", [("103", "t1-103"), ("+15550201", "t1-upstream"),
                                               ("t2-101", None), ("102%26PJSIP%2Ft2-101", None), ("*97", None)])
def test_a_phones_transfer_button_reaches_its_own_orgs_numbers_and_never_another_orgs_phone(
        t1_restored, refer_to, reached):
    pbx = t1_restored
    callees = {"t1-103": pbx.sipp.answering(PHONE_IPS["t1-103"], scenario=pbx.sipp.hanging_up(1000)),
               "t1-upstream": pbx.sipp.answering(T1_UPSTREAM_OUT, scenario=pbx.sipp.hanging_up(1000)),
               "t2-101": pbx.sipp.answering(PHONE_IPS["t2-101"], scenario="ring.xml")}
    transferee = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        transferer = phone_call(pbx, "t1-101", "102", pbx.sipp.referring(refer_to))
        finished(transferer, 45)
        if reached:
            assert transfer_result(transferer) == 200, transferer.output()
            finished(callees[reached])
            finished(transferee)  # put through to it, and hung up when it did
        else:
            assert (transfer_result(transferer) or 0) >= 400, transferer.output()
        time.sleep(0.5)
        for name, callee in callees.items():
            assert ("INVITE sip:" in callee.trace()) == (name == reached), f"{name} rang: {callee.output()}"
    finally:
        for run in (*callees.values(), transferee):
            run.stop()


def dialog_of(run) -> str:
    """The Replaces header naming the call a sipp phone ``run`` made: its Call-ID, the PBX's tag
    (the to-tag: RFC 3891 names the dialog as its recipient, the PBX, sees it) and the phone's."""
    answer = re.search(r"SIP/2\.0 200 OK\s*\n((?:[^\n]+\n)+)", run.trace()).group(1)
    call_id = re.search(r"^Call-ID:\s*(\S+)", answer, re.M | re.I).group(1)
    from_tag = re.search(r"^From:.*;tag=([^;\s>]+)", answer, re.M | re.I).group(1)
    to_tag = re.search(r"^To:.*;tag=([^;\s>]+)", answer, re.M | re.I).group(1)
    return f"{call_id};to-tag={to_tag};from-tag={from_tag}"


def in_refer_to(replaces: str) -> str:
    """A Replaces header as a Refer-To URI carries it (escaped)."""
    return quote(replaces, safe="")


NO_SUCH_CALL = "nosuchcall@127.0.0.11;to-tag=1;from-tag=2"


def twice_referring(path: str) -> str:
    """A phone_call_refer.xml scenario (``path``) sending two Refer-To headers: first its own with a
    URI padded past 512 characters, then its own again (RFC 3515 allows one)."""
    text = Path(path).read_text()
    padded = re.sub(r"^( *)Refer-To: <(sip:[^>?]+)(\?[^>]*)?>$",
                    lambda found: f"{found[1]}Refer-To: <{found[2]};lp-pad={'p' * 600}{found[3] or ''}>\n{found[0]}",
                    text, count=1, flags=re.M)
    assert padded != text
    Path(path).write_text(padded)
    return path


@BOTH
@pytest.mark.parametrize("refer_to", ["one", "two"])
def test_a_phones_attended_transfer_never_reaches_another_orgs_call_or_another_address(t1_restored, refer_to):
    """Naming another organization's call in an attended transfer (a REFER whose Refer-To carries
    Replaces) is answered exactly as naming no call: refused, and nothing rings; so too with two
    Refer-To headers, the first too long to be written again. Asterisk would join the transferred
    party to the call it names, whoever's (LittlePBX's module stops it); FreeSWITCH would find it by
    its Call-ID and dial the address the REFER names (its profile refuses every REFER)."""
    pbx = t1_restored
    spelled = twice_referring if refer_to == "two" else str
    t2_callee = pbx.sipp.answering(PHONE_IPS["t2-102"])
    target = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    runs = [t2_callee, target]
    try:
        t2_caller = phone_call(pbx, "t2-101", "102", "call_answered.xml", duration_ms=15000)
        assert wait_until(lambda: "SIP/2.0 200 OK" in t2_caller.trace(), 10), t2_caller.output()
        results = []
        for replaces, host in ((dialog_of(t2_caller), "[remote_ip]:[remote_port]"),
                               (NO_SUCH_CALL, f"{PHONE_IPS['t1-103']}:{PHONE_PORT}")):
            runs.append(pbx.sipp.answering(PHONE_IPS["t1-102"]))  # 101 talks to 102, then presses transfer
            transferer = phone_call(pbx, "t1-101", "102", spelled(pbx.sipp.referring(
                "103", replaces=in_refer_to(replaces), host=host)))
            finished(transferer, 45)
            results.append(transfer_result(transferer))
            finished(runs[-1])
        assert results[0] == results[1] and results[0] >= 400, results
        time.sleep(0.5)
        assert "INVITE sip:" not in target.trace(), "nothing rang 103, or was dialled at its address"
        went_on(t2_caller, t2_callee)
    finally:
        for run in runs:
            run.stop()


@pytest.mark.backends("asterisk")
def test_a_phones_attended_transfer_joins_the_two_calls_of_its_own_org(t1_restored):
    """101 has called 103 (asking whether it takes a call) and talks to 102; its transfer button
    names the call with 103: 102 now talks to 103, and 101 is out of both calls."""
    pbx = t1_restored
    target = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario=pbx.sipp.hanging_up(3000))
    transferee = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        # 101's other line (a second port of the phone): the call with 103, on until the PBX ends it
        consulted = pbx.sipp.start(pbx.sipp.pressing("", 15000, phone=True), PHONE_IPS["t1-101"], CALLER_PORT + 5,
                                   service="103", user="t1-101", password=password("t1-101"), timeout_s=40)
        assert wait_until(lambda: "SIP/2.0 200 OK" in consulted.trace(), 10), consulted.output()
        transferer = phone_call(pbx, "t1-101", "102", pbx.sipp.referring("103", replaces=in_refer_to(
            dialog_of(consulted))))
        finished(transferer, 45)
        assert transfer_result(transferer) == 200, transferer.output()
        finished(consulted, 30)
        assert hung_up_by_pbx(consulted), "101's call with 103 was handed over"
        finished(target, 30)      # 103 hung up 3 s after answering ...
        finished(transferee, 30)  # ... on 102, who was put through to it
        assert target.trace().count("INVITE sip:") == 1, "103 rang once: the call was handed over, not placed again"
    finally:
        for run in (target, transferee):
            run.stop()


def went_on(caller, callee) -> None:
    """The call of ``caller`` to ``callee`` (sipp runs) went on undisturbed, to its end."""
    finished(caller, 30)
    assert not hung_up_by_pbx(caller)
    finished(callee)


def naming(pbx, dialled: str, replaces: str) -> int | None:
    """t1-103 calls ``dialled`` naming the call ``replaces`` (refused, it expects): the answer."""
    taker = phone_call(pbx, "t1-103", dialled, pbx.sipp.replacing("call_refused.xml", replaces))
    finished(taker)
    return final_status(taker)


@BOTH
def test_a_phone_takes_over_only_its_own_orgs_calls_by_naming_them(t1_restored):
    """An INVITE with Replaces takes over the call it names (a phone picking up a call it was told
    about): within the organization it does; naming another organization's call is answered as
    naming no call, and that call goes on, however the header is spelled (FreeSWITCH took a
    parameter named call_id for the Call-ID named). Both PBXs find the call before any dialplan,
    whoever's (FreeSWITCH by its Call-ID alone): LittlePBX's module for each stops it."""
    pbx = t1_restored
    t2_callee = pbx.sipp.answering(PHONE_IPS["t2-102"])
    t1_callee = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        t2_caller = phone_call(pbx, "t2-101", "102", "call_answered.xml", duration_ms=15000)
        own_call_id = "lp-own-call-of-t1-101"  # a token: a header parameter's value may be one
        t1_caller = phone_call(pbx, "t1-101", "102", "call_answered.xml", duration_ms=15000, call_id=own_call_id)
        for run in (t2_caller, t1_caller):
            assert wait_until(lambda run=run: "SIP/2.0 200 OK" in run.trace(), 10), run.output()
        # naming it outright, with a parameter that says the phone's own call's Call-ID, and naming none
        statuses = [naming(pbx, "102", replaces) for replaces in (
            dialog_of(t2_caller), f"{dialog_of(t2_caller)};call_id={own_call_id}", NO_SUCH_CALL)]
        assert statuses == [481, 481, 481], statuses
        taker = phone_call(pbx, "t1-103", "102", pbx.sipp.replacing("call_answered.xml", dialog_of(t1_caller)),
                           duration_ms=1000)
        finished(taker)
        assert final_status(taker) == 200
        assert wait_until(lambda: hung_up_by_pbx(t1_caller), 5), "t1's caller was replaced by 103"
        went_on(t2_caller, t2_callee)
    finally:
        for run in (t2_callee, t1_callee):
            run.stop()


def session_of_call(pbx, org: str) -> str:
    """FreeSWITCH's id of the one session its plan named organization ``org`` on (a caller's leg;
    its channel list, written by a thread of its own, may lag a moment behind)."""
    def sessions() -> list[str]:
        rows = json.loads(pbx.cli("show channels as json")).get("rows") or []
        return [row["uuid"] for row in rows if pbx.cli(f"uuid_getvar {row['uuid']} lp_org").strip() == org]
    assert wait_until(lambda: len(sessions()) == 1, 5), pbx.cli("show channels")
    return sessions()[0]


@pytest.mark.backends("freeswitch")
def test_a_phone_whose_own_call_bears_another_orgs_session_id_takes_over_no_call_of_that_org(t1_restored):
    """FreeSWITCH's sofia, told by a Replaces header's a-leg parameter, takes over the session
    whose id is the Call-ID named, having looked up (and found in scope) the call with that
    Call-ID: a phone that gave its own call the id of another organization's session, and names
    that call, is answered as naming no call, and the other organization's call goes on."""
    pbx = t1_restored
    t2_callee = pbx.sipp.answering(PHONE_IPS["t2-102"])
    t1_callee = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        t2_caller = phone_call(pbx, "t2-101", "102", "call_answered.xml", duration_ms=15000)
        assert wait_until(lambda: "SIP/2.0 200 OK" in t2_caller.trace(), 10), t2_caller.output()
        own = phone_call(pbx, "t1-101", "102", "call_answered.xml", duration_ms=15000, call_id=session_of_call(pbx, "t2"))
        assert wait_until(lambda: "SIP/2.0 200 OK" in own.trace(), 10), own.output()
        statuses = [naming(pbx, "102", f"{replaces};a-leg=true") for replaces in (dialog_of(own), NO_SUCH_CALL)]
        assert statuses == [481, 481], statuses
        time.sleep(0.5)
        assert t2_callee.process.poll() is None, "t2's callee is still in its call"
        went_on(t2_caller, t2_callee)
        finished(own, 30)
    finally:
        for run in (t2_callee, t1_callee):
            run.stop()


def in_dialog(pbx, method: str) -> str:
    """probe.xml sending ``method`` as if within a call whose tags it does not know (empty ``;tag``
    parameters; the call's Call-ID is sipp's ``call_id``); written to the work directory, returns
    its path."""
    text = (SCENARIOS / "probe.xml").read_text().replace("@METHOD@", method)
    text = text.replace(";tag=[pid]SIPpTag00[call_number]", ";tag").replace(f"CSeq: 1 {method}", f"CSeq: 99 {method}")
    text = re.sub(r"^( *To: <[^>]*>)$", r"\1;tag", text, flags=re.M)
    path = pbx.workdir / f"in-dialog-{method}.xml"
    path.write_text(text)
    return str(path)


@BOTH
def test_a_phone_that_knows_another_orgs_call_id_but_not_its_tags_cannot_end_it(t1_restored):
    """A request within a call names the call by its Call-ID and both parties' tags: a BYE with
    another organization's Call-ID and empty tags is answered as one naming no call, and that call
    goes on (sofia-sip matched empty tags to any; LittlePBX's change to it stops that)."""
    pbx = t1_restored
    t2_callee = pbx.sipp.answering(PHONE_IPS["t2-102"])
    try:
        t2_caller = phone_call(pbx, "t2-101", "102", "call_answered.xml", duration_ms=8000)
        assert wait_until(lambda: "SIP/2.0 200 OK" in t2_caller.trace(), 10), t2_caller.output()
        answers = []
        for call_id in (dialog_of(t2_caller).split(";")[0], "nosuchcall@127.0.0.11"):
            run = pbx.sipp.run(in_dialog(pbx, "BYE"), PHONE_IPS["t1-102"], CALLER_PORT, service="102",
                               user="t1-102", password=password("t1-102"), call_id=call_id,
                               keys={"event": "none", "content_type": "text/plain", "body": ""})
            assert run.process.returncode == 0, run.output()
            answers.append(final_answer(run))
        assert answers[0] == answers[1] and answers[0] >= 400, answers
        went_on(t2_caller, t2_callee)
    finally:
        t2_callee.stop()


@BOTH
def test_an_upstream_takes_over_no_call_of_another_org_by_naming_it(t1_restored):
    """Calls from every organization's upstreams arrive alike (Asterisk: one endpoint): an INVITE
    with Replaces from t1's upstream address naming t2's call from its upstream is answered as one
    naming no call, and t2's call goes on."""
    pbx = t1_restored
    t2_callee = pbx.sipp.answering(PHONE_IPS["t2-101"])
    try:
        t2_caller = pbx.sipp.start("upstream_call_answered.xml", T2_UPSTREAM_IN, PHONE_PORT, service="+15550201",
                                   keys={"to": "+15550201"}, duration_ms=15000, timeout_s=40)
        assert wait_until(lambda: "SIP/2.0 200 OK" in t2_caller.trace(), 10), t2_caller.output()
        statuses = []
        for replaces in (dialog_of(t2_caller), NO_SUCH_CALL):
            taker = pbx.sipp.start(pbx.sipp.replacing("upstream_call_refused.xml", replaces), T1_UPSTREAM_IN,
                                   PHONE_PORT, service="+15550101", keys={"to": "+15550101"})
            finished(taker)
            statuses.append(final_status(taker))
        assert statuses == [481, 481], statuses
        went_on(t2_caller, t2_callee)
    finally:
        t2_callee.stop()


@BOTH
def test_a_phone_ends_no_call_of_another_org_that_waits_in_an_application_by_naming_it(t1_restored):
    """A call in an application, not bridged to anyone (here a conference room), is what naming a
    call with Replaces takes it out of: FreeSWITCH's sofia hangs it up to hand its application to
    the new call, before any dialplan (LittlePBX's change to sofia stops that between
    organizations). Another organization's call is not touched and the answer is that for no call;
    within the organization the new call takes the old one's place in the room."""
    pbx = t1_restored
    pbx.apply(org_t1(conferences=(room("850"),)))
    pbx.apply(org_t2(conferences=(room("850"),)))
    t2_member = joining(pbx, "t2-101", "850", "", 15000)
    t1_member = joining(pbx, "t1-101", "850", "", 15000)
    runs = [t2_member, t1_member]
    try:
        assert wait_until(lambda: rooms(pbx) == {"lp-t1-850": 1, "lp-t2-850": 1}, 10), rooms(pbx)
        statuses = [naming(pbx, "850", replaces) for replaces in (dialog_of(t2_member), NO_SUCH_CALL)]
        assert statuses == [481, 481], statuses
        time.sleep(0.5)
        assert set(members(pbx, "lp-t2-850")) == {"t2-101"}, "t2's member is still in its room"
        taker = phone_call(pbx, "t1-103", "850", pbx.sipp.replacing("call_answered.xml", dialog_of(t1_member)),
                           duration_ms=4000)
        runs.append(taker)
        assert wait_until(lambda: set(members(pbx, "lp-t1-850")) == {"t1-103"}, 10), members(pbx, "lp-t1-850")
        assert wait_until(lambda: hung_up_by_pbx(t1_member), 5), "t1's member was replaced by 103"
        finished(taker)
        finished(t2_member, 30)  # t2's call went on undisturbed, to its end
        assert not hung_up_by_pbx(t2_member)
    finally:
        for run in runs:
            run.stop()


def parked(pbx, lot: str) -> list[int]:
    """The slots of parking lot ``lot`` that hold a call now (the PBX's own listing)."""
    if pbx.backend.name == "freeswitch":
        return sorted(int(slot) for slot in re.findall(r">(\d+)</extension>", pbx.cli(f"valet_info {lot}")))
    return [int(space) for space in re.findall(r"^\s+Space\s+:\s+(\d+)", pbx.cli(f"parking show {lot}"), re.M)]


@contextmanager
def parked_in_both_orgs(pbx):
    """t1's 101 and t2's 101 each park a call with their own 102 (#77), both at once (a parked
    call waits PARK_SECONDS only); yields t1's and t2's parked 102."""
    parked_calls = [pbx.sipp.answering(PHONE_IPS[phone]) for phone in ("t1-102", "t2-102")]
    try:
        parkers = [phone_call(pbx, parker, "102", pbx.sipp.pressing("#77", 6000, phone=True))
                   for parker in ("t1-101", "t2-101")]
        for run in parkers:
            finished(run, 45)
            assert hung_up_by_pbx(run), "the phone that parked is out of the call"
        yield parked_calls
    finally:
        for run in parked_calls:
            run.stop()


@BOTH
def test_when_a_phone_parks_a_call_then_a_phone_of_its_org_takes_it_at_the_slot_and_no_other_org_can(
        t1_restored):
    pbx = t1_restored
    with parked_in_both_orgs(pbx) as (parked_t1, parked_t2):
        assert wait_until(lambda: parked(pbx, "lp-t1-701-720") == [701] and parked(pbx, "lp-t2-701-720") == [701],
                          3), "each in its own lot, at 701"
        assert parked_t1.process.poll() is None and parked_t2.process.poll() is None
        # t1's 103 takes the call at 701: it is t1's own (102 is put through, and ends with 103's call).
        finished(phone_call(pbx, "t1-103", "701", "call_answered.xml"))
        finished(parked_t1)
        assert parked_t2.process.poll() is None, "t2's parked call waits on: 701 of t1 is not t2's"
        assert parked(pbx, "lp-t1-701-720") == [] and parked(pbx, "lp-t2-701-720") == [701]
        finished(phone_call(pbx, "t2-101", "701", "call_answered.xml"))
        finished(parked_t2)


@BOTH
def test_an_org_that_moved_its_parking_slots_parks_and_takes_calls_there_and_the_other_org_keeps_701(
        t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(callsettings=CallSettingsConfig(parking_first=801, parking_slots=5)))
    with parked_in_both_orgs(pbx) as (parked_t1, parked_t2):
        assert wait_until(lambda: parked(pbx, "lp-t1-801-805") == [801] and parked(pbx, "lp-t2-701-720") == [701], 3)
        finished(phone_call(pbx, "t1-103", "701", "call_refused.xml"))  # not one of t1's slots now
        assert parked(pbx, "lp-t1-801-805") == [801] and parked(pbx, "lp-t2-701-720") == [701], "nothing taken"
        finished(phone_call(pbx, "t2-101", "801", "call_refused.xml"))  # t2 has no 801
        finished(phone_call(pbx, "t1-103", "801", "call_answered.xml"))
        finished(parked_t1)
        finished(phone_call(pbx, "t2-101", "701", "call_answered.xml"))
        finished(parked_t2)


@BOTH
def test_when_nobody_takes_a_parked_call_then_it_rings_the_phone_that_parked_it_then_goes_where_its_calls_go(
        t1_restored):
    pbx = t1_restored
    # 101's unanswered calls go to 103.
    pbx.apply(org_t1(extensions=(extension("t1", "101", ring_seconds=2, no_answer="forward", forward_to="103"),
                                 extension("t1", "102"), extension("t1", "103"))))
    parked = pbx.sipp.answering(PHONE_IPS["t1-102"])
    parker_again = None
    landing = None
    try:
        run = phone_call(pbx, "t1-101", "102", pbx.sipp.pressing("#77", 4000, phone=True))
        finished(run, 45)
        # After PARK_SECONDS the parked call rings 101 (its registered contact) for 2 s, then reaches 103.
        parker_again = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
        landing = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario=pbx.sipp.hanging_up(500))
        finished(landing, 30)
        assert "INVITE sip:" in parker_again.trace(), "the phone that parked rang first"
        finished(parked)
    finally:
        for sipp_run in (parked, parker_again, landing):
            if sipp_run is not None:
                sipp_run.stop()


@contextmanager
def ringing_102(pbx, dialled: str):
    """t1's 103 calls ``dialled``, which rings 102's phone (it never answers); yields 103's call
    once 102 rings."""
    ringing = pbx.sipp.answering(PHONE_IPS["t1-102"], scenario="ring.xml")
    try:
        call = phone_call(pbx, "t1-103", dialled, pbx.sipp.pressing("", 6000, phone=True))
        assert wait_until(lambda: "INVITE sip:" in ringing.trace(), 5), ringing.output()
        yield call
    finally:
        ringing.stop()


def picked_up_by_101(pbx, code: str, call) -> None:
    """t1's 101 dials ``code`` and gets 103's ``call`` (then hangs up, which ends it)."""
    finished(phone_call(pbx, "t1-101", code, "call_answered.xml", duration_ms=2500))
    finished(call, 20)
    assert hung_up_by_pbx(call), "103's call was answered by 101 (who then hung up), not by 102"


@BOTH
def test_a_phone_picks_up_a_call_ringing_on_a_phone_of_its_org_but_never_on_another_orgs(t1_restored):
    pbx = t1_restored
    for code in ("**102", "*8"):
        with ringing_102(pbx, "102") as call:
            # t2's 101 tries to take it: nothing (its own 102 rings nothing); then t1's 101 does.
            finished(phone_call(pbx, "t2-101", code, "call_refused.xml"))
            picked_up_by_101(pbx, code, call)


@BOTH
def test_a_call_ringing_a_phone_through_a_ring_group_is_picked_up_like_a_direct_one(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(ringgroups=(RingGroupConfig("600", "Sales", ("102",), "ringall", 10, "", "hangup"),)))
    for code in ("**102", "*8"):
        with ringing_102(pbx, "600") as call:
            picked_up_by_101(pbx, code, call)


@BOTH
def test_a_phone_that_picked_a_call_up_transfers_it_with_star_star_1(t1_restored):
    pbx = t1_restored
    ringing = pbx.sipp.answering(PHONE_IPS["t1-102"], scenario="ring.xml")
    outside = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario=pbx.sipp.hanging_up(1500))
    try:
        call = phone_call(pbx, "t1-103", "102", pbx.sipp.pressing("", 15000, phone=True))
        wait_until(lambda: "INVITE sip:" in ringing.trace(), 5)
        # 101 takes the call ringing on 102 and sends it to an outside number (through t1's upstream).
        taker = phone_call(pbx, "t1-101", "**102", pbx.sipp.pressing("**1015550999#", 8000, phone=True))
        finished(taker, 30)
        assert hung_up_by_pbx(taker), "the phone that transferred is out of the call"
        finished(outside)  # the upstream was called, answered, and hung up after 1.5 s ...
        finished(call, 12)  # ... on 103, who was put through to it
        assert "INVITE sip:015550999@" in outside.trace() and hung_up_by_pbx(call)
    finally:
        ringing.stop()
        outside.stop()


@BOTH
def test_star_8_answers_only_a_call_ringing_in_the_phones_own_pickup_group(t1_restored):
    pbx = t1_restored
    # 102 is in "sales": 101 answers its calls with *8 while in "sales" too, not from the org's own group.
    for group, answered in (("sales", True), (None, False)):
        pbx.apply(org_t1(extensions=(extension("t1", "101", pickup_group=group),
                                     extension("t1", "102", pickup_group="sales"), extension("t1", "103"))))
        ringing = pbx.sipp.answering(PHONE_IPS["t1-102"], scenario="ring.xml")
        try:
            call = phone_call(pbx, "t1-103", "102", pbx.sipp.pressing("", 6000, phone=True))
            wait_until(lambda run=ringing: "INVITE sip:" in run.trace(), 5)
            taker = phone_call(pbx, "t1-101", "*8", "call_answered.xml" if answered else "call_refused.xml",
                               duration_ms=2500)
            finished(taker)
            if answered:
                finished(call, 20)
                assert hung_up_by_pbx(call), "103's call was answered by 101 (who then hung up), not by 102"
            else:
                # Nobody took it: 102 rings out and the PBX cancels it. Wait for that CANCEL here,
                # or its retransmissions reach whatever listens at 102's address in the next test.
                assert ringing.wait(15) == 0, ringing.output()
                call.stop()
        finally:
            ringing.stop()


@pytest.mark.parametrize("target", ["PJSIP/t2-101", "PJSIP%2Ft2-101", "Local%2F701%40lp-parked-t2-701-720",
                                    "PJSIP%2F+447700900123%40t2-trunk-out"])
def test_a_callee_answering_with_a_redirect_sends_the_call_nowhere_else(t1_restored, target):
    pbx = t1_restored
    redirecting = pbx.sipp.answering(PHONE_IPS["t1-102"], scenario=pbx.sipp.redirecting(target))
    other = pbx.sipp.answering(PHONE_IPS["t2-101"], scenario="ring.xml")
    other_upstream = pbx.sipp.answering(T2_UPSTREAM_OUT, scenario="ring.xml")
    try:
        refused = phone_call(pbx, "t1-101", "102", "call_refused.xml")
        finished(refused)
        assert "302 Moved" in redirecting.trace()
        time.sleep(0.5)
        assert "INVITE sip:" not in other.trace() and "INVITE sip:" not in other_upstream.trace()
    finally:
        for run in (redirecting, other, other_upstream):
            run.stop()
