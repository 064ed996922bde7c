"""Switches an organization flips at once, without an Apply: a time condition forced open or
closed (night mode), or back to its hours. What is switched must be live already."""
from __future__ import annotations

from littlepbx.errors import Conflict
from littlepbx.kinds import kind_named
from littlepbx.kinds.timeconditions import valid_override
from littlepbx.pbx_backends.base import BackendError
from littlepbx.services import objects
from littlepbx.tenancy import OrgScope


def force_time_condition(scope: OrgScope, pbx, name: str, state) -> object:
    """Force the time condition ``name`` "open" or "closed", or "auto" (its hours); returns its
    draft row. A 409 when it has not been applied yet (the PBX does not know it)."""
    kind = kind_named("timeconditions")
    scope.require(kind.permissions["update"])
    row = objects.get(scope, kind, name)
    state = valid_override(state)
    try:
        pbx.set_time_override(scope.org.code, row.name, state)
    except BackendError as error:
        raise Conflict(str(error)) from None
    scope.audit("timecondition.force", row.name, {"state": state})
    return row
