"""Call setup rate: one phone of an organization calls another of its phones through Asterisk at a
rising rate, each INVITE challenged and sent again with digest credentials as a real phone does
(sipp places the calls; a second sipp, registered as the called phone, answers each at once).
For each rate: how many calls were set up, and the time from the first INVITE to the answer.
Then how long the organization's call count (what Apply waits for, and the Stats page shows)
takes to come back to 0 after the burst's last BYE."""
from __future__ import annotations

import csv
import shutil
import subprocess
import time
from pathlib import Path

from bench import load
from bench.figures import Figure, percentile, phones_of
from bench.sip import Phone
from littlepbx.extensions import db, get_backend
from littlepbx.services import orgs
from littlepbx.tenancy import SYSTEM, open_scope

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
CALLEE_PORT = 26560   # the answering sipp (below Linux's ephemeral ports, apart from the lab's)
CALLER_PORT = 26570
HOLD_MS = 1000        # how long each call stays up before its BYE
RATES = (10, 25, 50, 100)  # new calls per second, each for SECONDS
SECONDS = 6
GOAL_MS = 100


def unlimited_calls(lab, code: str) -> None:
    """No concurrent-call limit for ``code`` (the burst is the measure, not the quota), applied."""
    session = db.of(lab.app).sessions()
    try:
        orgs.update_org(open_scope(session, SYSTEM, code), {"max_concurrent_calls": 0})
        session.commit()
    finally:
        session.close()
    load.apply_now(lab.app, lab.applier, code)


def burst(workdir: Path, caller: Phone, callee_number: str, rate: int, seconds: int) -> dict:
    """``rate`` calls per second for ``seconds`` from ``caller``'s account to its PBX: how many were
    set up, failed, and their setup times."""
    total = rate * seconds
    stats = workdir / f"calls-{rate}.csv"
    command = ["sipp", "-sf", str(SCENARIOS / "call.xml"), "-i", "127.0.0.1", "-p", str(CALLER_PORT),
               "-s", callee_number, "-au", caller.username, "-ap", caller.password, "-key", "user", caller.username,
               "-r", str(rate), "-m", str(total), "-d", str(HOLD_MS), "-l", str(rate * 10), "-recv_timeout", "10000",
               "-timeout", str(seconds + 40), "-nostdin", "-trace_rtt", "-rtt_freq", "1",
               "-trace_stat", "-stf", str(stats), "-fd", "1",
               f"{caller.server[0]}:{caller.server[1]}"]
    started = time.perf_counter()
    subprocess.run(command, cwd=workdir, capture_output=True, timeout=seconds + 60, check=False)
    ended = time.perf_counter()
    with open(stats) as handle:
        last = list(csv.DictReader(handle, delimiter=";"))[-1]
    times = []
    for rtt in workdir.glob("call_*_rtt.csv"):
        with open(rtt) as handle:
            times += [float(row["response_time_ms"]) for row in csv.DictReader(handle, delimiter=";")
                      if row.get("response_time_ms")]
        rtt.unlink()
    return {"rate": rate, "calls": total, "set_up": int(last["SuccessfulCall(C)"]),
            "failed": int(last["FailedCall(C)"]), "seconds": round(ended - started, 1),
            "setup_ms": {"n": len(times), "p50": round(percentile(times, 50), 1),
                         "p95": round(percentile(times, 95), 1), "max": round(max(times), 1) if times else None}}


def count_settles(lab, code: str, timeout: float = 120) -> float | None:
    """Seconds until the org's call count reads 0 (None: not within ``timeout``)."""
    backend = get_backend(lab.app)
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if backend.active_calls(code) == 0:
            return time.perf_counter() - started
        time.sleep(0.1)
    return None


def answering_phone(phone: Phone, port: int, workdir: Path, *sipp_options: str) -> subprocess.Popen | None:
    """``phone`` registered from ``port`` and a sipp answering every call there (with
    ``sipp_options``, run in ``workdir``); None when the phone could not register. Asterisk takes
    the contact from the REGISTER's source address, so the answering sipp listens where it came from."""
    phone.close()
    phone = Phone(phone.server, phone.username, phone.password, local_port=port)
    registered = phone.register(expires=600).status
    phone.close()
    if registered != 200:
        return None
    workdir.mkdir(exist_ok=True)
    return subprocess.Popen(["sipp", "-sf", str(SCENARIOS / "answer.xml"), "-i", "127.0.0.1", "-p", str(port),
                             *sipp_options, "-nostdin", "-aa"],
                            cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def setup_at(caller: Phone, called: Phone, workdir: Path, rate: int = 10, seconds: int = 3) -> dict | None:
    """A burst from ``caller`` to ``called`` (answering from CALLEE_PORT) on their PBX; None when
    the called phone could not register."""
    answering = answering_phone(called, CALLEE_PORT, workdir)
    if answering is None:
        return None
    try:
        time.sleep(0.5)
        return burst(workdir, caller, called.username.split("-", 1)[1], rate, seconds)
    finally:
        answering.terminate()
        answering.wait(10)
        caller.close()


def call_setup(lab, code: str, quick: bool = False) -> list[Figure]:
    """The call setup figures for ``code`` (its first two extensions: caller and called)."""
    if shutil.which("sipp") is None:
        return [Figure("Call setup rate (sipp is not installed)", float("nan"), "")]
    unlimited_calls(lab, code)
    caller, called = phones_of(lab, code, 2)
    workdir = Path(lab.workdir) / "calls"
    answering = answering_phone(called, CALLEE_PORT, workdir)
    if answering is None:
        return [Figure("Call setup rate (the called phone could not register)", float("nan"), "")]
    try:
        time.sleep(0.5)
        number = called.username.split("-", 1)[1]
        results, settled = [], None
        rates = RATES[:1] if quick else RATES
        for rate in rates:
            results.append(burst(workdir, caller, number, rate, 3 if quick else SECONDS))
            settled = count_settles(lab, code)
    finally:
        answering.terminate()
        answering.wait(10)
        caller.close()
    good = [r for r in results if r["failed"] == 0 and r["set_up"] == r["calls"] and r["setup_ms"]["p95"] <= GOAL_MS]
    best = max((r["rate"] for r in good), default=0)
    top = next((r for r in results if r["rate"] == 50), results[-1])
    return [Figure(f"Call setup (INVITE with digest auth to answer), highest of {'/'.join(map(str, rates))} calls/s "
                   "with every call set up and setup p95 ≤ 100 ms", best, "calls/s", "≥ 50 calls/s",
                   detail={"bursts": results}),
            Figure(f"Call setup at {top['rate']} calls/s: p50 / p95 (set up of {top['calls']})",
                   top["setup_ms"]["p50"], "ms", "p95 ≤ 100 ms, 0 failed",
                   detail={"p95": top["setup_ms"]["p95"], "set_up": top["set_up"], "failed": top["failed"]}),
            Figure("The org's call count back to 0 after the burst's last call ended",
                   round(settled, 1) if settled is not None else float("nan"), "s", "≤ 2 s")]
