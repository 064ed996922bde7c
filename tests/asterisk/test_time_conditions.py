"""Time conditions through the real PBX (Asterisk, and FreeSWITCH where marked): a number reaches
the open or the closed destination by the hours and holidays in the organization's time zone,
forced by an admin or by a phone's *28 switch; nothing of one organization's conditions is
reachable from another."""
from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.base import DidConfig, TimeConditionConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, T2_UPSTREAM_IN, org_t1, org_t2, password, register
from .sipp import CALLER_PORT, PHONE_PORT

pytestmark = pytest.mark.asterisk
DID = "+15550101"
ALL_WEEK = ("mon-sun 00:00-24:00",)


def condition(schedule=ALL_WEEK, holidays=(), timezone="UTC", toggle_code=1, name="hours"):
    """Open: extension 101 rings; closed: extension 102 rings."""
    return TimeConditionConfig(name, "Business hours", tuple(schedule), tuple(holidays), "101", "102", toggle_code,
                               timezone)


def t1_with(*conditions):
    return org_t1(dids=(DidConfig(DID, "timecondition:hours"),), timeconditions=conditions)


def this_hour(zone: str) -> str:
    """Every day, the current hour in ``zone`` ("mon-sun 14:00-15:00")."""
    hour = datetime.now(ZoneInfo(zone)).hour
    end = "24:00" if hour == 23 else f"{hour + 1:02d}:00"
    return f"mon-sun {hour:02d}:00-{end}"


def reached(pbx) -> str:
    """Which of t1's 101 (open) and 102 (closed) a call to the DID rings."""
    phones = {name: pbx.sipp.answering(PHONE_IPS[f"t1-{name}"]) for name in ("101", "102")}
    try:
        run = pbx.sipp.run("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID)
        assert run.process.returncode == 0, run.output()
        rang = [name for name, phone in phones.items() if "INVITE sip:" in phone.trace()]
        assert len(rang) == 1, rang
        return {"101": "open", "102": "closed"}[rang[0]]
    finally:
        for phone in phones.values():
            phone.stop()


def switch(pbx, phone: str, dialled: str, answered: bool = True):
    """``phone`` dials a *28 switch code; asserts the PBX answered (played its word) or refused."""
    scenario = "call_answered.xml" if answered else "call_refused.xml"
    run = pbx.sipp.run(scenario, PHONE_IPS[phone], CALLER_PORT, service=dialled, user=phone, password=password(phone))
    assert run.process.returncode == 0, run.output()


def override(pbx, row_id: str):
    with pbx.engine.connect() as connection:
        return connection.execute(select(tables.lp_time_overrides.c.state)
                                  .where(tables.lp_time_overrides.c.id == row_id)).scalar()


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_the_hours_say_open_then_the_open_destination_rings_and_a_holiday_closes(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(condition()))
    assert reached(pbx) == "open"
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()
    pbx.apply(t1_with(condition(holidays=("2020-01-01", today), timezone="Pacific/Kiritimati")))
    assert reached(pbx) == "closed"


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_hours_are_read_then_they_are_read_in_the_orgs_time_zone(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(condition(schedule=(this_hour("Asia/Tokyo"),), timezone="Asia/Tokyo")))
    assert reached(pbx) == "open"
    # The same hours in UTC (nine hours behind Tokyo) are not now.
    pbx.apply(t1_with(condition(schedule=(this_hour("Asia/Tokyo"),), timezone="UTC")))
    assert reached(pbx) == "closed"


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_the_hours_ended_this_minute_then_it_is_closed(t1_restored):
    pbx = t1_restored
    now = datetime.now(ZoneInfo("UTC"))
    if now.second > 50 or now.hour == 0 and now.minute == 0:
        # The call must be made in the minute the hours end at (and that may not be 00:00).
        time.sleep(61 - now.second)
        now = datetime.now(ZoneInfo("UTC"))
    day = now.strftime("%a").lower()
    pbx.apply(t1_with(condition(schedule=(f"{day} 00:00-{now:%H:%M}",))))
    assert reached(pbx) == "closed"


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_an_admin_forces_a_condition_then_calls_follow_at_once_without_an_apply(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(condition(schedule=())))
    assert reached(pbx) == "closed"
    pbx.backend.set_time_override("t1", "hours", "open")
    assert reached(pbx) == "open"
    pbx.apply(t1_with(condition(schedule=(), holidays=("2030-01-01",))))  # an Apply keeps it forced
    assert reached(pbx) == "open"
    pbx.backend.set_time_override("t1", "hours", "auto")
    assert reached(pbx) == "closed"


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_a_phone_dials_the_switch_code_then_the_condition_flips_and_back(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(condition(toggle_code=7)))
    switch(pbx, "t1-103", "*287")
    assert override(pbx, "t1-hours") == "closed"
    assert pbx.backend.time_overrides("t1") == {"hours": "closed"}
    assert reached(pbx) == "closed"
    switch(pbx, "t1-103", "*287")
    assert override(pbx, "t1-hours") == "auto"
    assert reached(pbx) == "open"


@pytest.mark.backends("asterisk", "freeswitch")
def test_when_another_orgs_phone_dials_the_switch_code_then_it_is_refused_and_nothing_changes(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(condition(toggle_code=7)))
    for dialled in ("*287", "*28t1-7"):
        switch(pbx, "t2-101", dialled, answered=False)
    assert override(pbx, "t1-hours") == "auto"
    switch(pbx, "t1-103", "*288", answered=False)  # no condition has code 8


def test_when_a_route_names_another_orgs_condition_then_the_call_is_refused(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(condition()))
    pbx.apply(org_t2())
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_did_routes).where(tables.lp_did_routes.c.tenantid == "t2")
                           .values(destination="timecondition:hours"))
    victim = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
    try:
        run = pbx.sipp.run("upstream_call_refused.xml", T2_UPSTREAM_IN, PHONE_PORT, service="+15550201")
        assert run.process.returncode == 0, run.output()
        assert "INVITE sip:" not in victim.trace()
    finally:
        victim.stop()


def test_when_a_condition_row_is_moved_to_another_org_then_the_call_is_refused(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(condition()))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_time_conditions).where(tables.lp_time_conditions.c.tenantid == "t1")
                           .values(tenantid="t2"))
    run = pbx.sipp.run("upstream_call_refused.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID)
    assert run.process.returncode == 0, run.output()


def test_when_the_org_is_removed_then_its_conditions_and_switches_go(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(condition()))
    pbx.backend.set_time_override("t1", "hours", "closed")
    pbx.remove("t1")
    try:
        for table in (tables.lp_time_conditions, tables.lp_time_overrides):
            with pbx.engine.connect() as connection:
                assert connection.execute(select(table.c.id).where(table.c.tenantid == "t1")).all() == []
    finally:
        pbx.apply(org_t1())
        for phone in ("t1-101", "t1-102", "t1-103"):
            register(pbx, phone)
