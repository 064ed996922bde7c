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
