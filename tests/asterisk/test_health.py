"""What the operator's health check and metrics read from the real Asterisk: AMI and a SIP
OPTIONS answer, the control socket; every organization's registered phones and calls now, counted at once."""
from __future__ import annotations

import pytest

from .helpers import PHONE_IPS, password
from .sipp import CALLER_PORT, wait_until

pytestmark = pytest.mark.asterisk


def test_health_hears_ami_and_sip_answer_and_says_when_sip_does_not(orgs):
    report = orgs.backend.health()
    assert report["ok"] and report["ami"] == report["console"] == "answers", report
    assert report["sip"].startswith("answers on 127.0.0.1:") and "SIP/2.0" in report["sip"], report
    from littlepbx.pbx_backends.asterisk.backend import AsteriskBackend
    deaf = AsteriskBackend({**orgs.config, "ASTERISK_SIP_PORT": 15999, "ASTERISK_ROOT": str(orgs.workdir)})
    try:
        report = deaf.health()
    finally:
        deaf.close()
    assert not report["ok"] and report["sip"].startswith("no answer on 127.0.0.1:15999"), report
    assert report["console"].startswith("no answer") and "asterisk.ctl" in report["console"], report


def test_system_figures_count_each_orgs_phones_and_calls(orgs):
    callee = orgs.sipp.answering(PHONE_IPS["t1-102"])
    caller = orgs.sipp.start("call_answered.xml", PHONE_IPS["t1-101"], CALLER_PORT, service="102", user="t1-101",
                             password=password("t1-101"), duration_ms=4000)
    try:
        def figures():
            with orgs.engine.connect() as connection:
                return orgs.backend.system_figures(connection)
        assert wait_until(lambda: figures()["calls"].get("t1") == 1, 5), figures()
        now = figures()
        assert now["calls"].get("t2", 0) == 0
        assert now["registered"]["t1"] == 3 and now["registered"]["t2"] == 2, now
        assert caller.wait(15) == 0, caller.output()
    finally:
        callee.stop()
        caller.stop()
