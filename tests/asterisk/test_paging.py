"""Paging groups through the real PBX (Asterisk, and FreeSWITCH where marked): a phone dials the
group's number and every other member phone of its organization is called with the auto-answer
headers; nothing else rings."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.base import PagingGroupConfig

from .helpers import PHONE_IPS, org_t1, password
from .sipp import CALLER_PORT

pytestmark = pytest.mark.asterisk


def invite_of(run) -> str:
    return next((m for m in run.trace().split("\n\n") if m.lstrip().startswith("INVITE sip:")), "")


def page_from_103(pbx, expect_answered=True):
    scenario = "call_answered.xml" if expect_answered else "call_refused.xml"
    run = pbx.sipp.run(scenario, PHONE_IPS["t1-103"], CALLER_PORT, service="700", user="t1-103",
                       password=password("t1-103"), duration_ms=1500)
    assert run.process.returncode == 0, run.output()


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_a_phone_pages_the_group_then_every_other_member_is_told_to_answer_on_speaker(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(paginggroups=(PagingGroupConfig("700", "Warehouse", ("101", "102", "103"), 30),)))
    members = [pbx.sipp.answering(PHONE_IPS[p]) for p in ("t1-101", "t1-102")]
    theirs = [pbx.sipp.answering(PHONE_IPS[p], scenario="ring.xml") for p in ("t2-101", "t2-102")]
    try:
        page_from_103(pbx)
        for member in members:
            assert member.wait(10) == 0, member.output()
            invite = invite_of(member)
            assert "Call-Info: <sip:127.0.0.1>;answer-after=0" in invite, invite
            assert "Alert-Info: <http://127.0.0.1>;info=alert-autoanswer;delay=0" in invite, invite
    finally:
        for run in (*members, *theirs):
            run.stop()
    assert all(invite_of(run) == "" for run in theirs)


def test_when_a_group_row_is_altered_behind_the_apps_back_then_only_the_orgs_phones_are_paged(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(paginggroups=(PagingGroupConfig("700", "Warehouse", ("101",), 30),)))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_paging_groups).where(tables.lp_paging_groups.c.id == "t1-700")
                           .values(members="t2-101|101&PJSIP/t2-102|+15550201|101"))
    mine = pbx.sipp.answering(PHONE_IPS["t1-101"])
    theirs = [pbx.sipp.answering(PHONE_IPS[p], scenario="ring.xml") for p in ("t2-101", "t2-102")]
    try:
        page_from_103(pbx)
        assert mine.wait(10) == 0, mine.output()
    finally:
        for run in (mine, *theirs):
            run.stop()
    assert all(invite_of(run) == "" for run in theirs)


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_another_org_dials_the_groups_number_then_it_reaches_only_its_own(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(paginggroups=(PagingGroupConfig("700", "Warehouse", ("101", "102"), 30),)))
    mine = [pbx.sipp.answering(PHONE_IPS[p], scenario="ring.xml") for p in ("t1-101", "t1-102")]
    try:
        run = pbx.sipp.run("call_refused.xml", PHONE_IPS["t2-101"], CALLER_PORT, service="700", user="t2-101",
                           password=password("t2-101"))
        assert run.process.returncode == 0, run.output()
    finally:
        for uas in mine:
            uas.stop()
    assert all(invite_of(run) == "" for run in mine)
