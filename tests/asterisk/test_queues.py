"""Queues through the real PBX (Asterisk's app_queue with realtime rows, FreeSWITCH's
mod_callcenter): a caller waits, a member answers; nobody logged in sends the caller on after the
longest wait, with its position told (FreeSWITCH: a tone); members log in and out with *45; only
the org's own phones are ever offered its calls."""
from __future__ import annotations

import dataclasses
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.base import DidConfig, MusicClassConfig, QueueConfig
from tests.support.rtp import RtpSink

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, org_t1, org_t2, password
from .sipp import CALLER_PORT, PHONE_PORT, wait_until

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")
DID = "+15550101"


def queue(members=("101", "102"), login=False, max_wait=20, announce=0, timeout_destination="hangup",
          strategy="ringall", number="500") -> QueueConfig:
    return QueueConfig(number, "Support", tuple(members), login, strategy, 5, 0, max_wait, timeout_destination, 0,
                       "hangup", announce)


def silence(pbx) -> str:
    """Five seconds of silence, converted as an upload leaves it (DATA_DIR/moh/t1/<digest>/hold.wav)."""
    path = Path(pbx.config["DATA_DIR"]) / "moh" / "t1" / ("0" * 64) / "hold.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path), "trim", "0", "5"], check=True)
    path.chmod(0o644)
    return str(path)


@pytest.fixture
def t1_queues(t1_restored):
    """t1_restored, where the PBX has queues: a FreeSWITCH built before scripts/build-freeswitch.sh
    built mod_callcenter has none (skipped, saying so)."""
    pbx = t1_restored
    if pbx.backend.name == "freeswitch":
        from littlepbx.pbx_backends.freeswitch.provision import module_dir, prefix_of
        if not (module_dir(prefix_of(pbx.config)) / "mod_callcenter.so").exists():
            pytest.skip("FreeSWITCH queue tests: this FreeSWITCH has no mod_callcenter; build it again with "
                        "scripts/build-freeswitch.sh (README, FreeSWITCH)")
    return pbx


def t1_with(*queues, **changes):
    return org_t1(dids=(DidConfig(DID, "queue:500"),), queues=queues, **changes)


def invites(run) -> int:
    return run.trace().count("INVITE sip:")


def upstream_call(pbx, duration_ms=1000, timeout_s=40):
    run = pbx.sipp.run("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID,
                       duration_ms=duration_ms, timeout_s=timeout_s)
    assert run.process.returncode == 0, run.output()
    return run


def dial(pbx, phone, dialled, answered=True):
    scenario = "call_answered.xml" if answered else "call_refused.xml"
    run = pbx.sipp.run(scenario, PHONE_IPS[phone], CALLER_PORT, service=dialled, user=phone, password=password(phone))
    assert run.process.returncode == 0, run.output()


def members_of(pbx, queue_name="t1-500"):
    """The phones taking the queue's calls now ("t1-102"): app_queue's member rows, or
    mod_callcenter's agents of the queue that are available."""
    if pbx.backend.name == "freeswitch":
        tiers = [line.split("|") for line in pbx.cli("callcenter_config tier list").splitlines()[1:] if "|" in line]
        agents = [agent for queue, agent, *_ in tiers if queue == queue_name]
        return sorted(f"{queue_name.partition('-')[0]}-{agent.rpartition('-')[2]}" for agent in agents
                      if pbx.cli(f"callcenter_config agent get status {agent}").strip() == "Available")
    table = tables.lp_queue_members
    with pbx.engine.connect() as connection:
        return sorted(interface.removeprefix("PJSIP/") for interface in connection.execute(
            select(table.c.interface).where(table.c.queue_name == queue_name)).scalars())


@BOTH
def test_when_a_caller_waits_then_a_member_answers_and_the_queue_counts_it(t1_queues):
    pbx = t1_queues
    since = datetime.now(UTC) - timedelta(seconds=5)
    pbx.apply(t1_with(queue()))
    answering = pbx.sipp.answering(PHONE_IPS["t1-101"])
    ringing = pbx.sipp.answering(PHONE_IPS["t1-102"], scenario="ring.xml")
    try:
        caller = pbx.sipp.start("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID,
                                duration_ms=3000, timeout_s=30)
        assert wait_until(lambda: "ACK sip:" in answering.trace(), 15), answering.output()
        # The org's and another org's Apply while the call is up: it goes on.
        pbx.apply(t1_with(queue(members=("101",))))
        pbx.apply(org_t2(queues=(queue(members=("101",)),)))
        assert caller.wait(30) == 0, caller.output()
        assert answering.wait(10) == 0, answering.output()
    finally:
        answering.stop()
        ringing.stop()
    # Asterisk writes the call's end to its queue log a moment after the hang-up.
    answered = wait_until(lambda: (pbx.backend.queue_figures("t1", since).get("500") or None) and
                          pbx.backend.queue_figures("t1", since)["500"].answered == 1, 10)
    figures = pbx.backend.queue_figures("t1", since)["500"]
    assert answered and figures.waiting == 0, figures
    assert figures.average_wait_seconds is not None and figures.average_wait_seconds < 10
    assert pbx.backend.queue_figures("t2", since)["500"].answered == 0


@BOTH
def test_when_nobody_is_logged_in_then_the_caller_hears_its_position_and_leaves_after_the_longest_wait(
        t1_queues):
    """Nobody logged in: the caller hears its position, an Apply changing the queue meanwhile keeps it
    waiting, and after the longest wait it goes to the timeout destination."""
    pbx = t1_queues
    since = datetime.now(UTC) - timedelta(seconds=5)
    # Music of silence: whatever sound reaches the caller is the position announcement.
    quiet = dataclasses.replace(queue(login=True, max_wait=13, announce=10, timeout_destination="103"),
                                music_class="quiet")
    music = (MusicClassConfig("quiet", "Quiet", (silence(pbx),), False),)
    pbx.apply(t1_with(quiet, musicclasses=music))
    log = pbx.workdir / "asterisk.log"
    asterisk = pbx.backend.name == "asterisk"
    announced = log.read_text(errors="replace").count("queue-youarenext") if asterisk else 0
    fallback = pbx.sipp.answering(PHONE_IPS["t1-103"])
    members = [pbx.sipp.answering(PHONE_IPS[p], scenario="ring.xml") for p in ("t1-101", "t1-102")]
    ear = RtpSink(T1_UPSTREAM_IN)  # where the caller's audio goes
    try:
        caller = pbx.sipp.start(pbx.sipp.listening_at("upstream_call_answered.xml", ear.port), T1_UPSTREAM_IN,
                                PHONE_PORT, service=DID, duration_ms=20000, timeout_s=40)
        assert wait_until(lambda: pbx.backend.queue_figures("t1", since)["500"].waiting == 1, 10)
        # An Apply that changes the queue while the caller waits: it waits on, as long as before.
        pbx.apply(t1_with(dataclasses.replace(quiet, ring_seconds=6), musicclasses=music))
        if asterisk:  # Asterisk's log names the position's prompt as it starts
            assert wait_until(lambda: log.read_text(errors="replace").count("queue-youarenext") > announced, 15)
        else:
            wait_until(lambda: ear.sound_seconds() > 0, 15)
        time.sleep(2.5)  # the announcement plays; the wait ends at 13 s
        heard_by_then = ear.sound_seconds()
        assert fallback.wait(30) == 0, fallback.output()
        caller.stop()
    finally:
        ear.close()
        fallback.stop()
        for run in members:
            run.stop()
    assert all(invites(run) == 0 for run in members)
    # The caller's ear got the announcement (its music is silence): RTP, not only a log line.
    assert len(ear.packets) > 100 and heard_by_then > 0.5, (heard_by_then, len(ear.packets))
    figures = wait_until(lambda: pbx.backend.queue_figures("t1", since)["500"], 10)
    assert figures.timed_out == 1 and figures.waiting == 0, figures


@BOTH
def test_when_the_queue_holds_its_most_callers_then_the_next_goes_to_its_full_destination(t1_queues):
    pbx = t1_queues
    since = datetime.now(UTC) - timedelta(seconds=5)
    pbx.apply(t1_with(dataclasses.replace(queue(login=True, max_wait=60), max_callers=1, full_destination="103")))
    fallback = pbx.sipp.answering(PHONE_IPS["t1-103"])
    try:
        # The first caller waits 15 s, then hangs up itself (a caller left behind would be
        # offered to the next test's members).
        waiting = pbx.sipp.start("upstream_call_answered.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID,
                                 duration_ms=15000, timeout_s=40)
        assert wait_until(lambda: pbx.backend.queue_figures("t1", since)["500"].waiting == 1, 10)
        dial(pbx, "t1-102", "500")  # the second caller: the queue is full, so 103 answers it
        assert fallback.wait(20) == 0, fallback.output()
        assert waiting.process.poll() is None, "the first caller still waits"
        assert waiting.wait(30) == 0, waiting.output()
        assert wait_until(lambda: pbx.backend.queue_figures("t1", since)["500"].waiting == 0, 10)
    finally:
        fallback.stop()


@BOTH
def test_when_a_member_dials_the_login_code_then_it_takes_calls_until_it_logs_out(t1_queues):
    pbx = t1_queues
    pbx.apply(t1_with(queue(members=("101", "102"), login=True, max_wait=10)))
    assert members_of(pbx) == []
    dial(pbx, "t1-102", "*45500")
    assert members_of(pbx) == ["t1-102"]
    pbx.apply(t1_with(queue(members=("101", "102"), login=True, max_wait=10)))  # an Apply keeps the login
    assert members_of(pbx) == ["t1-102"]
    answering = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        upstream_call(pbx)
        assert answering.wait(10) == 0, answering.output()
    finally:
        answering.stop()
    dial(pbx, "t1-102", "*45500")
    assert members_of(pbx) == []
    # Not a member, or not this org's queue: refused, nothing written.
    dial(pbx, "t1-103", "*45500", answered=False)
    dial(pbx, "t2-101", "*45500", answered=False)
    assert members_of(pbx) == []
    # A member taken out of the queue by an Apply is logged out.
    dial(pbx, "t1-101", "*45500")
    pbx.apply(t1_with(queue(members=("102",), login=True, max_wait=10)))
    assert members_of(pbx) == []


def test_when_a_members_row_names_another_orgs_phone_then_that_phone_is_never_offered_the_call(t1_queues):
    pbx = t1_queues
    pbx.apply(t1_with(queue(members=("101",))))
    with pbx.engine.begin() as connection:
        connection.execute(insert(tables.lp_queue_members).values(
            id="t1-500/t2-101", queue_name="t1-500", interface="PJSIP/t2-101", tenantid="t1", membername="x",
            state_interface="PJSIP/t2-101", penalty=0, paused=0))
    mine = pbx.sipp.answering(PHONE_IPS["t1-101"])
    victim = pbx.sipp.answering(PHONE_IPS["t2-101"], scenario="ring.xml")
    try:
        upstream_call(pbx)
        assert mine.wait(10) == 0, mine.output()
    finally:
        mine.stop()
        victim.stop()
    assert invites(victim) == 0


@pytest.mark.backends("freeswitch")
def test_when_freeswitch_missed_an_applys_members_then_the_upkeep_mends_them(t1_queues):
    """An Apply's word to mod_callcenter lost (the worker killed after its commit, FreeSWITCH not
    answering): a member missing, one the queue no longer has still there. The worker's upkeep
    makes them the applied plan's; an Apply without the queue takes its members along."""
    pbx = t1_queues
    pbx.apply(t1_with(queue(members=("101", "102"))))
    assert members_of(pbx) == ["t1-101", "t1-102"]
    pbx.cli("callcenter_config tier del t1-500 t1-500-102")
    pbx.cli("callcenter_config agent del t1-500-102")
    for command in ("agent add t1-500-103 callback", "agent set status t1-500-103 Available",
                    "tier add t1-500 t1-500-103 1 3"):
        pbx.cli(f"callcenter_config {command}")
    assert members_of(pbx) == ["t1-101", "t1-103"]
    pbx.backend.housekeeping(force=True)
    assert members_of(pbx) == ["t1-101", "t1-102"]
    pbx.apply(org_t1(queues=(queue(members=("101",), number="501"),)))
    assert members_of(pbx) == [] and members_of(pbx, "t1-501") == ["t1-101"]
