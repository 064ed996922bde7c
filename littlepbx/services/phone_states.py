"""What an extension's user switches at once, without an Apply: do not disturb, and forwarding
every call, the calls that find the phone busy, and those it leaves unanswered. Phones switch
them with *78/*79, *72<number>/*73, *90<number>/*91 and *52<number>/*53; the page and REST the
same (a PUT sets the whole state: a forward it leaves out is off). And the callers a phone
blocked (*32: the last outside caller that rang it), which the page and REST list and unblock."""
from __future__ import annotations

import re

from littlepbx import fields as f
from littlepbx.errors import Conflict, NotFound
from littlepbx.kinds import Extensions
from littlepbx.pbx_backends.base import BackendError, PhoneState
from littlepbx.services import objects
from littlepbx.tenancy import OrgScope


def forward_field(label: str) -> f.Text:
    """A number the phone's calls go to: one of the organization's, or an outside one."""
    return f.Text(label=label, max_length=16, nullable=True, pattern=r"^\+?[0-9]{2,15}$",
                  message="one of the organization's numbers, or an outside number",
                  help="empty: calls ring the phone")


STATE_FIELDS = f.FieldSet({
    "dnd": f.Boolean(label="Do not disturb", required=True),
    "forward_to": forward_field("Forward every call to"),
    "forward_busy": forward_field("Forward when busy to"),
    "forward_unanswered": forward_field("Forward when unanswered to"),
})
FORWARDS = ("forward_to", "forward_busy", "forward_unanswered")


def set_state(scope: OrgScope, pbx, number: str, data) -> dict:
    """Switch the extension's do-not-disturb and forwards now; 409 until it is applied."""
    scope.require("pbx.edit")
    extension = objects.get(scope, Extensions, number)
    values = STATE_FIELDS.clean(data)
    state = PhoneState(values["dnd"], *(values.get(name) for name in FORWARDS))
    for name in FORWARDS:
        if getattr(state, name) == extension.number:
            raise f.fail(name, "not the extension itself", "an extension cannot forward to itself")
    try:
        pbx.set_phone_state(scope.org.code, extension.number, state)
    except BackendError as error:
        raise Conflict(str(error)) from None
    answer = {"number": extension.number, "dnd": state.dnd, **{name: getattr(state, name) for name in FORWARDS}}
    scope.audit("extension.state", extension.number, {key: value for key, value in answer.items() if key != "number"})
    return answer


def blocks(scope: OrgScope, pbx) -> list[dict]:
    """The callers the organization's phones blocked with *32, newest first."""
    scope.require("pbx.view")
    try:
        found = pbx.phone_blocks(scope.org.code)
    except BackendError as error:
        raise Conflict(str(error)) from None
    return [{"number": block.number, "extension": block.extension,
             "created": block.created.isoformat(timespec="seconds") + "Z" if block.created else None}
            for block in found]


def unblock(scope: OrgScope, pbx, number: str) -> None:
    """Lift a phone's block of ``number``: its calls ring again at once (no Apply)."""
    scope.require("pbx.edit")
    if not BLOCKED_NUMBER.fullmatch(number):
        raise NotFound(f"no caller {number!r} is blocked")
    try:
        found = pbx.unblock(scope.org.code, number)
    except BackendError as error:
        raise Conflict(str(error)) from None
    if not found:
        raise NotFound(f"no caller {number} is blocked")
    scope.audit("phone_block.delete", number)


BLOCKED_NUMBER = re.compile(r"\+?[0-9]{1,15}")
