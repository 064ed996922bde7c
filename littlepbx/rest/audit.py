"""The audit log: /orgs/{code}/audit (the org's changes) and /audit (entries of no org)."""
from littlepbx.auth import current_actor
from littlepbx.rest.common import api, page_params, paginated, scope, session
from littlepbx.services import audit


@api.get("/orgs/<code>/audit")
def org_audit(code):
    """Who changed what in the organization, and when: newest first, paginated."""
    offset, limit = page_params()
    return paginated(*audit.org_page(scope(code), offset, limit), offset, limit)


@api.get("/audit")
def system_audit():
    """Entries that belong to no organization (deleted organizations), for the system role."""
    offset, limit = page_params()
    return paginated(*audit.system_page(session(), current_actor(), offset, limit), offset, limit)
