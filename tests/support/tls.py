"""A certificate authority of the tests' own, and a TLS front for a TCP SIP peer (sipp has no TLS).

The front is a real TLS server: Asterisk's TLS transport connects to it, checks its certificate
against the CA list it was given, and speaks SIP through it to the sipp behind it."""
from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Authority:
    """A CA: its certificate file (what a verifier trusts) and what it signs with."""

    cert_path: Path
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: str, issuer: str, public_key) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2)))


def authority(directory: Path, name: str = "LittlePBX tests CA") -> Authority:
    """A new CA whose certificate is written to ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (_builder(name, name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    path = directory / f"{name.replace(' ', '-')}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Authority(path, cert, key)


def server_files(directory: Path, address: str, issuer: Authority) -> tuple[Path, Path]:
    """A certificate for ``address`` (its subjectAltName) signed by ``issuer``, and its key: paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (_builder(address, issuer.cert.subject.rfc4514_string().removeprefix("CN="), key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]),
                           critical=False)
            .sign(issuer.key, hashes.SHA256()))
    cert_path, key_path = directory / f"{address}-{id(key)}.crt", directory / f"{address}-{id(key)}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TLSRelay:
    """Accepts TCP on ``listen`` and relays each connection to ``target``: the accepting side is TLS
    when ``server`` (a server context) is given, the connecting side when ``client`` is (from
    ``source`` if given, checking the certificate names ``server_hostname``).

    ``handshakes`` counts completed accepting handshakes, ``refused`` the failed ones."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int], *, server: ssl.SSLContext | None = None,
                 client: ssl.SSLContext | None = None, server_hostname: str | None = None, source: str | None = None):
        self.target, self.server, self.client = target, server, client
        self.server_hostname, self.source = server_hostname, source
        self.listener = socket.create_server(listen)
        self.listener.settimeout(0.2)
        self.handshakes = self.refused = 0
        self.connections: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                accepted, _ = self.listener.accept()
            except TimeoutError:
                continue
            try:
                accepted.settimeout(5)
                if self.server:
                    accepted = self.server.wrap_socket(accepted, server_side=True)
                    self.handshakes += 1
                onward = socket.create_connection(self.target, source_address=(self.source, 0) if self.source else None)
                if self.client:
                    onward = self.client.wrap_socket(onward, server_hostname=self.server_hostname)
            except (ssl.SSLError, OSError):
                self.refused += 1
                accepted.close()
                continue
            self.connections += [accepted, onward]
            for source, target in ((accepted, onward), (onward, accepted)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            source.settimeout(None)
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.close()

    def close(self) -> None:
        """Stop listening and end every relayed connection (Asterisk would reuse one)."""
        self.stopping.set()
        self.thread.join(2)
        self.listener.close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def tls_front(address: str, port: int, backend_port: int, cert: Path, key: Path) -> TLSRelay:
    """A TLS server on ``address:port`` (``cert``) in front of a TCP peer on ``address:backend_port``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return TLSRelay((address, port), (address, backend_port), server=context)


def tls_client(listen: tuple[str, int], server: tuple[str, int], trusted: Path) -> TLSRelay:
    """TCP on ``listen``, relayed over TLS to ``server`` from the same address, whose certificate
    must chain to ``trusted`` and name its address: a TLS phone made of a TCP sipp."""
    context = ssl.create_default_context(cafile=str(trusted))
    return TLSRelay(listen, server, client=context, server_hostname=server[0], source=listen[0])
