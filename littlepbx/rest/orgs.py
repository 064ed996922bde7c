"""Organizations: /orgs and /orgs/{code}."""
from flask import current_app, request, url_for

from littlepbx.auth import current_actor
from littlepbx.extensions import get_backend
from littlepbx.fields import fail
from littlepbx.rest.common import api, body, committed, no_content, page_params, paginated, scope, session
from littlepbx.services import orgs, quotas

SEARCH_MAX = 100  # characters of ?q= (the OpenAPI document says the same)


@api.get("/orgs")
def list_orgs():
    """The organizations the caller may see, in code order; ?q= keeps those whose code or name
    contains it."""
    offset, limit = page_params()
    search = request.args.get("q", "")
    if len(search) > SEARCH_MAX:
        raise fail("q", f"at most {SEARCH_MAX} characters", f"a search is at most {SEARCH_MAX} characters")
    rows, total = orgs.list_orgs(session(), current_actor(), offset, limit, search)
    return paginated([orgs.as_dict(org) for org in rows], total, offset, limit)


@api.post("/orgs")
def create_org():
    """A new organization (system role)."""
    org = orgs.create_org(session(), current_actor(), body())
    return committed(orgs.as_dict(org), 201, {"Location": url_for("api.get_org", code=org.code)})


@api.get("/orgs/<code>")
def get_org(code):
    """One organization."""
    return committed(orgs.as_dict(scope(code).org))


@api.patch("/orgs/<code>")
def update_org(code):
    """Change name, admin e-mail, time zone or limits (system role)."""
    return committed(orgs.as_dict(orgs.update_org(scope(code), body())))


@api.delete("/orgs/<code>")
def delete_org(code):
    """Delete the organization and everything it has on the PBX (system role)."""
    backend = get_backend(current_app)
    orgs.delete_org(scope(code), backend)
    response = no_content()
    orgs.after_delete(code, backend, current_app.config["DATA_DIR"])
    return response


@api.get("/orgs/<code>/usage")
def usage(code):
    """What the organization uses of its quotas."""
    return committed(quotas.usage(scope(code), current_app.config["DATA_DIR"]))
