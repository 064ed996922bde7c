"""Extensions: the organization's phones, their call flow and voicemail."""
from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from littlepbx import fields as f
from littlepbx.errors import Conflict
from littlepbx.kinds.base import Kind
from littlepbx.kinds.registry import register
from littlepbx.pbx_backends.base import (
    NO_ANSWER_FORWARD,
    NO_ANSWER_HANGUP,
    NO_ANSWER_VOICEMAIL,
    PHONE_TRANSPORTS,
    BackendError,
    ExtensionConfig,
)

NO_ANSWER = ((NO_ANSWER_VOICEMAIL, "Voicemail"), (NO_ANSWER_FORWARD, "Forward"),
             (NO_ANSWER_HANGUP, "Hang up"))
OUTSIDE_CALLS = (("all", "outside numbers, abroad too"), ("national", "outside numbers, not abroad"),
                 ("none", "the organization's own numbers only"))
FOLLOW_ME_ORDERS = (("one_by_one", "one after another (each as long as the phone rang)"),
                    ("together", "all at once"))
PHONE_TRANSPORT_CHOICES = tuple((name, {"tls": "TLS (encrypted, with SRTP audio)"}.get(name, name.upper()))
                                for name in PHONE_TRANSPORTS)
# Reset gives the draft these documented defaults (see README, "Reset").
RESET_NUMBER = "100"
RESET_EXTENSION = {"number": RESET_NUMBER, "display_name": "Reception", "ring_seconds": 20,
                   "no_answer": NO_ANSWER_VOICEMAIL, "forward_to": None, "voicemail_enabled": True,
                   "voicemail_email": None, "sip_transport": "udp", "when_busy": None, "when_unregistered": None,
                   "follow_me": "", "follow_me_order": "one_by_one", "follow_me_confirm": True,
                   "outbound_caller_id": None, "outside_calls": "all", "record_calls": False}


@register
class Extensions(Kind):
    """A phone: its SIP account, how long it rings, what happens when nobody answers, voicemail."""

    name = "extensions"
    noun = "extension"
    label = "Extension"
    table = "extensions"
    schema_name = "Extension"
    key = "number"
    title_field = "display_name"
    dialable = True
    fields = {
        "number": f.extension_number(required=True, editable=False),
        "display_name": f.text("Name", 60, default="", example="Front desk"),
        # Generated, never set or answered here: GET .../sip shows it, .../sip/regenerate renews it.
        "sip_password": f.Text(label="SIP password", max_length=64, ident=True, access="internal",
                               secret=True, default=f.new_secret),
        "ring_seconds": f.Integer(label="Ring for (seconds)", minimum=5, maximum=120, default=20),
        "no_answer": f.Choice(label="If not answered", options=NO_ANSWER, default=NO_ANSWER_VOICEMAIL,
                              column_length=16),
        "forward_to": f.Destination(
            label="Forward to", nullable=True, example="+14155550100", allowed=None, ref_phrase="forwards to",
            help="another destination of the organization: an extension, a mailbox, a group, a menu, or an "
                 "outside number"),
        "when_busy": f.Destination(
            label="If busy", nullable=True, allowed=None, ref_phrase="sends busy calls to",
            help="where a call goes while the phone is on another call (or says it is busy); empty: it rings "
                 "anyway (call waiting)"),
        "when_unregistered": f.Destination(
            label="If the phone is not connected", nullable=True, allowed=None, ref_phrase="sends calls to",
            help="where a call goes at once while no phone is registered; empty: as when not answered"),
        "follow_me": f.DestinationList(
            label="Then ring (follow me)", allowed=("extension", "external"), default="", max_items=10,
            ref_phrase="follows to", example=["102", "+14155550100"],
            help="extensions and outside numbers rung after the phone itself, before 'If not answered'"),
        "follow_me_order": f.Choice(label="Ring those", options=FOLLOW_ME_ORDERS, default="one_by_one",
                                    column_length=16),
        "follow_me_confirm": f.Boolean(
            label="Outside numbers press 1 to take the call", default=True,
            help="so a mobile's own voicemail never takes the call"),
        "record_calls": f.Boolean(label="Record its calls", default=False,
                                  help="every call to or from it, kept the organization's recording days"),
        "outside_calls": f.Choice(label="May call", options=OUTSIDE_CALLS, default="all", column_length=10,
                                  help="emergency numbers are always allowed"),
        "outbound_caller_id": f.e164(
            "Calls out as", nullable=True, refers_to="dids", on_delete="set_null", ref_phrase="calls out as",
            help="one of the organization's numbers, shown when this phone calls outside; empty: the "
                 "organization's first number"),
        "voicemail_enabled": f.Boolean(label="Voicemail on", default=True),
        "voicemail_pin": f.pin("Voicemail PIN", default=f.new_pin),
        "voicemail_email": f.email("Voicemail e-mail", nullable=True,
                                   help="messages are also sent to this address"),
        "pickup_group": f.Text(label="Pickup group", max_length=20, nullable=True, ident=True,
                               pattern=r"^[a-z0-9][a-z0-9-]{0,19}$", message="lower-case letters, digits and -",
                               example="sales",
                               help="*8 answers a call ringing on a phone of the same group; phones without "
                                    "one form the organization's own group"),
        "sip_transport": f.Choice(label="Phone connects over", options=PHONE_TRANSPORT_CHOICES, default="udp",
                                  column_length=8, help="TLS also encrypts the calls' audio (SRTP); the phone "
                                                        "must offer it"),
    }
    outputs = {"registered": f.Boolean(label="Phone registered", nullable=True, access="read",
                                       help="whether the phone is registered now; null if the PBX cannot tell"),
               "dnd": f.Boolean(label="Do not disturb", nullable=True, access="read",
                                help="switched from the phone (*78/*79) or PUT …/state, live at once; null: "
                                     "not applied yet, or the PBX cannot tell"),
               "forward_all": f.Text(label="Forwarding every call to", max_length=16, nullable=True, access="read",
                                     help="switched from the phone (*72<number>/*73) or PUT …/state, live at once"),
               "forward_busy": f.Text(label="Forwarding when busy to", max_length=16, nullable=True, access="read",
                                      help="switched from the phone (*90<number>/*91) or PUT …/state, live at once"),
               "forward_unanswered": f.Text(label="Forwarding when unanswered to", max_length=16, nullable=True,
                                            access="read", help="switched from the phone (*52<number>/*53) or "
                                                                "PUT …/state, live at once; also on do not disturb")}
    pbx_config = ExtensionConfig

    def before_create(self, scope, values: dict) -> None:
        """An organization has at most max_extensions extensions."""
        count = scope.session.scalar(select(func.count()).select_from(self.draft)
                                     .where(self.draft.org_id == scope.org.id))
        if count >= scope.org.max_extensions:
            raise Conflict(f"the organization may have at most {scope.org.max_extensions} extensions",
                           {"number": "extension limit reached"})

    def check(self, scope, row) -> None:
        """Forwarding needs a target, and not the extension itself."""
        if row.no_answer == NO_ANSWER_FORWARD and not row.forward_to:
            raise f.fail("forward_to", "required when no answer forwards", "forwarding needs a number to forward to")
        if row.forward_to == row.number:
            raise f.fail("forward_to", "cannot be the extension itself", "an extension cannot forward to itself")
        for name in ("when_busy", "when_unregistered"):
            if getattr(row, name) == row.number:
                raise f.fail(name, "cannot be the extension itself", "an extension cannot send its calls to itself")
        if row.number in (row.follow_me or "").split():
            raise f.fail("follow_me", "cannot hold the extension itself", "follow me rings other numbers")

    def to_pbx(self, row, context: dict) -> ExtensionConfig:
        """The extension, its follow-me numbers as a tuple."""
        return dataclasses.replace(super().to_pbx(row, context), follow_me=tuple((row.follow_me or "").split()))

    def extra(self, scope, rows: list, pbx) -> dict:
        """Whether each phone is registered now, and what its user switched (null when the PBX
        cannot tell, or the extension is not live yet)."""
        registered = pbx.registered_extensions(scope.session.connection(), scope.org.code) if pbx else None
        try:
            switched = pbx.phone_states(scope.org.code) if pbx else {}
        except BackendError:
            switched = {}
        answers = {}
        for row in rows:
            state = switched.get(row.number)
            answers[self.key_of(row)] = {"registered": None if registered is None else row.number in registered,
                                         "dnd": state.dnd if state else None,
                                         "forward_all": state.forward_to if state else None,
                                         "forward_busy": state.forward_busy if state else None,
                                         "forward_unanswered": state.forward_unanswered if state else None}
        return answers

    def reset(self, scope) -> None:
        """One extension, 100 "Reception", keeping its SIP password if it existed; a new PIN."""
        kept = scope.find(self.draft, number=RESET_NUMBER)
        password = kept.sip_password if kept else f.new_secret()
        scope.delete_all(self.draft)
        scope.add(self.draft(**RESET_EXTENSION, sip_password=password, voicemail_pin=f.new_pin()))
