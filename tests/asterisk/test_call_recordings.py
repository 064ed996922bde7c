"""Recorded calls through the real Asterisk (and FreeSWITCH, but for queues): an extension, a number or a queue that records its
calls, and a phone pressing **3 during one; each recording is its own organization's, named after
the call's record in the call history. Outside callers of a recorded call first hear the
organization's recording notice, where it chose one."""
from __future__ import annotations

import wave

import pytest

from littlepbx.pbx_backends.base import AnnouncementConfig, CallSettingsConfig, DidConfig, QueueConfig
from littlepbx.services import call_recordings

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, call, extension, org_t1, password, prompt_file, upstream_call
from .sipp import CALLER_PORT, wait_until

pytestmark = pytest.mark.asterisk
BOTH = pytest.mark.backends("asterisk", "freeswitch")


def seconds(path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def recorded(pbx, code: str) -> dict:
    return call_recordings.files_of(pbx.config["DATA_DIR"], code)


@pytest.fixture(autouse=True)
def no_recordings_left(t1_restored):
    yield
    for code in ("t1", "t2"):
        for path in recorded(t1_restored, code).values():
            path.unlink()


@BOTH
def test_an_extension_that_records_its_calls_leaves_a_recording_of_each_one_in_its_org(t1_restored):
    pbx = t1_restored
    recording_102 = org_t1(extensions=(extension("t1", "101"), extension("t1", "102", record_calls=True),
                                       extension("t1", "103")))
    pbx.apply(recording_102)
    # To it, with an Apply of its organization in the middle of the call: the call and its
    # recording go on.
    callee = pbx.sipp.answering(PHONE_IPS["t1-102"])
    try:
        caller = pbx.sipp.start("call_answered.xml", PHONE_IPS["t1-101"], CALLER_PORT, service="102", user="t1-101",
                                password=password("t1-101"), duration_ms=4000)
        assert wait_until(lambda: "ACK sip:" in callee.trace(), 10)
        pbx.apply(recording_102)
        assert caller.wait(20) == 0, caller.output()
        assert callee.wait(10) == 0, callee.output()
    finally:
        callee.stop()
    call(pbx, "t1-102", "103", PHONE_IPS["t1-103"], answered=True, duration_ms=2000)  # from it
    call(pbx, "t1-101", "103", PHONE_IPS["t1-103"], answered=True, duration_ms=1000)  # neither
    assert wait_until(lambda: len(recorded(pbx, "t1")) == 2, 5), recorded(pbx, "t1")
    files = recorded(pbx, "t1")
    lengths = sorted(seconds(path) for path in files.values())
    assert lengths[0] >= 1.5 and lengths[1] >= 3.5, f"the whole conversations are in them: {lengths}"
    assert recorded(pbx, "t2") == {}
    with pbx.engine.connect() as connection:
        history, _ = pbx.backend.call_history(connection, "t1", None, None, 0, 10)
    calls = {row["uniqueid"] for row in history}
    assert {call_recordings.RECORDING_ID.fullmatch(rid)["call"] for rid in files} <= calls, \
        "each recording names its call in the history"


@BOTH
def test_a_phone_records_a_call_on_demand_by_pressing_star_star_3(t1_restored):
    pbx = t1_restored
    answering = pbx.sipp.answering(PHONE_IPS["t1-103"])
    try:
        run = pbx.sipp.run(pbx.sipp.pressing("**3", 2500, phone=True), PHONE_IPS["t1-101"], CALLER_PORT,
                           service="103", user="t1-101", password=password("t1-101"), timeout_s=40)
        assert run.process.returncode == 0, run.output()
        assert answering.wait(10) == 0, answering.output()
    finally:
        answering.stop()
    files = wait_until(lambda: recorded(pbx, "t1") or None, 5)
    assert files and len(files) == 1
    assert seconds(next(iter(files.values()))) >= 1.5, "from the key on, until the call ended"
    assert recorded(pbx, "t2") == {}


@BOTH
def test_a_number_that_records_its_calls_leaves_a_recording_of_each_call_to_it(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(dids=(DidConfig("+15550101", "101", record_calls=True),)))
    upstream_call(pbx, T1_UPSTREAM_IN, "+15550101", PHONE_IPS["t1-101"], answered=True)
    assert wait_until(lambda: len(recorded(pbx, "t1")) == 1, 5), recorded(pbx, "t1")
    assert recorded(pbx, "t2") == {}


def test_a_queue_that_records_its_calls_leaves_a_recording_of_the_call_its_member_answered(t1_restored):
    pbx = t1_restored
    support = QueueConfig("500", "Support", ("101",), False, "ringall", 5, 0, 20, "hangup", 0, "hangup", 0,
                          record_calls=True)
    pbx.apply(org_t1(queues=(support,), dids=(DidConfig("+15550101", "queue:500"),)))
    upstream_call(pbx, T1_UPSTREAM_IN, "+15550101", PHONE_IPS["t1-101"], answered=True)
    assert wait_until(lambda: len(recorded(pbx, "t1")) == 1, 5), recorded(pbx, "t1")
    assert recorded(pbx, "t2") == {}


@BOTH
def test_an_outside_caller_of_a_recorded_call_hears_the_orgs_notice_first_and_a_phone_does_not(t1_restored):
    pbx = t1_restored
    played = prompt_file(pbx, "t1", "notice", 440)
    pbx.apply(org_t1(extensions=(extension("t1", "101", record_calls=True), extension("t1", "102"),
                                 extension("t1", "103")),
                     announcements=(AnnouncementConfig("recorded", "Calls are recorded", played, "hangup"),),
                     callsettings=CallSettingsConfig(recording_notice="recorded")))
    if pbx.backend.name == "freeswitch":  # what each PBX logs when it plays the file and rings 101
        log, playing, ringing = pbx.workdir / "state" / "log" / "freeswitch.log", f"playback({played})", \
            "sofia/lp/t1-101%littlepbx"
    else:
        log, playing, ringing = pbx.workdir / "asterisk.log", f"Playing '{played.removesuffix('.wav')}", \
            "Called PJSIP/t1-101"
    before = len(log.read_text(errors="replace"))
    # its DID rings 101; the caller stays 3 s (the notice plays for 1 s first)
    upstream_call(pbx, T1_UPSTREAM_IN, "+15550101", PHONE_IPS["t1-101"], answered=True, duration_ms=3000)
    heard = log.read_text(errors="replace")[before:]
    assert playing in heard
    assert heard.index(playing) < heard.index(ringing), "the notice before 101 rings"
    before = len(log.read_text(errors="replace"))
    call(pbx, "t1-102", "101", PHONE_IPS["t1-101"], answered=True)  # recorded too, but not from outside
    assert playing not in log.read_text(errors="replace")[before:]
    assert wait_until(lambda: len(recorded(pbx, "t1")) == 2, 5), recorded(pbx, "t1")
