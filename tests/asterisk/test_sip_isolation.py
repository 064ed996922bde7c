"""Nothing crosses between organizations over SIP, not even information: every request a phone can
send, aimed at another organization's extension, mailbox, endpoint or AOR in any spelling, gets no
2xx, starts no NOTIFY, and gets the same answer whether the target exists or not."""
from __future__ import annotations

import re

import pytest

from littlepbx.pbx_backends.asterisk import provision

from .helpers import PHONE_IPS, T1_UPSTREAM_IN, UNKNOWN_SOURCE, extension, org_t2, password
from .sipp import CALLER_PORT, PHONE_PORT, SCENARIOS, final_answer, wait_until

pytestmark = pytest.mark.asterisk

# (method, Event, Content-Type, body)
PROBES = [
    ("SUBSCRIBE", "message-summary", "", ""),
    ("SUBSCRIBE", "presence", "", ""),
    ("SUBSCRIBE", "dialog", "", ""),
    ("MESSAGE", "", "text/plain", "hello from another organization"),
    ("OPTIONS", "", "", ""),
    ("REFER", "refer", "", ""),
    ("NOTIFY", "message-summary", "application/simple-message-summary", "Messages-Waiting: yes"),
    ("INFO", "", "application/dtmf-relay", "Signal=1"),
    ("PUBLISH", "presence", "application/pidf+xml", "<presence/>"),
]
# t2's extension 101 (with a mailbox) in the spellings a phone can put in a request URI, and
# targets of the same shapes that exist nowhere.
EXISTING = ["t2-101", "T2-101", "t2%2D101", "101%40t2"]
MISSING = ["t2-199", "t9-101", "199%40t2"]


@pytest.fixture(scope="module")
def t2_with_mailbox(orgs):
    """Org t2's 101 has a mailbox (the information another org must not learn about)."""
    orgs.apply(org_t2(extensions=(extension("t2", "101", voicemail_enabled=True), extension("t2", "102"))))
    yield orgs
    orgs.apply(org_t2())


def scenario(pbx, method: str) -> str:
    """probe.xml for ``method`` (sipp takes no keyword for a request's method)."""
    path = pbx.workdir / f"probe-{method}.xml"
    path.write_text((SCENARIOS / "probe.xml").read_text().replace("@METHOD@", method))
    return str(path)


def probe(pbx, method: str, event: str, content_type: str, body: str, target: str) -> tuple[int, bool]:
    """Phone t1-102 sends one request to ``target``: the final answer, and whether a NOTIFY came."""
    run = pbx.sipp.run(scenario(pbx, method), PHONE_IPS["t1-102"], CALLER_PORT, service=target, user="t1-102",
                       password=password("t1-102"),
                       keys={"event": event or "none", "content_type": content_type or "text/plain", "body": body})
    assert run.process.returncode == 0, run.output()
    received = received_messages(run.trace())
    codes = [int(m[8:11]) for m in received if m.startswith("SIP/2.0 ") and m[8:11] not in ("401", "407")]
    assert codes, run.output()
    return codes[-1], any(m.startswith("NOTIFY ") for m in received)


def received_messages(trace: str) -> list[str]:
    """The SIP messages sipp received, from its trace (each starts at its first line)."""
    parts = re.split(r"^.*UDP message (sent|received).*$", trace, flags=re.M)
    return [parts[i + 1].strip() for i in range(1, len(parts) - 1, 2) if parts[i] == "received"]


@pytest.mark.backends("asterisk", "freeswitch")
@pytest.mark.parametrize("method,event,content_type,body", PROBES,
                         ids=[f"{p[0]}-{p[1] or 'none'}" for p in PROBES])
def test_when_a_phone_aims_a_request_at_another_org_then_the_answer_says_nothing(
        t2_with_mailbox, method, event, content_type, body):
    pbx = t2_with_mailbox
    # t2-101's phone listens (on FreeSWITCH: Asterisk sends it MWI NOTIFYs of its own at any time).
    listener = pbx.sipp.answering(PHONE_IPS["t2-101"]) if pbx.backend.name == "freeswitch" else None
    try:
        answers = {target: probe(pbx, method, event, content_type, body, target) for target in EXISTING + MISSING}
    finally:
        if listener is not None:
            listener.stop()
    assert not [t for t, (_, notified) in answers.items() if notified], answers
    assert len({code for code, _ in answers.values()}) == 1, answers
    assert not [t for t, (code, _) in answers.items() if 200 <= code < 300], answers
    if listener is not None:
        assert f"{method} sip:" not in listener.trace(), "nothing reaches the other org's phone"


@pytest.mark.backends("asterisk", "freeswitch")
def test_an_upstreams_keepalive_naming_a_number_gets_the_same_2xx_whatever_the_number(orgs):
    """Carriers check that a trunk is up with OPTIONS, some naming a number (the trunk's, or any):
    from an upstream's address the answer is a 2xx, the same for its own organization's number,
    another's and none, so the trunk stays up and learns nothing (a phone's OPTIONS naming a user
    is refused, above)."""
    answers = {}
    for target in ("+15550101", "+15550201", "+15559999", "15550101"):
        run = orgs.sipp.run(scenario(orgs, "OPTIONS"), T1_UPSTREAM_IN, PHONE_PORT, service=target, user="carrier",
                            keys={"event": "none", "content_type": "text/plain", "body": ""})
        assert run.process.returncode == 0, run.output()
        answers[target] = final_answer(run)
    assert len(set(answers.values())) == 1 and 200 <= answers["+15550101"] < 300, answers


@pytest.mark.parametrize("method,event,content_type,body", [
    ("MESSAGE", "", "text/plain", "hello"), ("SUBSCRIBE", "message-summary", "", ""),
    ("SUBSCRIBE", "presence", "", "")])
def test_when_an_unknown_address_sends_out_of_dialog_requests_then_no_dialplan_runs(orgs, method, event,
                                                                                    content_type, body):
    """A request from an address no upstream sends from meets no endpoint: it is challenged."""
    run = orgs.sipp.run(scenario(orgs, method), UNKNOWN_SOURCE, PHONE_PORT, service="+15550101", user="scanner",
                        keys={"event": event or "none", "content_type": content_type or "text/plain", "body": body})
    assert run.process.returncode == 0, run.output()
    codes = [int(m[8:11]) for m in received_messages(run.trace()) if m.startswith("SIP/2.0 ")]
    assert codes and codes[-1] == 401, run.output()  # challenged, and its credentials fit nothing
    assert "lp-upstream" not in orgs.cli("core show channels verbose")


def test_when_a_phone_fails_to_authenticate_then_the_security_log_names_its_address(orgs):
    run = orgs.sipp.run("register_refused.xml", "127.0.0.14", user="t1-101", password="wrong")
    assert run.process.returncode == 0, run.output()
    log = provision.in_root(orgs.config, "/var/log/asterisk/security.log")
    assert wait_until(lambda: log.exists() and "127.0.0.14" in log.read_text(), 10)
    assert "InvalidPassword" in log.read_text() or "ChallengeResponseFailed" in log.read_text()
