"""/orgs/{code}/phone-blocks: the callers the organization's phones blocked with *32, listed and
unblocked at once (no Apply)."""
from flask import current_app

from littlepbx.extensions import get_backend
from littlepbx.rest.common import api, committed, no_content, scope
from littlepbx.services import phone_states


@api.get("/orgs/<code>/phone-blocks")
def list_phone_blocks(code):
    """The blocked callers, newest first."""
    return committed({"items": phone_states.blocks(scope(code), get_backend(current_app))})


@api.delete("/orgs/<code>/phone-blocks/<number>")
def delete_phone_block(code, number):
    """Unblock a caller: 204."""
    phone_states.unblock(scope(code), get_backend(current_app), number)
    return no_content()
