"""System tests against the real Asterisk: registration, calls, isolation between organizations."""
from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import select, update

from littlepbx.pbx_backends.asterisk import tables
from littlepbx.pbx_backends.asterisk.backend import md5_credentials
from littlepbx.pbx_backends.freeswitch import plans

from .helpers import (
    PHONE_IPS,
    T1_UPSTREAM_IN,
    T2_UPSTREAM_IN,
    UNKNOWN_SOURCE,
    call,
    extension,
    org_t1,
    password,
    register,
    upstream_call,
)
from .sipp import PHONE_PORT

pytestmark = pytest.mark.asterisk
# What a phone, a caller and an upstream see, the same on either PBX.
BOTH = pytest.mark.backends("asterisk", "freeswitch")


# --- 1. registration -----------------------------------------------------------------------------

def test_when_phone_registers_with_right_password_then_contact_is_stored(orgs):
    """Digest auth succeeds and the contact row is written (Asterisk writes all its columns)."""
    with orgs.engine.connect() as connection:
        contacts = connection.execute(select(tables.ps_contacts.c.id, tables.ps_contacts.c.uri)
                                      .where(tables.ps_contacts.c.endpoint == "t1-101")).all()
    assert len(contacts) == 1 and f"127.0.0.11:{PHONE_PORT}" in contacts[0].uri, contacts


def test_asterisk_holds_a_digest_of_a_phones_credentials_not_its_password(orgs):
    with orgs.engine.connect() as connection:
        row = connection.execute(select(tables.ps_auths).where(tables.ps_auths.c.id == "t1-101")).mappings().one()
    assert row["auth_type"] == "md5" and row["password"] is None
    assert len(row["md5_cred"]) == 32 and password("t1-101") not in str(dict(row))


@pytest.mark.backends("freeswitch")
def test_freeswitch_holds_a_digest_of_a_phones_credentials_and_a_plan_from_before_still_registers(t1_restored):
    pbx = t1_restored
    table = plans.lp_fs_plans
    with pbx.engine.connect() as connection:
        plan = connection.scalar(select(table.c.plan).where(table.c.code == "t1"))
    assert password("t1-101") not in plan
    assert f'"{plans.DIGEST}{md5_credentials("t1-101", password("t1-101"))}"' in plan
    register(pbx, "t1-101")
    # A plan an earlier release wrote holds the password itself: its phones register until the next Apply.
    with pbx.engine.begin() as connection:
        connection.execute(update(table).where(table.c.code == "t1").values(plan=plans.encode(org_t1()),
                                                                            version=secrets.randbits(62)))
    register(pbx, "t1-101")


def test_when_phone_registers_again_within_the_same_second_then_it_stays_reachable(orgs):
    """An unchanged contact row is still "updated" (ODBC FOUND_ROWS): otherwise Asterisk drops it."""
    for _ in range(3):
        register(orgs, "t1-103")
    with orgs.engine.connect() as connection:
        contacts = connection.execute(select(tables.ps_contacts.c.uri)
                                      .where(tables.ps_contacts.c.endpoint == "t1-103")).scalars().all()
    assert len(contacts) == 1, contacts
    call(orgs, "t1-102", "103", PHONE_IPS["t1-103"], answered=True)


@BOTH
def test_when_phone_registers_with_wrong_password_then_it_is_refused(orgs):
    run = orgs.sipp.run("register_refused.xml", "127.0.0.14", user="t1-101", password="wrong")
    assert run.process.returncode == 0, run.output()


@BOTH
def test_when_phone_registers_as_other_orgs_endpoint_with_own_password_then_it_is_refused(orgs):
    run = orgs.sipp.run("register_refused.xml", "127.0.0.14", user="t2-101", password=password("t1-101"))
    assert run.process.returncode == 0, run.output()


def test_when_an_apply_changes_a_password_or_deletes_a_phone_then_asterisk_forgets_what_it_cached(t1_restored):
    # Asterisk keeps endpoints, auths and AORs it has read (sorcery.conf); t1-103 registered, so
    # they are in its cache. The Apply that changes them must take effect at once all the same.
    pbx = t1_restored
    register(pbx, "t1-103")
    assert "t1-103" in pbx.cli("sorcery memory cache dump lp_auths")
    pbx.apply(org_t1(extensions=(extension("t1", "101"), extension("t1", "102"),
                                 extension("t1", "103", sip_password="a-new-secret"))))
    old = pbx.sipp.run("register_refused.xml", PHONE_IPS["t1-103"], user="t1-103", password=password("t1-103"))
    assert old.process.returncode == 0, old.output()
    new = pbx.sipp.run("register.xml", PHONE_IPS["t1-103"], user="t1-103", password="a-new-secret")
    assert new.process.returncode == 0, new.output()

    try:
        pbx.apply(org_t1(extensions=(extension("t1", "101"), extension("t1", "102"))))
        gone = pbx.sipp.run("register_refused.xml", PHONE_IPS["t1-103"], user="t1-103", password="a-new-secret")
        assert gone.process.returncode == 0, gone.output()
        assert "t1-103" not in pbx.cli("sorcery memory cache dump lp_endpoints")
    finally:
        pbx.apply(org_t1())
        register(pbx, "t1-103")  # as the other tests expect it


# --- 2. calls inside an organization ---------------------------------------------------------------

@BOTH
def test_when_extension_calls_extension_of_same_org_then_call_connects(orgs):
    call(orgs, "t1-102", "101", PHONE_IPS["t1-101"], answered=True)


@BOTH
def test_when_other_org_dials_same_number_then_its_own_extension_answers(orgs):
    callee = call(orgs, "t2-102", "101", PHONE_IPS["t2-101"], answered=True)
    assert "INVITE sip:t2-101@127.0.0.21" in callee.trace()


# --- 3. isolation ---------------------------------------------------------------------------------

@BOTH
@pytest.mark.parametrize("dialled", ["102&PJSIP/t2-101", "102%26PJSIP%2Ft2-101", "t2-101", "PJSIP/t2-101",
                                     "102,PJSIP/t2-101", "102)&PJSIP/t2-101"])
def test_when_phone_dials_crafted_string_then_call_is_refused(orgs, dialled):
    call(orgs, "t1-102", dialled, PHONE_IPS["t2-101"], answered=False)


@BOTH
def test_when_phone_dials_an_unknown_extension_then_call_is_refused(orgs):
    call(orgs, "t1-102", "109", None, answered=False)


# --- 4. inbound from upstreams ---------------------------------------------------------------------

@BOTH
def test_when_upstream_calls_its_orgs_did_then_did_extension_rings(orgs):
    upstream_call(orgs, T1_UPSTREAM_IN, "+15550101", PHONE_IPS["t1-101"], answered=True)


@BOTH
def test_when_upstream_calls_did_without_plus_then_did_extension_rings(orgs):
    upstream_call(orgs, T2_UPSTREAM_IN, "15550201", PHONE_IPS["t2-101"], answered=True)


@BOTH
def test_when_unknown_source_calls_a_did_then_call_is_refused(orgs):
    upstream_call(orgs, UNKNOWN_SOURCE, "+15550101", PHONE_IPS["t1-101"], answered=False)


def calls_processed(pbx) -> int:
    """How many calls Asterisk has run the dialplan for since it started."""
    output = pbx.cli("core show channels count")
    return int(re.search(r"(\d+) calls? processed", output).group(1))


def test_when_an_unknown_address_sends_an_invite_then_it_is_challenged_and_runs_no_dialplan(orgs):
    """A scanner's INVITE meets no endpoint (only upstreams' addresses are identified): Asterisk
    asks it to authenticate and starts no call; an upstream's call from a known address still
    runs (and is counted)."""
    before = calls_processed(orgs)
    for user in ("+15550101", "101"):
        run = orgs.sipp.run("upstream_call_refused.xml", UNKNOWN_SOURCE, PHONE_PORT, service=user,
                            keys={"to": user})
        assert run.process.returncode == 0, run.output()
        assert "SIP/2.0 401" in run.trace(), run.output()
    assert calls_processed(orgs) == before
    upstream_call(orgs, T1_UPSTREAM_IN, "+15550101", PHONE_IPS["t1-101"], answered=True)
    assert calls_processed(orgs) > before


def test_asterisk_reads_every_line_of_the_dialplan_it_is_given(orgs):
    """A ";" in extensions.conf starts a comment: an unescaped one cut a line in two (a TLS phone
    was never rung). Asterisk complains of such a line when it loads the dialplan."""
    log = (orgs.workdir / "asterisk.log").read_text(errors="replace")
    assert "Asterisk Ready" in log  # the log holds what Asterisk said while it started
    assert not re.findall(r"(?:WARNING|ERROR)\[\d+\]: pbx_config\.c:\d+ pbx_load_config: .*", log)


def test_a_call_makes_asterisk_look_up_no_host_name(orgs):
    """Asterisk resolves its own host name for each call's RTCP, and asks DNS for
    A.ROOT-SERVERS.NET when that fails: queries that block a SIP thread for seconds where DNS is
    slow (here there is none for this machine's name), so a scanner's INVITEs stalled everyone."""
    log = orgs.workdir / "asterisk.log"
    before = log.stat().st_size
    upstream_call(orgs, UNKNOWN_SOURCE, "+15550101", PHONE_IPS["t1-101"], answered=False)
    call(orgs, "t1-102", "101", PHONE_IPS["t1-101"], answered=True)
    with log.open(errors="replace") as text:
        text.seek(before)
        assert "Unable to lookup" not in text.read()


@BOTH
def test_when_other_orgs_upstream_calls_a_did_then_call_is_refused(orgs):
    upstream_call(orgs, T2_UPSTREAM_IN, "+15550101", PHONE_IPS["t1-101"], answered=False)


@BOTH
@pytest.mark.parametrize("dialled", ["101", "t1-101", "+15550101&PJSIP/t1-101"])
def test_when_upstream_dials_an_extension_directly_then_call_is_refused(orgs, dialled):
    upstream_call(orgs, T1_UPSTREAM_IN, dialled, PHONE_IPS["t1-101"], answered=False)


@BOTH
@pytest.mark.parametrize("from_user", ["t1-trunk-out", "t1-101", "anonymous", "lp-upstream"])
def test_when_unknown_source_claims_a_trunk_or_phone_identity_then_call_is_refused(orgs, from_user):
    """A trunk endpoint is never identified by From user; a phone's name is challenged, never trusted."""
    callee = orgs.sipp.answering(PHONE_IPS["t1-101"])
    try:
        run = orgs.sipp.run("upstream_call_refused.xml", UNKNOWN_SOURCE, PHONE_PORT, service="101",
                            keys={"user": from_user})
        assert run.process.returncode == 0, run.output()
        assert "INVITE sip:" not in callee.trace()
    finally:
        callee.stop()
