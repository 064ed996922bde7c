"""What LittlePBX answers FreeSWITCH's mod_xml_curl, checked without FreeSWITCH: the directory
gives a phone only its own credentials, and each call's dialplan reaches only its own org."""
from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from littlepbx.pbx_backends.base import (
    AnnouncementConfig,
    BackendError,
    BlockedCallerConfig,
    CallSettingsConfig,
    ConferenceConfig,
    DialRuleConfig,
    DidConfig,
    IvrConfig,
    MohConfig,
    MusicClassConfig,
    PhoneState,
    QueueConfig,
    RingGroupConfig,
    TimeConditionConfig,
    TrunkConfig,
)
from littlepbx.pbx_backends.freeswitch import documents
from littlepbx.pbx_backends.freeswitch.backend import validate_for_freeswitch
from littlepbx.pbx_backends.freeswitch.plans import decode, encode
from littlepbx.services import call_recordings
from tests.asterisk.helpers import T1_UPSTREAM_IN, T2_UPSTREAM_IN, extension, org_t1, org_t2, password

ORGS = {"t1": org_t1(max_concurrent_calls=2, emergency_numbers=("911",), country_code="1"), "t2": org_t2()}
SOURCES = {T1_UPSTREAM_IN: "t1", T2_UPSTREAM_IN: "t2"}
LOOKUP = documents.Lookup(plan_of=ORGS.get, org_at=SOURCES.get, upstream_addresses=lambda: sorted(SOURCES))


def parsed(document: str) -> ET.Element:
    return ET.fromstring(document)


def actions(document: str) -> list[tuple[str, str]]:
    return [(a.get("application"), a.get("data") or "") for a in parsed(document).iter("action")]


def phone_dials(phone: str, dialled: str) -> list[tuple[str, str]]:
    code, number = phone.split("-")
    return actions(documents.dialplan({"section": "dialplan", "Hunt-Context": documents.PHONE_CONTEXT,
                                       "Hunt-Destination-Number": dialled, "variable_lp_org": code,
                                       "variable_lp_ext": number}, LOOKUP))


def upstream_sends(address: str, dialled: str) -> list[tuple[str, str]]:
    return actions(documents.dialplan({"section": "dialplan", "Hunt-Context": documents.UPSTREAM_CONTEXT,
                                       "Hunt-Destination-Number": dialled, "variable_sip_network_ip": address},
                                      LOOKUP))


def ringing(user: str, group: str = "") -> str:
    """How the plan rings an extension's own phone ("t1-101"), beside its pickup spaces."""
    code = user.partition("-")[0]
    return (f"{{fail_on_single_reject=true}}[lp_callee={user},execute_on_answer=limit hash lp_phones {user}]"
            f"sofia/lp/{user}%littlepbx,pickup/lp-p-{user},pickup/lp-g-{code}{group and '-' + group}")


def bridged(plan: list[tuple[str, str]]) -> list[str]:
    return [data for application, data in plan if application == "bridge"]


def test_a_phone_authenticating_gets_its_own_password_and_org():
    answer = parsed(documents.directory({"section": "directory", "action": "sip_auth", "user": "t2-101",
                                         "domain": documents.DOMAIN}, LOOKUP))
    user = answer.find(".//user")
    assert user.get("id") == "t2-101"
    assert {p.get("name"): p.get("value") for p in user.iter("param")}["password"] == password("t2-101")
    variables = {v.get("name"): v.get("value") for v in user.iter("variable")}
    assert variables["lp_org"] == "t2" and variables["lp_ext"] == "101"


@pytest.mark.parametrize("user,domain", [("t9-101", ""), ("t1-109", ""), ("101", "t1"), ("t1-101@t2", ""),
                                         ("T1-101", ""), ("t1-101 ", "")])
def test_a_login_as_anything_but_an_existing_phone_finds_nobody(user, domain):
    answer = documents.directory({"section": "directory", "action": "sip_auth", "user": user, "domain": domain},
                                 LOOKUP)
    assert parsed(answer).find(".//user") is None and 'status="not found"' in answer


def test_a_mailbox_is_found_by_number_in_its_orgs_domain_only():
    answer = parsed(documents.directory({"section": "directory", "action": "voicemail-lookup", "user": "102",
                                         "domain": "t2"}, LOOKUP))
    assert {p.get("name"): p.get("value") for p in answer.iter("param")}["vm-password"] == "1029"
    assert 'status="not found"' in documents.directory({"section": "directory", "user": "103", "domain": "t2"},
                                                        LOOKUP)


def test_a_display_name_cannot_inject_freeswitch_syntax():
    org = org_t1(extensions=(extension("t1", "101", display_name="Bob ${system(id)} [x],y"),))
    lookup = documents.Lookup(plan_of={"t1": org}.get, org_at=SOURCES.get)
    answer = parsed(documents.directory({"action": "sip_auth", "user": "t1-101"}, lookup))
    name = {v.get("name"): v.get("value") for v in answer.iter("variable")}["effective_caller_id_name"]
    assert name == "Bob system(id) x y"


def test_a_phone_dialling_an_extension_rings_its_own_orgs_phone():
    plan = phone_dials("t2-102", "101")
    assert bridged(plan) == [ringing("t2-101")]
    assert ("limit", "hash lp_calls t2") in plan


@pytest.mark.parametrize("dialled", ["102&PJSIP/t2-101", "t2-101", "102,sofia/lp/t2-101", "${t2}", "",
                                     "1" * 40, "109"])
def test_a_crafted_or_unknown_number_is_refused(dialled):
    plan = phone_dials("t1-102", dialled)
    assert not bridged(plan) and plan[-1][0] == "hangup"


def test_the_call_limit_makes_the_org_busy():
    assert ("limit", "hash lp_calls t1 2 !USER_BUSY") in phone_dials("t1-101", "102")


def test_an_emergency_number_goes_out_before_the_limit_through_the_orgs_own_upstream():
    plan = phone_dials("t1-101", "911")
    assert ("limit", "hash lp_calls t1") in plan
    assert bridged(plan) == [f"sofia/lp/sip:911@{ORGS['t1'].trunk('outbound').host}:25060;transport=udp"]


def test_an_outside_number_goes_through_the_callers_org_upstream_only():
    assert [b.split("@")[1] for b in bridged(phone_dials("t2-101", "+14155550100"))] == [
        f"{ORGS['t2'].trunk('outbound').host}:25060;transport=udp"]


def test_an_extension_that_may_not_call_out_is_refused():
    org = org_t1(extensions=(extension("t1", "101", outside_calls="none"),))
    lookup = documents.Lookup(plan_of={"t1": org}.get, org_at=SOURCES.get)
    plan = actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "Hunt-Destination-Number":
                                       "+14155550100", "variable_lp_org": "t1", "variable_lp_ext": "101"}, lookup))
    assert not bridged(plan)


def test_an_upstream_reaches_its_own_orgs_did_only():
    assert bridged(upstream_sends(T1_UPSTREAM_IN, "+15550101")) == [ringing("t1-101")]
    assert bridged(upstream_sends(T1_UPSTREAM_IN, "15550101")) == [ringing("t1-101")]
    for address, dialled in ((T2_UPSTREAM_IN, "+15550101"), ("127.0.0.59", "+15550101"), (T1_UPSTREAM_IN, "101")):
        assert not bridged(upstream_sends(address, dialled)), (address, dialled)


def test_a_call_without_an_authenticated_phone_in_the_phone_context_is_refused():
    plan = actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "Hunt-Destination-Number": "101"},
                                      LOOKUP))
    assert not bridged(plan)


def test_unanswered_calls_go_to_voicemail_or_a_forward():
    org = org_t1(extensions=(extension("t1", "101", no_answer="voicemail", voicemail_enabled=True),
                             extension("t1", "102", no_answer="forward", forward_to="+14155550100"),
                             extension("t1", "103")))
    lookup = documents.Lookup(plan_of={"t1": org}.get, org_at=SOURCES.get)

    def dial(number):
        return actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "Hunt-Destination-Number":
                                           number, "variable_lp_org": "t1", "variable_lp_ext": "103"}, lookup))
    assert ("voicemail", "default t1 101") in dial("101")
    assert bridged(dial("102"))[-1].startswith("sofia/lp/sip:+14155550100@")


def test_the_upstream_address_list_names_every_upstream_source():
    answer = parsed(documents.configuration({"section": "configuration", "key_value": "acl.conf"}, LOOKUP))
    cidrs = {node.get("cidr") for node in answer.iter("node")}
    assert {f"{T1_UPSTREAM_IN}/32", f"{T2_UPSTREAM_IN}/32"} <= cidrs
    assert 'status="not found"' in documents.configuration({"key_value": "sofia.conf"}, LOOKUP)


def test_a_plan_survives_its_json_form():
    org = ORGS["t1"]
    assert decode(encode(org)) == org


def test_what_the_freeswitch_backend_cannot_carry_is_refused_by_name():
    group = RingGroupConfig("600", "Sales", ("101",), "ringall", 20, "Sales: ", "hangup")
    with pytest.raises(BackendError, match="ring group 600"):
        validate_for_freeswitch(org_t1(ringgroups=(group,)))
    unsafe = dataclasses.replace(org_t1().trunk("outbound"), username="u", password="pa${ss}")
    with pytest.raises(BackendError, match="password"):
        validate_for_freeswitch(org_t1(trunks=(org_t1().trunk("inbound"), unsafe)))
    validate_for_freeswitch(org_t1(trunks=(TrunkConfig("outbound", "sip.example.com", 5060, "udp", "u", "Pa55-w0rd",
                                                       False, None, None),)))


def test_the_orgs_music_on_hold_is_what_its_calls_hold_with():
    org = org_t1(moh=MohConfig(True, "/var/lib/littlepbx/moh/t1/abc/music.wav"))
    lookup = documents.Lookup(plan_of={"t1": org}.get, org_at=SOURCES.get)
    plan = actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "Hunt-Destination-Number": "102",
                                       "variable_lp_org": "t1", "variable_lp_ext": "101"}, lookup))
    assert ("export", "hold_music=/var/lib/littlepbx/moh/t1/abc/music.wav") in plan
    assert not [a for a in phone_dials("t2-101", "102") if a[1].startswith("hold_music")]


def test_registering_upstreams_are_gateways_that_register_with_the_orgs_own_contact_user():
    trunk = TrunkConfig("outbound", "sip.carrier.example", 5060, "udp", "acct1", "Secret-1", True, None, None)
    registering = org_t1(trunks=(org_t1().trunk("inbound"), trunk))
    contact = documents.contact_user("server-secret", "t1")
    lookup = documents.Lookup(plan_of={"t1": registering, "t2": ORGS["t2"]}.get, org_at=SOURCES.get,
                              registering=lambda: [registering],
                              contact_of=lambda code: documents.contact_user("server-secret", code))
    answer = parsed(documents.directory({"section": "directory", "purpose": "gateways"}, lookup))
    (gateway,) = answer.iter("gateway")
    params = {p.get("name"): p.get("value") for p in gateway.iter("param")}
    assert gateway.get("name") == "t1-trunk-out" and params["extension"] == contact
    assert params["username"] == "acct1" and params["register"] == "true"
    assert params["proxy"] == params["register-proxy"] == "sip.carrier.example:5060"
    over_tls = org_t1(trunks=(org_t1().trunk("inbound"), dataclasses.replace(trunk, transport="tls", port=5061)))
    tls_lookup = dataclasses.replace(lookup, registering=lambda: [over_tls])
    (gateway,) = parsed(documents.directory({"section": "directory", "purpose": "gateways"}, tls_lookup)).iter("gateway")
    params_tls = {p.get("name"): p.get("value") for p in gateway.iter("param")}
    assert params_tls["proxy"] == "sip.carrier.example:5061;transport=tls", "sent as the trunk says, not over UDP"
    assert params_tls["register-transport"] == "tls"
    assert documents.CONTACT_USER.fullmatch(contact) and contact != documents.contact_user("server-secret", "t2")
    # ... and calls out of t1 leave through that registration
    plan = actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "Hunt-Destination-Number":
                                       "+14155550100", "variable_lp_org": "t1", "variable_lp_ext": "101"}, lookup))
    assert bridged(plan) == ["sofia/gateway/t1-trunk-out/+14155550100"]


def test_a_call_to_a_registrations_contact_reaches_the_org_only_from_its_carrier():
    contact = documents.contact_user("server-secret", "t1")
    lines = {f"{contact}@192.0.2.7": "t1"}
    lookup = documents.Lookup(plan_of=ORGS.get, org_at=SOURCES.get, org_on_line=lines.get)

    def carrier_sends(address, did):
        return actions(documents.dialplan({"Hunt-Context": documents.UPSTREAM_CONTEXT, "Hunt-Destination-Number":
                                           contact, "variable_sip_to_user": did,
                                           "variable_sip_network_ip": address}, lookup))
    assert bridged(carrier_sends("192.0.2.7", "+15550101")) == [ringing("t1-101")]
    assert not bridged(carrier_sends("192.0.2.8", "+15550101")), "from another address: nobody's"
    assert not bridged(carrier_sends("192.0.2.7", "+15550201")), "another org's DID: refused"


def dialplan_of(org, phone: str | None, dialled: str, caller: str = "", **lookup) -> list[tuple[str, str]]:
    """The plan of ``org``'s phone ``phone`` (None: its upstream, from ``caller``) dialling
    ``dialled``; ``lookup``: more of the Lookup (what phones switched, ...)."""
    lookup = documents.Lookup(plan_of={org.code: org}.get, org_at={T1_UPSTREAM_IN: org.code}.get, **lookup)
    if phone is None:
        params = {"Hunt-Context": documents.UPSTREAM_CONTEXT, "variable_sip_network_ip": T1_UPSTREAM_IN,
                  "Caller-Caller-ID-Number": caller}
    else:
        params = {"Hunt-Context": documents.PHONE_CONTEXT, "variable_lp_org": org.code, "variable_lp_ext": phone}
    return actions(documents.dialplan({**params, "Hunt-Destination-Number": dialled}, lookup))


def test_a_ring_group_rings_its_own_phones_and_outside_numbers_all_at_once_or_one_by_one():
    together = RingGroupConfig("600", "Sales", ("101", "102", "+15559990000", "t2-101"), "ringall", 7, "Sales",
                               "voicemail:103")
    org = org_t1(ringgroups=(together, dataclasses.replace(together, number="601", strategy="hunt")),
                 extensions=(extension("t1", "101"), extension("t1", "102"), extension("t1", "103", voicemail_enabled=True)))
    (legs,) = bridged(dialplan_of(org, "103", "600"))
    assert legs.split(",[")[:2] == ["[leg_timeout=8,lp_callee=t1-101,execute_on_answer=limit hash lp_phones t1-101]sofia/lp/t1-101%littlepbx",
                                    "leg_timeout=8,lp_callee=t1-102,execute_on_answer=limit hash lp_phones t1-102]sofia/lp/t1-102%littlepbx"]
    assert legs.split(",[")[2] == ("leg_timeout=8,origination_caller_id_number=+15550101]"
                                   "sofia/lp/sip:+15559990000@127.0.0.52:25060;transport=udp")
    assert len(legs.split(",[")) == 3, "t2-101 is no member of t1's"
    plan = dialplan_of(org, "103", "600")
    assert ("set", "call_timeout=8") in plan, "7 s, in whole seconds of the clock"
    assert ("set", "effective_caller_id_name=Sales ${caller_id_name}") in plan
    assert ("voicemail", "default t1 103") in plan, "nobody answered: the group's destination"
    assert len(bridged(dialplan_of(org, "103", "601"))) == 3, "one by one"


def test_a_call_ringing_a_groups_registered_phones_waits_where_those_phones_pick_calls_up():
    group = RingGroupConfig("600", "Sales", ("101", "102", "+15559990000"), "ringall", 7, "", "hangup")
    org = org_t1(ringgroups=(group, dataclasses.replace(group, number="601", strategy="hunt")),
                 extensions=(extension("t1", "101", pickup_group="sales"), extension("t1", "102"),
                             extension("t1", "103")))
    registered = {"contact": lambda user: "sofia/lp/sip:x@127.0.0.12:25060" if user == "t1-102" else ""}
    (together,) = bridged(dialplan_of(org, "103", "600", **registered))
    assert sorted(together.split(",")[-2:]) == ["pickup/lp-g-t1", "pickup/lp-p-t1-102"], together
    assert "lp-p-t1-101" not in together and "lp-g-t1-sales" not in together, "101 is not connected: nothing waits for it"
    one_by_one = bridged(dialplan_of(org, "103", "601", **registered))
    assert "pickup/" not in one_by_one[0] and one_by_one[1].startswith("{fail_on_single_reject=true}")
    assert one_by_one[1].endswith(",pickup/lp-p-t1-102,pickup/lp-g-t1"), "its turn ends when the phone refuses"
    assert "pickup/" not in one_by_one[2], "an outside number is picked up by nobody"
    follows = org_t1(extensions=(extension("t1", "101", follow_me=("102", "+15559990000")), extension("t1", "102"),
                                 extension("t1", "103")))
    followed = [legs for legs in bridged(dialplan_of(follows, "103", "101", **registered)) if "t1-102%" in legs]
    assert len(followed) == 1 and followed[0].endswith(",pickup/lp-p-t1-102,pickup/lp-g-t1"), followed


def test_blocked_callers_are_refused_or_sent_where_the_org_says_by_number_then_longest_prefix():
    org = org_t1(blocked_callers=(BlockedCallerConfig("+15550000001", "exact", None),
                                  BlockedCallerConfig("1555", "prefix", "voicemail:101"),
                                  BlockedCallerConfig("155577", "prefix", "102")),
                 extensions=(extension("t1", "101", voicemail_enabled=True), extension("t1", "102")))
    assert ("hangup", "CALL_REJECTED") in dialplan_of(org, None, "+15550101", caller="+15550000001")
    assert ("voicemail", "default t1 101") in dialplan_of(org, None, "+15550101", caller="+15551234567")
    assert bridged(dialplan_of(org, None, "+15550101", caller="15557700000")) == [
        ringing("t1-102")]
    assert bridged(dialplan_of(org, None, "+15550101", caller="+4930123456")) == [
        ringing("t1-101")]


def test_dial_rules_rewrite_what_goes_out_and_say_what_calls_abroad():
    rules = (DialRuleConfig("9NXXXXXX", 1, "+1555", False), DialRuleConfig("011.", 3, "+", True))
    org = org_t1(dialrules=rules, country_code="1",
                 extensions=(extension("t1", "101", outside_calls="national"), extension("t1", "102")))
    assert bridged(dialplan_of(org, "101", "92345678"))[-1].startswith("sofia/lp/sip:+15552345678@")
    assert not bridged(dialplan_of(org, "101", "01149301234")), "abroad: not for a national extension"
    assert bridged(dialplan_of(org, "102", "01149301234"))[-1].startswith("sofia/lp/sip:+49301234@")
    assert not bridged(dialplan_of(org, "101", "5550199")), "no rule made it: a national extension may not"
    assert not bridged(dialplan_of(org, "102", "923")), "a short number no rule matches"


def test_an_announcement_plays_then_the_call_goes_on():
    org = org_t1(announcements=(AnnouncementConfig("welcome", "Welcome", "/var/lib/littlepbx/prompts/t1/w.wav", "102"),),
                 dids=(DidConfig("+15550101", "announcement:welcome"),))
    plan = dialplan_of(org, None, "+15550101")
    assert plan.index(("playback", "/var/lib/littlepbx/prompts/t1/w.wav")) < plan.index(
        ("bridge", ringing("t1-102")))


class Switches:
    """The time conditions' forced states as lp_time_overrides holds them, at a fixed time."""

    def __init__(self, moment: datetime):
        self.states: dict[tuple[str, str], str] = {}
        self.moment = moment

    def lookup(self, org) -> documents.Lookup:
        return documents.Lookup(plan_of={org.code: org}.get, org_at={T1_UPSTREAM_IN: org.code}.get,
                                forced=lambda code, name: self.states.get((code, name), "auto"),
                                force=lambda code, name, state: self.states.__setitem__((code, name), state),
                                now=lambda: self.moment)

    def dial(self, org, phone: str | None, dialled: str) -> list[tuple[str, str]]:
        if phone is None:
            params = {"Hunt-Context": documents.UPSTREAM_CONTEXT, "variable_sip_network_ip": T1_UPSTREAM_IN}
        else:
            params = {"Hunt-Context": documents.PHONE_CONTEXT, "variable_lp_org": org.code, "variable_lp_ext": phone}
        return actions(documents.dialplan({**params, "Hunt-Destination-Number": dialled}, self.lookup(org)))


def hours_org(schedule, holidays=(), timezone="UTC", toggle_code=7):
    condition = TimeConditionConfig("hours", "Business hours", tuple(schedule), tuple(holidays), "101", "102",
                                    toggle_code, timezone)
    return org_t1(dids=(DidConfig("+15550101", "timecondition:hours"),), timeconditions=(condition,))


def rung(plan: list[tuple[str, str]]) -> list[str]:
    """The phone (or last phone) each bridge rings, its pickup spaces aside."""
    return [re.sub(r",pickup/[^,]*", "", leg).rpartition("/")[2].partition("%")[0] for leg in bridged(plan)]


def test_a_time_condition_rings_its_open_destination_in_its_hours_read_in_its_time_zone():
    # Friday 2026-11-27 16:30 UTC is 01:30 on Saturday in Tokyo.
    switches = Switches(datetime(2026, 11, 27, 16, 30, tzinfo=UTC))
    assert rung(switches.dial(hours_org(("mon-fri 09:00-17:00",)), None, "+15550101")) == ["t1-101"]
    assert rung(switches.dial(hours_org(("mon-fri 09:00-16:30",)), None, "+15550101")) == ["t1-102"], \
        "closed from the end minute on"
    assert rung(switches.dial(hours_org(("mon-fri 09:00-17:00",), timezone="Asia/Tokyo"), None, "+15550101")) \
        == ["t1-102"]
    assert rung(switches.dial(hours_org(("sat-sun 01:00-02:00",), timezone="Asia/Tokyo"), None, "+15550101")) \
        == ["t1-101"]
    assert rung(switches.dial(hours_org(("mon-fri 09:00-17:00",), holidays=("2026-11-27",)), None, "+15550101")) \
        == ["t1-102"], "a holiday is closed all day"


def test_a_phones_switch_code_forces_the_condition_against_its_hours_then_back_and_another_code_is_refused():
    switches = Switches(datetime(2026, 11, 27, 16, 30, tzinfo=UTC))
    org = hours_org(("mon-fri 09:00-17:00",))
    plan = switches.dial(org, "103", "*287")
    assert ("playback", documents.SWITCHED_ON) in plan and switches.states == {("t1", "hours"): "closed"}
    assert rung(switches.dial(org, None, "+15550101")) == ["t1-102"], "forced closed in its hours"
    plan = switches.dial(org, "103", "*287")
    assert ("playback", documents.SWITCHED_OFF) in plan and switches.states == {("t1", "hours"): "auto"}
    assert rung(switches.dial(org, None, "+15550101")) == ["t1-101"]
    for dialled in ("*288", "*28", "*2807", "*287*"):
        assert switches.dial(org, "103", dialled)[-1] == ("hangup", "UNALLOCATED_NUMBER"), dialled
    assert switches.states == {("t1", "hours"): "auto"}
    no_code = hours_org(("mon-fri 09:00-17:00",), toggle_code=None)
    assert switches.dial(no_code, "103", "*28")[-1] == ("hangup", "UNALLOCATED_NUMBER")


def menu_org(*options, direct_dial=False, repeats=0):
    ivr = IvrConfig("main", "Main menu", None, tuple(options), direct_dial, 2, repeats, "103", "hangup")
    return org_t1(dids=(DidConfig("+15550101", "ivr:main"),), ivrs=(ivr,),
                  ringgroups=(RingGroupConfig("600", "Sales", ("101",), "ringall", 5, "", "hangup"),))


def menu_step(org, step: str, plays: int = 1, **variables) -> list[tuple[str, str]]:
    lookup = documents.Lookup(plan_of={org.code: org}.get, org_at={T1_UPSTREAM_IN: org.code}.get)
    params = {"Hunt-Context": documents.MENU_CONTEXT, "Hunt-Destination-Number": step, "variable_lp_org": org.code,
              "variable_lp_menu": "main", "variable_lp_plays": str(plays), "variable_lp_hops": "1", **variables}
    return actions(documents.dialplan(params, lookup))


def test_a_menu_waits_for_one_key_and_goes_on_with_it_in_the_menu_context():
    plan = dialplan_of(menu_org(("1", "102")), None, "+15550101")
    assert ("set", "lp_menu=main") in plan and ("set", "lp_plays=1") in plan
    (collect,) = [data for application, data in plan if application == "play_and_get_digits"]
    assert collect.startswith("1 1 1 2000 +# ") and collect.endswith(" ^[0-9*#]$ 2000 't XML lp-menu'")
    assert plan[-1] == ("transfer", "k${lp_key} XML lp-menu"), "only a key the regex let through is expanded"


def test_a_menus_own_greeting_is_its_prompt_and_one_freeswitch_would_misread_is_refused():
    greeting = "/var/lib/littlepbx/prompts/t1/abc/greeting.wav"
    org = menu_org(("1", "102"))
    org = dataclasses.replace(org, ivrs=(dataclasses.replace(org.ivrs[0], greeting=greeting),))
    assert dict(dialplan_of(org, None, "+15550101"))["play_and_get_digits"].split(" ")[5] == greeting
    for bad in ("/var/lib/x y/greeting.wav", "/var/lib/a!b.wav", "/var/lib/${x}.wav"):
        with pytest.raises(BackendError, match="menu main"):
            validate_for_freeswitch(dataclasses.replace(org, ivrs=(dataclasses.replace(org.ivrs[0], greeting=bad),)))


def test_a_key_leads_to_its_option_and_a_wrong_key_or_none_plays_the_menu_again_then_goes_on():
    org = menu_org(("1", "102"), ("#", "101"), repeats=1)
    assert rung(menu_step(org, "k1")) == ["t1-102"]
    assert rung(menu_step(org, "k#")) == ["t1-101"]
    again = menu_step(org, "k5")
    assert f"file_string://{documents.WRONG_KEY}!{documents.MENU_PROMPT}" in dict(again)["play_and_get_digits"]
    assert ("set", "lp_plays=2") in again
    assert menu_step(org, "k5", plays=2)[-1] == ("hangup", "NORMAL_CLEARING"), "then the invalid destination"
    assert ("set", "lp_plays=2") in menu_step(org, "t")
    assert documents.WRONG_KEY not in dict(menu_step(org, "t"))["play_and_get_digits"], "no key is no wrong key"
    assert rung(menu_step(org, "t", plays=2)) == ["t1-103"], "then the timeout destination"


def test_direct_dial_waits_for_the_rest_of_a_number_and_rings_only_the_orgs_own():
    org = menu_org(("1", "102"), direct_dial=True)
    plan = menu_step(org, "k1")
    assert plan[-1] == ("transfer", "n1${lp_more} XML lp-menu"), "1 begins 101-103: the rest is waited for"
    assert plan[0][1].split(" ")[7:] == ["lp_more", "^[0-9*]{0,5}$", "3000", "'n1", "XML", "lp-menu'"], \
        "into lp_more (its arguments in their places); nothing more: the key alone"
    assert rung(menu_step(org, "n1")) == ["t1-102"]
    assert rung(menu_step(org, "n103")) == ["t1-103"]
    assert rung(menu_step(org, "n600")) == ["t1-101"], "a ring group's number"
    for typed in ("n109", "n15550", "n10*"):
        assert not bridged(menu_step(org, typed)), typed
    assert not any(application == "play_and_get_digits" for application, _ in menu_step(menu_org(("1", "102")), "k1"))


@pytest.mark.parametrize("step,variables", [("k1", {"variable_lp_menu": "other"}), ("k1", {"variable_lp_org": "t9"}),
                                            ("101", {}), ("k12", {}), ("n1${x}", {}), ("kx", {})])
def test_a_menu_step_of_no_menu_of_the_org_or_of_another_shape_is_refused(step, variables):
    assert menu_step(menu_org(("1", "102")), step, **variables)[-1] == ("hangup", "UNALLOCATED_NUMBER")


def test_a_voicemail_index_to_restore_holds_only_the_orgs_own_messages_under_its_own_boxes(tmp_path):
    import sqlite3

    from littlepbx.pbx_backends.freeswitch import voicemail

    db, boxes = tmp_path / "voicemail_default.db", tmp_path / "t1"
    (boxes / "101").mkdir(parents=True)
    (boxes / "101" / "msg_abc.wav").write_bytes(b"RIFF")
    with sqlite3.connect(db) as connection:
        connection.execute(f"CREATE TABLE voicemail_msgs ({', '.join(voicemail.COLUMNS)})")
        connection.execute("INSERT INTO voicemail_msgs (domain, username, file_path) VALUES ('t2', '101', '/x/t2/101/m.wav')")
    row = voicemail.from_files("t1", boxes)[0]
    assert (row["username"], row["uuid"], row["file_path"], row["read_flags"]) == ("101", "abc", "101/msg_abc.wav", "B_NORMAL")
    for bad in (dict(row, domain="t2"), dict(row, file_path="../t2/101/m.wav"), dict(row, file_path="/etc/passwd")):
        with pytest.raises(BackendError):
            voicemail.restore(db, "t1", boxes, [bad])
    assert voicemail.restore(db, "t1", boxes, [row, dict(row, file_path="101/msg_gone.wav")]) == 1, \
        "a row without its file is left out"
    assert [r["file_path"] for r in voicemail.export(db, "t1", boxes)] == ["101/msg_abc.wav"]
    voicemail.forget(db, "t1")
    assert voicemail.export(db, "t1", boxes) == [] and voicemail.export(db, "t2", tmp_path / "t2") == [], \
        "t2's row names a file outside its boxes here: none of its messages"


def test_a_phone_not_connected_sends_its_calls_where_the_extension_says_and_other_failures_as_unanswered():
    org = org_t1(extensions=(extension("t1", "101"), extension("t1", "102", voicemail_enabled=True),
                             extension("t1", "104", when_unregistered="102", no_answer="voicemail",
                                       voicemail_enabled=True)))
    plan = dialplan_of(org, "101", "104")
    assert ("set", "lp_ringing=104") in plan and plan[-1] == ("transfer", "${originate_failed_cause} XML lp-after")
    others = dialplan_of(org, "101", "102")
    assert others[-1] == ("hangup", "NO_ANSWER") and not any(data.startswith("lp_ringing") for _, data in others), \
        "an extension that sends nothing elsewhere rings as before"

    def after(cause: str, **variables) -> list[tuple[str, str]]:
        lookup = documents.Lookup(plan_of={org.code: org}.get, org_at=SOURCES.get)
        params = {"Hunt-Context": documents.AFTER_CONTEXT, "Hunt-Destination-Number": cause, "variable_lp_org": "t1",
                  "variable_lp_ringing": "104", "variable_lp_hops": "1", **variables}
        return actions(documents.dialplan(params, lookup))

    assert rung(after("USER_NOT_REGISTERED")) == ["t1-102"]
    assert ("voicemail", "default t1 104") in after("NO_ANSWER"), "not answered: its own voicemail"
    assert ("voicemail", "default t1 104") in after("USER_BUSY")
    for cause, variables in (("no_answer", {}), ("USER_NOT_REGISTERED", {"variable_lp_ringing": "109"}),
                             ("USER_NOT_REGISTERED", {"variable_lp_org": "t2"}), ("${x}", {})):
        assert after(cause, **variables)[-1] == ("hangup", "UNALLOCATED_NUMBER"), (cause, variables)


def test_a_phone_on_a_call_sends_a_new_one_where_the_extension_sends_busy_calls_and_is_not_rung():
    org = org_t1(extensions=(extension("t1", "101"), extension("t1", "102"),
                             extension("t1", "103", when_busy="+15558888")))
    on_calls = {"t1-103": 1}
    lookup = documents.Lookup(plan_of={"t1": org}.get, org_at=SOURCES.get,
                              phone_calls=lambda user: on_calls.get(user, 0))
    params = {"Hunt-Context": documents.PHONE_CONTEXT, "variable_lp_org": "t1", "variable_lp_ext": "101"}
    busy = actions(documents.dialplan({**params, "Hunt-Destination-Number": "103"}, lookup))
    assert ("set", "lp_reached=+15558888") in busy and not any("t1-103" in leg for leg in bridged(busy))
    on_calls.clear()
    assert rung(actions(documents.dialplan({**params, "Hunt-Destination-Number": "103"}, lookup))) == ["t1-103"]
    assert ("limit", "hash lp_phones t1-101") in busy, "the calling phone is on a call too"


def test_follow_me_rings_its_numbers_after_the_phone_and_an_outside_one_must_press_1():
    org = org_t1(extensions=(extension("t1", "101"), extension("t1", "102"), extension(
        "t1", "103", follow_me=("102", "+15558888", "t2-101", "109"), no_answer="forward", forward_to="101")))
    plan = dialplan_of(org, "101", "103")
    legs = bridged(plan)
    # The phone, its two numbers of the org's own (not t2's phone, not a number nobody has), then
    # where unanswered calls go.
    assert len(legs) == 4 and rung([("bridge", legs[0]), ("bridge", legs[3])]) == ["t1-103", "t1-101"]
    assert "t1-102" in legs[1] and "group_confirm" not in legs[1]
    assert legs[2].startswith("[leg_timeout=4,group_confirm_key=1,group_confirm_file=lp-confirm.wav,")
    assert "sip:+15558888@" in legs[2], "through the org's own upstream"
    together = dataclasses.replace(org.extensions[2], follow_me_order="together", follow_me_confirm=False)
    legs = bridged(dialplan_of(dataclasses.replace(org, extensions=(*org.extensions[:2], together)), "101", "103"))
    assert len(legs) == 3 and legs[1].count("leg_timeout=") == 2 and "group_confirm" not in legs[1]


def test_a_page_calls_every_other_member_phone_of_the_org_to_answer_on_speaker_into_one_conference():
    from littlepbx.pbx_backends.base import PagingGroupConfig

    org = org_t1(paginggroups=(PagingGroupConfig("700", "Warehouse", ("101", "102", "103", "t2-101", "109"), 20),))
    plan = dialplan_of(org, "103", "700")
    called = [data for application, data in plan if application == "conference_set_auto_outcall"]
    assert [leg.rpartition("/")[2] for leg in called] == ["t1-101%littlepbx", "t1-102%littlepbx"], \
        "the org's member phones but the pager's own"
    assert all("sip_h_Call-Info=<sip:127.0.0.1>;answer-after=0" in leg for leg in called)
    assert ("sched_hangup", "+20 ALLOTTED_TIMEOUT") in plan
    assert plan[-1] == ("conference", "lp-page-${uuid}@lp+flags{endconf|moderator}")
    assert len([a for a, _ in dialplan_of(org, "101", "700") if a == "conference_set_auto_outcall"]) == 2
    assert not any(a == "conference" for a, _ in dialplan_of(org_t2(), "101", "700")), "t2 has no 700"


def room_org(**room):
    values = {"pin": None, "moderator_pin": None, "wait_for_moderator": False, "max_members": 5, **room}
    return org_t1(conferences=(ConferenceConfig("850", "Room 850", **values),),
                  moh=MohConfig(True, "/var/lib/littlepbx/moh/t1/abc/music.wav"))


def room_step(org, step: str, tries: int = 1, **variables) -> list[tuple[str, str]]:
    lookup = documents.Lookup(plan_of={org.code: org}.get, org_at={T1_UPSTREAM_IN: org.code}.get)
    params = {"Hunt-Context": documents.ROOM_CONTEXT, "Hunt-Destination-Number": step, "variable_lp_org": org.code,
              "variable_lp_room": "850", "variable_lp_tries": str(tries), "variable_lp_hops": "1", **variables}
    return actions(documents.dialplan(params, lookup))


def joined(plan: list[tuple[str, str]]) -> list[str]:
    return [data for application, data in plan if application == "conference"]


def test_a_room_without_pins_is_joined_at_once_with_its_limit_and_the_orgs_music():
    plan = dialplan_of(room_org(), "101", "850")
    assert joined(plan) == ["lp-t1-850@lp-room"], "the org's own room, as a member"
    assert ("set", "conference_max_members=5") in plan
    assert ("set", "conference_moh_sound=/var/lib/littlepbx/moh/t1/abc/music.wav") in plan
    assert ("set", "conference_flags=wait-mod") not in plan
    assert plan[-1] == ("hangup", "NORMAL_CLEARING"), "a caller finding the room full is hung up on"
    from_did = dataclasses.replace(room_org(), dids=(DidConfig("+15550101", "conference:850"),))
    assert joined(dialplan_of(from_did, None, "+15550101")) == ["lp-t1-850@lp-room"], "a DID's destination"
    assert not joined(dialplan_of(org_t2(), "101", "850")), "t2 has no room 850"


def test_a_rooms_pin_is_asked_then_decides_moderator_member_or_another_try():
    org = room_org(pin="1234", moderator_pin="9999", wait_for_moderator=True)
    plan = dialplan_of(org, "101", "850")
    assert not joined(plan), "nobody joins before the PIN"
    assert ("set", "lp_room=850") in plan and ("set", "lp_tries=1") in plan
    (ask,) = [data for application, data in plan if application == "play_and_get_digits"]
    assert ask.startswith("1 10 1 6000 # ") and ask.endswith(" lp_pin ^[0-9]+$ 6000 'p XML lp-room'")
    assert plan[-1] == ("transfer", "p${lp_pin} XML lp-room"), "only digits the regex let through are expanded"
    moderator = room_step(org, "p9999")
    assert joined(moderator) == ["lp-t1-850@lp-room+flags{moderator}"]
    member = room_step(org, "p1234")
    assert joined(member) == ["lp-t1-850@lp-room"] and ("set", "conference_flags=wait-mod") in member
    wrong = room_step(org, "p1111")
    assert not joined(wrong) and ("set", "lp_tries=2") in wrong
    assert documents.WRONG_KEY in dict(wrong)["play_and_get_digits"]
    assert not joined(room_step(org, "p")), "nothing typed is a wrong PIN"
    assert room_step(org, "p1111", tries=3)[-1] == ("hangup", "NORMAL_CLEARING"), "three wrong PINs: hung up"


def test_a_room_with_only_a_moderator_pin_lets_anyone_else_in_as_a_member():
    org = room_org(moderator_pin="9999")
    assert joined(room_step(org, "p")) == ["lp-t1-850@lp-room"]
    assert joined(room_step(org, "p9999")) == ["lp-t1-850@lp-room+flags{moderator}"]


@pytest.mark.parametrize(("step", "variables"), [("p1234", {"variable_lp_room": "851"}),
                                                 ("p1234", {"variable_lp_org": "t2"}),
                                                 ("x1234", {}), ("p12345678901", {})])
def test_a_room_step_of_no_room_of_the_org_or_of_another_shape_is_refused(step, variables):
    assert room_step(room_org(pin="1234"), step, **variables)[-1] == ("hangup", "UNALLOCATED_NUMBER")


class PhoneMemory(documents.PhoneSwitches):
    """Phones' switches and blocks kept in memory, as the XML server keeps them in the database."""

    def __init__(self, **states):
        self.states = {number: dataclasses.asdict(state) for number, state in states.items()}
        self.callers, self.blocks = {}, {}

    def state(self, code, number):
        return PhoneState(**self.states.get(f"{code}-{number}", self.states.get(number, {})))

    def switch(self, code, number, column, value):
        values = self.states.setdefault(number, dataclasses.asdict(PhoneState()))
        values[column] = value == "yes" if column == "dnd" else value
        return True

    def rang(self, code, number, caller):
        self.callers[number] = caller

    def last_caller(self, code, number):
        return self.callers.get(number)

    def block(self, code, number, caller):
        self.blocks["".join(filter(str.isdigit, caller))] = number

    def blocked(self, code, digits):
        return digits in self.blocks


def switched_plan(org, switches, phone, dialled, caller=""):
    return dialplan_of(org, phone, dialled, caller, phones=switches)


def test_a_phones_codes_switch_its_own_do_not_disturb_and_forwards_and_beep_what_they_are_now():
    org, switches = org_t1(country_code="1"), PhoneMemory()
    assert switched_plan(org, switches, "101", "*78")[-2:] == [("playback", documents.SWITCHED_ON),
                                                               ("hangup", "NORMAL_CLEARING")]
    assert switches.state("t1", "101") == PhoneState(dnd=True)
    switched_plan(org, switches, "101", "*90103")
    switched_plan(org, switches, "101", "*52+15550000")
    assert switches.state("t1", "101") == PhoneState(True, None, "103", "+15550000")
    assert ("playback", documents.SWITCHED_OFF) in switched_plan(org, switches, "101", "*79")
    switched_plan(org, switches, "101", "*91")
    assert switches.state("t1", "101") == PhoneState(forward_unanswered="+15550000")
    assert switches.state("t1", "102") == PhoneState(), "only the calling phone's"


@pytest.mark.parametrize("dialled", ["*72", "*72101", "*72+4420", "*7212345678901234567", "*52*97"])
def test_a_forward_to_nothing_to_itself_or_where_the_phone_may_not_call_is_refused(dialled):
    org = org_t1(country_code="1", extensions=(extension("t1", "101", outside_calls="national"),))
    switches = PhoneMemory()
    assert switched_plan(org, switches, "101", dialled)[-1] == ("hangup", "UNALLOCATED_NUMBER")
    assert switches.states == {}


def test_a_phones_forwards_and_do_not_disturb_decide_where_its_calls_go():
    org = org_t1(country_code="1", extensions=(extension("t1", "101", no_answer="forward", forward_to="103"),
                                               extension("t1", "102"), extension("t1", "103")))
    assert rung(switched_plan(org, PhoneMemory(**{"101": PhoneState(forward_to="102")}), "103", "101")) == ["t1-102"]
    on_dnd = switched_plan(org, PhoneMemory(**{"101": PhoneState(dnd=True)}), "102", "101")
    assert rung(on_dnd) == ["t1-103"], "not rung: where unanswered calls go"
    unanswered = switched_plan(org, PhoneMemory(**{"101": PhoneState(forward_unanswered="102")}), "103", "101")
    assert rung(unanswered) == ["t1-101", "t1-102"], "rung, then the user's forward before the admin's"
    national = org_t1(country_code="1", extensions=(
        extension("t1", "101", no_answer="forward", forward_to="103", outside_calls="national"),
        extension("t1", "102"), extension("t1", "103")))
    abroad = switched_plan(national, PhoneMemory(**{"101": PhoneState(forward_to="+442071234567")}), "102", "101")
    assert rung(abroad) == ["t1-103"], "a forward abroad the phone may no longer call: as the admin says"


def test_a_phone_blocks_the_last_outside_caller_that_rang_it_and_that_caller_is_refused():
    org, switches = org_t1(), PhoneMemory()
    assert ("playback", documents.WRONG_KEY) in switched_plan(org, switches, "101", "*32"), "no caller yet"
    assert rung(switched_plan(org, switches, None, "+15550101", caller="+15557770001")) == ["t1-101"]
    assert switches.last_caller("t1", "101") == "+15557770001"
    switched_plan(org, switches, "101", "*32")
    refused = switched_plan(org, switches, None, "+15550101", caller="+15557770001")
    assert refused[-1] == ("hangup", "CALL_REJECTED") and not rung(refused)
    assert rung(switched_plan(org, switches, None, "+15550101", caller="+15557770002")) == ["t1-101"]


def test_a_ringing_phone_waits_in_its_pickup_spaces_which_only_its_orgs_phones_reach():
    org = org_t1(extensions=(extension("t1", "101"), extension("t1", "102", pickup_group="sales")))
    assert bridged(dialplan_of(org, "101", "102")) == [ringing("t1-102", "sales")]
    assert dialplan_of(org, "101", "**102")[-4:] == [("set", "lp_callee=t1-101"), ("pickup", "lp-p-t1-102"),
                                                     ("set", "lp_reached=refused"),
                                                     ("hangup", "UNALLOCATED_NUMBER")], "else as nobody's number"
    assert ("pickup", "lp-g-t1") in dialplan_of(org, "101", "*8"), "101's group: the org's own"
    assert ("pickup", "lp-g-t1-sales") in dialplan_of(org, "102", "*8")
    assert ("pickup", "lp-p-t2-102") in phone_dials("t2-101", "**102"), "t2's own 102 only"
    assert not any(a == "pickup" for a, _ in dialplan_of(org, "101", "**1*2")), "a number or nothing"


def test_a_group_hunting_with_memory_starts_after_the_member_who_answered_last_and_remembers_who_answers():
    group = RingGroupConfig("600", "Sales", ("101", "102", "103"), "memoryhunt", 5, "", "hangup")
    org = org_t1(dids=(DidConfig("+15550101", "ringgroup:600"),), ringgroups=(group,))
    asked = []

    def plan_after(last):
        lookup = documents.Lookup(plan_of={"t1": org}.get, org_at={T1_UPSTREAM_IN: "t1"}.get,
                                  answered_last=lambda key: asked.append(key) or last)
        return actions(documents.dialplan({"Hunt-Context": documents.UPSTREAM_CONTEXT,
                                           "variable_sip_network_ip": T1_UPSTREAM_IN,
                                           "Hunt-Destination-Number": "+15550101"}, lookup))

    assert rung(plan_after("")) == ["t1-101", "t1-102", "t1-103"] and asked == ["t1-600"]
    assert rung(plan_after("102")) == ["t1-103", "t1-101", "t1-102"]
    assert rung(plan_after("103")) == ["t1-101", "t1-102", "t1-103"]
    assert rung(plan_after("t2-101")) == ["t1-101", "t1-102", "t1-103"], "not a member: from the first"
    remembered = [re.search(r"execute_on_answer_lp_hunt=db insert/lp_hunt/t1-600/(\d+),.*sofia/lp/t1-(\d+)%", leg)
                  for leg in bridged(plan_after(""))]
    assert [(m[1], m[2]) for m in remembered] == [("101", "101"), ("102", "102"), ("103", "103")], \
        "each member's answer is remembered as its own"


def music_org(**changes):
    files = ("/var/lib/littlepbx/moh/t1/a/hold.wav", "/var/lib/littlepbx/moh/t1/b/hold.wav")
    classes = (MusicClassConfig("jazz", "Jazz", files, False), MusicClassConfig("solo", "Solo", files[:1], True))
    return org_t1(musicclasses=classes, dids=(DidConfig("+15550101", "ringgroup:600"),), **changes)


def test_a_music_class_plays_its_files_in_order_where_the_org_puts_it():
    jazz = "file_string:///var/lib/littlepbx/moh/t1/a/hold.wav!/var/lib/littlepbx/moh/t1/b/hold.wav"
    org = music_org(moh=MohConfig(True, None, "jazz"),
                    ringgroups=(RingGroupConfig("600", "Sales", ("101",), "ringall", 5, "", "hangup", "solo"),),
                    conferences=(ConferenceConfig("850", "Room", None, None, False, 5, "jazz"),))
    plan = dialplan_of(org, None, "+15550101")
    assert ("export", f"hold_music={jazz}") in plan, "the org's music on hold is its class"
    assert ("set", "ringback=/var/lib/littlepbx/moh/t1/a/hold.wav") in plan, "the group's class instead of ringing"
    assert ("set", f"conference_moh_sound={jazz}") in dialplan_of(org, "101", "850")
    plain = music_org(ringgroups=(RingGroupConfig("600", "Sales", ("101",), "ringall", 5, "", "hangup"),))
    assert not any(data.startswith(("ringback=", "hold_music=")) for _, data in dialplan_of(plain, None, "+15550101"))


def test_a_shuffled_class_plays_its_files_in_a_new_order_per_call():
    files = tuple(f"/var/lib/littlepbx/moh/t1/{n}/hold.wav" for n in "abcdef")
    org = org_t1(musicclasses=(MusicClassConfig("mix", "Mix", files, True),), moh=MohConfig(True, None, "mix"))
    orders = {dict(dialplan_of(org, "101", "102"))["export"] for _ in range(20)}
    assert len(orders) > 1 and all(sorted(o.removeprefix("hold_music=file_string://").split("!")) == list(files)
                                   for o in orders)


def test_a_class_file_freeswitch_would_misread_is_refused_at_apply():
    for bad in ("/var/lib/x y/hold.wav", "/var/lib/a!b.wav", "/var/lib/${x}.wav"):
        with pytest.raises(BackendError, match="music class jazz"):
            validate_for_freeswitch(org_t1(musicclasses=(MusicClassConfig("jazz", "Jazz", (bad,), False),)))


def test_a_recorded_extensions_calls_are_recorded_once_named_after_the_call_with_the_notice_for_outside_callers():
    notice = "/var/lib/littlepbx/prompts/t1/n/notice.wav"
    org = org_t1(extensions=(extension("t1", "101", record_calls=True), extension("t1", "102")),
                 announcements=(AnnouncementConfig("recorded", "Recorded", notice, "hangup"),),
                 callsettings=dataclasses.replace(org_t1().callsettings, recording_notice="recorded"),
                 dids=(DidConfig("+15550101", "101", record_calls=True),))
    moment = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

    def plan(phone, dialled, recordings="/var/lib/littlepbx/call-recordings"):
        lookup = documents.Lookup(plan_of={"t1": org}.get, org_at={T1_UPSTREAM_IN: "t1"}.get,
                                  recordings=recordings, now=lambda: moment)
        params = ({"Hunt-Context": documents.PHONE_CONTEXT, "variable_lp_org": "t1", "variable_lp_ext": phone}
                  if phone else {"Hunt-Context": documents.UPSTREAM_CONTEXT, "variable_sip_network_ip": T1_UPSTREAM_IN})
        return actions(documents.dialplan({**params, "Hunt-Destination-Number": dialled}, lookup))

    named = f"/var/lib/littlepbx/call-recordings/lp-t1-{int(moment.timestamp())}-${{uuid}}.wav"
    outside = plan(None, "+15550101")
    assert [d for a, d in outside if a == "record_session"] == [named], "once, though the DID and 101 both record"
    assert outside.index(("playback", notice)) < outside.index(("record_session", named)) < \
        [a for a, _ in outside].index("bridge"), "the notice, then the recording, then 101 rings"
    from_phone = plan("101", "102")
    assert ("record_session", named) in from_phone and ("playback", notice) not in from_phone
    assert ("record_session", named) in plan("102", "101"), "to it"
    assert not any(a == "record_session" for a, _ in plan("102", "101", recordings="")), "nowhere to record"
    assert call_recordings.RECORDING_ID.fullmatch(f"{int(moment.timestamp())}-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")


def test_the_ban_filter_counts_failed_logins_and_unknown_users_never_a_phones_challenge_or_a_forged_address(
        tmp_path):
    import shutil
    import subprocess

    from littlepbx.pbx_backends.freeswitch import provision

    if shutil.which("fail2ban-regex") is None:
        pytest.skip("fail2ban is not installed (test.sh installs it)")
    head = "2026-11-28 08:51:43.666835 99.33% [WARNING] sofia_reg.c:1787"
    lines = [f"{head} SIP auth failure (REGISTER) on sofia profile 'lp' for [t1-101@127.0.0.1] from ip 192.0.2.7",
             f"{head} SIP auth failure (INVITE) on sofia profile 'lp' for [102@10.0.0.1] from ip 192.0.2.8",
             "2026-11-28 08:51:44.000001 100.00% [WARNING] sofia_reg.c:3210 Can't find user [t9-1@x] from 192.0.2.9",
             f"{head} SIP auth challenge (REGISTER) on sofia profile 'lp' for [t1-101@127.0.0.1] from ip 192.0.2.10",
             f"{head} SIP auth failure (REGISTER) on sofia profile 'lp' for [t1-101@[2001:db8::1]] from ip 192.0.2.12",
             f"{head} SIP auth failure (INVITE) on sofia profile 'lp' for [x] from ip 192.0.2.13] from ip 192.0.2.14"]
    rules = tmp_path / "filter.conf"
    rules.write_text(provision.FAIL2BAN_FILTER_TEXT)

    def counted(line: str) -> bool:
        found = subprocess.run(["fail2ban-regex", "--raw", line, str(rules)], capture_output=True, text=True,
                               check=True).stdout
        return "1 matched" in found

    assert [counted(line) for line in lines] == [True, True, True, False, True, True]

    def banned(line: str) -> list[str]:
        found = subprocess.run(["fail2ban-regex", "--raw", "-v", line, str(rules)], capture_output=True, text=True,
                               check=True).stdout
        return re.findall(r"^\|\s+(192\.0\.2\.\d+)\s", found, re.M)

    assert banned(lines[-1]) == ["192.0.2.14"], "the address FreeSWITCH writes last, not one a user name holds"


def test_paging_and_rooms_are_refused_at_apply_where_freeswitch_has_no_mod_conference(tmp_path):
    from littlepbx.pbx_backends.base import PagingGroupConfig
    from littlepbx.pbx_backends.freeswitch.backend import FreeSwitchBackend

    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "freeswitch").write_text("")
    modules = tmp_path / "lib" / "freeswitch" / "mod"
    modules.mkdir(parents=True)
    backend = FreeSwitchBackend({"FREESWITCH_PREFIX": str(tmp_path)})
    paging = org_t1(paginggroups=(PagingGroupConfig("700", "All", ("101", "102"), 20),))
    with pytest.raises(BackendError, match="paging groups need FreeSWITCH's mod_conference"):
        backend.check_modules(paging)
    backend.check_modules(org_t1())  # nothing that needs it
    (modules / "mod_conference.so").write_text("")
    backend.check_modules(paging)


def test_a_phone_on_tls_calls_over_tls_only_encrypts_its_audio_and_is_rung_only_where_registered_over_tls():
    org = org_t1(extensions=(extension("t1", "101"), extension("t1", "102", when_unregistered="101"),
                             extension("t1", "103", sip_transport="tls")))
    user = parsed(documents.directory({"action": "sip_auth", "user": "t1-103", "domain": "littlepbx"},
                                      documents.Lookup(plan_of={"t1": org}.get, org_at=lambda address: None)))
    assert {v.get("name"): v.get("value") for v in user.iter("variable")}["rtp_secure_media"] == "mandatory"

    def dialled(phone, number, protocol="udp", contacts=None):
        lookup = documents.Lookup(plan_of={"t1": org}.get, org_at=lambda address: None,
                                  contact=lambda u: (contacts or {}).get(u, ""))
        return actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "variable_lp_org": "t1",
                                           "variable_lp_ext": phone, "variable_sip_via_protocol": protocol,
                                           "Hunt-Destination-Number": number}, lookup))

    assert dialled("103", "101")[-1] == ("hangup", "CALL_REJECTED"), "from a TLS phone over UDP"
    assert rung(dialled("103", "101", "tls")) == ["t1-101"]
    assert rung(dialled("101", "103")) == [], "registered nowhere"
    over_udp = {"t1-103": "sofia/lp/sip:t1-103@192.0.2.3:5060"}
    assert rung(dialled("101", "103", contacts=over_udp)) == [], "registered over UDP: not rung"
    over_tls = {"t1-103": "sofia/lp/sip:t1-103@192.0.2.3:5061;transport=tls"}
    (leg,) = bridged(dialled("101", "103", contacts=over_tls))
    assert "rtp_secure_media=mandatory" in leg and "sofia/lp/t1-103%littlepbx" in leg
    plain = {"t1-102": "sofia/lp/sip:t1-102@192.0.2.2:5060"}
    assert "rtp_secure_media" not in bridged(dialled("101", "102", contacts=plain))[0]


def test_a_tls_phone_in_a_group_or_page_is_rung_only_while_registered_over_tls_and_a_groups_music_ends_with_it():
    from littlepbx.pbx_backends.base import PagingGroupConfig

    org = org_t1(extensions=(extension("t1", "101"), extension("t1", "102", sip_transport="tls"),
                             extension("t1", "103")),
                 musicclasses=(MusicClassConfig("jazz", "Jazz", ("/var/lib/littlepbx/moh/t1/a/hold.wav",), False),),
                 ringgroups=(RingGroupConfig("600", "Sales", ("101", "102"), "ringall", 5, "", "103", "jazz"),),
                 paginggroups=(PagingGroupConfig("700", "All", ("101", "102"), 20),),
                 dids=(DidConfig("+15550101", "ringgroup:600"),))
    over = {"udp": "sofia/lp/sip:t1-102@192.0.2.2:5060", "tls": "sofia/lp/sip:t1-102@192.0.2.2:5061;transport=tls"}

    def group_legs(transport):
        plan = dialplan_of(org, None, "+15550101", contact=lambda user: over[transport] if user == "t1-102" else "")
        return plan, "".join(bridged(plan))

    plan, legs = group_legs("udp")
    assert "t1-101%" in legs and "t1-102%" not in legs, "registered over UDP: not rung"
    assert "t1-102%" in group_legs("tls")[1]
    group_ring, then_103 = [i for i, (application, _) in enumerate(plan) if application == "bridge"]
    assert group_ring < plan.index(("unset", "ringback")) < then_103 and rung(plan)[-1] == "t1-103", \
        "the group's music ends with its ringing: its no-answer destination rings as usual"
    paged = [d for a, d in dialplan_of(org, "103", "700", contact=lambda user: over["udp"])
             if a == "conference_set_auto_outcall"]
    assert [leg.rpartition("/")[2] for leg in paged] == ["t1-101%littlepbx"]


def test_a_switch_of_an_extension_not_applied_yet_is_refused_not_confirmed():
    assert switched_plan(org_t1(), documents.PhoneSwitches(), "101", "*78")[-1] == ("hangup", "UNALLOCATED_NUMBER")


def bindings(plan: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """The in-call keys a plan binds: (the keys, the context their plan is asked in, whose)."""
    found = []
    for application, data in plan:
        if application == "bind_digit_action":
            _, keys, _, value, leg, _ = data.split(",")
            found.append((keys, value.split(" XML ")[1], leg))
    return found


def test_the_phones_in_a_call_get_the_in_call_keys_and_an_outside_party_none():
    def bound(context: str, leg: str) -> list[tuple[str, str, str]]:
        return [(keys, context, leg) for keys in documents.KEYS]

    # 101 calls 102: 101's own keys, and the keys of whichever phone answers (its leg names it).
    assert bindings(phone_dials("t1-101", "102")) == bound("lp-keys-t1-101", "self") + \
        bound(r"lp-keys-\${lp_callee}", "peer")
    # An outside caller has none; the phone it rings has.
    assert bindings(upstream_sends(T1_UPSTREAM_IN, "+15550101")) == bound(r"lp-keys-\${lp_callee}", "peer")
    # 101 calls out: its own keys only, never the outside party's.
    assert bindings(phone_dials("t1-101", "+15550999")) == bound("lp-keys-t1-101", "self")
    assert documents.KEYS == (r"=~^\*\*[01][0-9]+#$", "=#77", "=**3")


def keys_pressed(context_phone: str, keys: str, lookup: documents.Lookup = LOOKUP,
                 **variables: str) -> list[tuple[str, str]]:
    """What the keys do, pressed on the leg a phone of the context called on (lp_org and lp_ext,
    as its directory entry gave them), unless ``variables`` say whose leg it is."""
    code, _, number = context_phone.partition("-")
    leg = variables or {"lp_org": code, "lp_ext": number}
    return actions(documents.dialplan({"Hunt-Context": f"{documents.KEYS_CONTEXT}-{context_phone}",
                                       "Hunt-Destination-Number": keys,
                                       **{f"variable_{k}": v for k, v in leg.items()}}, lookup))


@pytest.mark.parametrize("keys, wanted", [
    ("**1103#", [("transfer", "-bleg 103 XML lp-transfer-t1-101")]),
    ("**0103#", [("att_xfer", "{loopback_bowout=false}loopback/103/lp-transfer-t1-101")]),
    ("**1015550999#", [("transfer", "-bleg 015550999 XML lp-transfer-t1-101")]),
])
def test_transfer_keys_send_the_other_party_to_a_number_the_phone_may_dial(keys, wanted):
    assert keys_pressed("t1-101", keys) == wanted
    # The phone a call rang presses them on the leg our plan rang it on.
    assert keys_pressed("t1-101", keys, lp_callee="t1-101") == wanted


@pytest.mark.parametrize("leg", [{"lp_callee": "t1-102"}, {"lp_org": "t2", "lp_ext": "101"}, {},
                                 {"lp_outside_caller": "+15550999"}])
def test_keys_asked_for_a_phone_on_a_leg_that_is_not_its_own_do_nothing(leg):
    for keys in ("**1103#", "#77", "**3"):
        assert keys_pressed("t1-101", keys, **leg or {"lp_from_upstream": "yes"}) == [("playback", documents.WRONG_KEY)]


@pytest.mark.parametrize("phone, keys", [("t1-101", "**1999#"), ("t1-101", "**1*97#"), ("t1-101", "**2103#"),
                                         ("t1-101", "**1103"), ("t3-101", "**1103#"), ("t1-", "**1103#")])
def test_transfer_keys_to_no_number_only_sound_the_wrong_key_tone_and_the_call_goes_on(phone, keys):
    assert keys_pressed(phone, keys) == [("playback", documents.WRONG_KEY)]


def transferred(context_phone: str, dialled: str, **variables: str) -> list[tuple[str, str]]:
    return actions(documents.dialplan({"Hunt-Context": f"{documents.TRANSFER_CONTEXT}-{context_phone}",
                                       "Hunt-Destination-Number": dialled,
                                       **{f"variable_{k}": v for k, v in variables.items()}}, LOOKUP))


def test_a_transferred_call_goes_on_as_the_transferring_phone_dials_and_stays_its_orgs():
    plan = transferred("t1-101", "103")
    assert ("set", "lp_org=t1") in plan and ("limit", "hash lp_calls t1") in plan
    assert bridged(plan) == [ringing("t1-103")]
    assert bridged(transferred("t2-101", "102")) == [ringing("t2-102")]
    for phone, dialled in (("t1-101", "*97"), ("t1-101", "999"), ("t3-101", "103"), ("t1-101", "t2-101")):
        assert transferred(phone, dialled)[-1][0] == "hangup", (phone, dialled)


def test_a_rung_phone_sent_on_by_a_transfer_shows_its_own_number_and_keeps_its_keys():
    def sent_on(leg: str) -> list[tuple[str, str]]:
        return actions(documents.dialplan({"Hunt-Context": "lp-transfer-t1-101", "Hunt-Destination-Number": "103",
                                           "variable_lp_callee": leg, "Channel-Name": f"sofia/lp/{leg}"}, LOOKUP))

    plan = sent_on("t1-102")
    assert ("set", "effective_caller_id_number=102") in plan
    assert (documents.KEYS[0], "lp-keys-t1-102", "self") in bindings(plan)
    # A leg naming another org's phone is not taken for one.
    for leg, channel in (("t2-102", "sofia/lp/t2-102"), ("t1-102", "loopback/103-b")):
        plan = actions(documents.dialplan({"Hunt-Context": "lp-transfer-t1-101", "Hunt-Destination-Number": "103",
                                           "variable_lp_callee": leg, "Channel-Name": channel}, LOOKUP))
        assert not any(data.startswith("effective_caller_id_number") for _, data in plan), (leg, channel)
        assert all(bound != "self" for _, _, bound in bindings(plan)), (leg, channel)
    # Sent on, the call is counted, never refused for the org's limit: it had a place already.
    assert ("limit", "hash lp_calls t1") in sent_on("t1-102")


def test_77_parks_the_other_party_in_the_first_free_slot_of_the_orgs_own_lot():
    asked = []

    def first_free(lot: str, slots: list[str]) -> str | None:
        asked.append((lot, slots[0], slots[-1]))
        return {"lp-t1-701-720": "703"}.get(lot)

    lookup = dataclasses.replace(LOOKUP, free_slot=first_free)
    assert keys_pressed("t1-101", "#77", lookup) == [("transfer", "-bleg 703 XML lp-park-t1-101")]
    moved = dataclasses.replace(ORGS["t1"], callsettings=CallSettingsConfig(parking_first=801, parking_slots=5))
    full = dataclasses.replace(lookup, plan_of={"t1": moved}.get)
    assert keys_pressed("t1-101", "#77", full) == [("playback", documents.WRONG_KEY)], "a full lot: the call goes on"
    assert asked == [("lp-t1-701-720", "701", "720"), ("lp-t1-801-805", "801", "805")]
    # The parked call waits in that slot of the org's lot, and comes back to 101 after PARK_SECONDS.
    plan = actions(documents.dialplan({"Hunt-Context": "lp-park-t1-101", "Hunt-Destination-Number": "703"}, LOOKUP))
    assert plan[-2:] == [("valet_park", "lp-t1-701-720 703"), ("hangup", "NORMAL_CLEARING")]
    assert ("set", "valet_parking_orbit_context=lp-orbit-t1-101") in plan
    assert ("set", "valet_parking_orbit_exten=101") in plan and ("set", "valet_parking_timeout=60") in plan
    for context, slot in (("lp-park-t1-101", "721"), ("lp-park-t3-101", "701"), ("lp-park-t1-101", "7011")):
        plan = actions(documents.dialplan({"Hunt-Context": context, "Hunt-Destination-Number": slot}, LOOKUP))
        assert not any(application == "valet_park" for application, _ in plan) and plan[-1][0] == "hangup"


def test_a_phone_takes_a_parked_call_only_from_a_slot_of_its_own_org_that_holds_one():
    lookup = dataclasses.replace(LOOKUP, parked=lambda lot: {"lp-t1-701-720": ["701"]}.get(lot, []))

    def takes(phone: str, slot: str) -> list[tuple[str, str]]:
        code, number = phone.split("-")
        return actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "Hunt-Destination-Number": slot,
                                           "variable_lp_org": code, "variable_lp_ext": number}, lookup))

    assert ("valet_park", "lp-t1-701-720 701") in takes("t1-103", "701")
    for phone, slot in (("t1-103", "702"), ("t2-101", "701"), ("t1-103", "721")):
        plan = takes(phone, slot)
        assert not any(application == "valet_park" for application, _ in plan) and plan[-1][0] == "hangup"


def test_a_parked_call_nobody_took_rings_the_phone_that_parked_it_then_goes_where_its_calls_go():
    left = []
    lookup = dataclasses.replace(LOOKUP, slot_left=lambda lot, slot: left.append((lot, slot)))
    plan = actions(documents.dialplan({"Hunt-Context": "lp-orbit-t1-101", "Hunt-Destination-Number": "101",
                                       "variable_lp_from_upstream": "yes", "variable_valet_lot_extension": "702"},
                                      lookup))
    assert ("set", "lp_org=t1") in plan and bridged(plan) == [ringing("t1-101")]
    assert left == [("lp-t1-701-720", "702")], "the slot is not given to another call at once"
    assert actions(documents.dialplan({"Hunt-Context": "lp-orbit-t3-101", "Hunt-Destination-Number": "101"},
                                      LOOKUP))[-1][0] == "hangup"


CALLER_LEG = "0b8f3a52-7d1e-4c55-9a43-2f6d8e1c9b70"


def test_star_star_3_records_the_call_from_then_on_and_again_stops_it():
    lookup = dataclasses.replace(LOOKUP, recordings="/rec", now=lambda: datetime(2026, 11, 28, tzinfo=UTC))
    path = f"/rec/lp-t1-{int(datetime(2026, 11, 28, tzinfo=UTC).timestamp())}-{CALLER_LEG}.wav"
    # Pressed on the leg a call rang: the recording is named after the caller's leg (the call).
    plan = keys_pressed("t1-102", "**3", lookup, lp_callee="t1-102", originator=CALLER_LEG)
    assert plan[-2:] == [("set", f"lp_on_demand={path}"), ("record_session", path)]
    assert keys_pressed("t1-102", "**3", lookup, lp_callee="t1-102", lp_on_demand=path) == [("stop_record_session", path),
                                                                         ("unset", "lp_on_demand")]
    # What the configuration records goes on; a path that is not the org's own is never stopped.
    assert keys_pressed("t1-101", "**3", lookup, lp_callee="t1-101", lp_recording="yes") == []
    assert keys_pressed("t1-101", "**3", lookup, lp_callee="t1-101",
                        lp_on_demand="/rec/lp-t2-1-" + CALLER_LEG + ".wav") == \
        [("playback", documents.WRONG_KEY)]
    # No directory for recordings: nothing recorded.
    assert keys_pressed("t1-101", "**3", lp_callee="t1-101", originator=CALLER_LEG) == \
        [("playback", documents.WRONG_KEY)]


def test_a_recorded_call_is_known_as_one_to_the_legs_it_rings_and_an_outside_party_gets_no_keys():
    org = org_t1(extensions=(extension("t1", "101"), extension("t1", "102", record_calls=True)))
    lookup = dataclasses.replace(LOOKUP, plan_of={"t1": org}.get, recordings="/rec")
    plan = actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "Hunt-Destination-Number": "102",
                                       "variable_lp_org": "t1", "variable_lp_ext": "101"}, lookup))
    assert ("export", "lp_recording=yes") in plan, "the answering phone's **3 leaves it alone"
    # Calling out: keys a phone that answered this call earlier had are dropped first.
    plan = phone_dials("t1-101", "+15550999")
    assert plan.index(("clear_digit_action", "lp,peer")) < plan.index(next(a for a in plan if a[0] == "bridge"))


def queue(members=("101", "102"), login=False, **changes) -> QueueConfig:
    return dataclasses.replace(QueueConfig("500", "Support", tuple(members), login, "rrmemory", 15, 5, 60, "103", 2,
                                           "102", 30), **changes)


def test_a_queue_is_served_to_mod_callcenter_with_only_its_orgs_phones_as_members():
    """callcenter.conf asked for t1-500: t1's queue with agents ringing t1's phones; a queue of
    another org, an unknown one or a name of another shape: nothing."""
    orgs = {"t1": org_t1(queues=(queue(),)), "t2": org_t2(queues=(queue(members=("101",)),))}
    lookup = documents.Lookup(plan_of=orgs.get, org_at=SOURCES.get)
    answer = parsed(documents.configuration({"key_value": "callcenter.conf", "CC-Queue": "t1-500"}, lookup))
    params = {p.get("name"): p.get("value") for p in answer.find(".//queue[@name='t1-500']").iter("param")}
    assert params["strategy"] == "round-robin" and params["max-wait-time"] == "60"
    assert params["announce-frequency"] == "30"
    agents = {a.get("name"): a.attrib for a in answer.iter("agent")}
    assert set(agents) == {"t1-500-101", "t1-500-102"}
    assert agents["t1-500-101"]["contact"] == (f"[leg_timeout={documents.ring_time(15)},lp_callee=t1-101,execute_on_answer=limit hash "
                                                "lp_phones t1-101]sofia/lp/t1-101%littlepbx")
    assert agents["t1-500-101"]["status"] == "Available" and agents["t1-500-101"]["wrap-up-time"] == "5"
    assert {(t.get("queue"), t.get("agent"), t.get("position")) for t in answer.iter("tier")} == {
        ("t1-500", "t1-500-101", "1"), ("t1-500", "t1-500-102", "2")}
    for name in ("t1-501", "t3-500", "t1-500-101", "t1-500 t2-500", "../t1-500"):
        assert 'status="not found"' in documents.configuration({"key_value": "callcenter.conf", "CC-Queue": name},
                                                               lookup), name


def test_members_of_a_queue_with_login_keep_whatever_they_dialled():
    orgs = {"t1": org_t1(queues=(queue(login=True),))}
    answer = parsed(documents.configuration({"key_value": "callcenter.conf", "CC-Queue": "t1-500"},
                                            documents.Lookup(plan_of=orgs.get, org_at=SOURCES.get)))
    assert [a.get("status") for a in answer.iter("agent")] == [None, None]


def test_a_caller_waits_in_the_queue_then_goes_on_after_the_longest_wait_or_when_it_is_full():
    orgs = {"t1": org_t1(dids=(DidConfig("+15550101", "queue:500"),), queues=(queue(),))}
    waiting = {"t1-500": 1}
    lookup = documents.Lookup(plan_of=orgs.get, org_at=SOURCES.get, queue_waiting=lambda name: waiting[name])
    plan = actions(documents.dialplan({"Hunt-Context": documents.UPSTREAM_CONTEXT,
                                       "Hunt-Destination-Number": "+15550101",
                                       "variable_sip_network_ip": T1_UPSTREAM_IN}, lookup))
    assert ("callcenter", "t1-500") in plan and ("set", "lp_queue=500") in plan
    assert plan[-1] == ("transfer", f"q${{cc_cancel_reason}} XML {documents.QUEUE_CONTEXT}")
    waiting["t1-500"] = 2  # the queue's most callers
    full = actions(documents.dialplan({"Hunt-Context": documents.UPSTREAM_CONTEXT,
                                       "Hunt-Destination-Number": "+15550101",
                                       "variable_sip_network_ip": T1_UPSTREAM_IN}, lookup))
    assert ("callcenter", "t1-500") not in full and ("set", "lp_reached=102") in full

    def after(reason, org="t1", number="500"):
        return actions(documents.dialplan({"Hunt-Context": documents.QUEUE_CONTEXT, "Hunt-Destination-Number": reason,
                                           "variable_lp_org": org, "variable_lp_queue": number,
                                           "variable_lp_hops": "1"}, lookup))
    assert ("set", "lp_reached=103") in after("qTIMEOUT")
    assert after("qNONE")[-1] == ("hangup", "NORMAL_CLEARING")
    assert after("qTIMEOUT", org="t2")[-1] == ("hangup", "UNALLOCATED_NUMBER")
    assert after("qTIMEOUT", number="501")[-1] == ("hangup", "UNALLOCATED_NUMBER")
    assert after("101")[-1] == ("hangup", "UNALLOCATED_NUMBER")


def test_a_member_logs_in_and_out_of_its_own_orgs_queue_with_login_only():
    orgs = {"t1": org_t1(queues=(queue(login=True),)), "t2": org_t2(queues=(queue(members=("101",)),))}
    switched = []

    def login(agent):
        switched.append(agent)
        return len(switched) % 2 == 1

    lookup = documents.Lookup(plan_of=orgs.get, org_at=SOURCES.get, queue_login=login)

    def dials(phone, dialled):
        code, number = phone.split("-")
        return actions(documents.dialplan({"Hunt-Context": documents.PHONE_CONTEXT, "Hunt-Destination-Number": dialled,
                                           "variable_lp_org": code, "variable_lp_ext": number}, lookup))
    assert ("playback", documents.SWITCHED_ON) in dials("t1-102", "*45500")
    assert ("playback", documents.SWITCHED_OFF) in dials("t1-102", "*45500")
    assert switched == ["t1-500-102", "t1-500-102"]
    assert dials("t1-103", "*45500")[-1] == ("hangup", "UNALLOCATED_NUMBER")  # not a member
    assert dials("t2-101", "*45500")[-1] == ("hangup", "UNALLOCATED_NUMBER")  # its queue has no login
    assert dials("t1-101", "*45501")[-1] == ("hangup", "UNALLOCATED_NUMBER")
    assert switched == ["t1-500-102", "t1-500-102"]
