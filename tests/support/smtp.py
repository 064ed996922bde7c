"""A real SMTP server on loopback (aiosmtpd) that requires STARTTLS and a login, as a mail relay
an operator is given would: its certificate is signed by a CA of the test's own."""
from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.tls import Authority, server_files

# A space and a quote in the password: each configuration that carries it must quote it right.
USER, PASSWORD = "relay-user", "relay pass\"word"


@dataclass
class Inbox:
    """What the server received: (recipients, content) per message, and who logged in."""

    messages: list = field(default_factory=list)
    logins: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", "replace")))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(), PASSWORD.encode())
        if ok:
            self.logins.append(USER)
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535 itself


def secure_smtp(directory: Path, authority: Authority, port: int, *, starttls: bool = True) -> tuple[Controller, Inbox]:
    """A started server on 127.0.0.1:``port`` requiring STARTTLS and USER/PASSWORD (or, without
    ``starttls``, one that offers neither)."""
    inbox = Inbox()
    options = {}
    if starttls:
        cert, key = server_files(directory, "127.0.0.1", authority)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        options = {"tls_context": context, "require_starttls": True, "auth_required": True,
                   "auth_require_tls": True, "authenticator": inbox.authenticate}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, inbox


def mail_settings(port: int, authority: Authority) -> dict:
    """The MAIL_* settings that reach secure_smtp."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": True, "MAIL_USERNAME": USER,
            "MAIL_PASSWORD": PASSWORD, "MAIL_TLS_CA_FILE": str(authority.cert_path),
            "MAIL_DEFAULT_SENDER": "pbx@littlepbx.test"}
