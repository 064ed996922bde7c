"""Organizations for the bench, made the way an integrator's requests make them (the service
layer, as the REST API calls it) and applied the way the worker applies them."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from littlepbx.extensions import db
from littlepbx.kinds import Dids, Extensions, Trunks
from littlepbx.services import apply, objects, orgs
from littlepbx.tenancy import SYSTEM, open_scope

SETTINGS = {"ALLOW_PRIVATE_UPSTREAMS": True}


def code_of(index: int) -> str:
    return f"b{index:05d}"


def create_org(app, index: int, extensions: int) -> str:
    """One organization as an integrator sets it up: extensions (with voicemail), two DIDs, an
    inbound upstream (by its own source address) and an outbound one. Returns its code.
    It may apply 1,000 times a minute: the Apply quota is not what the bench measures."""
    code = code_of(index)
    session = db.of(app).sessions()
    try:
        orgs.create_org(session, SYSTEM, {"code": code, "name": f"Bench {index}", "admin_email": f"admin@{code}.example",
                                          "max_extensions": max(extensions, 50), "max_applies_per_minute": 1000})
        scope = open_scope(session, SYSTEM, code, settings=SETTINGS)
        for number in range(100, 100 + extensions):
            objects.create(scope, Extensions, {"number": str(number), "display_name": f"Phone {number}"})
        session.flush()
        for line in range(2):
            objects.create(scope, Dids, {"number": f"+1555{index:05d}{line:02d}", "destination": "100"})
        # Documentation and private addresses: nothing is ever sent to them (no registration).
        objects.create(scope, Trunks, {"direction": "inbound", "host": f"10.{index // 250}.{index % 250}.1",
                                       "source_addresses": f"10.{index // 250}.{index % 250}.1"})
        objects.create(scope, Trunks, {"direction": "outbound", "host": f"10.{index // 250}.{index % 250}.2"})
        session.commit()
        return code
    finally:
        session.close()


def request(app, code: str) -> int:
    """Request an Apply of ``code`` as the REST API does; returns the run's id."""
    session = db.of(app).sessions()
    try:
        run = apply.request_apply(open_scope(session, SYSTEM, code, settings=SETTINGS))
        session.commit()
        return run.id
    finally:
        session.close()


def apply_now(app, applier, code: str) -> float:
    """Request an Apply and execute it at once (what the worker does); returns its seconds."""
    run_id = request(app, code)
    started = time.perf_counter()
    state = applier.step(run_id)
    if state != "applied":
        raise RuntimeError(f"the Apply of {code} ended {state}")
    return time.perf_counter() - started


def load(app, applier, count: int, extensions: int, first: int = 0, threads: int = 4) -> float:
    """Create and apply ``count`` organizations in parallel; returns the seconds it took."""
    started = time.perf_counter()

    def one(index: int) -> None:
        apply_now(app, applier, create_org(app, index, extensions))

    with ThreadPoolExecutor(threads) as pool:
        for _ in pool.map(one, range(first, first + count)):
            pass
    return time.perf_counter() - started
