"""DIDs: /orgs/{code}/dids and /orgs/{code}/dids/{number}."""
from flask import url_for

from littlepbx.rest.common import api, body, committed, no_content, page_of, scope
from littlepbx.services import dids


@api.get("/orgs/<code>/dids")
def list_dids(code):
    """The organization's DIDs (draft)."""
    return page_of(dids.list_dids(scope(code)), dids.as_dict)


@api.post("/orgs/<code>/dids")
def assign_did(code):
    """Assign a number to the organization (integrators)."""
    did = dids.assign_did(scope(code), body())
    return committed(dids.as_dict(did), 201,
                     {"Location": url_for("api.get_did", code=code, number=did.number)})


@api.get("/orgs/<code>/dids/<number>")
def get_did(code, number):
    """One DID."""
    return committed(dids.as_dict(dids.get_did(scope(code), number)))


@api.patch("/orgs/<code>/dids/<number>")
def update_did(code, number):
    """Change where it rings (anyone who edits the PBX) or its description (integrators)."""
    return committed(dids.as_dict(dids.update_did(scope(code), number, body())))


@api.delete("/orgs/<code>/dids/<number>")
def release_did(code, number):
    """Take the number away from the organization (integrators)."""
    dids.release_did(scope(code), number)
    return no_content()
