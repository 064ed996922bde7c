"""References between objects of one organization: a field naming another kind's key.

A reference is checked when it is written (the target must be in the same organization's
draft), when its target is deleted (refused, naming who refers to it, or set to null where
the field says so), and again inside each Apply (the live rows must be whole).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import inspect

from littlepbx.errors import Conflict, ValidationError
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import all_kinds, kind_named


@dataclass(frozen=True)
class Referrer:
    """The rows of one kind whose field names a target."""

    kind: Kind
    field_name: str
    keys: list

    @property
    def rule(self):
        """The referring field."""
        return self.kind.fields[self.field_name]


def missing_targets(scope, kind: Kind, row) -> dict[str, tuple[Kind, str]]:
    """{field: (target kind, key)} for the first reference of each field of ``row`` whose target
    the organization's draft does not have."""
    problems = {}
    for name, rule in kind.fields.items():
        for target_name, key in rule.references(getattr(row, name)):
            target = kind_named(target_name)
            if name not in problems and scope.find(target.draft, **{target.key: key}) is None:
                problems[name] = (target, key)
    return problems


def require_targets(scope, kind: Kind, row, names=None) -> None:
    """Raise ValidationError unless every reference of ``row`` (or of the fields ``names``) exists."""
    problems = missing_targets(scope, kind, row)
    if names is not None:
        problems = {name: problem for name, problem in problems.items() if name in names}
    if problems:
        target, key = next(iter(problems.values()))
        raise ValidationError(f"no {target.noun} {key} in this organization",
                              {name: _missing(kind, row, name, *problem) for name, problem in problems.items()})


def _missing(kind: Kind, row, name: str, target: Kind, key: str) -> str:
    """What is missing, in words: "no such extension", or for a field naming several, "no extension 102"."""
    if len(kind.fields[name].references(getattr(row, name))) < 2:
        return f"no such {target.noun}"
    return f"no {target.noun} {key}"


def referrers(scope, target: Kind, key) -> list[Referrer]:
    """Every draft object of the organization that refers to ``target``'s object ``key``."""
    found = []
    for kind in all_kinds():
        for name, rule in kind.fields.items():
            if target.name not in rule.targets():
                continue
            rows = scope.all(kind.draft, rule.ref_criterion(getattr(kind.draft, name), target.name, key))
            if kind is target:
                rows = [row for row in rows if kind.key_of(row) != (key,)]
            if rows:  # a singleton (the organization's only one) is named by its noun
                found.append(Referrer(kind, name, [kind.key_of(row)[0] if kind.key else kind.noun for row in rows]))
    return found


def release_references(scope, target: Kind, key) -> dict[str, list]:
    """Before ``target``'s object ``key`` is deleted: refuse (409 naming who refers to it), or
    set the referring fields to null where they allow it. Returns {"unrouted_<kind>": keys}."""
    found = referrers(scope, target, key)
    for referrer in found:
        if referrer.rule.on_delete != "set_null":
            who = ", ".join(map(str, referrer.keys))
            raise Conflict(f"{referrer.kind.noun} {who} {referrer.rule.ref_phrase} {key}; change that first",
                           {target.key: f"{referrer.kind.noun} {who} {referrer.rule.ref_phrase} it"})
    released = {}
    for referrer in found:
        column = getattr(referrer.kind.draft, referrer.field_name)
        for row in scope.all(referrer.kind.draft, referrer.rule.ref_criterion(column, target.name, key)):
            setattr(row, referrer.field_name, None)
        released[f"unrouted_{referrer.kind.name}"] = referrer.keys
    return released


def live_rows(scope) -> dict[str, list]:
    """Every live row of the organization by kind name, each kind read once, in key order: what
    an Apply checks (live_problems) and gives the PBX (kinds.pbx.live_config)."""
    return {kind.name: _live_rows_of(scope, kind) for kind in all_kinds()}


def _live_rows_of(scope, kind: Kind) -> list:
    order = getattr(kind.live, kind.key) if kind.key else kind.live.org_id
    return scope.all(kind.live, order_by=order)


class LiveRowCache:
    """The live rows an Apply read, kept per organization and kind with their fingerprint
    (OrgScope.fingerprints): a later Apply whose kind has the same fingerprint has the same rows,
    and takes them from here instead of reading them again (most Applies change one or two kinds
    of fifteen). Whoever else wrote the table, and an Apply rolled back, changed the fingerprint.
    Rows are kept as plain copies of their columns (no session); at most ``size`` kinds' rows,
    the least recently used dropped first. Shared by the worker's threads."""

    def __init__(self, size: int = 50_000):
        self.size = size
        self._rows: OrderedDict[tuple[int, str], tuple[str, list]] = OrderedDict()
        self._lock = threading.Lock()

    def rows(self, scope, prints: dict[str, str]) -> dict[str, list]:
        """live_rows(scope), given each kind's fingerprint of its live rows (``prints``)."""
        found = {}
        for kind in all_kinds():
            key = (scope.org.id, kind.name)
            with self._lock:
                kept = self._rows.get(key)
                if kept is not None:
                    self._rows.move_to_end(key)
            if kept is not None and kept[0] == prints[kind.name]:
                found[kind.name] = kept[1]
                continue
            # A kind the org does not use has nothing to read (most orgs use a few of fifteen).
            empty = prints[kind.name].startswith("0:")
            found[kind.name] = [] if empty else [_columns_of(row) for row in _live_rows_of(scope, kind)]
            with self._lock:
                self._rows[key] = (prints[kind.name], found[kind.name])
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        return found


def _columns_of(row) -> SimpleNamespace:
    """A row's column values, detached from its session."""
    return SimpleNamespace(**{column.key: getattr(row, column.key) for column in inspect(row).mapper.column_attrs})


def live_problems(scope, rows: dict[str, list] | None = None) -> list[str]:
    """Inside an Apply, after the copy: every live reference whose target is not live too (keys
    compare byte for byte, as their columns do)."""
    rows = live_rows(scope) if rows is None else rows
    keys = {kind.name: {kind.key_of(row)[0] for row in rows[kind.name]} for kind in all_kinds() if kind.key}
    problems = []
    for kind in all_kinds():
        for row in rows[kind.name]:
            for name, rule in kind.fields.items():
                missing = next(((target, key) for target, key in rule.references(getattr(row, name))
                                if key not in keys[target]), None)
                if missing is None:
                    continue
                target, key = kind_named(missing[0]), missing[1]
                shown = rule.dump(getattr(row, name))
                problems.append(f"{kind.describe(kind.key_of(row)[0])}: {rule.label.lower()} "
                                f"{' '.join(shown) if isinstance(shown, list) else shown}: "
                                f"{_missing(kind, row, name, target, key)}")
    return problems
