"""E-mail to the organization admin when an Apply that waited (or was asked to) has ended."""
from __future__ import annotations

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


def mail_notifier(config):
    """A notifier for the Applier that sends with the MAIL_* settings of ``config`` (MailError says why not)."""
    from littlepbx.mail import send

    def notify(recipient: str, org, run) -> None:
        send(config, recipient, *compose(org, run))
    return notify
