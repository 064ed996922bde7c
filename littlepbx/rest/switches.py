"""/orgs/{code}/timeconditions/{name}/force: a live time condition forced open or closed at once."""
from flask import current_app

from littlepbx.extensions import get_backend
from littlepbx.kinds import kind_named
from littlepbx.rest.common import api, body, committed, scope
from littlepbx.rest.objects import answer
from littlepbx.services import switches


@api.put("/orgs/<code>/timeconditions/<name>/force")
def force_time_condition(code, name):
    """{"state": "open" | "closed" | "auto"}: answers the time condition with its new state."""
    org_scope = scope(code)
    row = switches.force_time_condition(org_scope, get_backend(current_app), name, body().get("state"))
    return committed(answer(org_scope, kind_named("timeconditions"), [row])[0])
