"""Ring groups through the real Asterisk: members rung at once or one by one, the member who
answers gets the call, nobody answering sends it on, and only the group's own org is ever rung."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import update

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.base import DidConfig, RingGroupConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, T1_UPSTREAM_OUT, extension, org_t1, org_t2, password
from .sipp import CALLER_PORT, PHONE_PORT, wait_until

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")
DID = "+15550101"


def group(members, strategy="ringall", ring_seconds=3, no_answer="hangup", cid_prefix="", number="600"):
    return RingGroupConfig(number, "Sales", tuple(members), strategy, ring_seconds, cid_prefix, no_answer)


def t1_with(*groups, extensions=None):
    """t1 with its DID ringing group 600."""
    return org_t1(dids=(DidConfig(DID, "ringgroup:600"),), ringgroups=groups,
                  **({"extensions": extensions} if extensions else {}))


def invites(run) -> list[str]:
    """The INVITEs a UAS received."""
    return [m for m in run.trace().split("\n\n") if m.lstrip().startswith("INVITE sip:")]


def first_invite_at(run) -> datetime:
    """When a UAS received its first INVITE (sipp stamps each traced message)."""
    stamps = re.findall(r"-{10,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s*\nUDP message received[^\n]*\n\s*INVITE ",
                        run.trace())
    assert stamps, run.output()
    return datetime.strptime(stamps[0], "%Y-%m-%d %H:%M:%S.%f")


def upstream_calls_did(pbx, **kwargs):
    run = pbx.sipp.run("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID, **kwargs)
    assert run.process.returncode == 0, run.output()
    return run


def group_call_answered_by(pbx, expected: str, other: str) -> None:
    """The upstream calls the DID (group 600 of members ``expected`` and ``other``): ``expected``
    rings and answers, ``other`` is not rung at all."""
    answering = pbx.sipp.answering(PHONE_IPS[expected])
    idle = pbx.sipp.answering(PHONE_IPS[other], scenario="ring.xml")
    try:
        upstream_calls_did(pbx)
        assert answering.wait(10) == 0, answering.output()
        assert invites(idle) == [], f"{other} rang although {expected} was next"
    finally:
        answering.stop()
        idle.stop()


@BOTH
def test_when_a_group_rings_all_then_every_member_rings_and_the_one_who_answers_gets_the_call(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101", "102"], cid_prefix="Sales")))
    answering = pbx.sipp.answering(PHONE_IPS["t1-101"])
    ringing = pbx.sipp.answering(PHONE_IPS["t1-102"], scenario="ring.xml")
    try:
        upstream_calls_did(pbx)
        assert answering.wait(10) == 0, answering.output()
        assert ringing.wait(10) == 0, ringing.output()  # rang, then was cancelled when 101 answered
        assert 'From: "Sales' in invites(ringing)[0], ringing.output()
    finally:
        answering.stop()
        ringing.stop()


@BOTH
def test_when_a_group_hunts_then_members_ring_one_after_the_other_in_order(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101", "102"], strategy="hunt", ring_seconds=2)))
    first = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
    second = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        upstream_calls_did(pbx, timeout_s=30)
        assert first.wait(10) == 0, first.output()
        assert second.wait(10) == 0, second.output()
        # 102 rang only once 101 had rung its 2 seconds.
        assert (first_invite_at(second) - first_invite_at(first)).total_seconds() >= 1.9
    finally:
        first.stop()
        second.stop()


@BOTH
def test_when_a_group_hunts_with_memory_then_the_next_call_starts_after_who_answered_last(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101", "102"], strategy="memoryhunt", ring_seconds=3)))
    # Whoever answered an earlier test's call is forgotten (AstDB; FreeSWITCH's mod_db).
    pbx.cli("db delete/lp_hunt/t1-600" if pbx.backend.name == "freeswitch" else "database deltree lprg t1")
    for expected, other in (("t1-101", "t1-102"), ("t1-102", "t1-101"), ("t1-101", "t1-102")):
        group_call_answered_by(pbx, expected, other)


@BOTH
def test_after_a_restart_of_the_pbx_the_phones_are_reached_and_a_group_remembers_who_answered(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101", "102"], strategy="memoryhunt", ring_seconds=3)))
    pbx.cli("db delete/lp_hunt/t1-600" if pbx.backend.name == "freeswitch" else "database deltree lprg t1")
    group_call_answered_by(pbx, "t1-101", "t1-102")
    pbx.restart()
    # The phones registered before the restart are rung without registering again, the group
    # goes on after who answered last, and the backend's connection to the PBX is back.
    group_call_answered_by(pbx, "t1-102", "t1-101")
    assert wait_until(lambda: pbx.backend.active_calls("t1") == 0, 10)


@BOTH
def test_when_nobody_answers_then_the_call_goes_to_the_groups_no_answer_destination(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101"], ring_seconds=2, no_answer="voicemail:102"),
                      extensions=(extension("t1", "101"), extension("t1", "102", voicemail_enabled=True),
                                  extension("t1", "103"))))
    before = pbx.voicemails("t1", "102")
    ringing = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
    try:
        upstream_calls_did(pbx, duration_ms=8000, timeout_s=40)
        assert ringing.wait(10) == 0, ringing.output()
    finally:
        ringing.stop()
    assert wait_until(lambda: pbx.voicemails("t1", "102") > before, 10)


@BOTH
def test_when_a_member_is_an_outside_number_then_it_is_called_through_the_orgs_upstream_as_the_org(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["+15559990042"])))
    carrier = pbx.sipp.answering(T1_UPSTREAM_OUT)
    try:
        upstream_calls_did(pbx)
        assert carrier.wait(10) == 0, carrier.output()
        [invite] = invites(carrier)
        assert invite.startswith("INVITE sip:+15559990042@127.0.0.52")
        from_line = next(line for line in invite.splitlines() if line.startswith("From:"))
        assert "15550101" in from_line, invite  # the org's number, as its other outside calls show
    finally:
        carrier.stop()


@BOTH
def test_when_a_phone_dials_the_groups_number_then_the_group_rings(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101"])))
    answering = pbx.sipp.answering(PHONE_IPS["t1-101"])
    try:
        run = pbx.sipp.run("call_answered.xml", PHONE_IPS["t1-103"], CALLER_PORT, service="600", user="t1-103",
                           password=password("t1-103"))
        assert run.process.returncode == 0, run.output()
        assert answering.wait(10) == 0, answering.output()
    finally:
        answering.stop()


@BOTH
def test_when_two_orgs_have_group_600_then_each_rings_its_own_phones(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101"])))
    pbx.apply(org_t2(ringgroups=(group(["102"]),)))
    mine = pbx.sipp.answering(PHONE_IPS["t1-101"])
    theirs = [pbx.sipp.answering(PHONE_IPS[p], scenario="ring.xml") for p in ("t2-101", "t2-102")]
    try:
        upstream_calls_did(pbx)
        assert mine.wait(10) == 0, mine.output()
        assert all(invites(run) == [] for run in theirs)
    finally:
        for run in (mine, *theirs):
            run.stop()


@pytest.mark.parametrize("members", ["t2-101", "101&PJSIP/t2-101", "101@t2", "PJSIP/t2-101", "+1555&PJSIP/t2-101"])
def test_when_a_group_row_is_altered_behind_the_apps_back_then_only_its_own_phones_ring(t1_restored, members):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101"])))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_ring_groups).where(tables.lp_ring_groups.c.tenantid == "t1")
                           .values(members=f"{members}|101"))
    mine = pbx.sipp.answering(PHONE_IPS["t1-101"])
    victim = pbx.sipp.answering(PHONE_IPS["t2-101"], scenario="ring.xml")
    try:
        upstream_calls_did(pbx)
        assert mine.wait(10) == 0, mine.output()
        assert invites(victim) == []
    finally:
        mine.stop()
        victim.stop()


def test_when_a_group_row_is_moved_to_another_org_then_the_call_is_refused(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(group(["101"])))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_ring_groups).where(tables.lp_ring_groups.c.tenantid == "t1")
                           .values(tenantid="t2"))
    victim = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
    try:
        run = pbx.sipp.run("upstream_call_refused.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID)
        assert run.process.returncode == 0, run.output()
        assert invites(victim) == []
    finally:
        victim.stop()


def test_when_the_org_and_another_apply_while_a_group_call_hunts_then_the_call_goes_on_as_it_began(t1_restored):
    """The group was read when the call reached it: an Apply changing it mid-call (and another
    org's Apply) neither drops the call nor changes whom it rings next."""
    pbx = t1_restored
    pbx.apply(t1_with(group(["101", "102"], strategy="hunt", ring_seconds=3)))
    first = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
    second = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        caller = pbx.sipp.start("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID,
                                duration_ms=1000, timeout_s=30)
        assert wait_until(lambda: invites(first), 10), first.output()
        pbx.apply(t1_with(group(["103"], strategy="hunt", ring_seconds=3)))
        pbx.apply(org_t2(ringgroups=(group(["101"]),)))
        assert caller.wait(30) == 0, caller.output()
        assert second.wait(10) == 0, second.output()
    finally:
        first.stop()
        second.stop()
