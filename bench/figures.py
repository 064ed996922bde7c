"""Each figure of the bench: what it measures, its goal, and where one exists the baseline it is
compared with in the same run. A figure returns Figure rows; it asserts nothing."""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import text

from bench import load
from bench.sip import Phone, Registration
from littlepbx.extensions import db
from littlepbx.kinds import Extensions
from littlepbx.pbx_backends.asterisk import provision
from littlepbx.services import objects, orgs, tokens
from littlepbx.tenancy import SYSTEM, open_scope

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    """One line of the result table."""

    name: str
    value: float
    unit: str
    goal: str = ""
    ratio: float | None = None  # value / baseline, both measured in this run
    baseline: str = ""
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(seconds: list[float]) -> dict:
    """p50/p95/p99/max in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2),
            "p99": round(percentile(ms, 99), 2), "max": round(max(ms), 2) if ms else float("nan")}


# --- organizations and phones -----------------------------------------------------------------

def phones_of(lab, code: str, count: int, server: tuple[str, int] | None = None) -> list[Phone]:
    """SIP accounts of ``code``'s first ``count`` extensions, each on its own socket, registering
    with the lab's Asterisk (or ``server``)."""
    session = db.of(lab.app).sessions()
    try:
        scope = open_scope(session, SYSTEM, code)
        rows = objects.all_of(scope, Extensions)[:count]
        return [Phone(server or lab.sip_server, f"{code}-{row.number}", row.sip_password) for row in rows]
    finally:
        session.close()


def rename(lab, code: str, number: str, name: str) -> None:
    """A draft edit, so that each Apply of ``code`` has something to write."""
    session = db.of(lab.app).sessions()
    try:
        objects.update(open_scope(session, SYSTEM, code), Extensions, number, {"display_name": name})
        session.commit()
    finally:
        session.close()


# --- the worker as its own process ------------------------------------------------------------

@contextmanager
def worker_process(lab):
    """`littlepbx worker` on the lab's configuration, as install.sh runs it; stopped at the end."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), LITTLEPBX_CONFIG=str(lab.workdir / "none.conf"),
               **{f"LITTLEPBX_{key}": str(value) for key, value in lab.config.items()
                  if isinstance(value, (str, int, float))})
    with open(lab.workdir / "worker.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "littlepbx.cli", "worker"], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    socket_path = Path(lab.config["DATA_DIR"]) / "worker.wake"
    deadline = time.monotonic() + 60
    while not socket_path.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)  # past its first tick
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)


class Api:
    """The REST API through the app (no HTTP server: what is measured is the app and the database)."""

    def __init__(self, lab):
        session = db.of(lab.app).sessions()
        try:
            self.token = tokens.create_token(session, SYSTEM, {"name": "bench"})[1]
            session.commit()
        finally:
            session.close()
        self.client = lab.app.test_client()

    def call(self, method: str, path: str, **kwargs):
        answer = self.client.open("/api/v1" + path, method=method,
                                  headers={"Authorization": f"Bearer {self.token}"}, **kwargs)
        if answer.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.get_data(as_text=True)[:300]}")
        return answer.get_json()


def run_times(lab, run_ids: list[int]) -> dict[int, tuple]:
    """(state, requested_at, started_at, finished_at) of each run, from the database."""
    with lab.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, state, requested_at, started_at, finished_at FROM apply_runs WHERE id IN :ids"),
            {"ids": tuple(run_ids)}).all()
    return {row.id: (row.state, row.requested_at, row.started_at, row.finished_at) for row in rows}


# --- figures ----------------------------------------------------------------------------------

def apply_transaction(lab, code: str, repeats: int) -> list[Figure]:
    """One organization with 50 extensions applied again and again, by the applier itself: the
    step the worker runs (count the org's calls, the one transaction, Asterisk told after commit)."""
    seconds = []
    for attempt in range(repeats):
        rename(lab, code, "100", f"Reception {attempt}")
        seconds.append(load.apply_now(lab.app, lab.applier, code))
    stats = summary(seconds)
    return [Figure("Apply of one org with 50 extensions: p50", stats["p50"], "ms", "≤ 30 ms", detail=stats),
            Figure("Apply of one org with 50 extensions: p95", stats["p95"], "ms", "≤ 60 ms", detail=stats)]


def click_to_applied(lab, api: Api, code: str, repeats: int) -> list[Figure]:
    """POST /apply (what the page's button sends) until the run says applied, with the worker
    running as its own process and no calls up."""
    seconds, run_ids = [], []
    with worker_process(lab):
        for attempt in range(repeats):
            rename(lab, code, "101", f"Sales {attempt}")
            started = time.perf_counter()
            run_ids.append(api.call("POST", f"/orgs/{code}/apply")["id"])
            while api.call("GET", f"/orgs/{code}/apply")["state"] != "applied":
                time.sleep(0.005)
            seconds.append(time.perf_counter() - started)
    stats = summary(seconds)
    times = run_times(lab, run_ids).values()
    stats["until_started"] = summary([(begun - asked).total_seconds() for _, asked, begun, _ in times])
    stats["started_to_applied"] = summary([(done - begun).total_seconds() for _, _, begun, done in times])
    return [Figure("Apply click to 'applied', no calls: p50", stats["p50"], "ms", "≤ 200 ms", detail=stats),
            Figure("Apply click to 'applied', no calls: p95", stats["p95"], "ms", "", detail=stats)]


def all_at_once(lab, api: Api, codes: list[str]) -> list[Figure]:
    """Every organization requests an Apply within a moment; how long until all are applied, and
    how long the slowest waited for the worker to start it."""
    for code in codes:
        rename(lab, code, "100", "Reception again")
    with worker_process(lab):
        started = time.perf_counter()
        run_ids = [api.call("POST", f"/orgs/{code}/apply")["id"] for code in codes]
        requested = time.perf_counter() - started
        while True:
            times = run_times(lab, run_ids)
            if all(state in ("applied", "failed") for state, *_ in times.values()):
                break
            time.sleep(0.1)
        total = time.perf_counter() - started
    waits = [(begun - asked).total_seconds() for _, asked, begun, _ in times.values()]
    failed = sum(state != "applied" for state, *_ in times.values())
    detail = {"orgs": len(codes), "requests_sent_in_s": round(requested, 2), "failed": failed,
              "wait_for_worker": summary(waits)}
    return [Figure(f"{len(codes)} orgs requesting Apply at once: all applied", round(total, 2), "s", "≤ 20 s",
                   detail=detail),
            Figure("... the longest wait for the worker to start one", round(max(waits), 2), "s", "< 5 s",
                   detail=detail)]


def register_probe(phones: list[Phone], until: threading.Event, every: float = 0.05) -> list:
    """REGISTER the phones in turn, one every ``every`` seconds, until ``until`` is set."""
    results = []
    turn = 0
    while not until.is_set():
        began = time.perf_counter()
        results.append(phones[turn % len(phones)].register())
        turn += 1
        until.wait(max(0.0, every - (time.perf_counter() - began)))
    return results


@contextmanager
def registering(phones: list[Phone], every: float = 0.05):
    """REGISTER the phones in turn (register_probe) from a process of their own while the block
    runs; yields a list that holds the Registrations once the block ends. Phones are other
    machines: probed from a thread of the bench's process, their answers would wait for the
    Python of the Applies or page requests running meanwhile (one thread at a time runs Python)."""
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_probe_and_send, args=(phones, stop, every, sending), daemon=True)
    child.start()
    sending.close()
    results: list[Registration] = []
    try:
        yield results
    finally:
        stop.set()
        registrations, sequences = receiving.recv()
        results.extend(Registration(status, seconds) for status, seconds in registrations)
        for phone, cseq in zip(phones, sequences, strict=True):  # the next REGISTER goes on from the child's
            phone.cseq = cseq
        child.join(30)


def _probe_and_send(phones: list[Phone], stop, every: float, sending) -> None:
    registrations = register_probe(phones, stop, every)
    sending.send(([(r.status, r.seconds) for r in registrations], [phone.cseq for phone in phones]))


def registrations_during_applies(lab, probe_code: str, apply_codes: list[str], applies: int) -> list[Figure]:
    """REGISTERs of one org's phones every 50 ms, first with nothing else happening (the baseline),
    then during ``applies`` back-to-back Applies of other orgs."""
    phones = phones_of(lab, probe_code, 10)
    try:
        with registering(phones) as idle:
            time.sleep(10)
        with registering(phones) as busy:
            for attempt in range(applies):
                code = apply_codes[attempt % len(apply_codes)]
                rename(lab, code, "100", f"Reception {attempt}")
                load.apply_now(lab.app, lab.applier, code)
    finally:
        for phone in phones:
            phone.close()
    idle_ok = [r.seconds for r in idle if r.status == 200]
    busy_ok = [r.seconds for r in busy if r.status == 200]
    idle_stats, busy_stats = summary(idle_ok), summary(busy_ok)
    refused = sum(r.status != 200 for r in busy)
    detail = {"idle": idle_stats, "during_applies": busy_stats, "refused_or_unanswered": refused,
              "idle_refused": sum(r.status != 200 for r in idle)}
    baseline = f"idle p50 {idle_stats['p50']} ms"
    return [Figure(f"REGISTER of another org during {applies} Applies: p50", busy_stats["p50"], "ms", "≤ 1.2 × idle",
                   ratio=round(busy_stats["p50"] / idle_stats["p50"], 2), baseline=baseline, detail=detail),
            Figure("... p99", busy_stats["p99"], "ms", "≤ 50 ms", detail=detail),
            Figure("... refused or unanswered", refused, "REGISTERs", "0", detail=detail),
            Figure(f"... REGISTERs over 100 ms, idle and during the Applies, of {len(idle_ok) + len(busy_ok)}",
                   sum(seconds > 0.1 for seconds in idle_ok + busy_ok), "REGISTERs", "", detail=detail)]


MWI_AT_START = "mwi_disable_initial_unsolicited=yes"


def asterisk_restart(lab, probe_code: str, endpoints: int) -> list[Figure]:
    """Stop Asterisk and start it again: until it says it is fully booted, until a phone can
    register again; and its memory right after, per endpoint. The baseline, in the same run:
    the same restart with Asterisk's default of an MWI subscription per endpoint made at start."""
    pjsip = provision.in_root(lab.pbx.config, lab.pbx.config["ASTERISK_CONFIG_DIR"]) / "pjsip.conf"
    ours = pjsip.read_text()
    pjsip.write_text(ours.replace(MWI_AT_START, "mwi_disable_initial_unsolicited=no"))
    try:
        default = restart_once(lab, probe_code)
    finally:
        pjsip.write_text(ours)
    registering, booted, rss, processors = restart_once(lab, probe_code)
    detail = {"fully_booted_s": round(booted, 2), "endpoints": endpoints, "rss_mb": round(rss, 1),
              "taskprocessors": processors,
              "asterisk_default": {"registering_s": round(default[0], 2), "fully_booted_s": round(default[1], 2),
                                   "rss_mb": round(default[2], 1), "taskprocessors": default[3]}}
    return [Figure("Asterisk restart to accepting REGISTERs", round(registering, 2), "s", "≤ 10 s",
                   ratio=round(registering / default[0], 2), baseline="Asterisk's default (MWI per endpoint at start)",
                   detail=detail),
            Figure("Asterisk memory right after the restart, per endpoint", round(rss * 1024 / max(endpoints, 1), 1),
                   "KB", "≤ 25 KB", ratio=round(rss / default[2], 2), baseline="Asterisk's default", detail=detail)]


def restart_once(lab, probe_code: str) -> tuple[float, float, float, dict]:
    """One restart: seconds until a phone registers, until fully booted; MB resident; task processors."""
    lab.pbx.stop()
    started = time.perf_counter()
    booted = lab.pbx.start()
    phone = phones_of(lab, probe_code, 1)[0]
    try:
        while phone.register(timeout=1).status != 200:
            time.sleep(0.1)
    finally:
        phone.close()
    registering = time.perf_counter() - started
    return registering, booted, lab.pbx.rss_mb(), taskprocessor_kinds(lab.pbx.cli("core show taskprocessors"))


def taskprocessor_kinds(listing: str) -> dict[str, int]:
    """How many task processors Asterisk runs, by the first part of their name (pjsip/options...)."""
    kinds: dict[str, int] = {}
    for line in listing.splitlines():
        name = line.split()[0] if line.strip() else ""
        if "/" in name or "-" in name:
            kind = "/".join(name.split("/")[:2]) if "/" in name else name.split("-")[0]
            kinds[kind] = kinds.get(kind, 0) + 1
    return dict(sorted(kinds.items(), key=lambda item: -item[1])[:8])


def timed(api: Api, path: str, repeats: int) -> dict:
    """GET ``path`` ``repeats`` times: the summary of how long each took."""
    seconds = []
    for _ in range(repeats):
        began = time.perf_counter()
        api.call("GET", path)
        seconds.append(time.perf_counter() - began)
    return summary(seconds)


def org_list_at(lab, api: Api, total: int, repeats: int) -> list[Figure]:
    """The operator's organization list once there are ``total`` organizations: the ones missing
    are added bare (no extensions; the list shows organizations, not what they hold), then the
    first page, the last page and a search are timed. Run last: the added organizations stay."""
    session = db.of(lab.app).sessions()
    try:
        have = int(api.call("GET", "/orgs?limit=1")["total"])
        for index in range(have, total):
            orgs.create_org(session, SYSTEM, {"code": f"l{index:05d}", "name": f"Listed {index}",
                                              "admin_email": f"admin@l{index:05d}.example"})
            if index % 500 == 0:
                session.commit()
        session.commit()
    finally:
        session.close()
    pages = {"first": timed(api, "/orgs?limit=50&offset=0", repeats),
             "last": timed(api, f"/orgs?limit=50&offset={total - 50}", repeats),
             "search": timed(api, "/orgs?limit=50&q=listed%207", repeats)}
    slowest = max(stats["p95"] for stats in pages.values())
    return [Figure(f"Operator's organization list at {total:,} organizations (first page, last page, a search), "
                   "slowest: p95", slowest, "ms", "≤ 150 ms", detail=pages)]


def api_latency(lab, api: Api, code: str, repeats: int) -> list[Figure]:
    """The operator's organization list (a page of it) and what an org admin's page loads,
    through the app with the database of the whole load."""
    org_list = timed(api, "/orgs?limit=50&offset=0", repeats)
    last_page = timed(api, "/orgs?limit=50&offset=" + str(max(0, int(api.call("GET", "/orgs?limit=1")["total"]) - 50)),
                      repeats)
    page_paths = [f"/orgs/{code}/extensions", f"/orgs/{code}/dids", f"/orgs/{code}/changes", f"/orgs/{code}/apply",
                  f"/orgs/{code}/calls"]
    page = {path: timed(api, path, repeats) for path in page_paths}
    worst_page = max(stats["p95"] for stats in page.values())
    return [Figure("Operator's organization list, first page: p95", org_list["p95"], "ms", "≤ 150 ms",
                   detail={"first": org_list, "last": last_page}),
            Figure("... last page: p95", last_page["p95"], "ms", "≤ 150 ms", detail={"last": last_page}),
            Figure("Org admin's page data, slowest request: p95", worst_page, "ms", "≤ 150 ms", detail=page)]
