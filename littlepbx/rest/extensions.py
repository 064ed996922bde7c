"""Extensions (draft): /orgs/{code}/extensions and their SIP settings."""
from flask import current_app, url_for

from littlepbx import get_backend
from littlepbx.rest.common import api, body, committed, page_of, scope
from littlepbx.services import extensions, phones


def _registered(org_scope):
    """Which of the org's phones are registered, as the PBX says (None if it cannot)."""
    return extensions.registered_numbers(org_scope, get_backend(current_app))


@api.get("/orgs/<code>/extensions")
def list_extensions(code):
    """The organization's draft extensions, each with whether its phone is registered."""
    org_scope = scope(code)
    registered = _registered(org_scope)
    return page_of(extensions.list_extensions(org_scope),
                   lambda extension: extensions.as_dict(extension, registered))


@api.post("/orgs/<code>/extensions")
def create_extension(code):
    """Add an extension (its SIP password is generated)."""
    extension = extensions.create_extension(scope(code), body())
    return committed(extensions.as_dict(extension), 201,
                     {"Location": url_for("api.get_extension", code=code, number=extension.number)})


@api.get("/orgs/<code>/extensions/<number>")
def get_extension(code, number):
    """One draft extension, with whether its phone is registered."""
    org_scope = scope(code)
    extension = extensions.get_extension(org_scope, number)
    return committed(extensions.as_dict(extension, _registered(org_scope)))


@api.patch("/orgs/<code>/extensions/<number>")
def update_extension(code, number):
    """Change some fields of an extension."""
    return committed(extensions.as_dict(extensions.update_extension(scope(code), number, body())))


@api.delete("/orgs/<code>/extensions/<number>")
def delete_extension(code, number):
    """Delete an extension; answers the DIDs that now ring nothing."""
    return committed({"unrouted_dids": extensions.delete_extension(scope(code), number)})


@api.get("/orgs/<code>/extensions/<number>/sip")
def sip_settings(code, number):
    """What a phone needs to register as this extension."""
    server = phones.sip_server(current_app.config)
    return committed(extensions.sip_settings(scope(code), number, server))


@api.post("/orgs/<code>/extensions/<number>/sip/regenerate")
def regenerate_password(code, number):
    """A new SIP password (live after the next Apply); answers the new settings."""
    org_scope = scope(code)
    extensions.regenerate_password(org_scope, number)
    return committed(extensions.sip_settings(org_scope, number, phones.sip_server(current_app.config)))
