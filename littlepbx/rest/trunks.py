"""The outbound trunk's registration state: /orgs/{code}/trunks/outbound/status (the trunks
themselves are generic routes: littlepbx/rest/objects.py)."""
from flask import current_app

from littlepbx.extensions import get_backend
from littlepbx.rest.common import api, committed, scope
from littlepbx.services import stats


@api.get("/orgs/<code>/trunks/outbound/status")
def outbound_status(code):
    """The live outbound trunk's registration state."""
    return committed(stats.trunk_status(scope(code), get_backend(current_app)))
