"""E-mail to the organization admin when an Apply that waited (or was asked to) has ended."""
from __future__ import annotations

from flask_mail import Message

from littlepbx.applier import states
from littlepbx.applier.runs import describe


def compose(org, run) -> tuple[str, str]:
    """Subject and body of the message about ``run``."""
    outcome = {states.APPLIED: "applied", states.STOPPED: "stopped",
               states.FAILED: "NOT applied"}.get(run.state, run.state)
    subject = f"[LittlePBX] {org.name}: configuration {outcome}"
    body = (f"Hello,\n\nThe configuration change requested by {run.requested_by} for "
            f"{org.name} ({org.code}) has ended: {describe(run)}.\n\n"
            f"Requested at {run.requested_at:%Y-%m-%d %H:%M} UTC, ended at "
            f"{run.finished_at:%Y-%m-%d %H:%M} UTC.\n\n-- LittlePBX\n")
    return subject, body


def mail_notifier(app, mail):
    """A notifier for the Applier that sends through Flask-Mail inside ``app``'s context."""
    def send(recipient: str, org, run) -> None:
        subject, body = compose(org, run)
        with app.app_context():
            mail.send(Message(subject=subject, recipients=[recipient], body=body))
    return send
