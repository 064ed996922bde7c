"""Sending mail with the MAIL_* settings (the app's notices, `littlepbx mail-test`): plain SMTP,
STARTTLS (MAIL_USE_TLS) or TLS from the first byte (MAIL_USE_SSL), a server certificate checked
against MAIL_TLS_CA_FILE (empty: the system's), and a login when MAIL_USERNAME is set. Every
failure is a MailError saying in words what went wrong and where."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

TIMEOUT_SECONDS = 15


class MailError(Exception):
    """A message could not be sent; the text says why."""


def security_of(config) -> str:
    """"ssl", "starttls" or "none", as the MAIL_* settings ask."""
    if config.get("MAIL_USE_SSL"):
        return "ssl"
    return "starttls" if config.get("MAIL_USE_TLS") else "none"


def send(config, recipient: str, subject: str, body: str) -> None:
    """Send one plain-text message, or raise MailError."""
    if config.get("MAIL_SUPPRESS_SEND"):
        return
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender_of(config), recipient, subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender_of(config).rpartition("@")[2] or None)
    message.set_content(body)
    deliver(config, message, [recipient])


def sender_of(config) -> str:
    return str(config.get("MAIL_DEFAULT_SENDER") or "littlepbx@localhost")


def deliver(config, message, recipients: list[str]) -> None:
    """Send a whole message (an email.message.Message) to ``recipients`` from MAIL_DEFAULT_SENDER,
    or raise MailError."""
    sender = sender_of(config)
    host, port = str(config.get("MAIL_SERVER") or "127.0.0.1"), int(config.get("MAIL_PORT") or 25)
    where = f"the mail server {host}:{port}"
    security = security_of(config)
    context = ssl.create_default_context(cafile=str(config.get("MAIL_TLS_CA_FILE") or "") or None)
    try:
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        with smtp:
            smtp.ehlo()
            if security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailError(f"{where} does not offer STARTTLS (MAIL_USE_TLS is on)")
                smtp.starttls(context=context)
                smtp.ehlo()
            if config.get("MAIL_USERNAME"):
                smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
            smtp.send_message(message, from_addr=sender, to_addrs=recipients)
    except MailError:
        raise
    except ssl.SSLCertVerificationError as error:
        raise MailError(f"{where}: its certificate is not trusted ({error.verify_message}; see MAIL_TLS_CA_FILE)") \
            from None
    except ssl.SSLError as error:
        raise MailError(f"{where}: TLS failed ({error.reason or error}); is MAIL_USE_SSL or MAIL_USE_TLS right?") \
            from None
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(f"{where} refused the user name or password: {_said(error.smtp_code, error.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"{where} does not accept a login here (AUTH not offered: turn on MAIL_USE_TLS?)") from None
    except smtplib.SMTPRecipientsRefused as error:
        said = "; ".join(_said(code, text) for code, text in error.recipients.values())
        raise MailError(f"{where} refused the recipient {', '.join(recipients)}: {said}") from None
    except smtplib.SMTPSenderRefused as error:
        raise MailError(f"{where} refused the sender {sender} (MAIL_DEFAULT_SENDER): {_said(error.smtp_code, error.smtp_error)}") from None
    except smtplib.SMTPResponseException as error:
        raise MailError(f"{where} answered {_said(error.smtp_code, error.smtp_error)}") from None
    except ConnectionRefusedError:
        raise MailError(f"nothing answers at {where} (connection refused)") from None
    except TimeoutError:
        raise MailError(f"{where} did not answer within {TIMEOUT_SECONDS} s") from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"{where}: {getattr(error, 'strerror', None) or error}") from None


def _said(code: int, text) -> str:
    """What the server said: its code and text."""
    return f"{code} {text.decode('utf8', 'replace') if isinstance(text, bytes) else text}".strip()
