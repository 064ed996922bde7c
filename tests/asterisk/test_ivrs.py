"""Menus (IVR) through the real PBX (Asterisk, and FreeSWITCH where marked): a caller on the
organization's number hears the menu and presses keys (SIP INFO DTMF); a key leads to its
destination, an internal number typed is rung, nothing or a wrong key plays the menu again and
then goes on; only the org's own things are reached."""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import update

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.base import DidConfig, IvrConfig, RingGroupConfig, TimeConditionConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, T1_UPSTREAM_OUT, extension, org_t1, org_t2, password
from .sipp import CALLER_PORT, PHONE_PORT, hung_up_by_pbx, wait_until

pytestmark = pytest.mark.asterisk
DID = "+15550101"


def menu(*options, direct_dial=False, repeats=0, timeout_seconds=2, greeting=None, name="main",
         timeout_destination="103", invalid_destination="103") -> IvrConfig:
    return IvrConfig(name, "Main menu", greeting, tuple(options), direct_dial, timeout_seconds, repeats,
                     timeout_destination, invalid_destination)


def t1_with(*menus, destination="ivr:main", **changes):
    return org_t1(dids=(DidConfig(DID, destination),), ivrs=menus, **changes)


def caller_presses(pbx, keys: str, *, answered_by: str | None, others=("t1-101", "t1-102", "t1-103"),
                   duration_ms=1000):
    """An outside caller reaches the DID and presses ``keys``, then listens ``duration_ms``;
    asserts which of t1's phones rang (``answered_by``, or none: then the PBX hung up)."""
    phones = {phone: pbx.sipp.answering(PHONE_IPS[phone], scenario="answer.xml" if phone == answered_by else "ring.xml")
              for phone in others}
    try:
        run = pbx.sipp.run(pbx.sipp.pressing(keys, duration_ms), T1_UPSTREAM_IN, PHONE_PORT, service=DID, timeout_s=40)
        assert run.process.returncode == 0, run.output()
        rang = sorted(phone for phone, uas in phones.items() if "INVITE sip:" in uas.trace())
        assert rang == ([answered_by] if answered_by else []), (keys, rang)
        if answered_by:
            assert phones[answered_by].wait(10) == 0, phones[answered_by].output()
        return run
    finally:
        for uas in phones.values():
            uas.stop()


@contextmanager
def never_rung(pbx, *addresses):
    """Phones (or an upstream) at ``addresses`` that must receive no INVITE while the block runs."""
    runs = [pbx.sipp.answering(address, scenario="ring.xml") for address in addresses]
    try:
        yield
    finally:
        for run in runs:
            run.stop()
    assert [run.trace().count("INVITE sip:") for run in runs] == [0] * len(runs)


@pytest.mark.backends("asterisk", "freeswitch")
def test_office_hours_lead_to_the_menu_whose_key_1_rings_the_group_and_after_hours_to_voicemail(t1_restored):
    """The headline: the number in office hours → menu → 1 → ring group; after hours → voicemail."""
    pbx = t1_restored
    org = t1_with(menu(("1", "ringgroup:600"), ("2", "102")), destination="timecondition:hours",
                  ringgroups=(RingGroupConfig("600", "Sales", ("101",), "ringall", 5, "", "hangup"),),
                  timeconditions=(TimeConditionConfig("hours", "Office", ("mon-sun 00:00-24:00",), (), "ivr:main",
                                                      "voicemail:102", None, "UTC"),),
                  extensions=(extension("t1", "101"), extension("t1", "102", voicemail_enabled=True),
                              extension("t1", "103")))
    pbx.apply(org)
    caller_presses(pbx, "1", answered_by="t1-101")
    pbx.backend.set_time_override("t1", "hours", "closed")
    before = pbx.voicemails("t1", "102")
    caller_presses(pbx, "", answered_by=None, duration_ms=10000)
    assert wait_until(lambda: pbx.voicemails("t1", "102") > before, 10)


@pytest.mark.backends("asterisk", "freeswitch")
def test_each_key_leads_to_its_own_destination(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(menu(("2", "102"), ("*", "101"), ("#", "103"))))
    caller_presses(pbx, "2", answered_by="t1-102")
    caller_presses(pbx, "*", answered_by="t1-101")
    caller_presses(pbx, "#", answered_by="t1-103")


@pytest.mark.backends("asterisk", "freeswitch")
def test_a_wrong_key_plays_the_menu_again_then_goes_to_the_invalid_destination(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(menu(("2", "102"), repeats=1, invalid_destination="101", timeout_destination="hangup")))
    once = caller_presses(pbx, "5", answered_by=None, duration_ms=1500)  # one wrong key: the menu again
    assert not hung_up_by_pbx(once)
    caller_presses(pbx, "55", answered_by="t1-101")                  # wrong twice: the invalid destination
    caller_presses(pbx, "52", answered_by="t1-102")                  # wrong, then right


@pytest.mark.backends("asterisk", "freeswitch")
def test_no_key_plays_the_menu_again_then_goes_to_the_timeout_destination(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(menu(("2", "102"), repeats=1, timeout_seconds=1, timeout_destination="101")))
    caller_presses(pbx, "", answered_by="t1-101", duration_ms=8000)


@pytest.mark.backends("asterisk", "freeswitch")
def test_direct_dial_rings_the_internal_number_typed_and_nothing_else(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(menu(("1", "102"), direct_dial=True, invalid_destination="101"),
                      ringgroups=(RingGroupConfig("600", "Sales", ("103",), "ringall", 5, "", "hangup"),)))
    caller_presses(pbx, "102#", answered_by="t1-102")
    caller_presses(pbx, "600#", answered_by="t1-103")                   # a ring group's number too
    caller_presses(pbx, "1", answered_by="t1-102", duration_ms=5000)    # a key alone: an option (after 3 s)
    caller_presses(pbx, "109#", answered_by="t1-101")                   # not the org's: a wrong key
    # Neither an outside number nor another org's phones (t2 has 101 and 102 too) are reached.
    with never_rung(pbx, PHONE_IPS["t2-101"], PHONE_IPS["t2-102"], T1_UPSTREAM_OUT):
        caller_presses(pbx, "15550201#", answered_by="t1-101")


@pytest.mark.backends("asterisk", "freeswitch")
def test_without_direct_dial_typed_numbers_are_wrong_keys(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(menu(("1", "101"), invalid_destination="103")))
    caller_presses(pbx, "3", answered_by="t1-103")


def test_the_uploaded_greeting_is_what_the_caller_hears(t1_restored, tmp_path):
    pbx = t1_restored
    greeting = Path(pbx.config["DATA_DIR"]) / "prompts" / "t1" / ("a" * 64) / "greeting.wav"
    greeting.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(greeting), "synth", "3", "sine", "300"],
                   check=True)
    greeting.chmod(0o644)
    pbx.apply(t1_with(menu(("2", "102"), greeting=str(greeting))))
    log = pbx.workdir / "asterisk.log"
    seen = log.read_text(errors="replace").count(str(greeting.with_suffix("")))
    caller_presses(pbx, "2", answered_by="t1-102")
    assert log.read_text(errors="replace").count(str(greeting.with_suffix(""))) > seen


def test_when_a_key_row_is_altered_behind_the_apps_back_then_only_the_orgs_own_phones_ring(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(menu(("2", "102"))))
    pbx.apply(org_t2(ivrs=(menu(("2", "101"), timeout_destination="hangup", invalid_destination="hangup"),)))
    with never_rung(pbx, PHONE_IPS["t2-101"], PHONE_IPS["t2-102"]):
        for tampered in ("t2-101", "102&PJSIP/t2-101", "ivr:main@t2", "PJSIP/t2-101"):
            with pbx.engine.begin() as connection:
                connection.execute(update(tables.lp_ivrs).where(tables.lp_ivrs.c.id == "t1-main")
                                   .values(opt_2=tampered))
            assert hung_up_by_pbx(caller_presses(pbx, "2", answered_by=None, duration_ms=8000)), tampered


def test_when_a_number_names_another_orgs_menu_then_the_call_is_refused(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1())
    pbx.apply(org_t2(ivrs=(menu(("2", "101"), timeout_destination="hangup", invalid_destination="hangup"),)))
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_did_routes).where(tables.lp_did_routes.c.tenantid == "t1")
                           .values(destination="ivr:main"))
    run = pbx.sipp.run("upstream_call_refused.xml", T1_UPSTREAM_IN, PHONE_PORT, service=DID)
    assert run.process.returncode == 0, run.output()


def test_when_a_phone_dials_star_47_then_what_it_says_is_recorded_for_its_own_org(orgs):
    from littlepbx.pbx_backends.audio import phone_recordings_dir
    recordings = phone_recordings_dir(orgs.config["DATA_DIR"])
    before = set(recordings.glob("*.wav"))
    for phone in ("t1-102", "t2-102"):  # both orgs have an extension 102
        run = orgs.sipp.run("call_answered.xml", PHONE_IPS[phone], CALLER_PORT, service="*47", user=phone,
                            password=password(phone), duration_ms=2500)
        assert run.process.returncode == 0, run.output()
    assert wait_until(lambda: len(set(recordings.glob("*.wav")) - before) == 2, 5), sorted(recordings.iterdir())
    made = sorted(set(recordings.glob("*.wav")) - before)
    assert [path.name.rsplit("-", 1)[0] for path in made] == ["t1-102", "t2-102"]
    # The caller's tone, 8 kHz mono: more than a second of it (a recording starts after the beep).
    for path in made:
        assert path.read_bytes()[:4] == b"RIFF" and path.stat().st_size > 44 + 16000, path.stat().st_size
