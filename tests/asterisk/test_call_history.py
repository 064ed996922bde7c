"""The call history says what was dialled and where each call ended, through the real Asterisk
(the dialplan's CDR variables, stored by cdr_adaptive_odbc): a DID to a ring group, a phone to
an extension, a number nobody has."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from littlepbx.pbx_backends.base import DidConfig, RingGroupConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, call, org_t1, upstream_call
from .sipp import wait_until

pytestmark = pytest.mark.asterisk
DID = "+15550101"


def history(pbx, since, number=None) -> list[tuple]:
    with pbx.engine.connect() as connection:
        rows, _ = pbx.backend.call_history(connection, "t1", since, None, 0, 50, number)
    return sorted((row["dialed"], row["reached"]) for row in rows)


def test_each_call_record_says_what_was_dialled_and_where_the_call_ended(t1_restored):
    pbx = t1_restored
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=2)
    group = RingGroupConfig("600", "Sales", ("101",), "ringall", 5, "", "hangup")
    pbx.apply(org_t1(dids=(DidConfig(DID, "ringgroup:600"),), ringgroups=(group,)))
    upstream_call(pbx, T1_UPSTREAM_IN, DID, PHONE_IPS["t1-101"], answered=True)
    call(pbx, "t1-102", "101", PHONE_IPS["t1-101"], answered=True)
    call(pbx, "t1-102", "987", None, answered=False)
    expected = [("+15550101", "ringgroup:600"), ("101", "101"), ("987", "refused")]
    assert wait_until(lambda: all(item in history(pbx, since) for item in expected), 10), history(pbx, since)
    assert history(pbx, since, "987") == [("987", "refused")]  # a number no other test dials


@pytest.mark.backends("asterisk", "freeswitch")
def test_a_call_record_says_what_was_dialled_where_the_call_ended_and_how(t1_restored):
    pbx = t1_restored
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=2)
    upstream_call(pbx, T1_UPSTREAM_IN, DID, PHONE_IPS["t1-101"], answered=True)
    call(pbx, "t1-102", "101", PHONE_IPS["t1-101"], answered=True)
    call(pbx, "t1-102", "986", None, answered=False)
    expected = [(DID, "101"), ("101", "101"), ("986", "refused")]
    assert wait_until(lambda: all(item in history(pbx, since) for item in expected), 10), history(pbx, since)
    with pbx.engine.connect() as connection:
        answered, _ = pbx.backend.call_history(connection, "t1", since, None, 0, 50, result="answered")
        refused, _ = pbx.backend.call_history(connection, "t1", since, None, 0, 50, result="refused")
        t2_calls, _ = pbx.backend.call_history(connection, "t2", since, None, 0, 50)
    # (the window may hold the test before's calls too)
    assert {DID, "101"} <= {row["dialed"] for row in answered} and "986" not in {row["dialed"] for row in answered}
    assert "986" in {row["dialed"] for row in refused} and not {DID, "101"} & {row["dialed"] for row in refused}
    assert all(row["calldate"] >= since and row["duration"] >= row["billsec"] for row in answered)
    assert t2_calls == [], "another org's history holds none of t1's calls"
