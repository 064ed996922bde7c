"""Per-organization quotas: refused with a clear 4xx, shown to the integrator, and one
organization's trouble in the worker's upkeep never stops another's."""
import logging
from datetime import timedelta

import pytest
from sqlalchemy import text

from littlepbx import build_applier
from littlepbx.errors import QuotaExceeded, TooManyRequests
from littlepbx.kinds import Dids
from littlepbx.models import AuditEntry, utcnow
from littlepbx.services import apply as apply_service
from littlepbx.services import objects, orgs, quotas
from tests.conftest import make_org, scope_of


def test_when_an_org_has_all_its_numbers_then_the_next_is_refused(session):
    make_org(session, "tiny", max_dids=1)
    objects.create(scope_of(session, "tiny"), Dids, {"number": "+14155550100"})
    with pytest.raises(QuotaExceeded) as error:
        objects.create(scope_of(session, "tiny"), Dids, {"number": "+14155550101"})
    assert error.value.status == 409 and error.value.fields == {"number": "number limit reached"}


def test_when_an_org_applies_too_often_then_it_is_told_to_wait(app, session):
    make_org(session, "busy", max_applies_per_minute=2)
    applier = build_applier(app)
    for _ in range(2):
        run = apply_service.request_apply(scope_of(session, "busy"))
        session.commit()
        applier.step(run.id)
    with pytest.raises(TooManyRequests) as error:
        apply_service.request_apply(scope_of(session, "busy"))
    assert error.value.status == 429 and "at most 2 Applies a minute" in error.value.message


def test_when_storage_would_pass_the_quota_then_the_upload_is_refused(session, tmp_path):
    make_org(session, "small", max_storage_mb=1)
    data_dir = str(tmp_path)
    (tmp_path / "moh" / "small" / "old").mkdir(parents=True)
    (tmp_path / "moh" / "small" / "old" / "hold.wav").write_bytes(b"x" * (900 * 1024))
    scope = scope_of(session, "small")
    quotas.require_storage(scope, data_dir, 100 * 1024)
    with pytest.raises(QuotaExceeded) as error:
        quotas.require_storage(scope, data_dir, 200 * 1024)
    assert error.value.fields == {"file": "storage quota exceeded"}


def test_when_old_audit_entries_pass_retention_then_they_go_and_a_locked_org_does_not_stop_the_others(
        app, session, engine, caplog):
    keep, lose = make_org(session, "keepy"), make_org(session, "losey")
    orgs.update_org(scope_of(session, "keepy"), {"audit_retention_days": 30})
    orgs.update_org(scope_of(session, "losey"), {"audit_retention_days": 30})
    old = utcnow() - timedelta(days=40)
    for org in (keep, lose):
        session.add(AuditEntry(org_id=org.id, actor="x", action="old.thing", at=old))
    session.commit()
    with engine.connect() as blocker:
        blocker.execute(text("SELECT id FROM audit_log WHERE org_id = :o FOR UPDATE"), {"o": keep.id})
        with caplog.at_level(logging.ERROR):
            failed = build_applier(app).prune_audit(lock_wait_seconds=1)
        blocker.rollback()
    assert failed == [keep.id]
    remaining = dict(session.execute(text(
        "SELECT org_id, COUNT(*) FROM audit_log WHERE action = 'old.thing' GROUP BY org_id")).all())
    assert remaining == {keep.id: 1}, "the locked org kept its entry, the other's went"
    assert "pruning the audit log of organization" in caplog.text
    assert build_applier(app).prune_audit() == [] and session.execute(text(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'old.thing'")).scalar() == 0
