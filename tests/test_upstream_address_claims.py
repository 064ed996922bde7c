"""Two organizations applying at the same moment cannot both own one upstream address, and a
conflict on an address never holds up the rest of an organization's Apply.

Calls from an upstream are told apart by source address only, so the address decides which
organization an inbound call belongs to. These tests run the Asterisk backend's row writing
against the real database (no Asterisk process is needed for it)."""
from __future__ import annotations

import dataclasses
import socket
import threading

import pytest
from sqlalchemy import select

from littlepbx.config import DEFAULTS
from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.asterisk.backend import AsteriskBackend
from littlepbx.pbx_backends.base import BackendError, ExtensionConfig, OrgPBXConfig, TrunkConfig

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


def test_when_an_address_belongs_to_another_org_then_the_rest_applies_and_a_note_says_so(engine, backend):
    with engine.begin() as connection:
        assert backend.write_org(connection, org_behind("claima")) == []
    both = OrgPBXConfig("claimb", 0, extensions=(ExtensionConfig("101", "Bob", "pw-101-secret", 20, "hangup", None, False, None, None),),
                        trunks=(TrunkConfig("inbound", "in.example.net", 5060, "udp", None, None, False, None, None,
                                            (ADDRESS, "192.0.2.78")),))
    with engine.begin() as connection:
        notes = backend.write_org(connection, both)
    assert notes == [f"upstream address(es) {ADDRESS} not claimed: calls from there belong to another organization"]
    assert owner(engine) == "claima" and owner(engine, "192.0.2.78") == "claimb"
    with engine.connect() as connection:
        assert connection.scalar(select(tables.ps_endpoints.c.id).where(tables.ps_endpoints.c.id == "claimb-101"))


def test_when_a_source_host_no_longer_resolves_then_the_org_keeps_its_addresses_and_the_rest_applies(engine, backend):
    with engine.begin() as connection:
        backend.write_org(connection, org_behind("claima"))
    lost = OrgPBXConfig("claima", 0, extensions=(ExtensionConfig("101", "Ann", "pw-101-secret", 20, "hangup", None, False, None, None),),
                        trunks=(TrunkConfig("inbound", "in.example.net", 5060, "udp", None, None, False, None, None,
                                            ("carrier.invalid",)),))
    with engine.begin() as connection:
        notes = backend.write_org(connection, lost)
    assert len(notes) == 1 and "cannot look up carrier.invalid" in notes[0] and ADDRESS in notes[0], notes
    assert owner(engine) == "claima"
    with engine.connect() as connection:
        assert connection.scalar(select(tables.ps_endpoints.c.id).where(tables.ps_endpoints.c.id == "claima-101"))


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
                outcome["b"] = backend.write_org(connection, org_behind("claimb"))
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
    assert outcome.get("b") == [f"upstream address(es) {ADDRESS} not claimed: calls from there belong to another "
                                "organization"], outcome


def test_when_an_outbound_host_name_resolves_to_this_server_then_the_apply_is_refused(engine, backend):
    name = socket.gethostname()  # this server: loopback, or one of its own addresses
    try:
        socket.getaddrinfo(name, None, socket.AF_INET)
    except OSError:
        pytest.skip("this machine's name does not resolve")
    outbound = TrunkConfig("outbound", name, 5060, "udp", None, None, False, None, None)
    with pytest.raises(BackendError, match=f"claima: outbound upstream: {name} resolves to "), \
            engine.begin() as connection:
        backend.write_org(connection, OrgPBXConfig("claima", 0, trunks=(outbound,)))
    # A name that does not resolve now is left to the PBX, which looks it up at each call.
    elsewhere = dataclasses.replace(outbound, host="carrier.invalid")
    with engine.begin() as connection:
        assert backend.write_org(connection, OrgPBXConfig("claima", 0, trunks=(elsewhere,))) == []
