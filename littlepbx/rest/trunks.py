"""Upstream SIP trunks: /orgs/{code}/trunks/{inbound|outbound} and the outbound registration."""
from flask import current_app

from littlepbx import get_backend
from littlepbx.rest.common import api, body, committed, no_content, scope
from littlepbx.services import stats, trunks

DIRECTION = "<any(inbound, outbound):direction>"


@api.get(f"/orgs/<code>/trunks/{DIRECTION}")
def get_trunk(code, direction):
    """The draft trunk in one direction."""
    return committed(trunks.as_dict(trunks.get_trunk(scope(code), direction)))


@api.put(f"/orgs/<code>/trunks/{DIRECTION}")
def put_trunk(code, direction):
    """Create or replace the trunk (integrators)."""
    return committed(trunks.as_dict(trunks.put_trunk(scope(code), direction, body())))


@api.delete(f"/orgs/<code>/trunks/{DIRECTION}")
def delete_trunk(code, direction):
    """Remove the trunk (integrators)."""
    trunks.delete_trunk(scope(code), direction)
    return no_content()


@api.get("/orgs/<code>/trunks/outbound/status")
def outbound_status(code):
    """The live outbound trunk's registration state."""
    return committed(stats.trunk_status(scope(code), get_backend(current_app)))
