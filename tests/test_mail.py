"""E-mail to the organization admin, received by a real SMTP server on loopback."""
import socket

import pytest
from aiosmtpd.controller import Controller

from littlepbx import build_applier, close_app, create_app
from littlepbx.kinds import Extensions
from littlepbx.services import objects
from tests.conftest import make_org, scope_of, wait_until
from tests.support.apply_helpers import request
from tests.support.recording_backend import set_calls


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def mail_app(app_config, engine, inbox, app):
    _, port = inbox
    mail_app = create_app({**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port})
    with mail_app.app_context():
        yield mail_app
    close_app(mail_app)


@pytest.fixture
def acme(session):
    org = make_org(session, "acme")
    objects.create(scope_of(session, "acme"), Extensions, {"number": "101"})
    session.commit()
    return org


def test_when_apply_had_to_wait_then_admin_gets_an_email_saying_it_applied(
        mail_app, engine, session, inbox, acme):
    handler, _ = inbox
    set_calls(engine, "acme", 1)
    run_id = request(session, "acme")
    applier = build_applier(mail_app)
    applier.step(run_id)
    set_calls(engine, "acme", 0)
    applier.step(run_id)
    wait_until(lambda: handler.messages, what="the e-mail")
    [(recipients, content)] = handler.messages
    assert recipients == ["admin@acme.example"]
    assert "configuration applied" in content
    applier.notify(run_id)
    assert len(handler.messages) == 1, "the e-mail is sent once"


def test_when_apply_asks_for_email_then_it_goes_to_the_given_address(
        mail_app, session, inbox, acme):
    handler, _ = inbox
    from littlepbx.services.users import create_admin
    create_admin(scope_of(session, "acme"), {"email": "boss@acme.example"})  # notices go to admins only
    session.commit()
    run_id = request(session, "acme", notify=True, email="boss@acme.example")
    build_applier(mail_app).step(run_id)
    wait_until(lambda: handler.messages, what="the e-mail")
    assert handler.messages[0][0] == ["boss@acme.example"]


def test_when_apply_did_not_wait_and_no_email_asked_then_none_is_sent(
        mail_app, session, inbox, acme):
    handler, _ = inbox
    build_applier(mail_app).step(request(session, "acme"))
    assert handler.messages == []


def test_when_stopped_after_waiting_then_email_says_not_applied(mail_app, engine, session, inbox,
                                                                acme):
    from littlepbx.services import apply as apply_service
    handler, _ = inbox
    set_calls(engine, "acme", 1)
    run_id = request(session, "acme")
    applier = build_applier(mail_app)
    applier.step(run_id)
    apply_service.stop(scope_of(session, "acme"))
    session.commit()
    applier.step(run_id)
    wait_until(lambda: handler.messages, what="the e-mail")
    assert "configuration stopped" in handler.messages[0][1]
