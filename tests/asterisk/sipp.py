"""Run sipp scenarios against the test Asterisk: phones and upstreams on distinct 127.0.0.x addresses."""
from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.lanes import PORT_SHIFT

SCENARIOS = Path(__file__).resolve().parent
# Ports of the test phones and upstreams on their own 127.0.0.x addresses: never 5060, which an
# installed PBX beside the tests holds on 0.0.0.0 (a bind to 127.0.0.11:5060 would then fail).
# The FreeSWITCH lane's sit 2 above (tests/lanes.py: it runs beside the Asterisk lane).
PHONE_PORT = 25060 + PORT_SHIFT   # a phone's registered contact; an upstream's address
CALLER_PORT = 25070 + PORT_SHIFT  # a second port of a phone, for the calls it places while its contact answers


@dataclass
class SippRun:
    """A finished or running sipp process and where its SIP messages were traced."""

    process: subprocess.Popen
    messages: Path
    command: list[str]

    def wait(self, timeout: float = 60) -> int:
        """Wait for sipp to exit; its exit code (0: every call went as the scenario says). A sipp
        still running after ``timeout`` is killed and fails the test with what it saw."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"sipp did not finish within {timeout} s:\n{self.output()}") from None

    def output(self) -> str:
        """sipp's screen output and the SIP messages it traced (for failure messages)."""
        out = self.process.stdout.read() if self.process.stdout else ""
        return f"{' '.join(self.command)}\n{out[-3000:]}\n--- messages ---\n{self.trace()[-6000:]}"

    def trace(self) -> str:
        """The SIP messages sipp sent and received so far."""
        return self.messages.read_text(errors="replace") if self.messages.exists() else ""

    def stop(self) -> None:
        """Kill a sipp that is still running (a UAS nobody called)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Sipp:
    """Starts sipp processes aimed at one Asterisk; files go to ``workdir``."""

    def __init__(self, server: str, workdir: Path):
        self.server = server
        self.workdir = workdir
        self.count = 0

    def start(self, scenario: str, ip: str, port: int = PHONE_PORT, *, service: str = "", user: str = "",
              password: str = "", duration_ms: int = 200, timeout_s: int = 30, calls: int = 1,
              uas: bool = False, keys: dict[str, str] | None = None, transport: str = "u1",
              remote: str | None = None, call_id: str | None = None) -> SippRun:
        """Start ``scenario`` from ``ip:port`` (a UAS when ``uas``; ``transport`` "t1" for TCP) towards
        Asterisk, or ``remote``; returns at once. ``call_id``: the Call-ID of its call, not its own.

        -aa answers NOTIFY (MWI), OPTIONS and INFO outside the scenario: phones get MWI NOTIFYs.
        """
        self.count += 1
        messages = self.workdir / f"sipp-{self.count}-{Path(scenario).stem}-{ip}.log"
        # Distinct per address and SIP port (two sipps may share an address), clear of SIP's ports.
        media_port = 40000 + 100 * (int(ip.rsplit(".", 1)[1]) % 200) + 2 * (port % 100)
        command = ["sipp", "-sf", str(SCENARIOS / scenario), "-i", ip, "-p", str(port), "-m", str(calls),
                   "-mi", ip, "-mp", str(media_port), "-d", str(duration_ms),
                   "-timeout", str(timeout_s), "-timeout_error", "-nostdin", "-aa", "-t", transport,
                   "-trace_msg", "-message_file", str(messages)]
        if service:
            command += ["-s", service]
        if call_id:
            command += ["-cid_str", call_id.replace("%", "%%")]
        # [to]: the To header's user, the request URI's (-s) unless a test says otherwise.
        keys = {"user": user or "upstream", **({"to": service} if service else {}), **(keys or {})}
        if user:
            command += ["-au", user, "-ap", password or "x"]
        for name, value in keys.items():
            command += ["-key", name, value]
        if not uas:
            command.append(remote or self.server)
        process = subprocess.Popen(command, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return SippRun(process, messages, command)

    def run(self, scenario: str, ip: str, port: int = PHONE_PORT, **kwargs) -> SippRun:
        """Run ``scenario`` to completion."""
        run = self.start(scenario, ip, port, **kwargs)
        run.wait(timeout=kwargs.get("timeout_s", 30) + 15)
        return run

    def offering_srtp(self, scenario: str) -> str:
        """``scenario`` with its SDP offering SRTP (RTP/SAVP and an SDES key), as a phone set to
        encrypt its audio sends it; written to the work directory, returns its path."""
        key = "inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"  # 30 bytes: master key and salt
        text = (SCENARIOS / scenario).read_text().replace(
            "RTP/AVP 0 101", f"RTP/SAVP 0 101\n      a=crypto:1 AES_CM_128_HMAC_SHA1_80 {key}")
        self.count += 1
        path = self.workdir / f"srtp-{self.count}-{Path(scenario).stem}.xml"
        path.write_text(text)
        return str(path)

    def replacing(self, scenario: str, replaces: str) -> str:
        """``scenario`` whose INVITEs carry ``Replaces: <replaces>`` (a phone taking over the call it
        names, e.g. picking it up); written to the work directory, returns its path."""
        text = (SCENARIOS / scenario).read_text().replace(
            "Call-ID: [call_id]\n      CSeq: 1 INVITE", f"Call-ID: [call_id]\n      Replaces: {replaces}\n      CSeq: 1 INVITE")
        text = text.replace("Call-ID: [call_id]\n      CSeq: 2 INVITE",
                            f"Call-ID: [call_id]\n      Replaces: {replaces}\n      CSeq: 2 INVITE")
        self.count += 1
        path = self.workdir / f"replaces-{self.count}-{Path(scenario).stem}.xml"
        path.write_text(text)
        return str(path)

    def listening_at(self, scenario: str, port: int) -> str:
        """``scenario`` whose SDP sends the call's audio to ``port`` (an RtpSink's) instead of sipp's
        media port, and which sends none itself; written to the work directory, returns its path."""
        text = (SCENARIOS / scenario).read_text()
        text = text.replace("m=audio [media_port]", f"m=audio {port}")
        text = re.sub(r'\s*<nop><action><exec rtp_stream="[^"]*"/></action></nop>', "", text)
        self.count += 1
        path = self.workdir / f"listen-{self.count}-{Path(scenario).stem}.xml"
        path.write_text(text)
        return str(path)

    def lingering(self, scenario: str, ms: int) -> str:
        """``scenario`` staying ``ms`` after its last step (a phone on TCP or TLS keeps its connection,
        which Asterisk drops the registration with); written to the work directory, returns its path."""
        text = (SCENARIOS / scenario).read_text()
        end = text.rindex("</scenario>")
        self.count += 1
        path = self.workdir / f"linger-{self.count}-{Path(scenario).stem}.xml"
        path.write_text(text[:end] + f'  <pause milliseconds="{ms}"/>\n' + text[end:])
        return str(path)

    def contact_over(self, scenario: str, transport: str) -> str:
        """``scenario`` whose Contact names ``transport`` ("tcp", "tls"), as a phone set to it
        sends it (over TLS, its Via says TLS too: a TCP sipp behind a TLS relay would say TCP);
        written to the work directory, returns its path."""
        text = (SCENARIOS / scenario).read_text() if "/" not in scenario else Path(scenario).read_text()
        text = text.replace("Contact: <sip:[user]@[local_ip]:[local_port]>",
                            f"Contact: <sip:[user]@[local_ip]:[local_port];transport={transport}>")
        if transport == "tls":
            text = text.replace("Via: SIP/2.0/[transport]", "Via: SIP/2.0/TLS")
        self.count += 1
        path = self.workdir / f"contact-{self.count}-{Path(scenario).stem}.xml"
        path.write_text(text)
        return str(path)

    def one_call(self, scenario: str) -> str:
        """``scenario`` as a UAS that answers any NOTIFY calls before (or beside) its one call and
        stops once that call is done; written to the work directory, returns its path."""
        text = (SCENARIOS / scenario).read_text()
        start = text.index(">", text.index("<scenario")) + 1
        end = text.rindex("</scenario>")
        notify = """
  <recv request="NOTIFY" optional="true" next="lp_notify"/>"""
        tail = """
  <nop><action><exec int_cmd="stop_gracefully"/></action></nop>
  <nop next="lp_end"/>
  <label id="lp_notify"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <label id="lp_end"/>
"""
        self.count += 1
        path = self.workdir / f"uas-{self.count}-{Path(scenario).stem}.xml"
        path.write_text(text[:start] + notify + text[start:end] + tail + text[end:])
        return str(path)

    def pressing(self, keys: str, listen_ms: int = 1000, *, phone: bool = False) -> str:
        """upstream_call_keys.xml (``phone``: phone_call_keys.xml, with digest auth) pressing
        ``keys`` ("1", "102#") one after the other, then listening ``listen_ms`` before hanging up
        (or until the PBX does: hung_up_by_pbx says which), written to the work directory; returns
        its path, for ``start`` or ``run``."""
        scenario, first_cseq = ("phone_call_keys.xml", 3) if phone else ("upstream_call_keys.xml", 2)
        head, block, tail = re.split(r"\s*<!-- (?:end )?each key -->", (SCENARIOS / scenario).read_text())
        pressed = "".join(block.replace("{cseq}", str(first_cseq + i)).replace("{key}", key)
                          for i, key in enumerate(keys))
        self.count += 1
        path = self.workdir / f"keys-{self.count}.xml"
        path.write_text(head + pressed + tail.replace("{bye_cseq}", str(first_cseq + len(keys)))
                        .replace("{listen_ms}", str(listen_ms)))
        return str(path)

    def referring(self, refer_to: str, bye_wait_ms: int = 4000, replaces: str | None = None,
                  host: str = "[remote_ip]:[remote_port]") -> str:
        """phone_call_refer.xml: the phone's transfer button (a blind REFER) to ``refer_to`` (a SIP
        URI's user part, as sent, at ``host``, the PBX's unless said; with ``replaces``, an attended
        one: the Replaces header of the Refer-To URI, escaped as sent); written to the work
        directory, returns its path. How the transfer went: transfer_result(run)."""
        text = (SCENARIOS / "phone_call_refer.xml").read_text()
        headers = f"?Replaces={replaces}" if replaces is not None else ""
        text = text.replace("Refer-To: <sip:{refer_to}@[remote_ip]:[remote_port]>",
                            f"Refer-To: <sip:{{refer_to}}@{host}{headers}>")
        self.count += 1
        path = self.workdir / f"refer-{self.count}.xml"
        path.write_text(text.replace("{refer_to}", refer_to).replace("{bye_wait}", str(bye_wait_ms)))
        return str(path)

    def redirecting(self, target: str) -> str:
        """redirect.xml answering 302 towards Contact user ``target``; written to the work directory,
        returns its path."""
        self.count += 1
        path = self.workdir / f"redirect-{self.count}.xml"
        path.write_text((SCENARIOS / "redirect.xml").read_text().replace("{target}", target))
        return str(path)

    def refusing(self, status: str) -> str:
        """refuse.xml answering every INVITE with ``status`` ("503 Service Unavailable"); written to
        the work directory, returns its path."""
        self.count += 1
        path = self.workdir / f"refuse-{self.count}.xml"
        path.write_text((SCENARIOS / "refuse.xml").read_text().replace("{status}", status))
        return str(path)

    def hanging_up(self, ms: int, *, pressing: str | None = None) -> str:
        """answer_then_hang_up.xml hanging up ``ms`` after it answered (unless the PBX does first);
        with ``pressing``, answer_and_press.xml, which presses those keys ("1", "**1103#") one
        after the other from 1.5 s after answering. Written to the work directory; returns its path."""
        text = (SCENARIOS / ("answer_and_press.xml" if pressing else "answer_then_hang_up.xml")).read_text()
        if pressing:
            head, block, tail = re.split(r"\s*<!-- (?:end )?each key -->", text)
            text = head + "".join(block.replace("{cseq}", str(1 + i)).replace("{key}", key)
                                  for i, key in enumerate(pressing)) + tail
        self.count += 1
        path = self.workdir / f"hangup-{self.count}.xml"
        path.write_text(text.replace("{hang_up_ms}", str(ms)))
        return str(path)

    def answering(self, ip: str, port: int = PHONE_PORT, scenario: str = "answer.xml", **kwargs) -> SippRun:
        """A UAS on ``ip:port`` (a phone's registered contact, or an upstream), listening once bound.

        A one-call UAS also takes the unsolicited NOTIFYs (MWI) Asterisk may send a phone at any
        time: sipp would count one as its call and then ignore the INVITE it waits for. (Not a
        scenario that waits for a NOTIFY itself.)"""
        if kwargs.get("calls", 1) == 1 and 'request="NOTIFY"' not in (SCENARIOS / scenario).read_text():
            scenario, kwargs = self.one_call(scenario), {**kwargs, "calls": 20}
        run = self.start(scenario, ip, port, uas=True, **kwargs)
        protocol = "t" if kwargs.get("transport", "u1").startswith("t") else "u"
        wait_until(lambda: bound(ip, port, protocol) or run.process.poll() is not None, 5)
        if run.process.poll() is not None:
            raise RuntimeError(f"sipp UAS did not start:\n{run.output()}")
        return run


def hung_up_by_pbx(run: SippRun) -> bool:
    """Whether the PBX ended the call of a caller's sipp run (it received a BYE)."""
    return bool(re.search(r"message received[^\n]*\n\s*BYE sip:", run.trace()))


def final_status(run: SippRun) -> int | None:
    """The final status the PBX answered the (last) INVITE of a caller's run with, or None."""
    codes = re.findall(r"SIP/2\.0 ([2-6]\d\d)[^\n]*\n(?:[^\n]+\n)*?CSeq:\s*\d+ INVITE", run.trace())
    return int(codes[-1]) if codes else None


def final_answer(run: SippRun) -> int | None:
    """The last final answer a run received but for challenges (whatever its request was), or None."""
    codes = [int(code) for code in re.findall(r"message received[^\n]*\n\s*SIP/2\.0 ([2-6]\d\d)", run.trace())
             if code not in ("401", "407")]
    return codes[-1] if codes else None


def transfer_result(run: SippRun) -> int | None:
    """The last status the PBX reported for a REFER of ``run`` (its NOTIFYs' message/sipfrag
    bodies: 100 trying, 180 ringing, 200 answered, 4xx-6xx failed), or its refusal of the REFER
    itself; None if it reported none."""
    refused = re.search(r"SIP/2\.0 ([3-6]\d\d)[^\n]*\n(?:[^\n]+\n)*?CSeq:\s*\d+ REFER", run.trace())
    if refused:
        return int(refused.group(1))
    codes = re.findall(r"Content-Type: message/sipfrag[^\n]*\n(?:[^\n]+\n)*?\s*\n\s*SIP/2\.0 (\d{3})", run.trace())
    return int(codes[-1]) if codes else None


def bound(ip: str, port: int, protocol: str = "u") -> bool:
    """Whether something listens on UDP (protocol "u") or TCP ("t") ``ip:port``."""
    out = subprocess.run(["ss", f"-Hln{protocol}", "src", f"{ip}:{port}"], capture_output=True, text=True).stdout
    return bool(out.strip())


def wait_until(condition, timeout: float, interval: float = 0.05):
    """Poll ``condition`` until it returns a true value or ``timeout`` seconds pass; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
