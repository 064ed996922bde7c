"""System tests against the real Asterisk: outbound calls, forwards, voicemail, limits, Apply during calls,
music on hold, upstream registration and CDR."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from littlepbx.pbx_backends.asterisk import provision, tables
from littlepbx.pbx_backends.asterisk.ami import AMIClient
from littlepbx.pbx_backends.base import BackendError, MohConfig, TrunkConfig

from .helpers import (
    PHONE_IPS,
    T1_UPSTREAM_OUT,
    T2_UPSTREAM_OUT,
    extension,
    org_t1,
    org_t2,
    password,
    pin,
    register,
    registering_trunk,
    registers,
)
from .sipp import CALLER_PORT, PHONE_PORT, wait_until

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")


def t1_with(*extensions, **changes):
    """t1 with some extensions replaced (by number)."""
    replaced = {e.number: e for e in extensions}
    base = org_t1()
    return org_t1(extensions=tuple(replaced.get(e.number, e) for e in base.extensions), **changes)


def start_call(pbx, caller: str, dialled: str, duration_ms: int):
    """Start an answered call from ``caller`` in the background; returns the sipp run."""
    return pbx.sipp.start("call_answered.xml", PHONE_IPS[caller], CALLER_PORT, service=dialled, user=caller,
                          password=password(caller), duration_ms=duration_ms, timeout_s=duration_ms // 1000 + 20)


def first_header(trace: str, name: str) -> str:
    """The first ``name:`` header line in a sipp message trace."""
    match = re.search(rf"^\s*{name}:.*$", trace, re.M | re.I)
    return match.group(0) if match else ""


# --- 5. external numbers and forwards -----------------------------------------------------------------

@BOTH
def test_when_phone_dials_external_number_then_it_leaves_through_own_upstream_only(orgs):
    other = orgs.sipp.answering(T2_UPSTREAM_OUT)
    try:
        upstream = orgs.sipp.answering(T1_UPSTREAM_OUT)
        run = orgs.sipp.run("call_answered.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="+15559990000",
                            user="t1-102", password=password("t1-102"))
        assert run.process.returncode == 0, run.output()
        assert upstream.wait(10) == 0, upstream.output()
        assert "INVITE sip:+15559990000@127.0.0.52" in upstream.trace()
        assert "+15550101" in first_header(upstream.trace(), "From")
        assert "INVITE" not in other.trace()
    finally:
        other.stop()


@BOTH
def test_when_extension_forwards_to_external_number_then_call_leaves_through_own_upstream(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(extension("t1", "103", ring_seconds=1, no_answer="forward", forward_to="+15559990001")))
    ringing = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    upstream = pbx.sipp.answering(T1_UPSTREAM_OUT)
    try:
        run = pbx.sipp.run("call_answered.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="103", user="t1-102",
                           password=password("t1-102"))
        assert run.process.returncode == 0, run.output()
        assert upstream.wait(10) == 0, upstream.output()
        assert "INVITE sip:+15559990001@127.0.0.52" in upstream.trace()
    finally:
        ringing.stop()
        upstream.stop()


@pytest.mark.parametrize("target", ["t2-101", "101&PJSIP/t2-101", "PJSIP/t2-101", "999"])
def test_when_forward_target_is_not_of_the_org_then_write_org_refuses_it(orgs, target):
    bad = t1_with(extension("t1", "103", no_answer="forward", forward_to=target))
    with pytest.raises(BackendError), orgs.engine.begin() as connection:
        orfs_plan_before = connection.execute(select(tables.lp_extension_plans.c.no_answer)
                                              .where(tables.lp_extension_plans.c.id == "t1-103")).scalar()
        orgs.backend.write_org(connection, bad)
    assert orfs_plan_before == "hangup"


def test_when_forward_row_is_tampered_with_then_dialplan_still_refuses_other_org(t1_restored):
    pbx = t1_restored
    with pbx.engine.begin() as connection:
        connection.execute(update(tables.lp_extension_plans).where(tables.lp_extension_plans.c.id == "t1-103")
                           .values(no_answer="forward", forward_to="101&PJSIP/t2-101", ring_seconds=1))
    ringing = pbx.sipp.answering(PHONE_IPS["t1-103"], scenario="ring.xml")
    victim = pbx.sipp.answering(PHONE_IPS["t2-101"])
    try:
        run = pbx.sipp.run("call_refused.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="103", user="t1-102",
                           password=password("t1-102"))
        assert run.process.returncode == 0, run.output()
        assert "INVITE" not in victim.trace()
    finally:
        ringing.stop()
        victim.stop()


# --- 7. concurrent-call limit and call counts ----------------------------------------------------------

@BOTH
def test_when_org_is_at_its_call_limit_then_only_its_next_call_is_refused(t1_restored):
    pbx = t1_restored
    pbx.apply(org_t1(max_concurrent_calls=1))
    callee = pbx.sipp.answering(PHONE_IPS["t1-101"])
    first = start_call(pbx, "t1-102", "101", 5000)
    try:
        assert wait_until(lambda: pbx.backend.active_calls("t1") == 1, 10)
        assert pbx.backend.active_calls("t2") == 0
        refused = pbx.sipp.run("call_refused.xml", PHONE_IPS["t1-103"], CALLER_PORT, service="102", user="t1-103",
                               password=password("t1-103"))
        assert refused.process.returncode == 0, refused.output()
        t2_callee = pbx.sipp.answering(PHONE_IPS["t2-101"])
        t2_call = pbx.sipp.run("call_answered.xml", PHONE_IPS["t2-102"], CALLER_PORT, service="101", user="t2-102",
                               password=password("t2-102"))
        assert t2_call.process.returncode == 0, t2_call.output()
        assert t2_callee.wait(10) == 0
        assert first.wait(30) == 0, first.output()
    finally:
        callee.stop()
        first.stop()
    assert wait_until(lambda: pbx.backend.active_calls("t1") == 0, 10)


@BOTH
def test_when_a_call_is_up_then_the_pbx_lists_it_for_its_org_only(orgs):
    callee = orgs.sipp.answering(PHONE_IPS["t1-101"])
    ongoing = start_call(orgs, "t1-102", "101", 3000)
    try:
        # (listed from its INVITE on: wait for the answer, or a look while it rings sees "Ring")
        calls = wait_until(lambda: [c for c in orgs.backend.current_calls("t1") if c.state == "Up"] and
                           orgs.backend.current_calls("t1"), 10)
        assert [(c.caller, c.callee, c.state) for c in calls] == [("102", "101", "Up")], calls
        assert calls[0].started_at is not None
        assert orgs.backend.current_calls("t2") == []
        assert ongoing.wait(30) == 0, ongoing.output()
    finally:
        callee.stop()
        ongoing.stop()
    assert wait_until(lambda: orgs.backend.current_calls("t1") == [], 10)


# --- 8. Apply during calls -------------------------------------------------------------------------------

@BOTH
def test_when_own_and_other_org_are_applied_during_a_call_then_call_continues(t1_restored):
    pbx = t1_restored
    callee = pbx.sipp.answering(PHONE_IPS["t1-101"])
    ongoing = start_call(pbx, "t1-102", "101", 3000)
    try:
        assert wait_until(lambda: pbx.backend.active_calls("t1") == 1, 10)
        pbx.apply(org_t2(max_concurrent_calls=5))
        pbx.apply(t1_with(extension("t1", "101", ring_seconds=9), extension("t1", "102", sip_password="changed-pw")))
        assert pbx.backend.active_calls("t1") == 1
        assert ongoing.wait(30) == 0, ongoing.output()
        assert callee.wait(10) == 0, callee.output()
    finally:
        callee.stop()
        ongoing.stop()
        pbx.apply(org_t2())


# --- 9. music on hold, registrations, CDR ---------------------------------------------------------------

def test_when_callee_holds_then_caller_hears_its_orgs_music_class(t1_restored, tmp_path):
    pbx = t1_restored
    source = tmp_path / "music.wav"
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(source), "synth", "3", "sine", "300"], check=True)
    converted = Path(pbx.config["DATA_DIR"]) / "moh" / "t1" / "upload1" / "hold.wav"
    pbx.backend.convert_audio(source, converted)
    pbx.apply(org_t1(moh=MohConfig(True, str(converted))))
    with AMIClient("127.0.0.1", pbx.config["ASTERISK_AMI_PORT"], pbx.config["ASTERISK_AMI_USER"],
                   pbx.config["ASTERISK_AMI_SECRET"], events=True) as ami:
        holder = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="hold.xml")
        try:
            run = pbx.sipp.run("call_answered.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="101", user="t1-102",
                               password=password("t1-102"), duration_ms=2500)
            event = ami.wait_event(lambda e: e.get("Event") == "MusicOnHoldStart", 10)
            assert run.process.returncode == 0, run.output()
        finally:
            holder.stop()
    assert event.get("Class") == "t1", event


def test_when_file_is_not_audio_then_converting_it_says_so(pbx, tmp_path):
    source = tmp_path / "notes.mp3"
    source.write_text("not music")
    with pytest.raises(BackendError, match="not an audio file"):
        pbx.backend.convert_audio(source, tmp_path / "out.wav")


def is_unregister(message: str) -> bool:
    """Whether a REGISTER ends its binding (expires 0)."""
    return bool(re.search(r"^\s*Expires:\s*0\s*$|;expires=0\b", message, re.M | re.I))


@pytest.fixture
def reload_watch(pbx):
    """An AMI connection collecting events; yields a function listing the module reloads seen so far."""
    with AMIClient("127.0.0.1", pbx.config["ASTERISK_AMI_PORT"], pbx.config["ASTERISK_AMI_USER"],
                   pbx.config["ASTERISK_AMI_SECRET"], events=True) as ami:
        def reloads() -> list[dict]:
            ami.action("Ping")  # reads every event Asterisk sent before answering
            return [e for e in ami.events if e.get("Event") == "Reload"]
        yield reloads


def test_when_org_adds_changes_and_removes_registering_upstream_then_registrar_sees_each_without_reload(
        t1_restored, reload_watch):
    pbx = t1_restored
    inbound = org_t1().trunk("inbound")
    # Two bindings: acct1's (registered, then ended by the change) and acct2's (ended by the removal).
    registrar = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario="registrar.xml", calls=2)
    try:
        pbx.apply(org_t1(trunks=(inbound, registering_trunk(T1_UPSTREAM_OUT, "acct1"))))
        # The Apply itself starts it (asking for the state would look it up too).
        assert wait_until(lambda: registers(registrar.trace()), 15), registrar.output()
        assert wait_until(lambda: pbx.backend.registration_state("t1") == "Registered", 15), \
            pbx.backend.registration_state("t1")
        assert pbx.backend.registration_state("t2") is None

        pbx.apply(org_t1(trunks=(inbound, registering_trunk(T1_UPSTREAM_OUT, "acct2"))))
        assert wait_until(lambda: any("acct2@" in m for m in registers(registrar.trace())), 15), \
            registrar.output()

        pbx.apply(org_t1())
        assert registrar.wait(20) == 0, registrar.output()
    finally:
        registrar.stop()
    messages = registers(registrar.trace())
    ended = [m for m in messages if is_unregister(m)]
    assert [("acct1@" in m, "acct2@" in m) for m in ended] == [(True, False), (False, True)], registrar.output()
    assert pbx.backend.registration_state("t1") is None
    assert reload_watch() == []


@BOTH
def test_when_the_refresh_after_commit_is_lost_then_the_workers_housekeeping_carries_it_out(t1_restored):
    pbx = t1_restored
    registrar = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario="registrar.xml")
    try:
        pbx.apply(org_t1(trunks=(org_t1().trunk("inbound"), registering_trunk(T1_UPSTREAM_OUT, "acct3"))))
        assert wait_until(lambda: registers(registrar.trace()), 15), registrar.output()
        # The worker dies right after committing an Apply that removes the upstream: no after_commit.
        with pbx.engine.begin() as connection:
            pbx.backend.write_org(connection, org_t1())
        assert not wait_until(lambda: len(registers(registrar.trace())) > 1, 2), "the PBX heard of it anyway"
        pbx.backend.housekeeping(force=True)  # the restarted worker's first tick
        assert registrar.wait(15) == 0, registrar.output()
    finally:
        registrar.stop()
    assert is_unregister(registers(registrar.trace())[-1]), registrar.output()


@BOTH
def test_when_only_the_upstream_password_is_corrected_then_the_org_registers_at_once(t1_restored):
    pbx = t1_restored
    inbound = org_t1().trunk("inbound")
    keys = {"user": "acct7", "secret": "right-secret"}

    def with_password(password: str):
        trunk = TrunkConfig("outbound", T1_UPSTREAM_OUT, PHONE_PORT, "udp", "acct7", password, True, None, None)
        return org_t1(trunks=(inbound, trunk))

    refusing = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario="registrar_refuses.xml")
    try:
        pbx.apply(with_password("wrong-secret"))
        assert wait_until(lambda: pbx.backend.registration_state("t1") == "Rejected", 15), refusing.output()
    finally:
        refusing.stop()
    # Asterisk would try again only after forbidden_retry_interval (5 min); the Apply must not wait for it.
    accepting = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario="registrar_auth.xml", keys=keys)
    try:
        pbx.apply(with_password("right-secret"))
        assert wait_until(lambda: pbx.backend.registration_state("t1") == "Registered", 20), accepting.output()
    finally:
        accepting.stop()
    assert any("Authorization:" in m and not is_unregister(m) for m in registers(accepting.trace())), \
        accepting.output()


@BOTH
def test_when_calls_were_made_then_cdr_rows_carry_the_org(orgs):
    with orgs.engine.connect() as connection:
        per_org = dict(connection.execute(select(tables.cdr.c.tenantid, func.count())
                                          .group_by(tables.cdr.c.tenantid)).all())
    assert per_org.get("t1", 0) > 0 and per_org.get("t2", 0) > 0, per_org


# --- lifecycle ---------------------------------------------------------------------------------------------

def rows_of(connection, code: str) -> dict[str, int]:
    """How many rows the org has in each realtime table."""
    prefix = f"{code}-%"
    queries = {
        "ps_endpoints": tables.ps_endpoints.c.tenantid == code, "ps_auths": tables.ps_auths.c.id.like(prefix),
        "ps_aors": tables.ps_aors.c.id.like(prefix), "ps_contacts": tables.ps_contacts.c.id.like(prefix),
        "ps_registrations": tables.ps_registrations.c.id.like(prefix),
        "voicemail": tables.voicemail.c.context == code, "lp_org_plans": tables.lp_org_plans.c.code == code,
        "lp_extension_plans": tables.lp_extension_plans.c.tenantid == code,
        "lp_did_routes": tables.lp_did_routes.c.tenantid == code,
        "lp_upstream_sources": tables.lp_upstream_sources.c.tenantid == code,
        "lp_numbers": tables.lp_numbers.c.tenantid == code, "lp_ring_groups": tables.lp_ring_groups.c.tenantid == code,
    }
    return {name: connection.execute(select(func.count()).where(condition)).scalar()
            for name, condition in queries.items()}


def test_when_org_is_reapplied_then_its_phones_stay_registered(orgs):
    orgs.apply(org_t2(max_concurrent_calls=3))
    with orgs.engine.connect() as connection:
        assert rows_of(connection, "t2")["ps_contacts"] == 2


def test_when_org_is_removed_then_all_its_rows_go_its_phones_are_refused_and_its_upstream_unregisters(
        orgs, reload_watch):
    registrar = orgs.sipp.answering(T2_UPSTREAM_OUT, scenario="registrar.xml")
    try:
        orgs.apply(org_t2(trunks=(org_t2().trunk("inbound"), registering_trunk(T2_UPSTREAM_OUT, "t2acct"))))
        assert wait_until(lambda: registers(registrar.trace()), 15), registrar.output()
        assert wait_until(lambda: orgs.backend.registration_state("t2") == "Registered", 15)
        orgs.remove("t2")
        assert registrar.wait(20) == 0, registrar.output()
        assert is_unregister(registers(registrar.trace())[-1]), registrar.output()
        assert reload_watch() == []
        assert orgs.backend.registration_state("t2") is None
        with orgs.engine.connect() as connection:
            assert set(rows_of(connection, "t2").values()) == {0}
            assert rows_of(connection, "t1")["ps_endpoints"] == 4
        refused = orgs.sipp.run("register_refused.xml", PHONE_IPS["t2-101"], CALLER_PORT, user="t2-101",
                                password=password("t2-101"))
        assert refused.process.returncode == 0, refused.output()
    finally:
        registrar.stop()
        orgs.apply(org_t2())
        for phone in ("t2-101", "t2-102"):
            register(orgs, phone)


@BOTH
def test_when_the_pbx_runs_then_health_is_ok_and_idle_orgs_have_no_calls(orgs):
    assert orgs.backend.health()["ok"] is True
    assert orgs.backend.active_calls("t2") == 0


# --- 6. voicemail (last: a new message sends MWI NOTIFYs to the phone at 101's address) ----------------

def leave_voicemail(pbx, caller: str, mailbox: str) -> None:
    """``caller`` calls t1's ``mailbox`` (ringing, never answered) and talks for a few seconds after the beep."""
    ringing = pbx.sipp.answering(PHONE_IPS[f"t1-{mailbox}"], scenario="ring.xml")
    try:
        run = pbx.sipp.run("call_answered.xml", PHONE_IPS[caller], CALLER_PORT, service=mailbox, user=caller,
                           password=password(caller), duration_ms=8000)
        assert run.process.returncode == 0, run.output()
    finally:
        ringing.stop()


def messages(folder) -> int:
    """How many messages a voicemail folder holds."""
    return len(list(folder.glob("msg*.txt"))) if folder.exists() else 0


def voicemail_login(pbx, caller: str, digits: str, listen: str = "1"):
    """``caller`` dials *97, types ``digits`` and #, then presses ``listen``."""
    keys = {"d1": digits[0], "d2": digits[1], "d3": digits[2], "d4": digits[3], "pound": "#", "listen": listen}
    run = pbx.sipp.run("voicemail_login.xml", PHONE_IPS[caller], CALLER_PORT, service="*97", user=caller,
                       password=password(caller), duration_ms=3000, keys=keys)
    assert run.process.returncode == 0, run.output()


@BOTH
def test_when_an_extension_does_not_answer_then_the_caller_leaves_a_message_in_its_own_orgs_box(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(extension("t1", "101", ring_seconds=1, no_answer="voicemail", voicemail_enabled=True)))
    pbx.apply(org_t2(extensions=(extension("t2", "101", voicemail_enabled=True), extension("t2", "102"))))
    before = pbx.voicemails("t1", "101")
    leave_voicemail(pbx, "t1-102", "101")
    assert wait_until(lambda: pbx.voicemails("t1", "101") > before, 10)
    assert pbx.voicemails("t2", "101") == 0


def test_when_extension_does_not_answer_then_caller_leaves_a_voicemail_and_owner_gets_mwi_and_mail(
        t1_restored, smtp):
    pbx = t1_restored
    pbx.apply(t1_with(extension("t1", "101", ring_seconds=1, no_answer="voicemail", voicemail_enabled=True,
                                voicemail_email="owner101@example.org")))
    register(pbx, "t1-101")  # res_pjsip_mwi sets up a phone's unsolicited MWI when it registers
    inbox = pbx.spool("t1", "101")
    before = messages(inbox)
    leave_voicemail(pbx, "t1-102", "101")
    # The NOTIFY goes out when the message is saved; UDP retransmissions reach a phone listening late.
    phone = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="mwi.xml")
    assert wait_until(lambda: messages(inbox) > before, 10)
    assert not pbx.spool("t2", "101").exists()
    try:
        assert phone.wait(15) == 0, phone.output()
        assert "Messages-Waiting: yes" in phone.trace()
    finally:
        phone.stop()
    # Through a relay requiring STARTTLS and a login, with the same MAIL_* settings as the app's.
    assert wait_until(lambda: any("owner101@example.org" in rcpt for rcpt, _ in smtp.messages), 15), \
        provision.in_root(pbx.config, "/var/log/asterisk/msmtp.log").read_text(errors="replace")[-2000:]
    assert smtp.logins, "msmtp logged in"


@BOTH
def test_when_a_message_is_left_then_its_owner_gets_it_by_mail_with_the_recording(t1_restored, smtp):
    pbx = t1_restored
    pbx.apply(t1_with(extension("t1", "101", ring_seconds=1, no_answer="voicemail", voicemail_enabled=True,
                                voicemail_email="owner101@example.org"),
                      extension("t1", "102", voicemail_enabled=True)))
    leave_voicemail(pbx, "t1-103", "101")
    assert wait_until(lambda: smtp.messages, 20), "no mail reached the relay"
    ((recipients, content),) = smtp.messages
    assert recipients == ["owner101@example.org"] and smtp.logins, "through the relay, logged in"
    assert re.search(r"^Subject:.*\b101\b", content, re.M), "the subject names the box"
    assert re.search(r'(?:file)?name="?[^"\r\n]*\.wav', content, re.I), \
        ("the recording is attached", re.findall(r"^Content-[^\r\n]*", content, re.M))


def test_when_phone_dials_star97_then_only_its_own_pin_opens_only_its_own_box(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_with(extension("t1", "101", ring_seconds=1, no_answer="voicemail", voicemail_enabled=True),
                      extension("t1", "102", voicemail_enabled=True)))
    inbox, old = pbx.spool("t1", "101"), pbx.spool("t1", "101", "Old")
    leave_voicemail(pbx, "t1-103", "101")
    assert wait_until(lambda: messages(inbox) > 0, 10)
    unread = messages(inbox)
    voicemail_login(pbx, "t1-102", pin("101"))  # 101's PIN typed on 102: *97 opens 102's own box only
    assert messages(inbox) == unread and messages(old) == 0
    voicemail_login(pbx, "t1-101", pin("101"))
    assert wait_until(lambda: messages(old) > 0, 10), "the owner's PIN did not open the box"
