"""How calls from upstreams are recognised, through the real Asterisk: by a source address, any
address of a source network, the addresses of a host name, or (for carriers that send calls to
the contact an org registered) by the registration's contact user from the carrier's addresses.
What another org holds fails the Apply; nobody else reaches anything."""
from __future__ import annotations

import re

import pytest

from littlepbx.pbx_backends.base import TrunkConfig

from .helpers import (
    PHONE_IPS,
    T1_UPSTREAM_IN,
    T2_UPSTREAM_IN,
    UNKNOWN_SOURCE,
    org_t1,
    org_t2,
    registering_trunk,
    registers,
    trunks,
    upstream_call,
)
from .sipp import CALLER_PORT, PHONE_PORT, wait_until

pytestmark = pytest.mark.asterisk
# What phones, callers and upstreams see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")
DID = "+15550101"
T2_DID = "+15550201"
CARRIER = "127.0.0.55"  # a registrar both orgs use


def t1_from(*sources):
    inbound, outbound = trunks(T1_UPSTREAM_IN, "127.0.0.52")
    inbound = TrunkConfig("inbound", inbound.host, PHONE_PORT, "udp", None, None, False, None, None, tuple(sources))
    return org_t1(trunks=(inbound, outbound))


@BOTH
def test_when_the_source_is_a_network_then_calls_from_any_of_its_addresses_are_the_orgs(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_from("127.0.0.48/30"))  # .48 to .51: the upstream calls from .51
    upstream_call(pbx, T1_UPSTREAM_IN, DID, PHONE_IPS["t1-101"], answered=True)
    upstream_call(pbx, UNKNOWN_SOURCE, DID, PHONE_IPS["t1-101"], answered=False)


@BOTH
def test_when_a_network_holds_another_orgs_address_then_that_address_stays_theirs_and_the_rest_applies(t1_restored):
    pbx = t1_restored
    notes = pbx.apply(t1_from("127.0.0.52/30"))  # .53 is t2's upstream
    assert notes == ["upstream address(es) 127.0.0.53 not claimed: calls from there belong to another organization"]
    upstream_call(pbx, "127.0.0.53", "+15550201", PHONE_IPS["t2-101"], answered=True)
    upstream_call(pbx, "127.0.0.54", DID, PHONE_IPS["t1-101"], answered=True)


@BOTH
def test_when_the_source_is_a_host_name_then_calls_from_what_it_resolves_to_are_the_orgs(t1_restored):
    pbx = t1_restored
    pbx.apply(t1_from("localhost"))  # 127.0.0.1
    upstream_call(pbx, "127.0.0.1", DID, PHONE_IPS["t1-101"], answered=True, port=CALLER_PORT)
    upstream_call(pbx, T1_UPSTREAM_IN, DID, PHONE_IPS["t1-101"], answered=False)


@BOTH
def test_when_a_source_host_name_does_not_resolve_then_the_org_keeps_its_addresses_and_the_apply_says_so(
        t1_restored):
    pbx = t1_restored
    notes = pbx.apply(t1_from("carrier.invalid"))
    assert len(notes) == 1 and "cannot look up carrier.invalid" in notes[0] and T1_UPSTREAM_IN in notes[0], notes
    upstream_call(pbx, T1_UPSTREAM_IN, DID, PHONE_IPS["t1-101"], answered=True)


def contact_users(trace: str) -> set[str]:
    """The contact users of the REGISTERs a registrar received."""
    return {m.group(1) for m in re.finditer(r"^\s*Contact:\s*<sip:([^@>]+)@", "".join(registers(trace)), re.M)}


def registered_contact(registrar, count: int = 1) -> list[str]:
    """The distinct contact users registered, once ``count`` of them have arrived."""
    assert wait_until(lambda: len(contact_users(registrar.trace())) >= count, 15), registrar.output()
    return sorted(contact_users(registrar.trace()))


@BOTH
def test_when_a_carrier_calls_the_registrations_contact_then_the_did_reaches_the_org_and_nobody_else_gets_in(
        t1_restored):
    pbx = t1_restored
    registrar = pbx.sipp.answering(CARRIER, scenario="registrar.xml")
    try:
        pbx.apply(org_t1(trunks=(org_t1().trunk("inbound"), registering_trunk(CARRIER, "t1acct"))))
        (contact,) = registered_contact(registrar)
        assert re.fullmatch(r"lp[0-9a-f]{20}", contact), contact
        # The carrier sends the call to the contact, from the address t1 registered with, DID in To.
        upstream_call(pbx, CARRIER, DID, PHONE_IPS["t1-101"], answered=True, request_user=contact, port=CALLER_PORT)
        # Whoever learns the contact user, from anywhere else, reaches nothing: an unknown address,
        # another org's upstream.
        for source in (UNKNOWN_SOURCE, T2_UPSTREAM_IN):
            upstream_call(pbx, source, DID, PHONE_IPS["t1-101"], answered=False, request_user=contact)
        # The carrier's address with another org's DID, or a contact user nobody registered.
        upstream_call(pbx, CARRIER, T2_DID, PHONE_IPS["t2-101"], answered=False, request_user=contact,
                      port=CALLER_PORT)
        upstream_call(pbx, CARRIER, DID, PHONE_IPS["t1-101"], answered=False, request_user="lp" + "0" * 20,
                      port=CALLER_PORT)
        # An Apply that keeps the registration keeps its contact: the carrier's calls keep arriving.
        pbx.apply(org_t1(trunks=(org_t1().trunk("inbound"), registering_trunk(CARRIER, "t1acct")),
                         max_concurrent_calls=5))
        upstream_call(pbx, CARRIER, DID, PHONE_IPS["t1-101"], answered=True, request_user=contact, port=CALLER_PORT)
        pbx.apply(org_t1())  # no registration: its contact reaches nothing
        assert registrar.wait(20) == 0, registrar.output()
        upstream_call(pbx, CARRIER, DID, PHONE_IPS["t1-101"], answered=False, request_user=contact, port=CALLER_PORT)
    finally:
        registrar.stop()


@BOTH
def test_when_two_orgs_register_with_one_carrier_then_each_contact_reaches_its_own_org(t1_restored):
    pbx = t1_restored
    registrar = pbx.sipp.answering(CARRIER, scenario="registrar.xml", calls=2)
    try:
        pbx.apply(org_t1(trunks=(org_t1().trunk("inbound"), registering_trunk(CARRIER, "t1acct"))))
        (t1_contact,) = registered_contact(registrar)
        pbx.apply(org_t2(trunks=(org_t2().trunk("inbound"), registering_trunk(CARRIER, "t2acct"))))
        (t2_contact,) = set(registered_contact(registrar, 2)) - {t1_contact}
        upstream_call(pbx, CARRIER, T2_DID, PHONE_IPS["t2-101"], answered=True, request_user=t2_contact,
                      port=CALLER_PORT)
        upstream_call(pbx, CARRIER, DID, PHONE_IPS["t1-101"], answered=True, request_user=t1_contact,
                      port=CALLER_PORT)
        upstream_call(pbx, CARRIER, DID, PHONE_IPS["t1-101"], answered=False, request_user=t2_contact,
                      port=CALLER_PORT)
    finally:
        pbx.apply(org_t1())
        pbx.apply(org_t2())
        registrar.wait(20)
        registrar.stop()
