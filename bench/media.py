"""Calls with audio while Applies run. sipp places calls from one phone of an organization to
another, RATE new calls a second until CONCURRENT are up, each streaming a tone as PCMU RTP
(a packet every 20 ms) until its BYE; the called phone (a second sipp, -rtp_echo) sends every
packet back, so each call carries audio both ways through Asterisk. Meanwhile other
organizations apply, one after another.

With every call up, Asterisk's own counters (`pjsip show channelstats`) tell how much audio went
through: the packets all legs sent against those they received (each packet is received on one
leg and sent on the other), the packets lost on the way in, and any leg with none in one
direction (one-way audio). sipp tells how many calls failed."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

from bench import calls, load
from bench.figures import Figure, phones_of, rename, summary

CALLEE_PORT = 26580
CALLER_PORT = 26590
ECHO_PORT = 26600       # the called sipp's media port: it sends back what arrives there
CALLER_MEDIA_PORT = 26700
RATE = 5                # new calls per second
CONCURRENT = 300
# pjsip show channelstats: bridge, channel (cut short), up time, codec, then received: count, lost,
# %, jitter; sent: count, lost, %, jitter; RTT.
STATS_LINE = re.compile(r"^\s*\S+\s+(\S+)\s+\d\d:\d\d:\d\d\s+\S+\s+(\d+)\s+(\d+)\s+\S+\s+\S+\s+(\d+)", re.M)


def audio_scenario(workdir: Path) -> Path:
    """The bench's calling phone (scenarios/call.xml) streaming the tone from its answer to its BYE."""
    text = (calls.SCENARIOS / "call.xml").read_text()
    text = text.replace("<pause/>", '<nop><action><exec rtp_stream="tone.wav,-1,0"/></action></nop>\n  <pause/>')
    text = text.replace("m=audio [media_port]", "m=audio [rtpstream_audio_port]")
    path = workdir / "call_audio.xml"
    path.write_text(text)
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-e", "u-law", str(workdir / "tone.wav"),
                    "synth", "10", "sine", "440"], check=True)
    return path


def channel_stats(lab) -> list[dict]:
    """Each PJSIP channel's RTP packets received, lost on the way in and sent, from Asterisk."""
    output = lab.pbx.cli("pjsip show channelstats", timeout=60)
    return [{"channel": match[1], "received": int(match[2]), "lost": int(match[3]), "sent": int(match[4])}
            for match in STATS_LINE.finditer(output)]


def applies_meanwhile(lab, codes: list[str], until: threading.Event) -> list[float]:
    """Apply ``codes`` in turn, each with a change, until ``until`` is set; their seconds."""
    seconds, turn = [], 0
    while not until.is_set():
        code = codes[turn % len(codes)]
        rename(lab, code, "101", f"Sales {turn}")
        seconds.append(load.apply_now(lab.app, lab.applier, code))
        turn += 1
    return seconds


def audio_during_applies(lab, code: str, apply_codes: list[str], quick: bool = False) -> list[Figure]:
    """The figures of calls with audio in both directions while other organizations apply."""
    if shutil.which("sipp") is None or shutil.which("sox") is None:
        return [Figure("Calls with audio during Applies (sipp or sox is not installed)", float("nan"), "")]
    concurrent = 20 if quick else CONCURRENT
    ramp = concurrent / RATE
    calls.unlimited_calls(lab, code)
    phones = phones_of(lab, code, 4)  # the first two are call_setup's
    for phone in phones[:3]:
        phone.close()
    caller, called = phones[2:]
    workdir = Path(lab.workdir) / "media"
    answering = calls.answering_phone(called, CALLEE_PORT, workdir,
                                      "-mi", "127.0.0.1", "-mp", str(ECHO_PORT), "-rtp_echo")
    if answering is None:
        return [Figure("Calls with audio during Applies (the called phone could not register)", float("nan"), "")]
    scenario = audio_scenario(workdir)
    hold_ms = int((ramp + 8) * 1000)  # every call is still up a few seconds after the last one started
    stats_file = workdir / "calls.csv"
    number = called.username.split("-", 1)[1]
    stop_applying = threading.Event()
    applied: list[float] = []
    applier = threading.Thread(target=lambda: applied.extend(applies_meanwhile(lab, apply_codes, stop_applying)))
    try:
        time.sleep(0.5)
        placing = subprocess.Popen(
            ["sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(CALLER_PORT), "-mi", "127.0.0.1",
             "-mp", str(CALLER_MEDIA_PORT), "-s", number, "-au", caller.username, "-ap", caller.password,
             "-key", "user", caller.username, "-r", str(RATE), "-m", str(concurrent), "-l", str(concurrent),
             "-d", str(hold_ms), "-recv_timeout", "10000", "-timeout", str(int(ramp * 2 + 60)), "-nostdin",
             "-trace_stat", "-stf", str(stats_file), "-fd", "1", f"{lab.sip_server[0]}:{lab.sip_server[1]}"],
            cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        applier.start()
        time.sleep(ramp + 4)  # every call placed and streaming for a few seconds
        legs = channel_stats(lab)
        placing.wait(timeout=ramp * 2 + 90)
    finally:
        stop_applying.set()
        if applier.is_alive():
            applier.join()
        answering.terminate()
        answering.wait(10)
    with open(stats_file) as handle:
        last = list(csv.DictReader(handle, delimiter=";"))[-1]
    set_up, failed = int(last["SuccessfulCall(C)"]), int(last["FailedCall(C)"])
    received = sum(leg["received"] for leg in legs)
    sent = sum(leg["sent"] for leg in legs)
    one_way = [leg["channel"] for leg in legs if not leg["received"] or not leg["sent"]]
    relayed = round(100 * sent / received, 2) if received else float("nan")
    detail = {"calls": concurrent, "set_up": set_up, "failed": failed, "legs_up_at_peak": len(legs),
              "packets_received": received, "packets_sent": sent, "lost_inbound": sum(leg["lost"] for leg in legs),
              "one_way_legs": one_way[:20], "applies_meanwhile": summary(applied), "rate_per_s": RATE}
    name = f"Calls with audio both ways, {RATE} new a second to {concurrent} up, while other orgs apply"
    return [Figure(f"{name}: up at the peak", len(legs) // 2, "calls", f"≥ {CONCURRENT}", detail=detail),
            Figure("... failed (sipp)", failed, "calls", "0"),
            Figure("... legs with audio one way", len(one_way), "legs", "0"),
            Figure("... audio Asterisk sent on, of what it received (all legs, at the peak)", relayed, "%", "≥ 99.8 %"),
            Figure("... the Applies meanwhile: p50", summary(applied)["p50"], "ms", "", detail=detail)]
