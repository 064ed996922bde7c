"""What the whole system is doing, read at each request from the database and the PBX (so web
and worker processes need not share counters): for the operator's Prometheus scrape (render)
and the operator's system page (gather).

- organizations; Apply runs by state (every run ever); the seconds the Apply runs of the last
  24 hours took from request to end; the worker's lag (how long the oldest queued run has
  waited); Apply runs whose e-mail notice is not sent;
- per organization: calls now, phones registered, extensions used and allowed, and its upstream
  registration state."""
from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class OrgFigures:
    code: str
    name: str
    calls: int | None          # None: the PBX cannot tell
    registered: int | None
    extensions: int
    extensions_allowed: int
    upstream: str | None       # its registration state; None: it does not register


@dataclass
class SystemFigures:
    runs: dict[str, int]                       # by state, every run ever
    apply_seconds: list[float]                 # runs of the last 24 hours, request to end
    worker_lag_seconds: float
    notices_failed: int
    orgs: list[OrgFigures] = field(default_factory=list)


def gather(session, actor: Actor, backend) -> SystemFigures:
    """Every figure, for the system role only."""
    actor.require("orgs.manage")
    runs = dict(session.execute(select(ApplyRun.state, func.count()).group_by(ApplyRun.state)).all())
    since = utcnow() - timedelta(hours=24)
    ended = session.execute(select(ApplyRun.requested_at, ApplyRun.finished_at).where(
        ApplyRun.finished_at >= since, ApplyRun.state.in_(states.FINAL_STATES))).all()
    oldest = session.scalar(select(func.min(ApplyRun.requested_at)).where(ApplyRun.state == states.QUEUED))
    failed = session.scalar(select(func.count()).select_from(ApplyRun).where(ApplyRun.notice.like("notice not sent%")))
    figures = SystemFigures({state: runs.get(state, 0) for state in states.ALL_STATES},
                            [max(0.0, (end - start).total_seconds()) for start, end in ended],
                            (utcnow() - oldest).total_seconds() if oldest else 0.0, failed)
    pbx = backend.system_figures(session.connection())
    used = dict(session.execute(select(Extensions.draft.org_id, func.count()).group_by(Extensions.draft.org_id)).all())
    registering = set(session.scalars(select(Trunks.live.org_id).where(Trunks.live.direction == "outbound",
                                                                       Trunks.live.register.is_(True))))
    for org in session.scalars(select(Organization).order_by(Organization.code)):
        figures.orgs.append(OrgFigures(
            org.code, org.name, pbx["calls"].get(org.code, 0) if "calls" in pbx else None,
            pbx["registered"].get(org.code, 0) if "registered" in pbx else None, used.get(org.id, 0),
            org.max_extensions,
            (backend.registration_state(org.code) or "unknown") if org.id in registering else None))
    return figures


def render(session, actor: Actor, backend) -> bytes:
    """The figures in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(gather(session, actor, backend)))
    return generate_latest(registry)


class _Collector:
    def __init__(self, figures: SystemFigures):
        self.figures = figures

    def collect(self):
        figures = self.figures
        yield GaugeMetricFamily("littlepbx_organizations", "Organizations", value=len(figures.orgs))
        runs = GaugeMetricFamily("littlepbx_apply_runs", "Apply runs ever requested, by state", labels=["state"])
        for state, count in figures.runs.items():
            runs.add_metric([state], count)
        yield runs
        seconds = figures.apply_seconds
        buckets = [(str(bound), sum(1 for s in seconds if s <= bound)) for bound in APPLY_BUCKETS]
        yield HistogramMetricFamily("littlepbx_apply_seconds", "Apply runs of the last 24 hours: request to end",
                                    buckets=buckets + [("+Inf", len(seconds))], sum_value=sum(seconds))
        yield GaugeMetricFamily("littlepbx_worker_lag_seconds", "How long the oldest queued Apply has waited",
                                value=figures.worker_lag_seconds)
        yield GaugeMetricFamily("littlepbx_apply_notices_failed", "Apply runs whose e-mail notice is not sent",
                                value=figures.notices_failed)
        for name, attribute, text in (
                ("littlepbx_calls", "calls", "Calls of the organization now"),
                ("littlepbx_phones_registered", "registered", "Its phones registered now"),
                ("littlepbx_extensions", "extensions", "Extensions in the organization's draft"),
                ("littlepbx_extensions_allowed", "extensions_allowed", "Extensions it may have")):
            if figures.orgs and getattr(figures.orgs[0], attribute) is None:
                continue  # the PBX cannot tell
            family = GaugeMetricFamily(name, text, labels=["org"])
            for org in figures.orgs:
                family.add_metric([org.code], getattr(org, attribute))
            yield family
        family = GaugeMetricFamily("littlepbx_upstream_registration", "The organization's upstream registration "
                                   "state (1 for the state it is in)", labels=["org", "state"])
        for org in figures.orgs:
            if org.upstream is not None:
                family.add_metric([org.code, org.upstream], 1)
        yield family
