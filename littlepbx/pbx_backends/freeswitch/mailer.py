"""FreeSWITCH's mailer for voicemail e-mail (its switch.conf ``mailer-app``, through the small
script provision writes): FreeSWITCH pipes the message it built (the template, the recording
attached) in, with ``-f <sender>`` and the recipient as arguments; this sends it with the same
MAIL_* settings as the app's mail (littlepbx.mail), from a file provision writes for FreeSWITCH's
account alone. The sender is always MAIL_DEFAULT_SENDER; only the recipients named on the command
line, each a plain address, receive it.

    python -P -m littlepbx.pbx_backends.freeswitch.mailer --settings FILE [-f SENDER] [-t] ADDRESS...
"""
from __future__ import annotations

import argparse
import email
import email.policy
import json
import re
import sys
from email.utils import formatdate
from pathlib import Path

from littlepbx.mail import MailError, deliver, sender_of

# The largest message taken (a voicemail is at most 300 s of 8 kHz WAV, about 6.5 MB in base64).
MAX_MESSAGE = 16 * 1024 * 1024
ADDRESS = re.compile(r"[^@\s<>,;\"']{1,64}@[A-Za-z0-9.-]{1,253}")
SETTINGS = ("MAIL_SUPPRESS_SEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD",
            "MAIL_TLS_CA_FILE", "MAIL_DEFAULT_SENDER")


def settings_of(config: dict) -> str:
    """What provision writes for the mailer: the MAIL_* settings, as JSON."""
    return json.dumps({name: config.get(name) for name in SETTINGS})


def main(argv: list[str] | None = None, stdin=None) -> int:
    parser = argparse.ArgumentParser(prog="littlepbx-freeswitch-mailer")
    parser.add_argument("--settings", required=True)
    parser.add_argument("-f", dest="sender", default="")  # FreeSWITCH's; the envelope is ours
    parser.add_argument("-t", action="store_true")  # recipients come from the arguments only
    parser.add_argument("recipients", nargs="*")
    args = parser.parse_args(argv)
    recipients = [address for address in args.recipients if ADDRESS.fullmatch(address)]
    if not recipients or len(recipients) != len(args.recipients):
        print(f"voicemail mail: not a plain address among {args.recipients!r}; nothing sent", file=sys.stderr)
        return 2
    raw = (stdin or sys.stdin.buffer).read(MAX_MESSAGE + 1)
    if len(raw) > MAX_MESSAGE:
        print("voicemail mail: the message is too large; nothing sent", file=sys.stderr)
        return 2
    config = json.loads(Path(args.settings).read_text())
    if config.get("MAIL_SUPPRESS_SEND"):  # as the app's own mail
        return 0
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    del message["From"]
    message["From"] = sender_of(config)
    if message["Date"] is None:
        message["Date"] = formatdate(usegmt=True)
    try:
        deliver(config, message, recipients)
    except MailError as error:
        print(f"voicemail mail to {', '.join(recipients)}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
