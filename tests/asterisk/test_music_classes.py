"""Music classes through the real Asterisk (and FreeSWITCH, for ring groups): a queue plays its class (a playlist of the org's
converted files) to waiting callers, a ring group instead of ringing; a class name in a row
altered behind the app's back never reaches another organization's music."""
from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import update

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.base import DidConfig, MohConfig, MusicClassConfig, QueueConfig, RingGroupConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, org_t1, org_t2
from .sipp import PHONE_PORT, wait_until

pytestmark = pytest.mark.asterisk
DID = "+15550101"


def tune(pbx, code: str, name: str) -> str:
    """A converted file as an upload leaves it: DATA_DIR/moh/<org>/<digest>/hold.wav."""
    path = Path(pbx.config["DATA_DIR"]) / "moh" / code / (name * 64)[:64] / "hold.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path), "synth", "5", "sine", "400"],
                   check=True)
    path.chmod(0o644)
    return str(path)


def jazz(pbx, code="t1"):
    return MusicClassConfig("jazz", "Jazz", (tune(pbx, code, "a"), tune(pbx, code, "b")), False)


def waits_in(pbx, destination: str, seconds: int = 4, answered: bool = True) -> str:
    """An outside caller reaches ``destination`` and stays ``seconds`` (or, not ``answered``, until
    the PBX gives up); the log lines it caused."""
    log = pbx.workdir / "asterisk.log"
    before = len(log.read_text(errors="replace"))
    scenario = "upstream_call_answered.xml" if answered else "upstream_call_refused.xml"
    run = pbx.sipp.run(scenario, T1_UPSTREAM_IN, PHONE_PORT, service=DID, duration_ms=seconds * 1000, timeout_s=30)
    assert run.process.returncode == 0, run.output()
    return log.read_text(errors="replace")[before:]


def test_when_a_queue_has_a_class_then_waiting_callers_hear_its_playlist(t1_restored):
    pbx = t1_restored
    queue = QueueConfig("500", "Support", ("101",), True, "ringall", 5, 0, 30, "hangup", 0, "hangup", 0, "jazz")
    pbx.apply(org_t1(dids=(DidConfig(DID, "queue:500"),), queues=(queue,), musicclasses=(jazz(pbx),)))
    assert "Started music on hold, class 't1-jazz'" in waits_in(pbx, "queue:500")
    # Without a class, the org's music (Asterisk's default here: music on hold is off).
    pbx.apply(org_t1(dids=(DidConfig(DID, "queue:500"),), queues=(dataclasses.replace(queue, music_class=None),),
                     musicclasses=(jazz(pbx),)))
    heard = waits_in(pbx, "queue:500")
    assert "class 't1-jazz'" not in heard and "Started music on hold" in heard


def test_when_a_ring_group_has_a_class_then_callers_hear_it_instead_of_ringing(t1_restored):
    pbx = t1_restored
    group = RingGroupConfig("600", "Sales", ("101",), "ringall", 5, "", "hangup", "jazz")
    pbx.apply(org_t1(dids=(DidConfig(DID, "ringgroup:600"),), ringgroups=(group,), musicclasses=(jazz(pbx),)))
    ringing = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
    try:
        assert "Started music on hold, class 't1-jazz'" in waits_in(pbx, "ringgroup:600", answered=False)
    finally:
        ringing.stop()


@pytest.mark.backends("freeswitch")
def test_on_freeswitch_a_ring_groups_class_reaches_callers_as_early_media_instead_of_ringing(t1_restored):
    pbx = t1_restored

    def answers_to_caller(music_class):
        group = RingGroupConfig("600", "Sales", ("101",), "ringall", 3, "", "hangup", music_class)
        pbx.apply(org_t1(dids=(DidConfig(DID, "ringgroup:600"),), ringgroups=(group,), musicclasses=(jazz(pbx),)))
        ringing = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
        try:
            run = pbx.sipp.run("upstream_call_refused.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID, timeout_s=30)
            assert run.process.returncode == 0, run.output()
            return re.findall(r"^\s*SIP/2\.0 (18[03])", run.trace(), re.M)
        finally:
            ringing.stop()

    with_music = answers_to_caller("jazz")
    assert "183" in with_music and "180" not in with_music, "music, not ringing"
    assert "180" in answers_to_caller(None), "without a class: ringing"


def test_when_a_plan_names_another_orgs_class_then_that_music_is_never_played(t1_restored):
    pbx = t1_restored
    queue = QueueConfig("500", "Support", ("101",), True, "ringall", 5, 0, 30, "hangup", 0, "hangup", 0, "jazz")
    pbx.apply(org_t1(dids=(DidConfig(DID, "queue:500"),), queues=(queue,), musicclasses=(jazz(pbx),)))
    pbx.apply(org_t2(musicclasses=(dataclasses.replace(jazz(pbx, "t2"), name="secret"),)))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_queue_plans).where(tables.lp_queue_plans.c.id == "t1-500")
                           .values(music="t2-secret"))
    heard = waits_in(pbx, "queue:500", seconds=3)
    assert "t2-secret'" not in heard and wait_until(lambda: "Started music on hold" in heard, 1)


def test_when_the_orgs_music_on_hold_is_a_class_then_queues_without_one_play_it_and_never_another_orgs(
        t1_restored):
    pbx = t1_restored
    queue = QueueConfig("500", "Support", ("101",), True, "ringall", 5, 0, 30, "hangup", 0, "hangup", 0, None)
    pbx.apply(org_t1(dids=(DidConfig(DID, "queue:500"),), queues=(queue,), musicclasses=(jazz(pbx),),
                     moh=MohConfig(True, None, "jazz")))
    assert "Started music on hold, class 't1-jazz'" in waits_in(pbx, "queue:500")
    # A plan row altered behind the app's back to name another org's class plays Asterisk's own.
    pbx.apply(org_t2(musicclasses=(dataclasses.replace(jazz(pbx, "t2"), name="secret"),),
                     moh=MohConfig(True, None, "secret")))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_org_plans).where(tables.lp_org_plans.c.code == "t1")
                           .values(moh_class="t2-secret"))
    heard = waits_in(pbx, "queue:500", seconds=3)
    assert "t2-secret'" not in heard and "Started music on hold, class 'default'" in heard
