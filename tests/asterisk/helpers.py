"""The organizations, phones and upstreams the Asterisk system tests use, and how they call.

Org t1 phones sit on 127.0.0.11-19, org t2 phones on 127.0.0.21-29, upstreams on 127.0.0.5x.
"""
from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

from littlepbx.pbx_backends.base import ConferenceConfig, DidConfig, ExtensionConfig, OrgPBXConfig, TrunkConfig

from .sipp import CALLER_PORT, PHONE_PORT

T1_UPSTREAM_IN = "127.0.0.51"
T1_UPSTREAM_OUT = "127.0.0.52"
T2_UPSTREAM_IN = "127.0.0.53"
T2_UPSTREAM_OUT = "127.0.0.54"
UNKNOWN_SOURCE = "127.0.0.59"
PHONE_IPS = {"t1-101": "127.0.0.11", "t1-102": "127.0.0.12", "t1-103": "127.0.0.13",
             "t2-101": "127.0.0.21", "t2-102": "127.0.0.22"}


def extension(code: str, number: str, **changes) -> ExtensionConfig:
    """An extension with a password derived from its name and hang-up after 3 s of ringing.

    Voicemail is off unless a test turns it on: a box makes Asterisk send MWI NOTIFYs to the
    phone's address, and a sipp UAS there would take the NOTIFY for the call it waits for.
    """
    values = {"number": number, "display_name": f"Phone {number}", "sip_password": password(f"{code}-{number}"),
                  "ring_seconds": 3, "no_answer": "hangup", "forward_to": None, "voicemail_enabled": False,
                  "voicemail_pin": pin(number), "voicemail_email": None}
    values.update(changes)
    return ExtensionConfig(**values)


def trunks(inbound_ip: str, outbound_ip: str) -> tuple[TrunkConfig, ...]:
    """One inbound upstream identified by its address and one outbound upstream without registration."""
    return (TrunkConfig("inbound", inbound_ip, PHONE_PORT, "udp", None, None, False, None, None, (inbound_ip,)),
            TrunkConfig("outbound", outbound_ip, PHONE_PORT, "udp", None, None, False, None, None))


def registering_trunk(address: str, username: str, sources: tuple[str, ...] = ()) -> TrunkConfig:
    """An outbound upstream at ``address`` that wants LittlePBX to register as ``username``."""
    return TrunkConfig("outbound", address, PHONE_PORT, "udp", username, "secret1", True, None, None, sources)


def registers(trace: str) -> list[str]:
    """The REGISTER requests a registrar received, oldest first."""
    return [m for m in re.split(r"-{10,}.*\n", trace) if re.search(r"^\s*REGISTER sip:", m, re.M)]


def org_t1(**changes) -> OrgPBXConfig:
    """Organization t1: extensions 101-103, DID +15550101 -> 101."""
    org = OrgPBXConfig("t1", 0, (extension("t1", "101"), extension("t1", "102"), extension("t1", "103")),
                       (DidConfig("+15550101", "101"),), trunks(T1_UPSTREAM_IN, T1_UPSTREAM_OUT))
    return dataclasses.replace(org, **changes)


def org_t2(**changes) -> OrgPBXConfig:
    """Organization t2: extensions 101-102 (same numbers as t1), DID +15550201 -> 101."""
    org = OrgPBXConfig("t2", 0, (extension("t2", "101"), extension("t2", "102")), (DidConfig("+15550201", "101"),),
                       trunks(T2_UPSTREAM_IN, T2_UPSTREAM_OUT))
    return dataclasses.replace(org, **changes)


def pin(number: str) -> str:
    """The voicemail PIN the org builders give an extension (distinct per extension)."""
    return f"{number}9"


def password(phone: str) -> str:
    """The SIP password the org builders give a phone."""
    return f"pw-{phone}-secret"


def register(pbx, phone: str) -> None:
    """REGISTER ``phone`` from its address on PHONE_PORT, asserting success."""
    run = pbx.sipp.run("register.xml", PHONE_IPS[phone], user=phone, password=password(phone))
    assert run.process.returncode == 0, run.output()


def call(pbx, caller: str, dialled: str, callee_ip: str | None, *, answered: bool, duration_ms: int = 200,
         callee_scenario: str = "answer.xml"):
    """``caller`` dials ``dialled``; ``callee_ip`` answers (if given). Asserts the expected outcome."""
    callee = pbx.sipp.answering(callee_ip, scenario=callee_scenario) if callee_ip else None
    scenario = "call_answered.xml" if answered else "call_refused.xml"
    run = pbx.sipp.run(scenario, PHONE_IPS[caller], CALLER_PORT, service=dialled, user=caller,
                       password=password(caller), duration_ms=duration_ms)
    try:
        assert run.process.returncode == 0, run.output()
        if callee is not None and answered:
            assert callee.wait(10) == 0, callee.output()
    finally:
        if callee is not None:
            callee.stop()
    return callee


def upstream_call(pbx, source_ip: str, did: str, callee_ip: str | None, *, answered: bool,
                  request_user: str | None = None, port: int = PHONE_PORT, duration_ms: int = 200):
    """An upstream at ``source_ip`` sends an INVITE for ``did`` (To header; the request URI's user
    too unless ``request_user`` is given), staying ``duration_ms`` once answered; asserts the outcome."""
    callee = pbx.sipp.answering(callee_ip) if callee_ip else None
    scenario = "upstream_call_answered.xml" if answered else "upstream_call_refused.xml"
    run = pbx.sipp.run(scenario, source_ip, port, service=request_user or did, keys={"to": did},
                       duration_ms=duration_ms)
    try:
        assert run.process.returncode == 0, run.output()
        if callee is not None and answered:
            assert callee.wait(10) == 0, callee.output()
        elif callee is not None:
            assert "INVITE sip:" not in callee.trace()
    finally:
        if callee is not None:
            callee.stop()


def prompt_file(pbx, code: str, name: str, hertz: int = 350) -> str:
    """A one-second tone stored as the page stores a converted upload of ``code`` (8 kHz mono WAV
    under DATA_DIR/prompts); returns its path."""
    path = Path(pbx.config["DATA_DIR"]) / "prompts" / code / (f"{hertz:x}".ljust(64, "c")) / f"{name}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path), "synth", "1", "sine", str(hertz)],
                   check=True)
    path.chmod(0o644)
    return str(path)


def room(number: str, pin=None, moderator_pin=None, wait=False, max_members=20) -> ConferenceConfig:
    return ConferenceConfig(number, f"Room {number}", pin, moderator_pin, wait, max_members)


def joining(pbx, phone: str, number: str, keys: str, listen_ms: int):
    """``phone`` dials ``number``, presses ``keys`` once answered, stays ``listen_ms``; returns at once."""
    return pbx.sipp.start(pbx.sipp.pressing(keys, listen_ms, phone=True), PHONE_IPS[phone], CALLER_PORT,
                          service=number, user=phone, password=password(phone), timeout_s=40)


def rooms(pbx) -> dict[str, int]:
    """Each conference the PBX holds now, with how many are in it."""
    if pbx.backend.name == "freeswitch":
        listing = pbx.cli("conference list summary")
        return {m[1]: int(m[2]) for m in re.finditer(r"^\+OK Conference (lp-\S+) \((\d+) member", listing, re.M)}
    return {m[1]: int(m[2]) for m in re.finditer(r"^(lp-\S+)\s+(\d+)", pbx.cli("confbridge list"), re.M)}


def members(pbx, name: str) -> dict[str, str]:
    """Who is in conference ``name`` (their phone), with ConfBridge's flags (A admin, M marked,
    W waits for the marked, w waiting now); FreeSWITCH's said in those letters (its moderator is
    A and M; a member waits while the room waits for the moderator)."""
    if pbx.backend.name == "freeswitch":
        listing = pbx.cli(f"conference {name} list")
        waiting = pbx.cli(f"conference {name} get wait_mod").strip() == "true"
        found = {}
        for m in re.finditer(r"^\d+;sofia/[^/;]+/([^@;]+)@[^;]*;[^;]*;[^;]*;[^;]*;([^;]*);", listing, re.M):
            moderator = "moderator" in m[2].split("|")
            found[m[1]] = "AM" if moderator else ("Ww" if waiting else "")
        return found
    return {m[1]: m[2] for m in re.finditer(r"^PJSIP/(\S+)-[0-9a-f]{8}\s+(\S*)", pbx.cli(f"confbridge list {name}"),
                                            re.M)}
