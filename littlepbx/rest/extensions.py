"""An extension's SIP settings: /orgs/{code}/extensions/{number}/sip (the CRUD routes are generic)."""
from flask import current_app

from littlepbx.rest.common import api, committed, scope
from littlepbx.services import extensions


@api.get("/orgs/<code>/extensions/<number>/sip")
def sip_settings(code, number):
    """What a phone needs to register as this extension."""
    return committed(extensions.sip_settings(scope(code), number, current_app.config))


@api.post("/orgs/<code>/extensions/<number>/sip/regenerate")
def regenerate_password(code, number):
    """A new SIP password (live after the next Apply); answers the new settings."""
    org_scope = scope(code)
    extensions.regenerate_password(org_scope, number)
    return committed(extensions.sip_settings(org_scope, number, current_app.config))


@api.put("/orgs/<code>/extensions/<number>/state")
def phone_state(code, number):
    """Do not disturb and forward every call, switched at once (no Apply), as the phone's *78/*72 do."""
    from littlepbx.extensions import get_backend
    from littlepbx.rest.common import body
    from littlepbx.services import phone_states
    org_scope = scope(code)
    return committed(phone_states.set_state(org_scope, get_backend(current_app), number, body()))
