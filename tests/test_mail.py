"""E-mail to the organization admin, received by a real SMTP server on loopback."""

import pytest

from littlepbx import build_applier, close_app, create_app
from littlepbx.kinds import Extensions
from littlepbx.services import objects
from tests.conftest import free_port, make_org, scope_of, wait_until
from tests.support import tls
from tests.support.apply_helpers import request
from tests.support.recording_backend import set_calls
from tests.support.smtp import USER, mail_settings, secure_smtp


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    return tls.authority(tmp_path_factory.mktemp("mail-ca"))


@pytest.fixture
def inbox(tmp_path, authority):
    """A mail relay on loopback that requires STARTTLS and a login; yields (inbox, port)."""
    controller, handler = secure_smtp(tmp_path, authority, free_port())
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def mail_app(app_config, engine, inbox, authority, app):
    _, port = inbox
    mail_app = create_app({**app_config, **mail_settings(port, authority)})
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
    assert recipients == ["admin@acme.example"] and handler.logins == [USER], "over STARTTLS, logged in"
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


def mail_test(app_config, address: str, **settings):
    """`littlepbx mail-test ADDRESS` with these settings (as the config file would give them)."""
    from click.testing import CliRunner

    from littlepbx import cli
    config = {**app_config, **settings}
    env = {f"LITTLEPBX_{key}": str(value) for key, value in config.items() if isinstance(value, (str, int, float))}
    return CliRunner().invoke(cli.main, ["mail-test", address],
                              env={**env, "LITTLEPBX_CONFIG": "/nonexistent/littlepbx.conf"})


def test_mail_test_sends_over_starttls_with_a_login_and_says_through_what(app_config, inbox, authority):
    handler, port = inbox
    result = mail_test(app_config, "ops@example.org", **mail_settings(port, authority))
    assert result.exit_code == 0, result.output
    assert f"sent to ops@example.org through 127.0.0.1:{port} (STARTTLS, as {USER})" in result.output
    [(recipients, content)] = handler.messages
    assert recipients == ["ops@example.org"] and "LittlePBX test message" in content
    assert handler.logins == [USER]


@pytest.mark.parametrize("change, said", [
    ({"MAIL_PASSWORD": "wrong"}, "refused the user name or password: 535"),
    ({"MAIL_TLS_CA_FILE": ""}, "its certificate is not trusted"),
    ({"MAIL_USE_TLS": False}, "AUTH not offered"),  # the relay offers a login only after STARTTLS
    ({"MAIL_PORT": "CLOSED"}, "nothing answers at the mail server 127.0.0.1"),
], ids=["password", "certificate", "no-starttls", "closed-port"])
def test_mail_test_says_exactly_what_failed(app_config, inbox, authority, change, said):
    handler, port = inbox
    settings = {**mail_settings(port, authority), **change}
    if settings["MAIL_PORT"] == "CLOSED":
        settings["MAIL_PORT"] = free_port()
    result = mail_test(app_config, "ops@example.org", **settings)
    assert result.exit_code == 1 and "not sent:" in result.output and said in result.output, result.output
    assert handler.messages == []


def test_when_the_relay_offers_no_starttls_then_mail_test_says_so(app_config, tmp_path, authority):
    controller, handler = secure_smtp(tmp_path, authority, free_port(), starttls=False)
    try:
        result = mail_test(app_config, "ops@example.org", **mail_settings(controller.port, authority))
    finally:
        controller.stop()
    assert result.exit_code == 1 and "does not offer STARTTLS" in result.output, result.output
    assert handler.messages == []


def test_when_a_notice_cannot_be_sent_then_the_run_says_why_and_it_is_sent_on_a_later_try(
        app_config, engine, session, tmp_path, authority, acme, app):
    from datetime import timedelta

    from sqlalchemy import update

    from littlepbx.models import ApplyRun, utcnow
    port = free_port()  # the relay is down at first
    down_app = create_app({**app_config, **mail_settings(port, authority)})
    try:
        with down_app.app_context():
            applier = build_applier(down_app)
            run_id = request(session, "acme", notify=True)
            applier.step(run_id)
            run = session.get(ApplyRun, run_id)
            session.refresh(run)
            assert run.state == "applied"
            assert run.notice.startswith(f"notice not sent to admin@acme.example: nothing answers at the mail "
                                         f"server 127.0.0.1:{port}") and "(try 1 of 5; again in 1 min)" in run.notice
            applier.housekeeping()  # not due yet: nothing happens
            session.refresh(run)
            assert run.notice_attempts == 1
            controller, handler = secure_smtp(tmp_path, authority, port)
            try:
                session.execute(update(ApplyRun).where(ApplyRun.id == run_id)
                                .values(notice_retry_at=utcnow() - timedelta(seconds=1)))
                session.commit()
                applier.housekeeping()  # the worker's next tick
                wait_until(lambda: handler.messages, what="the e-mail")
            finally:
                controller.stop()
            session.refresh(run)
            assert run.notice.startswith("notice sent to admin@acme.example") and run.notice_attempts == 2
            assert len(handler.messages) == 1
    finally:
        close_app(down_app)



VOICEMAIL_MAIL = (b"To: <owner@example.org>\nSubject: New voicemail for extension 101\n"
                  b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XXXX\"\n"
                  b"From: \"Someone\" <101@t1>\nBcc: stranger@example.net\n\n"
                  b"--XXXX\nContent-Type: text/plain\n\nA message.\n--XXXX\nContent-Type: audio/wav\n"
                  b"Content-Transfer-Encoding: base64\n\nUklGRg==\n--XXXX--\n")


def freeswitch_mailer(tmp_path, config, *args):
    """FreeSWITCH's mailer run as FreeSWITCH runs it, the message on its standard input."""
    import io

    from littlepbx.pbx_backends.freeswitch import mailer

    settings = tmp_path / "mail.json"
    settings.write_text(mailer.settings_of(config))
    return mailer.main(["--settings", str(settings), *args], stdin=io.BytesIO(VOICEMAIL_MAIL))


def test_freeswitchs_voicemail_mail_goes_through_the_relay_from_the_apps_sender_to_its_recipient_only(
        tmp_path, inbox, authority):
    handler, port = inbox
    config = mail_settings(port, authority)
    assert freeswitch_mailer(tmp_path, config, "-f", "101@t1", "-t", "owner@example.org") == 0
    ((recipients, content),) = handler.messages
    assert recipients == ["owner@example.org"], "not the Bcc of a template"
    assert f"From: {config['MAIL_DEFAULT_SENDER']}" in content and "101@t1" not in content.split("\n\n")[0]
    assert "Content-Type: audio/wav" in content and handler.logins == [USER]


@pytest.mark.parametrize("recipients", [[], ["owner@example.org", "a@b.c,d@e.f"], ["<x@y.z>"], ["x y@z.org"]])
def test_freeswitchs_voicemail_mail_to_anything_but_plain_addresses_is_not_sent(tmp_path, inbox, authority,
                                                                               recipients):
    handler, port = inbox
    assert freeswitch_mailer(tmp_path, mail_settings(port, authority), "-t", *recipients) == 2
    assert handler.messages == []


def test_freeswitchs_voicemail_mail_says_why_the_relay_refused_it(tmp_path, inbox, authority, capsys):
    handler, port = inbox
    config = {**mail_settings(port, authority), "MAIL_PASSWORD": "wrong"}
    assert freeswitch_mailer(tmp_path, config, "-t", "owner@example.org") == 1
    assert "refused the user name or password" in capsys.readouterr().err and handler.messages == []
