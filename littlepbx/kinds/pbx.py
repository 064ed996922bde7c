"""An organization's live configuration as its PBX backend is given it: one attribute per kind."""
from __future__ import annotations

from littlepbx.kinds.base import SINGLETON
from littlepbx.kinds.emergency import calling_code, emergency_numbers
from littlepbx.kinds.references import live_rows
from littlepbx.kinds.registry import all_kinds
from littlepbx.pbx_backends.base import OrgPBXConfig


def live_config(scope, data_dir: str, live: dict[str, list] | None = None) -> OrgPBXConfig:
    """The organization's live rows (read in the caller's transaction, or given as
    references.live_rows read them) as an OrgPBXConfig."""
    live = live_rows(scope) if live is None else live
    context = {"data_dir": data_dir, "code": scope.org.code, "timezone": scope.org.timezone}
    values = {}
    for kind in all_kinds():
        if kind.pbx_config is None:
            continue
        rows = live[kind.name]
        if kind.key_scope == SINGLETON:
            values[kind.name] = kind.to_pbx(rows[0] if rows else None, context)
        else:
            values[kind.name] = tuple(kind.to_pbx(row, context) for row in rows)
    return OrgPBXConfig(scope.org.code, scope.org.max_concurrent_calls, **values,
                        emergency_numbers=emergency_numbers(scope.org.country),
                        emergency_caller_id=scope.org.emergency_caller_id,
                        country_code=calling_code(scope.org.country))


def changed_kinds(scope) -> list:
    """The kinds whose draft differs from their live configuration (OrgScope.fingerprints: one
    round trip for all): what an Apply copies, in the registry's order."""
    return drafts_compared(scope)[0]


def drafts_compared(scope) -> tuple[list, dict[str, str]]:
    """changed_kinds, and each kind's draft fingerprint by name: its live rows' once copied."""
    kinds = all_kinds()
    prints = scope.fingerprints([model for kind in kinds for model in (kind.draft, kind.live)])
    changed = [kind for number, kind in enumerate(kinds) if prints[2 * number] != prints[2 * number + 1]]
    return changed, {kind.name: prints[2 * number] for number, kind in enumerate(kinds)}
