"""Announcements through the real Asterisk: the caller hears the recording, then goes on to the
announcement's destination; a route naming another org's announcement is refused."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.base import AnnouncementConfig, DidConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, org_t1, org_t2, prompt_file, upstream_call
from .sipp import PHONE_PORT

pytestmark = pytest.mark.asterisk
DID = "+15550101"


def test_when_a_number_goes_to_an_announcement_then_the_caller_hears_it_then_goes_on(t1_restored):
    pbx = t1_restored
    played = prompt_file(pbx, "t1", "greeting")
    pbx.apply(org_t1(dids=(DidConfig(DID, "announcement:closed"),),
                     announcements=(AnnouncementConfig("closed", "Holidays", played, "101"),)))
    log = pbx.workdir / "asterisk.log"
    before = len(log.read_text(errors="replace"))
    upstream_call(pbx, T1_UPSTREAM_IN, DID, PHONE_IPS["t1-101"], answered=True, duration_ms=3000)
    heard = log.read_text(errors="replace")[before:]
    assert f"Playing '{played.removesuffix('.wav')}" in heard
    assert heard.index("Playing '") < heard.index("Called PJSIP/t1-101")


def test_when_a_route_names_another_orgs_announcement_then_the_call_is_refused(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1())
    pbx.apply(org_t2(announcements=(AnnouncementConfig("closed", "Theirs", None, "101"),)))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_did_routes).where(tables.lp_did_routes.c.tenantid == "t1")
                           .values(destination="announcement:closed"))
    victim = pbx.sipp.answering(PHONE_IPS["t2-101"], scenario="ring.xml")
    try:
        run = pbx.sipp.run("upstream_call_refused.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID)
        assert run.process.returncode == 0, run.output()
    finally:
        victim.stop()
    assert "INVITE sip:" not in victim.trace()
