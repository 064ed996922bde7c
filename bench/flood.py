"""A bounded flood of unauthenticated SIP requests from one address (a scanner, on loopback), and
what it does to another organization's REGISTERs and to the web app: each measured idle just
before, then during the flood, and printed as a ratio.

The scanner runs in its own process (``python -m bench.flood HOST PORT RATE SECONDS``) so that it
takes no time from the measuring threads. It cycles through what scanners send: REGISTERs of
accounts that do not exist and of real ones with a wrong password, INVITEs to outside numbers
without credentials, OPTIONS. The lab runs no fail2ban, so this is the flood before any ban (an
installed LittlePBX bans the address after a few failures: README, Security).
"""
from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import threading
import time

from bench.figures import ROOT, Figure, phones_of, registering, summary

SCANNER_IP = "127.0.0.66"
RATE = 1000      # requests per second
SECONDS = 10.0   # of flood, and of each idle baseline


def _request(method: str, host: str, port: int, local: tuple[str, int], user: str, target: str, extra: str = "") -> bytes:
    branch, tag, call_id = secrets.token_hex(8), secrets.token_hex(4), secrets.token_hex(10)
    uri = f"sip:{target}@{host}:{port}" if target else f"sip:{host}:{port}"
    lines = [f"{method} {uri} SIP/2.0",
             f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bK{branch};rport",
             "Max-Forwards: 70",
             f"From: <sip:{user}@{host}>;tag={tag}",
             f"To: <{uri}>",
             f"Call-ID: {call_id}",
             f"CSeq: 1 {method}",
             f"Contact: <sip:{user}@{local[0]}:{local[1]}>",
             "User-Agent: friendly-scanner"]
    if extra:
        lines.append(extra)
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def scan(host: str, port: int, rate: float, seconds: float, known_user: str,
         only: str = "") -> tuple[int, int]:
    """Send ``rate`` requests a second for ``seconds`` (``only``: the kinds of request, by their
    place in the cycle, e.g. "02"); returns (sent, answers received)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((SCANNER_IP, 0))
    sock.setblocking(False)
    local = sock.getsockname()
    wrong = f'Digest username="{known_user}", realm="littlepbx", nonce="0", uri="sip:{host}", response="{"0" * 32}"'
    kinds = [lambda n: _request("REGISTER", host, port, local, f"{100 + n % 900}", ""),
             lambda n: _request("REGISTER", host, port, local, known_user, "",
                                "Authorization: " + wrong),
             lambda n: _request("INVITE", host, port, local, f"{100 + n % 900}", f"0044{n:010d}"),
             lambda n: _request("OPTIONS", host, port, local, "scanner", "")]
    kinds = [kinds[int(place)] for place in only] if only else kinds
    sent = answered = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        due = int(elapsed * rate)
        while sent < due:
            sock.sendto(kinds[sent % len(kinds)](sent), (host, port))
            sent += 1
        try:
            while True:
                sock.recv(65535)
                answered += 1
        except BlockingIOError:
            pass
        time.sleep(0.001)
    sock.close()
    return sent, answered


def flood_effect(lab, api, probe_code: str, page_code: str, rate: float = RATE, seconds: float = SECONDS) -> list[Figure]:
    """REGISTERs of ``probe_code``'s phones every 50 ms and the page data of ``page_code`` through
    the app, idle and then during the flood."""
    phones = phones_of(lab, probe_code, 10)
    known = phones[0].username

    def measure(flood: subprocess.Popen | None) -> tuple[list, list]:
        stop = threading.Event()
        pages = []

        def page_probe():
            while not stop.is_set():
                began = time.perf_counter()
                api.call("GET", f"/orgs/{page_code}/extensions")
                pages.append(time.perf_counter() - began)
                stop.wait(0.05)
        pager = threading.Thread(target=page_probe)
        with registering(phones) as registers:
            pager.start()
            if flood is None:
                time.sleep(seconds)
            else:
                flood.wait(seconds + 30)
            stop.set()
            pager.join()
        return registers, pages

    try:
        idle_registers, idle_pages = measure(None)
        host, port = lab.sip_server
        scanner = subprocess.Popen([sys.executable, "-m", "bench.flood", host, str(port), str(rate), str(seconds),
                                    known], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        flood_registers, flood_pages = measure(scanner)
        sent, answered = map(int, scanner.stdout.read().split())
    finally:
        for phone in phones:
            phone.close()
    idle = summary([r.seconds for r in idle_registers if r.status == 200])
    during = summary([r.seconds for r in flood_registers if r.status == 200])
    idle_page, flood_page = summary(idle_pages), summary(flood_pages)
    refused = sum(r.status != 200 for r in flood_registers)
    detail = {"rate_per_s": rate, "seconds": seconds, "sent": sent, "answered_by_asterisk": answered,
              "register_idle": idle, "register_during": during, "page_idle": idle_page, "page_during": flood_page,
              "refused_or_unanswered": refused}
    return [Figure(f"REGISTER of another org during {rate:g} unauthenticated requests/s: p50", during["p50"], "ms",
                   "≤ 1.5 × idle", ratio=round(during["p50"] / idle["p50"], 2),
                   baseline=f"idle p50 {idle['p50']} ms", detail=detail),
            Figure("... p95", during["p95"], "ms", "≤ 2 × idle", ratio=round(during["p95"] / idle["p95"], 2),
                   baseline=f"idle p95 {idle['p95']} ms", detail=detail),
            Figure("... refused or unanswered", refused, "REGISTERs", "0", detail=detail),
            Figure("Web app (an org's page data) during the flood: p50", flood_page["p50"], "ms", "≤ 1.5 × idle",
                   ratio=round(flood_page["p50"] / idle_page["p50"], 2), baseline=f"idle p50 {idle_page['p50']} ms",
                   detail=detail)]


if __name__ == "__main__":
    address, port_text, rate_text, seconds_text, user = sys.argv[1:6]
    print(*scan(address, int(port_text), float(rate_text), float(seconds_text), user, *sys.argv[6:7]))
