"""The operator's metrics (Prometheus' text format): what the system is doing, read at each
scrape from the database and the PBX, so web and worker processes need not share counters.

- littlepbx_organizations; littlepbx_apply_runs{state} (every run ever); the seconds the Apply
  runs of the last 24 hours took from request to end (a histogram); littlepbx_worker_lag_seconds
  (how long the oldest queued run has waited); littlepbx_apply_notices_failed (runs whose e-mail
  notice is not sent, being retried or given up);
- per organization: calls now, phones registered, extensions used and allowed, and its upstream
  registration state (1 for the state it is in)."""
from __future__ import annotations

from datetime import timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import func, select

from littlepbx.applier import states
from littlepbx.kinds import Extensions, Trunks
from littlepbx.models import ApplyRun, Organization, utcnow
from littlepbx.tenancy import Actor

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
APPLY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900)


def render(session, actor: Actor, backend) -> bytes:
    """The metrics, for the system role only."""
    actor.require("orgs.manage")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(session, backend))
    return generate_latest(registry)


class _Collector:
    def __init__(self, session, backend):
        self.session, self.backend = session, backend

    def collect(self):
        session = self.session
        codes = dict(session.execute(select(Organization.id, Organization.code)).all())
        yield GaugeMetricFamily("littlepbx_organizations", "Organizations", value=len(codes))

        runs = GaugeMetricFamily("littlepbx_apply_runs", "Apply runs ever requested, by state", labels=["state"])
        counted = dict(session.execute(select(ApplyRun.state, func.count()).group_by(ApplyRun.state)).all())
        for state in states.ALL_STATES:
            runs.add_metric([state], counted.get(state, 0))
        yield runs
        yield self._durations()
        oldest = session.scalar(select(func.min(ApplyRun.requested_at)).where(ApplyRun.state == states.QUEUED))
        yield GaugeMetricFamily("littlepbx_worker_lag_seconds", "How long the oldest queued Apply has waited",
                                value=(utcnow() - oldest).total_seconds() if oldest else 0)
        failed = session.scalar(select(func.count()).select_from(ApplyRun).where(
            ApplyRun.notice.like("notice not sent%")))
        yield GaugeMetricFamily("littlepbx_apply_notices_failed", "Apply runs whose e-mail notice is not sent",
                                value=failed)
        yield from self._per_org(codes)

    def _durations(self):
        since = utcnow() - timedelta(hours=24)
        rows = self.session.execute(select(ApplyRun.requested_at, ApplyRun.finished_at).where(
            ApplyRun.finished_at >= since, ApplyRun.state.in_(states.FINAL_STATES))).all()
        seconds = [max(0.0, (end - start).total_seconds()) for start, end in rows]
        buckets = [(str(bound), sum(1 for s in seconds if s <= bound)) for bound in APPLY_BUCKETS]
        return HistogramMetricFamily("littlepbx_apply_seconds", "Apply runs of the last 24 hours: request to end",
                                     buckets=buckets + [("+Inf", len(seconds))], sum_value=sum(seconds))

    def _per_org(self, codes: dict):
        session = self.session
        figures = self.backend.system_figures(session.connection())
        for name, key, text in (("littlepbx_calls", "calls", "Calls of the organization now"),
                                ("littlepbx_phones_registered", "registered", "Its phones registered now")):
            if key in figures:
                family = GaugeMetricFamily(name, text, labels=["org"])
                for code in codes.values():
                    family.add_metric([code], figures[key].get(code, 0))
                yield family
        used = dict(session.execute(select(Extensions.draft.org_id, func.count())
                                    .group_by(Extensions.draft.org_id)).all())
        limits = dict(session.execute(select(Organization.id, Organization.max_extensions)).all())
        for name, values, text in (("littlepbx_extensions", used, "Extensions in the organization's draft"),
                                   ("littlepbx_extensions_allowed", limits, "Extensions it may have")):
            family = GaugeMetricFamily(name, text, labels=["org"])
            for org_id, code in codes.items():
                family.add_metric([code], values.get(org_id, 0))
            yield family
        registering = session.execute(select(Trunks.live.org_id).where(Trunks.live.direction == "outbound",
                                                                      Trunks.live.register.is_(True))).scalars()
        family = GaugeMetricFamily("littlepbx_upstream_registration", "The organization's upstream registration "
                                   "state (1 for the state it is in)", labels=["org", "state"])
        for org_id in registering:
            if org_id in codes:
                family.add_metric([codes[org_id], self.backend.registration_state(codes[org_id]) or "unknown"], 1)
        yield family
