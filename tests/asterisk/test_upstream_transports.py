"""Upstreams over TCP and TLS, through the real Asterisk and FreeSWITCH: registration, calls out and calls in go
over the transport the trunk names; over TLS, an upstream whose certificate does not chain to
the trusted authorities gets nothing (tests/support/tls.py stands in front of a TCP sipp)."""
from __future__ import annotations

import re

import pytest

from littlepbx.pbx_backends.base import TrunkConfig
from tests.lanes import PORT_SHIFT
from tests.support.tls import authority, server_files, tls_front

from .helpers import PHONE_IPS, org_t1, password, registers
from .sipp import CALLER_PORT, PHONE_PORT, wait_until
from .test_upstream_networks import DID, registered_contact

pytestmark = [pytest.mark.asterisk, pytest.mark.backends("asterisk", "freeswitch")]
CARRIER = "127.0.0.56"
TLS_PORT = 25061 + PORT_SHIFT


def t1_through(transport: str, port: int = PHONE_PORT, register: bool = False):
    """t1 with its outbound upstream at CARRIER over ``transport``."""
    outbound = TrunkConfig("outbound", CARRIER, port, transport, "t1acct" if register else None,
                           "secret1" if register else None, register, None, None)
    return org_t1(trunks=(org_t1().trunk("inbound"), outbound))


def test_when_the_upstream_speaks_tcp_then_registration_and_calls_both_ways_go_over_tcp(t1_restored):
    pbx = t1_restored
    registrar = pbx.sipp.answering(CARRIER, scenario="registrar.xml", transport="t1")
    try:
        pbx.apply(t1_through("tcp", register=True))
        (contact,) = registered_contact(registrar)
        assert all("SIP/2.0/TCP" in m for m in registers(registrar.trace())), registrar.output()
        assert wait_until(lambda: pbx.backend.registration_state("t1") == "Registered", 15)
        # The carrier calls the registered contact over TCP, from its own address.
        callee = pbx.sipp.answering(PHONE_IPS["t1-101"])
        run = pbx.sipp.run("upstream_call_answered.xml", CARRIER, CALLER_PORT, service=contact, keys={"to": DID},
                           transport="t1")
        assert run.process.returncode == 0, run.output()
        assert callee.wait(10) == 0, callee.output()
        callee.stop()
    finally:
        pbx.apply(org_t1())
        registrar.wait(20)
        registrar.stop()
    # A phone's external call leaves over TCP.
    pbx.apply(t1_through("tcp"))
    upstream = pbx.sipp.answering(CARRIER, transport="t1")
    try:
        run = pbx.sipp.run("call_answered.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="+15559990000",
                           user="t1-102", password=password("t1-102"))
        assert run.process.returncode == 0, run.output()
        assert upstream.wait(10) == 0, upstream.output()
    finally:
        upstream.stop()
    assert re.search(rf"INVITE sip:\+15559990000@127\.0\.0\.56:{PHONE_PORT};transport=tcp SIP/2\.0\s+Via: SIP/2\.0/TCP",
                     upstream.trace()), upstream.output()


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
def test_when_the_upstream_speaks_tls_then_only_a_certificate_of_a_trusted_authority_gets_the_registration(
        t1_restored, tmp_path, trusted):
    pbx = t1_restored
    issuer = pbx.upstream_ca if trusted else authority(tmp_path, "Someone else")
    # A port per case: Asterisk would send the second case's REGISTER down the first one's connection.
    port = TLS_PORT if trusted else TLS_PORT + 2
    front = tls_front(CARRIER, port, PHONE_PORT, *server_files(tmp_path, CARRIER, issuer))
    registrar = pbx.sipp.answering(CARRIER, scenario="registrar.xml", transport="t1")
    try:
        pbx.apply(t1_through("tls", port, register=True))
        if trusted:
            assert wait_until(lambda: pbx.backend.registration_state("t1") == "Registered", 15), registrar.output()
            assert all("SIP/2.0/TLS" in m for m in registers(registrar.trace())), registrar.output()
        else:
            # Asterisk connects, checks the certificate, and hangs up before saying anything.
            assert wait_until(lambda: front.handshakes + front.refused, 15), "Asterisk never tried the TLS upstream"
            assert not wait_until(lambda: pbx.backend.registration_state("t1") == "Registered", 3)
            assert registers(registrar.trace()) == [], registrar.output()
    finally:
        pbx.apply(org_t1())
        if trusted:
            registrar.wait(20)  # the binding ended
        registrar.stop()
        front.close()
