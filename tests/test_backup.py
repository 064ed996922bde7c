"""`littlepbx backup` and `littlepbx restore`, run as an operator runs them, against the real database.

The PBX here is the recording test double (its rows live in MariaDB too); the round trip through
the real Asterisk, with a voicemail and a registering phone, is tests/asterisk/test_backup_restore.py.
"""
import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import text

from littlepbx.extensions import get_backend
from littlepbx.kinds import Dids, Extensions, kind_named
from littlepbx.models import AuditEntry
from littlepbx.services import drafts, objects, orgs, users
from littlepbx.services.tokens import authenticate_token, create_token
from littlepbx.tenancy import SYSTEM
from tests.conftest import make_org, scope_of
from tests.support.apply_helpers import apply_now
from tests.test_cli import cli  # noqa: F401  (the fixture: the command as a real process)


@pytest.fixture
def data_dir(app, tmp_path):
    """The CLI's DATA_DIR (tests/test_cli.py points it at tmp_path)."""
    return tmp_path


def build_org(app, session, code: str, did: str) -> dict:
    """An org with two applied extensions and a DID, an admin, a token, a recording and music;
    then one change left as a draft. Returns what the test checks afterwards."""
    make_org(session, code, name=f"{code.upper()} Ltd")
    scope = scope_of(session, code)
    objects.create(scope, Extensions, {"number": "101", "display_name": "Front desk"})
    objects.create(scope, Extensions, {"number": "102"})
    objects.create(scope, Dids, {"number": did, "extension": "101"})
    users.create_admin(scope, {"email": f"boss@{code}.example", "password": "correct horse battery"})
    _, token = create_token(session, SYSTEM, {"name": "crm", "org": code})
    session.commit()
    assert apply_now(app, session, code) == "applied"
    objects.update(scope_of(session, code), Extensions, "102", {"display_name": "Draft only"})
    session.commit()
    return {"token": token, "password": objects.get(scope_of(session, code), Extensions, "101").sip_password}


def files_of(data_dir: Path, code: str) -> dict[str, bytes]:
    """An org's recordings and an upload, put where the PBX and the music upload put them."""
    files = {data_dir / "phone-recordings" / f"{code}-101-1700000000.wav": b"RIFF phone",
             data_dir / "call-recordings" / f"lp-{code}-1700000000-1.2.wav": b"RIFF call",
             data_dir / "moh" / code / ("a" * 64) / "hold.wav": b"RIFF music"}
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return {str(path.relative_to(data_dir)): content for path, content in files.items()}


def purge(app, session, code: str, data_dir: Path) -> None:
    """What DELETE /orgs/<code> does."""
    orgs.delete_org(scope_of(session, code), get_backend(app))
    session.commit()
    orgs.after_delete(code, get_backend(app), str(data_dir))


def snapshot(session, code: str) -> dict:
    """What the org's admin sees: draft and live extensions and DIDs, and what is pending."""
    session.expire_all()
    scope = scope_of(session, code)
    return {"draft": [objects.as_dict(Extensions, e) for e in scope.all(Extensions.draft)],
            "live": [objects.as_dict(Extensions, e) for e in scope.all(Extensions.live)],
            "dids": [objects.as_dict(Dids, d) for d in scope.all(Dids.live)],
            "pending": drafts.diff(scope), "name": scope.org.name}


def test_when_an_org_is_purged_and_restored_then_it_is_back_as_it_was_and_its_neighbour_untouched(
        app, session, cli, data_dir, tmp_path):  # noqa: F811
    acme = build_org(app, session, "acme", "+15550001")
    build_org(app, session, "beta", "+15550002")
    saved = files_of(data_dir, "acme")
    before, beta_before = snapshot(session, "acme"), snapshot(session, "beta")
    archive = tmp_path / "acme.tar.gz"

    said = cli("backup", str(archive), "--org", "acme").stdout
    assert "1 organization(s)" in said
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600, "it holds SIP secrets and password hashes"
    purge(app, session, "acme", data_dir)
    assert not (data_dir / next(iter(saved))).exists()

    said = cli("restore", str(archive)).stdout
    assert "restored 1 organization(s): acme" in said
    assert snapshot(session, "acme") == before  # live is live, and the draft-only change still pending
    assert before["pending"], "the draft-only change was pending before"
    assert snapshot(session, "beta") == beta_before
    for name, content in saved.items():
        assert (data_dir / name).read_bytes() == content
    assert users.authenticate(session, "boss@acme.example", "correct horse battery").org_id is not None
    assert authenticate_token(session, acme["token"]).org_id == scope_of(session, "acme").org.id
    assert objects.get(scope_of(session, "acme"), Extensions, "101").sip_password == acme["password"]
    actions = [e.action for e in scope_of(session, "acme").all(AuditEntry)]
    assert "apply.done" in actions and actions[-1] == "org.restore"
    # The PBX's rows were written again from the restored live configuration.
    written = session.scalars(text("SELECT name FROM test_pbx_rows WHERE org = 'acme' AND kind = 'extension'"))
    assert set(written) == {"101", "102"}


def test_when_an_org_is_restored_over_itself_then_later_changes_go_and_other_orgs_stay(
        app, session, cli, data_dir, tmp_path):  # noqa: F811
    build_org(app, session, "acme", "+15550001")
    build_org(app, session, "beta", "+15550002")
    before = snapshot(session, "acme")
    archive = tmp_path / "all.tar.gz"
    assert "and the system's operators and tokens" in cli("backup", str(archive)).stdout
    objects.create(scope_of(session, "acme"), Extensions, {"number": "103"})
    objects.update(scope_of(session, "beta"), Extensions, "101", {"display_name": "Changed after the backup"})
    session.commit()
    beta_later = snapshot(session, "beta")

    said = cli("restore", str(archive), "--org", "acme").stdout
    assert "replacing acme as it was here" in said
    assert snapshot(session, "acme") == before
    assert snapshot(session, "beta") == beta_later, "restoring acme never touches beta"


def test_when_another_org_took_its_number_meanwhile_then_restore_refuses_and_changes_nothing(
        app, session, cli, data_dir, tmp_path):  # noqa: F811
    build_org(app, session, "acme", "+15550001")
    archive = tmp_path / "acme.tar.gz"
    cli("backup", str(archive), "--org", "acme")
    purge(app, session, "acme", data_dir)
    make_org(session, "gamma")
    objects.create(scope_of(session, "gamma"), Dids, {"number": "+15550001"})
    session.commit()

    result = cli("restore", str(archive), check=False)
    assert result.returncode == 1
    assert "+15550001 belong to another organization" in result.stderr and "Traceback" not in result.stderr
    session.expire_all()
    assert [o.code for o in orgs.list_orgs(session, SYSTEM)[0]] == ["gamma"]


def test_when_the_file_is_not_a_backup_or_lacks_the_org_then_restore_says_so(
        app, session, cli, tmp_path):  # noqa: F811
    junk = tmp_path / "junk.tar.gz"
    junk.write_text("not an archive")
    result = cli("restore", str(junk), check=False)
    assert result.returncode == 1 and "is not a LittlePBX backup" in result.stderr
    make_org(session, "acme")
    archive = tmp_path / "acme.tar.gz"
    cli("backup", str(archive), "--org", "acme")
    result = cli("restore", str(archive), "--org", "zeta", check=False)
    assert result.returncode == 1 and "holds no organization 'zeta' (it holds: acme)" in result.stderr
    result = cli("backup", str(tmp_path / "x.tar.gz"), "--org", "zeta", check=False)
    assert result.returncode == 1 and "no organization 'zeta'" in result.stderr
    assert not (tmp_path / "x.tar.gz").exists()


def test_when_a_whole_system_backup_is_restored_into_an_empty_install_then_operators_and_orgs_return(
        app, session, cli, data_dir, tmp_path, engine):  # noqa: F811
    from tests.conftest import wipe
    build_org(app, session, "acme", "+15550001")
    cli("create-operator", "ops@example.net", "--password", "a long passphrase")
    archive = tmp_path / "all.tar.gz"
    cli("backup", str(archive))
    before = snapshot(session, "acme")
    session.close()
    wipe(engine)

    said = cli("restore", str(archive)).stdout
    assert "restored 1 organization(s): acme; 1 operator login(s) added" in said
    assert users.authenticate(session, "ops@example.net", "a long passphrase").role == "operator"
    assert snapshot(session, "acme") == before


def test_an_archive_made_before_a_setting_existed_restores_with_its_defaults(
        app, session, cli, data_dir, tmp_path):  # noqa: F811
    build_org(app, session, "acme", "+15550001")
    archive, older = tmp_path / "acme.tar.gz", tmp_path / "older.tar.gz"
    cli("backup", str(archive), "--org", "acme")
    with tarfile.open(archive) as source, tarfile.open(older, "w:gz") as target:  # as before call settings
        for member in source.getmembers():
            content = source.extractfile(member).read() if member.isfile() else None
            if member.name == "orgs/acme/rows.json":
                rows = json.loads(content)
                del rows["kinds"]["callsettings"]
                content = json.dumps(rows).encode()
                member.size = len(content)
            target.addfile(member, io.BytesIO(content) if content is not None else None)
    purge(app, session, "acme", data_dir)
    assert "restored 1 organization(s): acme" in cli("restore", str(older)).stdout
    session.expire_all()
    settings = objects.get(scope_of(session, "acme"), kind_named("callsettings"))
    assert (settings.parking_first, settings.parking_slots, settings.recording_notice) == (701, 20, None)
    assert not any(drafts.diff(scope_of(session, "acme"))["call_settings"].values()), "draft and live alike"
