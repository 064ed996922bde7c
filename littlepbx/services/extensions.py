"""What a phone needs to register as an extension, and renewing its SIP password.

Creating, changing and deleting extensions is the generic service's (services/objects.py)."""
from __future__ import annotations

from littlepbx.fields import new_secret
from littlepbx.kinds import Extensions
from littlepbx.services import objects
from littlepbx.services.phones import sip_server
from littlepbx.tenancy import OrgScope


def sip_username(scope: OrgScope, number: str) -> str:
    """The SIP user name of an extension: SIP names are global, so they carry the org code."""
    return f"{scope.org.code}-{number}"


def sip_settings(scope: OrgScope, number: str, config) -> dict:
    """What a phone needs to register (the server as its transport reaches it), and whether the
    password shown is live yet."""
    extension = objects.get(scope, Extensions, number)
    live = objects.find(scope, Extensions, extension.number, live=True)
    return {**sip_server(config, extension.sip_transport), "username": sip_username(scope, extension.number),
            "auth_username": sip_username(scope, extension.number),
            "password": extension.sip_password,
            "live": live is not None and live.sip_password == extension.sip_password
                    and live.sip_transport == extension.sip_transport}


def regenerate_password(scope: OrgScope, number: str):
    """Give the extension a new strong SIP password (live after the next Apply)."""
    scope.require("pbx.edit")
    extension = objects.get(scope, Extensions, number)
    extension.sip_password = new_secret()
    scope.audit("extension.regenerate_password", extension.number)
    return extension
