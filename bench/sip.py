"""A phone's REGISTER, timed: the unauthenticated request, Asterisk's 401 challenge, the request
again with digest credentials, and the final answer. Small enough to run thousands of times and
precise to the microsecond, which sipp's statistics are not."""
from __future__ import annotations

import hashlib
import re
import secrets
import socket
import time
from dataclasses import dataclass

CHALLENGE = re.compile(r'(\w+)="?([^",]*)"?')


@dataclass
class Registration:
    """How one REGISTER went: the final status (None: no answer in time) and its duration."""

    status: int | None
    seconds: float


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # SIP digest is MD5 by definition


class Phone:
    """One SIP account registering from its own UDP socket on loopback."""

    def __init__(self, server: tuple[str, int], username: str, password: str, local_ip: str = "127.0.0.1",
                 local_port: int = 0):
        self.server = server
        self.username = username
        self.password = password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((local_ip, local_port))
        self.local = self.sock.getsockname()
        self.call_id = secrets.token_hex(8)
        self.cseq = 0

    def close(self) -> None:
        self.sock.close()

    def _request(self, authorization: str | None, expires: int) -> str:
        self.cseq += 1
        host, port = self.server
        lines = [f"REGISTER sip:{host}:{port} SIP/2.0",
                 f"Via: SIP/2.0/UDP {self.local[0]}:{self.local[1]};branch=z9hG4bK{secrets.token_hex(8)};rport",
                 "Max-Forwards: 70",
                 f"From: <sip:{self.username}@{host}>;tag={secrets.token_hex(4)}",
                 f"To: <sip:{self.username}@{host}>",
                 f"Call-ID: {self.call_id}",
                 f"CSeq: {self.cseq} REGISTER",
                 f"Contact: <sip:{self.username}@{self.local[0]}:{self.local[1]}>",
                 f"Expires: {expires}",
                 "User-Agent: littlepbx-bench"]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        lines.append("Content-Length: 0")
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), self.server)
        return str(self.cseq)

    def _answer(self, cseq: str, deadline: float) -> str | None:
        """The final answer to request ``cseq`` (provisional answers and stray packets skipped)."""
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65535).decode(errors="replace")
            except TimeoutError:
                return None
            if f"CSeq: {cseq} REGISTER" in data and not data.startswith("SIP/2.0 1"):
                return data

    def _authorization(self, answer: str) -> str:
        header = next(line for line in answer.split("\r\n") if line.lower().startswith("www-authenticate:"))
        fields = dict(CHALLENGE.findall(header.split(":", 1)[1].replace("Digest", "", 1)))
        host, port = self.server
        uri = f"sip:{host}:{port}"
        ha1 = _md5(f"{self.username}:{fields['realm']}:{self.password}")
        ha2 = _md5(f"REGISTER:{uri}")
        parts = {"username": self.username, "realm": fields["realm"], "nonce": fields["nonce"], "uri": uri,
                 "algorithm": "MD5"}
        if "auth" in fields.get("qop", "").split(","):
            cnonce, count = secrets.token_hex(4), "00000001"
            parts.update(response=_md5(f"{ha1}:{fields['nonce']}:{count}:{cnonce}:auth:{ha2}"), qop="auth",
                         nc=count, cnonce=cnonce)
        else:
            parts["response"] = _md5(f"{ha1}:{fields['nonce']}:{ha2}")
        if "opaque" in fields:
            parts["opaque"] = fields["opaque"]
        return "Digest " + ", ".join(f'{k}="{v}"' if k not in ("nc", "qop", "algorithm") else f"{k}={v}"
                                     for k, v in parts.items())

    def register(self, expires: int = 120, timeout: float = 5.0) -> Registration:
        """REGISTER, answer the challenge, and time the whole exchange."""
        start = time.perf_counter()
        deadline = start + timeout
        answer = self._answer(self._request(None, expires), deadline)
        if answer is not None and answer.startswith("SIP/2.0 401"):
            answer = self._answer(self._request(self._authorization(answer), expires), deadline)
        status = int(answer.split(" ", 2)[1]) if answer else None
        return Registration(status, time.perf_counter() - start)
