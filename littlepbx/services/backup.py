"""Backup and restore: one organization, or the whole system, as one archive.

An archive is a gzipped tar (mode 0600: it holds SIP secrets and password hashes):

- ``manifest.json``: the format, the schema revision that wrote it, when, and its organizations;
- ``orgs/<code>/rows.json``: the organization, its draft and live configuration of every kind,
  its admins, API tokens (as stored: digests) and audit log, and what the PBX keeps of it that no
  Apply rebuilds (call history, what its phones switched: PBXBackend.export_state);
- ``orgs/<code>/files/<area>/``: its uploaded music and prompts, phones' recordings and recorded
  calls; ``orgs/<code>/pbx/<name>/``: the PBX's own files of it (voicemail: PBXBackend.org_files);
- ``system.json`` in a whole-system backup: operators, system tokens and system audit entries.

The rows are read in one REPEATABLE READ transaction, so they are one consistent moment of the
database; files are copied as they are at that moment (a message being recorded may be missing).

A restore brings back each organization in one transaction of its own: the organization as it
is on this install (if any) is deleted, the archive's rows are inserted with this install's ids,
and its PBX rows are written from the restored live configuration exactly as an Apply writes
them, so what was live is live again and what was a draft is still a draft. Its files are put in
place after the commit. Nothing of another organization is read or changed; a restore that would
take another organization's phone number, login or upstream address is refused as a whole.
"""
from __future__ import annotations

import io
import json
import logging
import os
import secrets
import shutil
import tarfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select, text, true
from sqlalchemy.exc import IntegrityError

from littlepbx.errors import Conflict, LittlePBXError, NotFound, ValidationError
from littlepbx.kinds import GLOBAL, SINGLETON, all_kinds
from littlepbx.kinds.audio import FILE_NAMES, area_dir
from littlepbx.kinds.pbx import live_config
from littlepbx.kinds.references import live_problems, live_rows
from littlepbx.models import ROLE_OPERATOR, ApiToken, AuditEntry, Organization, User
from littlepbx.pbx_backends.audio import call_recordings_dir, phone_recordings_dir
from littlepbx.pbx_backends.base import BackendError
from littlepbx.tenancy import SYSTEM, OrgScope

FORMAT = 1
# The flat directories the PBX shares among organizations, and how one org's files there begin.
SHARED_DIRS = {"phone-recordings": (phone_recordings_dir, "{code}-"),
               "call-recordings": (call_recordings_dir, "lp-{code}-")}
# Columns a restore gets anew from this install, never from the archive.
NOT_KEPT = {"organizations": {"id", "last_applied_run_id"}, "users": {"id", "org_id"},
            "api_tokens": {"id", "org_id"}, "audit_log": {"id", "org_id"}}

log = logging.getLogger(__name__)


@dataclass
class Restored:
    """What a restore did, for the operator."""

    orgs: list[str]
    replaced: list[str]
    operators_added: int = 0

    def __str__(self) -> str:
        replaced = f" (replacing {', '.join(self.replaced)} as it was here)" if self.replaced else ""
        operators = f"; {self.operators_added} operator login(s) added" if self.operators_added else ""
        return f"restored {len(self.orgs)} organization(s): {', '.join(self.orgs)}{replaced}{operators}"


# --- backup ---------------------------------------------------------------------------------

def backup(database, backend, data_dir: str, target: str | os.PathLike, code: str | None = None) -> dict:
    """Write an archive of organization ``code`` (or of the whole system) to ``target``; returns
    its manifest. The file appears complete or not at all."""
    target = Path(target)
    partial = target.with_name(f".{target.name}.partial")
    with database.session() as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        query = select(Organization).order_by(Organization.code)
        orgs = list(session.scalars(query.where(Organization.code == code) if code else query))
        if code and not orgs:
            raise NotFound(f"no organization {code!r}")
        manifest = {"format": FORMAT, "schema": _schema_revision(session), "made_at": _now().isoformat(timespec="seconds") + "Z",
                    "whole_system": code is None, "orgs": [org.code for org in orgs]}
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _add_json(archive, "manifest.json", manifest)
                if code is None:
                    _add_json(archive, "system.json", _system_rows(session))
                for org in orgs:
                    scope = OrgScope(session, org, SYSTEM)
                    _add_json(archive, f"orgs/{org.code}/rows.json", _org_rows(scope, backend))
                    _add_org_files(archive, backend, data_dir, org.code)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _org_rows(scope: OrgScope, backend) -> dict:
    kinds = {kind.name: {"draft": [_row(r) for r in scope.all(kind.draft)],
                         "live": [_row(r) for r in scope.all(kind.live)]} for kind in all_kinds()}
    return {"organization": _row(scope.org),
            "kinds": kinds,
            "users": [_row(r) for r in scope.all(User, order_by=User.id)],
            "tokens": [_row(r) for r in scope.all(ApiToken, order_by=ApiToken.id)],
            "audit": [_row(r) for r in scope.all(AuditEntry, order_by=AuditEntry.id)],
            "pbx": _encode(backend.export_state(scope.session.connection(), scope.org.code))}


def _system_rows(session) -> dict:
    return {"operators": [_row(r) for r in session.scalars(select(User).where(User.org_id.is_(None)))],
            "tokens": [_row(r) for r in session.scalars(select(ApiToken).where(ApiToken.org_id.is_(None)))],
            "audit": [_row(r) for r in session.scalars(select(AuditEntry).where(AuditEntry.org_id.is_(None))
                                                         .order_by(AuditEntry.id))]}


def _add_org_files(archive: tarfile.TarFile, backend, data_dir: str, code: str) -> None:
    for area in FILE_NAMES:
        directory = area_dir(data_dir, area, code)
        if directory.is_dir():
            archive.add(directory, f"orgs/{code}/files/{area}")
    for name, (directory_of, prefix) in SHARED_DIRS.items():
        for path in sorted(directory_of(data_dir).glob(prefix.format(code=code) + "*.wav")):
            archive.add(path, f"orgs/{code}/files/{name}/{path.name}")
    for name, directory in backend.org_files(code).items():
        if directory.is_dir():
            archive.add(directory, f"orgs/{code}/pbx/{name}")


def _add_json(archive: tarfile.TarFile, name: str, value) -> None:
    data = json.dumps(value, indent=1, sort_keys=True).encode()
    member = tarfile.TarInfo(name)
    member.size, member.mode, member.mtime = len(data), 0o600, int(_now().timestamp())
    archive.addfile(member, io.BytesIO(data))


# --- restore --------------------------------------------------------------------------------

def restore(database, backend, data_dir: str, source: str | os.PathLike, code: str | None = None,
            actor: str = "restore") -> Restored:
    """Bring back organization ``code`` from the archive at ``source``, or every organization in
    it (and, from a whole-system archive, the operators and system tokens this install lacks)."""
    staging = Path(data_dir) / f".restore-{secrets.token_hex(6)}"
    try:
        with _open(source) as archive:
            manifest = _read_json(archive, "manifest.json")
            _check_manifest(manifest)
            codes = manifest["orgs"] if code is None else [code]
            if code is not None and code not in manifest["orgs"]:
                raise NotFound(f"the archive holds no organization {code!r} (it holds: "
                               f"{', '.join(manifest['orgs']) or 'none'})")
            wanted = tuple(f"orgs/{c}/" for c in codes)
            archive.extractall(staging, members=[m for m in archive.getmembers() if m.name.startswith(wanted)],
                               filter="data")
            system = _read_json(archive, "system.json") if manifest["whole_system"] and code is None else None
        done = Restored([], [])
        for org_code in codes:
            rows = json.loads((staging / "orgs" / org_code / "rows.json").read_text())
            if _restore_org(database, backend, data_dir, org_code, _decode(rows), staging / "orgs" / org_code,
                            actor, manifest["made_at"]):
                done.replaced.append(org_code)
            done.orgs.append(org_code)
        if system is not None:
            done.operators_added = _restore_system(database, _decode(system))
        return done
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _open(source) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise ValidationError(f"{source} is not a LittlePBX backup: {error}") from None


def _read_json(archive: tarfile.TarFile, name: str):
    try:
        member = archive.extractfile(name)
    except KeyError:
        member = None
    if member is None:
        raise ValidationError(f"not a LittlePBX backup: it has no {name}")
    return json.load(member)


def _check_manifest(manifest: dict) -> None:
    if manifest.get("format") != FORMAT:
        raise ValidationError(f"backup format {manifest.get('format')!r} is not one this LittlePBX reads "
                              f"(it reads format {FORMAT})")


def _restore_org(database, backend, data_dir: str, code: str, rows: dict, files: Path, actor: str,
                 made_at: str) -> bool:
    """One organization in one transaction, then its files; returns whether it replaced one here."""
    unknown = set(rows["kinds"]) - {kind.name for kind in all_kinds()}
    if unknown:
        raise ValidationError(f"the backup was made by a newer LittlePBX: this one has no {', '.join(sorted(unknown))}; "
                              "upgrade this install first")
    _merge_uploads(files / "files", data_dir, code)  # content-addressed: adding never harms
    try:
        replaced, pbx_config = _restore_rows(database, backend, data_dir, code, rows, actor, made_at)
    except IntegrityError as error:  # a uniqueness the checks above do not foresee
        raise Conflict(f"{code} not restored: {error.orig}") from None
    _replace_shared_files(files / "files", data_dir, code)
    backend.after_commit(pbx_config)
    for name in backend.org_files(code):
        source = files / "pbx" / name
        if not source.is_dir():
            source.mkdir(parents=True)
        try:
            backend.restore_files(code, name, source)
        except (BackendError, OSError) as error:
            raise LittlePBXError(f"{code} restored, except its {name}: {error}") from None
    return replaced


def _restore_rows(database, backend, data_dir: str, code: str, rows: dict, actor: str, made_at: str):
    """The transaction: returns whether the org existed here, and the PBX configuration written."""
    with database.session() as session:
        existing = session.scalars(select(Organization).where(Organization.code == code).with_for_update()).first()
        _check_conflicts(session, existing, rows)
        if existing is not None:
            backend.remove_org(session.connection(), code)
            session.delete(existing)
            session.flush()
        org = Organization(**_values(Organization, rows["organization"]))
        session.add(org)
        session.flush()
        scope = OrgScope(session, org, SYSTEM)
        for kind in all_kinds():
            # A setting every org has one of, which an older archive lacks, takes its defaults.
            saved = rows["kinds"].get(kind.name, {"draft": [{}], "live": [{}]} if kind.key_scope == SINGLETON else {})
            for side, model in (("draft", kind.draft), ("live", kind.live)):
                for row in saved.get(side, []):
                    scope.add(model(**_values(model, row, defaults=kind.fields)))
        for name, model in (("users", User), ("tokens", ApiToken), ("audit", AuditEntry)):
            for row in rows[name]:
                scope.add(model(**_values(model, row)))
        session.flush()
        live = live_rows(scope)
        problems = live_problems(scope, live)
        if problems:
            raise ValidationError(f"{code}: the archive's live configuration refers to objects it does not have: "
                                  + "; ".join(problems))
        pbx_config = live_config(scope, data_dir, live)
        try:
            notes = backend.write_org(session.connection(), pbx_config)
            backend.import_state(session.connection(), code, rows["pbx"])
        except BackendError as error:
            raise Conflict(f"{code} not restored: {error}") from None
        for note in notes:
            log.warning("%s restored, but: %s", code, note)
        scope.audit("org.restore", code, {"by": actor, "backup_made_at": made_at,
                                          "replaced": existing is not None, "notes": notes})
    return existing is not None, pbx_config


def _check_conflicts(session, existing: Organization | None, rows: dict) -> None:
    """Refuse, before anything changes, what would take another organization's (or an
    operator's) login, token or phone number."""
    def elsewhere(org_id):  # a row not of the organization being replaced (NULL: the system's)
        return true() if existing is None else org_id.is_(None) | (org_id != existing.id)

    emails = [row["email"] for row in rows["users"]]
    taken = list(session.scalars(select(User.email).where(User.email.in_(emails), elsewhere(User.org_id))))
    if taken:
        raise Conflict(f"not restored: login(s) {', '.join(taken)} belong to another organization or an operator here")
    digests = [row["digest"] for row in rows["tokens"]]
    if session.scalar(select(ApiToken.id).where(ApiToken.digest.in_(digests), elsewhere(ApiToken.org_id))):
        raise Conflict("not restored: one of its API tokens is another's here")
    for kind in all_kinds():
        if kind.key_scope != GLOBAL:
            continue
        keys = {row[kind.key] for side in ("draft", "live") for row in rows["kinds"].get(kind.name, {}).get(side, [])}
        for model in (kind.draft, kind.live):
            column = getattr(model, kind.key)
            held = sorted(set(session.scalars(select(column).where(column.in_(keys), elsewhere(model.org_id)))))
            if held:
                raise Conflict(f"not restored: {kind.noun}(s) {', '.join(held)} belong to another organization here",
                               {kind.key: "already used"})


def _restore_system(database, system: dict) -> int:
    """Operators and system tokens this install lacks; the system audit entries it lacks."""
    added = 0
    with database.session() as session:
        emails = set(session.scalars(select(User.email)))
        for row in system["operators"]:
            if row["email"] not in emails and row.get("role") == ROLE_OPERATOR:
                session.add(User(**_values(User, row)))
                added += 1
        digests = set(session.scalars(select(ApiToken.digest)))
        for row in system["tokens"]:
            if row["digest"] not in digests:
                session.add(ApiToken(**_values(ApiToken, row)))
        seen = set(session.execute(select(AuditEntry.at, AuditEntry.action, AuditEntry.target)
                                   .where(AuditEntry.org_id.is_(None))).all())
        for row in system["audit"]:
            if (row["at"], row["action"], row["target"]) not in seen:
                session.add(AuditEntry(**_values(AuditEntry, row)))
    return added


def _merge_uploads(files: Path, data_dir: str, code: str) -> None:
    """Music and prompts: each upload is a directory named by its content's digest; add the
    archive's to the org's (those no configuration names are pruned after the next Apply)."""
    for area in FILE_NAMES:
        source = files / area
        if source.is_dir():
            target = area_dir(data_dir, area, code)
            target.mkdir(parents=True, exist_ok=True)
            for upload in source.iterdir():
                if not (target / upload.name).exists():
                    shutil.copytree(upload, target / upload.name)
            _owned_like(Path(data_dir), [target.parent, target, *target.rglob("*")])


def _replace_shared_files(files: Path, data_dir: str, code: str) -> None:
    """Recordings: the org's files in the shared directories become the archive's."""
    for name, (directory_of, prefix) in SHARED_DIRS.items():
        directory = directory_of(data_dir)
        kept = {path.name for path in (files / name).glob("*.wav")} if (files / name).is_dir() else set()
        for path in directory.glob(prefix.format(code=code) + "*.wav"):
            if path.name not in kept:
                path.unlink(missing_ok=True)
        for name_ in kept:
            if not name_.startswith(prefix.format(code=code)):
                continue  # a file of another organization has no business in this org's archive
            directory.mkdir(parents=True, exist_ok=True)
            shutil.copy2(files / name / name_, directory / name_)
            (directory / name_).chmod(0o664)
            _owned_like(directory, [directory / name_])


def _owned_like(model: Path, paths: list[Path]) -> None:
    """Run as root (as an installed LittlePBX's command is), what a restore writes would be
    root's: give it to the owner of ``model``, so the services can prune and replace it."""
    if os.geteuid() != 0:
        return
    owner = model.stat()
    for path in paths:
        os.chown(path, owner.st_uid, owner.st_gid)


# --- rows as JSON -----------------------------------------------------------------------------

def _row(obj) -> dict:
    """A mapped row's columns as JSON-able values, without those a restore gets anew."""
    skipped = NOT_KEPT.get(obj.__table__.name, {"org_id"})
    return {column.name: _encode(getattr(obj, column.key)) for column in obj.__table__.columns
            if column.name not in skipped}


def _values(model, row: dict, defaults: dict | None = None) -> dict:
    """The keyword arguments of a new ``model`` row; a column the archive lacks (made before it
    existed) takes its field's default; a column this install lacks means a newer LittlePBX made it."""
    columns = {column.name for column in model.__table__.columns} - NOT_KEPT.get(model.__tablename__, {"org_id"})
    unknown = set(row) - columns
    if unknown:
        raise ValidationError(f"the backup was made by a newer LittlePBX: {model.__tablename__} has no "
                              f"{', '.join(sorted(unknown))} here; upgrade this install first")
    values = {name: rule.initial() for name, rule in (defaults or {}).items() if name not in row}
    return {**values, **row}


def _encode(value):
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        if set(value) == {"$date"}:
            return date.fromisoformat(value["$date"])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _now() -> datetime:
    from littlepbx.models import utcnow
    return utcnow()


def _schema_revision(session) -> str | None:
    from littlepbx.database import VERSION_TABLE
    return session.scalar(text(f"SELECT version_num FROM {VERSION_TABLE}"))
