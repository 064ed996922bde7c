"""Backup and restore through the real Asterisk: provision, call, leave a voicemail, back up, purge,
restore; the phone registers with its old password and the voicemail and call history are back.
What the PBX keeps of an org beside its files (call history, forced time conditions) goes out and
comes back on FreeSWITCH too."""
import json
import os
import shutil
import subprocess
import time

import pytest

from littlepbx.applier import states
from littlepbx.extensions import db, get_backend
from littlepbx.kinds import Extensions
from littlepbx.pbx_backends.base import BackendError, TimeConditionConfig
from littlepbx.services import objects, orgs
from littlepbx.services.backup import backup, restore
from tests.asterisk.helpers import PHONE_IPS, call, extension, org_t1
from tests.asterisk.helpers import register as register_phone
from tests.asterisk.sipp import CALLER_PORT
from tests.asterisk.test_apply_end_to_end import PHONES, apply_until_done, product, register, session, sip_password  # noqa: F401  (fixtures)
from tests.asterisk.test_features import leave_voicemail as leave_voicemail_in_t1
from tests.conftest import make_org, scope_of, wait_until

pytestmark = pytest.mark.asterisk


def leave_voicemail(pbx, password: str, caller: str, mailbox: str) -> None:
    """``caller`` calls ``mailbox``, which rings unanswered, and talks after the beep."""
    ringing = pbx.sipp.answering(PHONES[mailbox], scenario="ring.xml")
    try:
        run = pbx.sipp.run("call_answered.xml", PHONES[caller], CALLER_PORT, service=mailbox,
                           user=f"e2e-{caller}", password=password, duration_ms=10000)
        assert run.process.returncode == 0, run.output()
    finally:
        ringing.stop()


def test_when_an_org_is_backed_up_purged_and_restored_then_its_phone_registers_and_its_voicemail_is_back(
        product, pbx, session, tmp_path):  # noqa: F811
    make_org(session, "e2e")
    scope = scope_of(session, "e2e")
    objects.create(scope, Extensions, {"number": "101", "ring_seconds": 5, "no_answer": "voicemail",
                                        "voicemail_enabled": True})
    objects.create(scope, Extensions, {"number": "102", "voicemail_enabled": False})
    session.commit()
    assert apply_until_done(product, session, "e2e") == states.APPLIED
    assert register(pbx, session, "101") == 0
    password = sip_password(session, "101")
    leave_voicemail(pbx, sip_password(session, "102"), "102", "101")
    inbox = pbx.spool("e2e", "101")
    assert wait_until(lambda: any(inbox.glob("msg*.wav")), 10), "the caller left a message"
    message = sorted(inbox.glob("msg*.wav"))[0]
    recorded = message.read_bytes()
    backend, database, data_dir = get_backend(product), db.of(product), product.config["DATA_DIR"]
    wait_until(lambda: history(backend, database), what="the call's records")
    time.sleep(1)  # each leg of the call writes its record as it hangs up
    calls = history(backend, database)
    archive = tmp_path / "e2e.tar.gz"
    backup(database, backend, data_dir, archive, "e2e")

    orgs.delete_org(scope_of(session, "e2e"), backend)
    session.commit()
    assert deleted_as_the_services(inbox.parent.parent, data_dir), "the services delete a purged org's voicemail"
    orgs.after_delete("e2e", backend, data_dir)
    refused = pbx.sipp.run("register.xml", PHONES["101"], user="e2e-101", password=password)
    assert refused.process.returncode != 0, "a deleted org's phone is refused"
    assert not inbox.exists() and not history(backend, database)

    said = restore(database, backend, data_dir, archive)
    assert said.orgs == ["e2e"]
    session.expire_all()
    assert sip_password(session, "101") == password
    assert register(pbx, session, "101") == 0, "the phone registers again with the password it has"
    assert (inbox / message.name).read_bytes() == recorded
    owner = pbx.spool("e2e", "101").parent.parent.parent.stat()
    assert (inbox / message.name).stat().st_uid == owner.st_uid, "Asterisk's account owns the restored voicemail"
    assert history(backend, database) == calls and "101" in [call["dialed"] for call in calls]
    assert deleted_as_the_services(inbox.parent.parent, data_dir), "and what a restore brought back"


def deleted_as_the_services(tree, data_dir: str) -> bool:
    """Delete ``tree`` as LittlePBX's services would: neither root nor Asterisk, only of DATA_DIR's
    group. The test runs as root; setpriv takes away root's powers (uid 0 then only owns what root
    owns, such as pytest's private temporary directory the root lives in)."""
    group = os.stat(data_dir).st_gid
    subprocess.run(["setpriv", "--securebits", "+noroot,+noroot_locked,+no_setuid_fixup,+no_setuid_fixup_locked",
                    "--inh-caps=-all", "--bounding-set=-all", f"--regid={group}", "--clear-groups",
                    "rm", "-rf", str(tree)], capture_output=True)
    return not tree.exists()


def history(backend, database) -> list[dict]:
    with database.engine.connect() as connection:
        calls, _ = backend.call_history(connection, "e2e", None, None, 0, 10)
    return calls


@pytest.mark.backends("asterisk", "freeswitch")
def test_an_orgs_history_forced_hours_and_voicemail_leave_with_its_backup_and_come_back_on_either_pbx(
        t1_restored, tmp_path):
    """The PBX's part of a backup (export_state, org_files) and of a restore (import_state,
    restore_files), as services.backup drives it: the PBX itself counts the restored messages."""
    pbx = t1_restored
    hours = TimeConditionConfig("hours", "Hours", ("mon-sun 00:00-24:00",), (), "101", "102", None, "UTC")
    org = org_t1(timeconditions=(hours,), extensions=(
        extension("t1", "101", ring_seconds=1, no_answer="voicemail", voicemail_enabled=True),
        extension("t1", "102"), extension("t1", "103")))
    pbx.apply(org)
    pbx.backend.set_time_override("t1", "hours", "closed")
    call(pbx, "t1-102", "101", PHONE_IPS["t1-101"], answered=True)
    kept = pbx.voicemails("t1", "101")  # what earlier tests left there
    leave_voicemail_in_t1(pbx, "t1-103", "101")
    assert wait_until(lambda: pbx.voicemails("t1", "101") == kept + 1, 10)

    def t1_calls():
        with pbx.engine.connect() as connection:
            return pbx.backend.call_history(connection, "t1", None, None, 0, 500)[0]

    assert wait_until(lambda: any(row["dialed"] == "101" for row in t1_calls()), 10)
    time.sleep(1)  # each leg writes its record as it hangs up
    calls = t1_calls()
    with pbx.engine.connect() as connection:
        state = json.loads(json.dumps(pbx.backend.export_state(connection, "t1"), default=str))
    saved = tmp_path / "voicemail"
    shutil.copytree(pbx.backend.org_files("t1")["voicemail"], saved)
    try:
        pbx.remove("t1")
        assert t1_calls() == [] and pbx.backend.time_overrides("t1") == {}
        pbx.apply(org)
        assert pbx.voicemails("t1", "101") == 0, "an org made anew with the code has an empty box"
        with pbx.engine.begin() as connection:
            pbx.backend.write_org(connection, org)
            pbx.backend.import_state(connection, "t1", state)
        pbx.backend.after_commit(org)
        pbx.backend.restore_files("t1", "voicemail", saved)
        assert pbx.backend.time_overrides("t1") == {"hours": "closed"}
        assert [dict(row, calldate=str(row["calldate"])) for row in t1_calls()] == \
            [dict(row, calldate=str(row["calldate"])) for row in calls]
        assert pbx.voicemails("t1", "101") == kept + 1
        foreign = {"call_history": [dict(state["call_history"][0], tenantid="t2")]}
        with pytest.raises(BackendError, match="another organization"), pbx.engine.begin() as connection:
            pbx.backend.import_state(connection, "t1", foreign)
        squatting = {"phone_states": [{"id": "t2-101", "tenantid": "t1", "dnd": "yes"}]}  # t2's phone's row
        with pytest.raises(BackendError, match="another organization"), pbx.engine.begin() as connection:
            pbx.backend.import_state(connection, "t1", squatting)
        assert t1_calls() == calls, "a refused restore changes nothing"
    finally:
        pbx.apply(org_t1())
        for phone in ("t1-101", "t1-102", "t1-103"):
            register_phone(pbx, phone)


@pytest.mark.backends("freeswitch")
def test_on_freeswitch_a_deleted_orgs_boxes_are_emptied_by_freeswitch_itself_where_its_index_is_not_ours(
        t1_restored, monkeypatch):
    """On an install the worker cannot write FreeSWITCH's voicemail database (FreeSWITCH's
    account's): deleting an org still leaves an org made later under its code with empty boxes."""
    import sqlite3

    from littlepbx.pbx_backends.freeswitch import voicemail

    pbx = t1_restored
    org = org_t1(extensions=(extension("t1", "101", ring_seconds=1, no_answer="voicemail", voicemail_enabled=True),
                             extension("t1", "102"), extension("t1", "103")))
    pbx.apply(org)
    kept = pbx.voicemails("t1", "101")
    leave_voicemail_in_t1(pbx, "t1-103", "101")
    assert wait_until(lambda: pbx.voicemails("t1", "101") == kept + 1, 10)

    def not_ours(db, code):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(voicemail, "forget", not_ours)
    try:
        pbx.remove("t1")
        pbx.apply(org)
        assert pbx.voicemails("t1", "101") == 0, "an org made anew with the code has an empty box"
    finally:
        pbx.apply(org_t1())
        for phone in ("t1-101", "t1-102", "t1-103"):  # removing the org ended their registrations
            register_phone(pbx, phone)
