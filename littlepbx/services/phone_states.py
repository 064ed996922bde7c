"""What an extension's user switches at once, without an Apply: do not disturb, and forwarding
every call. Phones switch it with *78/*79 and *72<number>/*73; the page and REST the same."""
from __future__ import annotations

from littlepbx import fields as f
from littlepbx.errors import Conflict
from littlepbx.kinds import Extensions
from littlepbx.pbx_backends.base import BackendError
from littlepbx.services import objects
from littlepbx.tenancy import OrgScope

STATE_FIELDS = f.FieldSet({
    "dnd": f.Boolean(label="Do not disturb", required=True),
    "forward_to": f.Text(label="Forward every call to", max_length=16, nullable=True, pattern=r"^\+?[0-9]{2,15}$",
                         message="one of the organization's numbers, or an outside number",
                         help="empty: calls ring the phone"),
})


def set_state(scope: OrgScope, pbx, number: str, data) -> dict:
    """Switch the extension's do-not-disturb and forward-everything now; 409 until it is applied."""
    scope.require("pbx.edit")
    extension = objects.get(scope, Extensions, number)
    values = STATE_FIELDS.clean(data)
    if values.get("forward_to") == extension.number:
        raise f.fail("forward_to", "not the extension itself", "an extension cannot forward to itself")
    try:
        pbx.set_phone_state(scope.org.code, extension.number, values["dnd"], values.get("forward_to"))
    except BackendError as error:
        raise Conflict(str(error)) from None
    scope.audit("extension.state", extension.number, values)
    return {"number": extension.number, "dnd": values["dnd"], "forward_to": values.get("forward_to")}
