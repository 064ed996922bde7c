"""Two organizations applying at the same moment cannot both own one upstream address.

Calls from an upstream are told apart by source address only, so the address decides which
organization an inbound call belongs to. These tests run the Asterisk backend's row writing
against the real database (no Asterisk process is needed for it)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from littlepbx.config import DEFAULTS
from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.asterisk.backend import AsteriskBackend
from littlepbx.pbx_backends.base import BackendError, OrgPBXConfig, TrunkConfig

ADDRESS = "192.0.2.77"


def org_behind(code: str, address: str = ADDRESS) -> OrgPBXConfig:
    """An organization whose inbound upstream calls from ``address``."""
    inbound = TrunkConfig("inbound", address, 5060, "udp", None, None, False, None, None, (address,))
    return OrgPBXConfig(code, 0, trunks=(inbound,))


@pytest.fixture
def backend(engine):
    backend = AsteriskBackend(dict(DEFAULTS))
    yield backend
    for code in ("claima", "claimb"):
        with engine.begin() as connection:
            backend.remove_org(connection, code)


def owner(engine, address: str = ADDRESS) -> str | None:
    table = tables.lp_upstream_sources
    with engine.connect() as connection:
        return connection.scalar(select(table.c.tenantid).where(table.c.address == address))


def test_when_address_belongs_to_another_org_then_apply_is_refused(engine, backend):
    with engine.begin() as connection:
        backend.write_org(connection, org_behind("claima"))
    with pytest.raises(BackendError, match="belong to another organization"), engine.begin() as connection:
        backend.write_org(connection, org_behind("claimb"))
    assert owner(engine) == "claima"


def test_when_two_orgs_claim_one_address_at_once_then_the_first_to_commit_keeps_it(engine, backend):
    """claimb has checked the address and is about to write its claim when claima applies and commits."""
    paused, resume = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def pause_before_claim_is_written(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO LP_UPSTREAM_SOURCES") and not paused.is_set():
            paused.set()
            resume.wait(30)

    def apply_b():
        try:
            with engine.begin() as connection:
                from sqlalchemy import event
                event.listen(connection, "before_cursor_execute", pause_before_claim_is_written)
                backend.write_org(connection, org_behind("claimb"))
            outcome["b"] = "applied"
        except BackendError as error:
            outcome["b"] = error

    thread = threading.Thread(target=apply_b)
    thread.start()
    try:
        assert paused.wait(30), "claimb never reached its claim"
        # claima applies while claimb's transaction is open (the engine's lock wait would block forever
        # if claima had to wait for claimb: claimb holds nothing on the address yet).
        with engine.begin() as connection:
            backend.write_org(connection, org_behind("claima"))
    finally:
        resume.set()
        thread.join(60)
    assert owner(engine) == "claima"
    assert isinstance(outcome.get("b"), BackendError), outcome
