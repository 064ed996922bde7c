"""Drafts against the live configuration: the diff, Discard, Reset, and the generic org-scoped copy."""
from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from littlepbx.models import DRAFTED, Did, Extension, MusicOnHold
from littlepbx.pbx_backends.base import NO_ANSWER_VOICEMAIL
from littlepbx.services.scope import OrgScope, lock_org
from littlepbx.services.validation import new_pin, new_secret

SECTION_NAMES = {"extensions": "extensions", "dids": "dids", "trunks": "trunks",
                 "music_on_hold": "music_on_hold"}
# Values never shown in a diff: only that they changed.
SECRET_COLUMNS = {"sip_password", "voicemail_pin", "password"}

# Reset gives the draft these documented defaults (see README, "Reset"): one extension,
# every DID ringing it, music on hold off. Trunks and DID ownership belong to the
# integrator and are left as they are.
RESET_EXTENSION = {"number": "100", "display_name": "Reception", "ring_seconds": 20,
                   "no_answer": NO_ANSWER_VOICEMAIL, "forward_to": None,
                   "voicemail_enabled": True, "voicemail_email": None}


def data_columns(model) -> list[str]:
    """The columns that carry configuration (everything but the organization)."""
    return [c.name for c in model.__table__.columns if c.name != "org_id"]


def copy_org_rows(session, org_id: int, source, target) -> None:
    """Replace the organization's rows of ``target`` with its rows of ``source`` (same columns)."""
    session.execute(delete(target).where(target.org_id == org_id))
    columns = [c.name for c in source.__table__.columns]
    rows = select(*[source.__table__.c[name] for name in columns]).where(
        source.__table__.c.org_id == org_id)
    session.execute(insert(target.__table__).from_select(columns, rows))


def rows_by_key(scope: OrgScope, model) -> dict[tuple, dict]:
    """The organization's rows of ``model`` as {natural key: {column: value}}."""
    return {row.key(): {name: getattr(row, name) for name in data_columns(model)}
            for row in scope.all(model)}


def section_diff(scope: OrgScope, draft_model, live_model) -> dict:
    """Added, changed and removed rows of one aggregate, draft against live."""
    draft, live = rows_by_key(scope, draft_model), rows_by_key(scope, live_model)
    added = [_shown(draft[key]) for key in sorted(draft.keys() - live.keys())]
    removed = [_shown(live[key]) for key in sorted(live.keys() - draft.keys())]
    changed = []
    for key in sorted(draft.keys() & live.keys()):
        fields = {name: _change(name, live[key][name], draft[key][name])
                  for name in draft[key] if draft[key][name] != live[key][name]}
        if fields:
            changed.append({"key": dict(zip(draft_model.key_columns, key, strict=True)), "fields": fields})
    return {"added": added, "changed": changed, "removed": removed}


def _shown(values: dict) -> dict:
    """A row as the diff shows it, secrets hidden."""
    return {name: ("(set)" if name in SECRET_COLUMNS and value else value)
            for name, value in values.items()}


def _change(name: str, old, new) -> dict:
    """One field's change, secrets hidden."""
    if name in SECRET_COLUMNS:
        return {"from": "(hidden)", "to": "(changed)"}
    return {"from": old, "to": new}


def diff(scope: OrgScope) -> dict:
    """The pending changes of the organization: {"pending": bool, <section>: {...}}."""
    result = {"pending": False}
    for draft_model, live_model in DRAFTED:
        section = section_diff(scope, draft_model, live_model)
        result[draft_model.__tablename__] = section
        result["pending"] |= any(section.values())
    return result


def has_pending_changes(scope: OrgScope) -> bool:
    """Whether the draft differs from the live configuration."""
    return diff(scope)["pending"]


def discard(scope: OrgScope) -> None:
    """Replace the whole draft with the live configuration."""
    scope.require("pbx.edit")
    lock_org(scope)
    for draft_model, live_model in DRAFTED:
        copy_org_rows(scope.session, scope.org.id, live_model, draft_model)
    scope.audit("discard")


def reset(scope: OrgScope) -> None:
    """Replace the admin's part of the draft with the documented defaults (RESET_EXTENSION)."""
    scope.require("pbx.edit")
    lock_org(scope)
    kept = scope.find(Extension, number=RESET_EXTENSION["number"])
    password = kept.sip_password if kept else new_secret()
    scope.session.execute(delete(Extension).where(Extension.org_id == scope.org.id))
    scope.add(Extension(**RESET_EXTENSION, sip_password=password, voicemail_pin=new_pin()))
    scope.session.execute(update(Did).where(Did.org_id == scope.org.id)
                          .values(extension=RESET_EXTENSION["number"]))
    scope.session.execute(delete(MusicOnHold).where(MusicOnHold.org_id == scope.org.id))
    scope.add(MusicOnHold(enabled=False))
    scope.audit("reset")
