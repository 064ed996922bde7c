"""Phones over TCP and TLS, through the real Asterisk and FreeSWITCH: an extension set to TCP registers and calls
over TCP; one set to TLS does so over TLS (a TCP sipp behind tests/support/tls.py, which checks
Asterisk's certificate), and its calls must encrypt their audio: an offer with SRTP keys is
answered with Asterisk's own, a plain one is refused."""
from __future__ import annotations

import re
import secrets
import socket
import ssl
from hashlib import md5

import pytest
from sqlalchemy import select

from littlepbx.pbx_backends.asterisk import provision, tables
from littlepbx.pbx_backends.asterisk.provision import TLS_CERT
from littlepbx.pbx_backends.freeswitch import provision as freeswitch_provision
from tests.lanes import PORT_SHIFT
from tests.support.tls import tls_client

from .helpers import PHONE_IPS, extension, org_t1, password, register
from .sipp import CALLER_PORT, PHONE_PORT, wait_until

pytestmark = [pytest.mark.asterisk, pytest.mark.backends("asterisk", "freeswitch")]
PHONE = "t1-103"
RELAY_PORT = 25081 + PORT_SHIFT  # where the TLS phone's sipp connects; the relay speaks TLS to Asterisk


def t1_with_103_over(transport: str):
    extensions = tuple(extension("t1", number) for number in ("101", "102")) + (
        extension("t1", "103", sip_transport=transport),)
    return org_t1(extensions=extensions)


def contact_of(pbx, phone: str) -> str:
    """The phone's registered contact URI (Asterisk writes ';' as ^3B; FreeSWITCH says where it
    would call it)."""
    if pbx.backend.name == "freeswitch":
        answer = pbx.cli(f"sofia_contact lp/{phone}@littlepbx").strip()
        return "" if answer.startswith("error/") else answer
    with pbx.engine.connect() as connection:
        uri = connection.scalar(select(tables.ps_contacts.c.uri).where(tables.ps_contacts.c.id.like(f"{phone}^3B%")))
    return (uri or "").replace("^3B", ";")


def pbx_certificate(pbx):
    """The certificate the PBX shows phones over TLS (what a phone is given to trust)."""
    if pbx.backend.name == "freeswitch":
        return freeswitch_provision.certificate_of(pbx.config)
    return provision.in_root(pbx.config, pbx.config["ASTERISK_CONFIG_DIR"]) / TLS_CERT


@pytest.fixture
def phone_103_back_on_udp(t1_restored):
    yield t1_restored
    t1_restored.apply(org_t1())
    register(t1_restored, PHONE)  # its UDP contact replaces the TCP or TLS one


def test_when_an_extension_connects_over_tcp_then_it_registers_and_calls_over_tcp(phone_103_back_on_udp):
    pbx = phone_103_back_on_udp
    pbx.apply(t1_with_103_over("tcp"))
    # Registered while its connection lasts (Asterisk drops the contact when it closes).
    registered = pbx.sipp.start(pbx.sipp.contact_over(pbx.sipp.lingering("register.xml", 3000), "tcp"),
                                PHONE_IPS[PHONE], PHONE_PORT, user=PHONE, password=password(PHONE), transport="t1")
    assert wait_until(lambda: "transport=tcp" in contact_of(pbx, PHONE).lower(), 5), (contact_of(pbx, PHONE), registered.output())
    assert registered.wait(10) == 0, registered.output()
    callee = pbx.sipp.answering(PHONE_IPS["t1-101"])
    try:
        run = pbx.sipp.run("call_answered.xml", PHONE_IPS[PHONE], CALLER_PORT, service="101", user=PHONE,
                           password=password(PHONE), transport="t1")
        assert run.process.returncode == 0, run.output()
        assert callee.wait(10) == 0, callee.output()
    finally:
        callee.stop()


def test_when_an_extension_connects_over_tls_then_its_calls_must_encrypt_their_audio(phone_103_back_on_udp):
    pbx = phone_103_back_on_udp
    pbx.apply(t1_with_103_over("tls"))
    certificate = pbx_certificate(pbx)
    phone = tls_client((PHONE_IPS[PHONE], RELAY_PORT), ("127.0.0.1", pbx.config["ASTERISK_SIP_TLS_PORT"]),
                       certificate)
    through = {"transport": "t1", "remote": f"{PHONE_IPS[PHONE]}:{RELAY_PORT}", "user": PHONE,
               "password": password(PHONE)}
    callee = pbx.sipp.answering(PHONE_IPS["t1-101"])
    try:
        registered = pbx.sipp.start(pbx.sipp.contact_over(pbx.sipp.lingering("register.xml", 3000), "tls"),
                                    PHONE_IPS[PHONE], CALLER_PORT, **through)
        assert wait_until(lambda: "transport=tls" in contact_of(pbx, PHONE).lower(), 5), registered.output()
        assert registered.wait(10) == 0, registered.output()
        run = pbx.sipp.run(pbx.sipp.contact_over(pbx.sipp.offering_srtp("call_answered.xml"), "tls"),
                           PHONE_IPS[PHONE], CALLER_PORT,
                           service="101", **through)
        assert run.process.returncode == 0, run.output()
        assert callee.wait(10) == 0, callee.output()
        answer = re.search(r"SIP/2.0 200 OK.*?(?=\n-{10,}|\Z)", run.trace().split("INVITE sip:")[-1], re.S)
        assert answer and "RTP/SAVP" in answer.group(0) and "a=crypto:" in answer.group(0), run.trace()
        # The same phone offering audio in the clear is refused.
        run = pbx.sipp.run(pbx.sipp.contact_over("call_refused.xml", "tls"), PHONE_IPS[PHONE], CALLER_PORT,
                           service="101", **through)
        assert run.process.returncode == 0, run.output()
    finally:
        callee.stop()
        phone.close()


def test_a_tls_extension_that_registers_over_udp_is_neither_rung_nor_calls_there(phone_103_back_on_udp):
    pbx = phone_103_back_on_udp
    pbx.apply(t1_with_103_over("tls"))
    register(pbx, PHONE)  # over UDP, with the right password: the contact is taken...
    assert contact_of(pbx, PHONE) and "transport=tls" not in contact_of(pbx, PHONE).lower()
    rung = pbx.sipp.answering(PHONE_IPS[PHONE], scenario="ring.xml")
    callee = pbx.sipp.answering(PHONE_IPS["t1-101"], scenario="ring.xml")
    try:  # ...but no call goes there: the audio keys would travel in the clear
        run = pbx.sipp.run("call_refused.xml", PHONE_IPS["t1-102"], CALLER_PORT, service="103", user="t1-102",
                           password=password("t1-102"))
        assert run.process.returncode == 0, run.output()
        assert "INVITE sip:" not in rung.trace(), rung.output()
        # nor does it call over UDP, even offering SRTP keys (in the clear, over UDP)
        run = pbx.sipp.run(pbx.sipp.offering_srtp("call_refused.xml"), PHONE_IPS[PHONE], CALLER_PORT,
                           service="101", user=PHONE, password=password(PHONE))
        assert run.process.returncode == 0, run.output()
        assert "INVITE sip:" not in callee.trace(), callee.output()
    finally:
        rung.stop()
        callee.stop()



class TLSPhone:
    """A phone set to TLS, in Python (sipp cannot take a new call in the middle of its scenario):
    registers over one TLS connection from ``source`` and answers the call that comes over it."""

    def __init__(self, source: str, server: tuple[str, int], trusted, user: str, secret: str):
        context = ssl.create_default_context(cafile=str(trusted))
        raw = socket.create_connection(server, timeout=10, source_address=(source, 0))
        self.sock = context.wrap_socket(raw, server_hostname=server[0])
        self.server, self.user, self.secret = server, user, secret
        self.address = "{}:{}".format(*self.sock.getsockname())
        self.buffer = b""

    def send(self, lines: list[str], body: str = "") -> None:
        text = "\r\n".join([*lines, f"Content-Length: {len(body)}", "", body])
        self.sock.sendall(text.encode())

    def receive(self) -> tuple[str, dict[str, str], str]:
        """The next message: its first line, its headers (lower-case names; the first of each) and body."""
        while b"\r\n\r\n" not in self.buffer:
            data = self.sock.recv(65536)
            assert data, "the PBX closed the connection"
            self.buffer += data
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        first, *lines = head.decode().split("\r\n")
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            rest += self.sock.recv(65536)
        self.buffer = rest[length:]
        return first, headers, rest[:length].decode()

    def register(self) -> str:
        """REGISTER with digest auth; the final status line."""
        host, port = self.server
        uri = f"sip:{host}:{port};transport=tls"
        authorization = []
        for cseq in (1, 2):
            self.send([f"REGISTER {uri} SIP/2.0", f"Via: SIP/2.0/TLS {self.address};branch=z9hG4bK{secrets.token_hex(8)}",
                       "Max-Forwards: 70", f"From: <sip:{self.user}@{host}>;tag=reg", f"To: <sip:{self.user}@{host}>",
                       "Call-ID: tls-phone-registration", f"CSeq: {cseq} REGISTER",
                       f"Contact: <sip:{self.user}@{self.address};transport=tls>", "Expires: 120", *authorization])
            first, headers, _ = self.receive()
            while first.startswith("SIP/2.0 1"):
                first, headers, _ = self.receive()
            if not first.startswith("SIP/2.0 401"):
                return first
            challenge = dict(re.findall(r'(\w+)="?([^",]*)"?', headers["www-authenticate"].removeprefix("Digest")))
            ha1 = md5(f"{self.user}:{challenge['realm']}:{self.secret}".encode()).hexdigest()
            ha2 = md5(f"REGISTER:{uri}".encode()).hexdigest()
            cnonce = secrets.token_hex(4)
            response = md5(f"{ha1}:{challenge['nonce']}:00000001:{cnonce}:auth:{ha2}".encode()).hexdigest()
            authorization = [f'Authorization: Digest username="{self.user}", realm="{challenge["realm"]}", '
                             f'nonce="{challenge["nonce"]}", uri="{uri}", response="{response}", algorithm=MD5, '
                             f'qop=auth, nc=00000001, cnonce="{cnonce}"'
                             + (f', opaque="{challenge["opaque"]}"' if "opaque" in challenge else "")]
        return first

    def answer(self) -> str:
        """Take the next INVITE, answer it with SRTP, and stay until the BYE; returns its offer."""
        first, headers, offer = self.receive()
        while not first.startswith("INVITE "):
            first, headers, offer = self.receive()
        dialog = [f"Via: {headers['via']}", f"From: {headers['from']}", f"To: {headers['to']};tag=tlsphone",
                  f"Call-ID: {headers['call-id']}", f"CSeq: {headers['cseq']}",
                  f"Contact: <sip:{self.user}@{self.address};transport=tls>"]
        ip = self.address.split(":")[0]
        sdp = "\r\n".join(["v=0", f"o=- 1 1 IN IP4 {ip}", "s=-", f"c=IN IP4 {ip}", "t=0 0",
                            "m=audio 40000 RTP/SAVP 0", "a=rtpmap:0 PCMU/8000",
                            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e", ""])
        self.send(["SIP/2.0 180 Ringing", *dialog])
        self.send(["SIP/2.0 200 OK", *dialog, "Content-Type: application/sdp"], sdp)
        while not first.startswith("BYE "):
            first, headers, _ = self.receive()
        self.send(["SIP/2.0 200 OK", f"Via: {headers['via']}", f"From: {headers['from']}", f"To: {headers['to']}",
                   f"Call-ID: {headers['call-id']}", f"CSeq: {headers['cseq']}"])
        return offer

    def close(self) -> None:
        self.sock.close()


def test_a_tls_extension_registered_over_tls_is_rung_there_with_encrypted_audio(phone_103_back_on_udp):
    pbx = phone_103_back_on_udp
    pbx.apply(t1_with_103_over("tls"))
    certificate = pbx_certificate(pbx)
    phone = TLSPhone(PHONE_IPS[PHONE], ("127.0.0.1", pbx.config["ASTERISK_SIP_TLS_PORT"]), certificate,
                     PHONE, password(PHONE))
    try:
        assert phone.register().startswith("SIP/2.0 200")
        assert wait_until(lambda: "transport=tls" in contact_of(pbx, PHONE).lower(), 5)
        caller = pbx.sipp.start("call_answered.xml", PHONE_IPS["t1-101"], CALLER_PORT, service="103",
                                user="t1-101", password=password("t1-101"))
        offer = phone.answer()
        assert caller.wait(15) == 0, caller.output()
        assert "RTP/SAVP" in offer and "a=crypto:" in offer, offer
    finally:
        phone.close()
