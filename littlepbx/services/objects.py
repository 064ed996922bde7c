"""The generic service of every kind of organization configuration (littlepbx.kinds): list, get,
create, change, replace and delete draft objects.

Each write follows one path: the operation's permission (which also takes the organization's
row lock), the fields' rules with every problem reported at once, the kind's own rules, the
references to other objects, the write, and the audit entry, all in the caller's transaction.
"""
from __future__ import annotations

from contextlib import contextmanager

from littlepbx.errors import Conflict, NotFound, ValidationError
from littlepbx.fields import FieldError, FieldSet
from littlepbx.kinds import Kind, all_kinds
from littlepbx.kinds.emergency import emergency_numbers
from littlepbx.kinds.references import release_references, require_targets
from littlepbx.tenancy import OrgScope


def key_from_url(kind: Kind, key: str):
    """A key as given in a URL, in its stored form when it is valid ("14155550100" finds "+14155550100")."""
    try:
        return kind.key_field.clean(key)
    except FieldError:
        return str(key)


def find(scope: OrgScope, kind: Kind, key=None, live: bool = False):
    """The organization's draft (or live) object ``key``, or None."""
    model = kind.live if live else kind.draft
    if kind.key is None:
        return scope.find(model, org_id=scope.org.id)
    return scope.find(model, **{kind.key: key_from_url(kind, key)})


def get(scope: OrgScope, kind: Kind, key=None):
    """The organization's draft object ``key``, or NotFound."""
    scope.require(kind.permissions["read"])
    row = find(scope, kind, key)
    if row is None:
        raise NotFound(f"no {kind.describe(key)} in organization {scope.org.code}")
    return row


def page(scope: OrgScope, kind: Kind, offset: int, limit: int) -> tuple[list, int]:
    """One page of the organization's draft objects, by key, and how many there are."""
    scope.require(kind.permissions["read"])
    order = getattr(kind.draft, kind.key) if kind.key else kind.draft.org_id
    return scope.page(kind.draft, order, offset, limit), scope.count(kind.draft)


def create(scope: OrgScope, kind: Kind, data) -> object:
    """A new draft object; its omitted fields take their defaults."""
    scope.require(kind.permissions["create"])
    with _in_callers_words(kind, data):
        return _create(scope, kind, data)


def _create(scope: OrgScope, kind: Kind, data) -> object:
    values = _clean(scope, kind, data, creating=True)
    key = values.get(kind.key)
    if find(scope, kind, key) is not None:
        raise Conflict(f"{kind.describe(key)} already exists", {kind.key: "already used"})
    if kind.dialable:
        require_free_number(scope, key)
    kind.before_create(scope, values)
    row = kind.draft(**{name: rule.initial() for name, rule in kind.fields.items()})
    _assign(row, values)
    _check(scope, kind, row, kind.fields)
    scope.add(row)
    scope.session.flush()
    scope.audit(f"{audit_noun(kind)}.{kind.verbs['create']}", str(key or ""))
    return row


def update(scope: OrgScope, kind: Kind, key, data) -> object:
    """Change some fields of a draft object; a key or other fixed field cannot change."""
    scope.require(kind.permissions["update"])
    row = get(scope, kind, key)
    with _in_callers_words(kind, data):
        values = _clean(scope, kind, _without_unchanged_fixed(kind, row, data), creating=False)
        _assign(row, values)
        _check(scope, kind, row, values)
    scope.audit(f"{audit_noun(kind)}.{kind.verbs['update']}", str(key or ""), {"fields": sorted(values)})
    return row


def put(scope: OrgScope, kind: Kind, key, data) -> object:
    """Create or replace the object at ``key``: every omitted field takes its default."""
    scope.require(kind.permissions["create"])
    if not isinstance(data, dict):
        raise ValidationError("expected a JSON object")
    values = _clean(scope, kind, {**data, kind.key: key}, creating=True)
    row = find(scope, kind, key)
    if row is None:
        kind.before_create(scope, values)
        row = kind.draft()
        scope.add(row)
    _assign(row, {name: rule.initial() for name, rule in kind.fields.items() if rule.settable})
    _assign(row, values)
    _check(scope, kind, row, kind.fields)
    scope.audit(f"{audit_noun(kind)}.{kind.verbs['put']}", str(key))
    return row


def delete(scope: OrgScope, kind: Kind, key) -> dict:
    """Delete a draft object. Objects that refer to it make it a 409, or lose the reference where
    their field allows it; those are answered as {"unrouted_<kind>": [keys]}."""
    scope.require(kind.permissions["delete"])
    row = get(scope, kind, key)
    key = kind.key_of(row)[0]
    released = release_references(scope, kind, key) if kind.key else {}
    scope.delete(row)
    scope.audit(f"{audit_noun(kind)}.{kind.verbs['delete']}", str(key), released or None)
    return released


def require_free_number(scope: OrgScope, number: str) -> None:
    """The organization's phones dial extensions, ring groups and the like by number: one number,
    one thing; and never one of its country's emergency numbers."""
    if number in emergency_numbers(scope.org.country):
        raise Conflict(f"{number} is an emergency number in {scope.org.country}",
                       {"number": f"an emergency number in {scope.org.country}"})
    for other in all_kinds():
        if other.dialable and find(scope, other, number) is not None:
            raise Conflict(f"{number} is already {other.describe(number)}",
                           {other.key: f"already used by {other.describe(number)}"})


def as_dict(kind: Kind, row, extra: dict | None = None) -> dict:
    """The public shape of an object: its answered fields, then the computed ones."""
    shape = {name: rule.dump(getattr(row, name)) for name, rule in kind.fields.items() if rule.answered}
    computed = (extra or {}).get(kind.key_of(row), {})
    shape.update({name: computed.get(name) for name in kind.outputs})
    return shape


def answers(scope: OrgScope, kind: Kind, rows: list, pbx=None) -> list[dict]:
    """The public shapes of ``rows``, with the kind's computed answers (``pbx``: the backend)."""
    extra = kind.extra(scope, rows, pbx)
    return [as_dict(kind, row, extra) for row in rows]


def writable_fields(scope: OrgScope, kind: Kind, creating: bool) -> FieldSet:
    """The fields this actor may set: a field needing a permission the role lacks is not offered."""
    return kind.writable(creating).where(lambda name, rule: rule.permission is None
                                         or scope.actor.may(rule.permission))


def _clean(scope: OrgScope, kind: Kind, data, creating: bool) -> dict:
    return writable_fields(scope, kind, creating).clean(_unaliased(kind, data), partial=not creating)


@contextmanager
def _in_callers_words(kind: Kind, data):
    """Field errors named as the request named the fields (an alias stays an alias)."""
    try:
        yield
    except (ValidationError, Conflict) as error:
        if isinstance(data, dict):
            used = {name: alias for alias, name in kind.aliases.items() if alias in data}
            error.fields = {used.get(name, name): problem for name, problem in error.fields.items()}
        raise


def _unaliased(kind: Kind, data):
    """A request naming a field by its older name (kind.aliases) as if it used the current one."""
    if not isinstance(data, dict) or not any(alias in data for alias in kind.aliases):
        return data
    data = dict(data)
    for alias, name in kind.aliases.items():
        if alias in data:
            if name in data and data[name] != data[alias]:
                raise ValidationError(f"{alias} is the older name of {name}: give one of them",
                                      {alias: f"give {name} only"})
            data[name] = data.pop(alias)
    return data


def _without_unchanged_fixed(kind: Kind, row, data):
    """A PATCH may repeat a fixed field's current value (a whole object sent back); another value is refused."""
    if not isinstance(data, dict):
        return data
    fixed = {name: rule for name, rule in kind.fields.items() if name in data and rule.settable
             and (not rule.editable or name == kind.key)}
    errors = {}
    for name, rule in fixed.items():
        try:
            same = rule.clean(data[name]) == getattr(row, name)
        except FieldError:
            same = False
        if not same:
            errors[name] = "cannot be changed"
    if errors:
        raise ValidationError(f"{audit_noun(kind)}: {', '.join(errors)} cannot be changed; add a new one instead",
                              errors)
    return {name: value for name, value in data.items() if name not in fixed}


def _assign(row, values: dict) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def _check(scope: OrgScope, kind: Kind, row, names) -> None:
    """References of the fields ``names`` must exist; then the kind's rules across fields."""
    require_targets(scope, kind, row, set(names))
    kind.check(scope, row)


def audit_noun(kind: Kind) -> str:
    """The audit action's prefix: "extension", "did", "music_on_hold"."""
    return kind.noun.lower().replace(" ", "_")


def all_of(scope: OrgScope, kind: Kind) -> list:
    """Every draft object of the kind in the organization, by key."""
    order = getattr(kind.draft, kind.key) if kind.key else kind.draft.org_id
    return scope.all(kind.draft, order_by=order)
