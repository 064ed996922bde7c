"""Drafts against the live configuration, for every kind at once: the diff, Discard and Reset."""
from __future__ import annotations

from littlepbx.kinds import Kind, all_kinds
from littlepbx.tenancy import OrgScope


def rows_by_key(scope: OrgScope, kind: Kind, model) -> dict[tuple, dict]:
    """The organization's rows of ``model`` as {natural key: {column: value}}."""
    return {kind.key_of(row): {name: getattr(row, name) for name in kind.data_columns}
            for row in scope.all(model)}


def section_diff(scope: OrgScope, kind: Kind) -> dict:
    """Added, changed and removed objects of one kind, draft against live (secrets hidden)."""
    draft, live = rows_by_key(scope, kind, kind.draft), rows_by_key(scope, kind, kind.live)
    added = [_shown(kind, draft[key]) for key in sorted(draft.keys() - live.keys())]
    removed = [_shown(kind, live[key]) for key in sorted(live.keys() - draft.keys())]
    changed = []
    for key in sorted(draft.keys() & live.keys()):
        fields = {name: _change(kind, name, live[key][name], draft[key][name])
                  for name in draft[key] if draft[key][name] != live[key][name]}
        if fields:
            key_names = (kind.key,) if kind.key else ("org_id",)
            changed.append({"key": dict(zip(key_names, key, strict=True)), "fields": fields})
    return {"added": added, "changed": changed, "removed": removed}


def _shown(kind: Kind, values: dict) -> dict:
    """A row as the diff shows it, secrets hidden."""
    return {name: ("(set)" if kind.fields[name].secret and value else value) for name, value in values.items()}


def _change(kind: Kind, name: str, old, new) -> dict:
    """One field's change, secrets hidden."""
    if kind.fields[name].secret:
        return {"from": "(hidden)", "to": "(changed)"}
    return {"from": old, "to": new}


def diff(scope: OrgScope) -> dict:
    """The pending changes of the organization: {"pending": bool, <table>: {added, changed, removed}}."""
    result = {"pending": False}
    for kind in all_kinds():
        section = section_diff(scope, kind)
        result[kind.table] = section
        result["pending"] |= any(section.values())
    return result


def discard(scope: OrgScope) -> None:
    """Replace the draft with the live configuration, as far as the actor's role reaches: a kind
    whose objects the actor may add, remove and wholly set is copied whole; of the others only
    what the actor may set comes back, so a Discard never brings back a number, a trunk or an
    address the operator or integrator removed, nor removes one they added."""
    scope.require("pbx.edit")
    for kind in all_kinds():
        if all(scope.actor.may(kind.permissions[op]) for op in ("create", "delete", "update")):
            guarded = [name for name, rule in kind.fields.items()
                       if rule.permission is not None and not scope.actor.may(rule.permission)]
            if guarded:
                copy_live_around(scope, kind, guarded)
            else:
                scope.copy_rows(kind.live, kind.draft)
        elif scope.actor.may(kind.permissions["update"]):
            restore_fields(scope, kind)
    scope.audit("discard")


def copy_live_around(scope: OrgScope, kind: Kind, guarded: list[str]) -> None:
    """Copy the live objects over the draft, except the part of fields the actor may not set
    (an organization token and a trunk's source addresses): those keep their draft values, and
    an object holding one stays as the draft has it, there or not."""
    columns = [column.name for column in kind.draft.__table__.columns]
    before = {kind.key_of(row): {name: getattr(row, name) for name in columns} for row in scope.all(kind.draft)}
    scope.copy_rows(kind.live, kind.draft)
    scope.session.expire_all()  # the copy replaced the rows under the session's feet

    def holds_guarded(values) -> bool:
        return any(values[name] not in (None, "") for name in guarded)
    after = {kind.key_of(row): row for row in scope.all(kind.draft)}
    for key, row in after.items():
        if key in before:
            for name in guarded:
                setattr(row, name, before[key][name])
        elif holds_guarded({name: getattr(row, name) for name in guarded}):
            scope.session.delete(row)
    for key, values in before.items():
        if key not in after and holds_guarded(values):
            scope.session.add(kind.draft(**values))


def restore_fields(scope: OrgScope, kind: Kind) -> None:
    """Give the draft objects that are also live their live values of the fields the actor may set."""
    names = [name for name, rule in kind.writable(creating=False).items()
             if rule.permission is None or scope.actor.may(rule.permission)]
    live = {kind.key_of(row): row for row in scope.all(kind.live)}
    for row in scope.all(kind.draft):
        source = live.get(kind.key_of(row))
        if source is not None:
            for name in names:
                setattr(row, name, getattr(source, name))


def reset(scope: OrgScope) -> None:
    """Replace the admin's part of the draft with each kind's documented defaults (README, "Reset")."""
    scope.require("pbx.edit")
    for kind in all_kinds():
        kind.reset(scope)
    scope.audit("reset")
