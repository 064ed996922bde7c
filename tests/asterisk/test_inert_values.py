"""Values an admin or integrator sets reach Asterisk as exactly the text that was checked: its
realtime driver splits values at ';' and decodes ^XX escapes, so LittlePBX writes them escaped."""
from __future__ import annotations

import re

import pytest

from littlepbx.pbx_backends.base import TrunkConfig

from .helpers import PHONE_IPS, T1_UPSTREAM_OUT, extension, org_t1, password
from .sipp import CALLER_PORT, PHONE_PORT, wait_until

pytestmark = pytest.mark.asterisk

# Decoded by the driver, this would read: Eve" <999>  (a caller number of the admin's choosing),
# and the ';' would split it into two callerid settings.
TRICKY_NAME = "Eve^22 ^3C999^3E;x"


def test_when_a_display_name_holds_escapes_and_semicolons_then_the_callee_sees_it_as_typed(t1_restored):
    pbx = t1_restored
    base = org_t1()
    pbx.apply(org_t1(extensions=tuple(extension("t1", e.number, display_name=TRICKY_NAME) if e.number == "102" else e
                                      for e in base.extensions)))
    callee = pbx.sipp.answering(PHONE_IPS["t1-101"])
    try:
        run = pbx.sipp.run("call_answered.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="101", user="t1-102",
                           password=password("t1-102"))
        assert run.process.returncode == 0, run.output()
        assert callee.wait(10) == 0, callee.output()
    finally:
        callee.stop()
    from_header = re.search(r"^From:.*$", callee.trace(), re.M).group(0)
    assert f'"{TRICKY_NAME}" <sip:102@' in from_header, from_header


def test_when_an_upstream_password_holds_semicolons_and_carets_then_it_registers_with_exactly_it(t1_restored):
    pbx = t1_restored
    secret = "p;a^5Es^3Bw0rd"
    trunk = TrunkConfig("outbound", T1_UPSTREAM_OUT, PHONE_PORT, "udp", "acct9", secret, True, None, None)
    registrar = pbx.sipp.answering(T1_UPSTREAM_OUT, scenario="registrar_auth.xml",
                                   keys={"user": "acct9", "secret": secret})
    try:
        pbx.apply(org_t1(trunks=(org_t1().trunk("inbound"), trunk)))
        assert wait_until(lambda: pbx.backend.registration_state("t1") == "Registered", 20), registrar.output()
    finally:
        registrar.stop()
