"""Statistics: /orgs/{code}/calls, /orgs/{code}/queues/stats and /orgs/{code}/cdr."""
from flask import current_app, request

from littlepbx.extensions import get_backend
from littlepbx.rest.common import api, committed, page_params, paginated, scope
from littlepbx.services import stats


@api.get("/orgs/<code>/calls")
def calls(code):
    """How many calls the organization has up now."""
    return committed(stats.calls_now(scope(code), get_backend(current_app)))


@api.get("/orgs/<code>/calls/current")
def current_calls(code):
    """Who is on the phone now: the organization's calls, each with caller, callee and state."""
    return committed(stats.current_calls(scope(code), get_backend(current_app)))


@api.get("/orgs/<code>/queues/stats")
def queue_stats(code):
    """Each live queue: waiting now; answered, abandoned, timed out and average wait over the last 24 hours."""
    return committed(stats.queue_figures(scope(code), get_backend(current_app)))


@api.get("/orgs/<code>/cdr")
def cdr(code):
    """Call history, newest first, ``?from=&to=`` (dates or date-times, UTC), ``?number=`` (digits
    of a number the call came from, dialled or reached), ``?result=`` (answered, missed, busy,
    failed), paginated."""
    offset, limit = page_params()
    rows, total = stats.cdr_page(scope(code), get_backend(current_app), offset, limit,
                                 request.args.get("from"), request.args.get("to"), request.args.get("number"),
                                 data_dir=str(current_app.config["DATA_DIR"]), result=request.args.get("result"))
    return paginated(rows, total, offset, limit)


@api.get("/orgs/<code>/cdr/export")
def cdr_export(code):
    """The same call history as CSV (the same filters), for a spreadsheet."""
    org_scope = scope(code)
    body = stats.cdr_csv(org_scope, get_backend(current_app), request.args.get("from"), request.args.get("to"),
                         request.args.get("number"), request.args.get("result"))
    filename = f"calls-{org_scope.org.code}.csv"
    return body, 200, {"Content-Type": "text/csv; charset=utf-8",
                       "Content-Disposition": f'attachment; filename="{filename}"'}
