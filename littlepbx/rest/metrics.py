"""/metrics: the operator's metrics in Prometheus' text format (services/metrics.py), for the
system role (a Prometheus scrape job with `authorization: {credentials: <system token>}`)."""
from flask import current_app

from littlepbx.auth import current_actor
from littlepbx.extensions import get_backend
from littlepbx.rest.common import api, session
from littlepbx.services import metrics


@api.get("/metrics")
def prometheus_metrics():
    """The system's figures: Apply runs, worker lag, notices, and per organization calls,
    registrations, extensions and its upstream registration."""
    body = metrics.render(session(), current_actor(), get_backend(current_app))
    return body, 200, {"Content-Type": metrics.CONTENT_TYPE}
