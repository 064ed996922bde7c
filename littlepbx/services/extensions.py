"""Extensions: the organization's phones, their call flow and voicemail (draft)."""
from __future__ import annotations

from sqlalchemy import func, select, update

from littlepbx.errors import Conflict, ValidationError
from littlepbx.models import Did, Extension, LiveExtension
from littlepbx.pbx_backends.base import NO_ANSWER_ACTIONS, NO_ANSWER_FORWARD
from littlepbx.services import validation as v
from littlepbx.services.scope import OrgScope

FIELDS = {
    "number": (v.extension_number,),
    "display_name": (v.text, 60),
    "ring_seconds": (v.integer, 5, 120),
    "no_answer": (v.choice, NO_ANSWER_ACTIONS),
    "forward_to": (v.external_number,),
    "voicemail_enabled": (v.boolean,),
    "voicemail_pin": (v.pin,),
    "voicemail_email": (v.email,),
}
EDITABLE = {name: rule for name, rule in FIELDS.items() if name != "number"}


def list_extensions(scope: OrgScope) -> list[Extension]:
    """The organization's draft extensions, by number."""
    return scope.all(Extension, order_by=Extension.number)


def get_extension(scope: OrgScope, number: str) -> Extension:
    """One draft extension, or NotFound."""
    return scope.get(Extension, f"extension {number}", number=str(number))


def create_extension(scope: OrgScope, data: dict) -> Extension:
    """Add an extension with a strong generated SIP password; refuses duplicates and the org's limit."""
    scope.require("pbx.edit")
    values = v.check_fields(data, FIELDS, required=("number",))
    if scope.find(Extension, number=values["number"]):
        raise Conflict(f"extension {values['number']} already exists",
                       {"number": "this number is already used"})
    count = scope.session.scalar(select(func.count()).select_from(Extension)
                                 .where(Extension.org_id == scope.org.id))
    if count >= scope.org.max_extensions:
        raise Conflict(f"the organization may have at most {scope.org.max_extensions} extensions",
                       {"number": "extension limit reached"})
    extension = Extension(display_name="", ring_seconds=20, no_answer="voicemail",
                          voicemail_enabled=True, sip_password=v.new_secret())
    _assign(extension, values)
    if extension.voicemail_pin is None:
        extension.voicemail_pin = v.new_pin()
    _check_call_flow(scope, extension)
    scope.add(extension)
    scope.audit("extension.create", extension.number)
    return extension


def update_extension(scope: OrgScope, number: str, data: dict) -> Extension:
    """Change some fields of a draft extension; its number cannot change."""
    scope.require("pbx.edit")
    if isinstance(data, dict) and "number" in data and str(data["number"]) != str(number):
        raise ValidationError("an extension's number cannot change; add a new one instead",
                              {"number": "cannot be changed"})
    extension = get_extension(scope, number)
    values = v.check_fields({k: val for k, val in data.items() if k != "number"}, EDITABLE,
                            partial=True)
    if "voicemail_pin" in values and values["voicemail_pin"] is None:
        raise ValidationError("a voicemail PIN is required", {"voicemail_pin": "required"})
    _assign(extension, values)
    _check_call_flow(scope, extension)
    scope.audit("extension.update", extension.number, {"fields": sorted(values)})
    return extension


def delete_extension(scope: OrgScope, number: str) -> list[str]:
    """Delete a draft extension; DIDs that rang it ring nothing until rerouted. Returns those DIDs."""
    scope.require("pbx.edit")
    extension = get_extension(scope, number)
    forwarding = [e.number for e in scope.all(Extension, Extension.forward_to == extension.number)]
    if forwarding:
        raise Conflict(f"extension {', '.join(forwarding)} forwards to {number}; change that first",
                       {"number": "other extensions forward to it"})
    orphans = [d.number for d in scope.all(Did, Did.extension == extension.number)]
    scope.session.execute(update(Did).where(Did.org_id == scope.org.id,
                                            Did.extension == extension.number)
                          .values(extension=None))
    scope.delete(extension)
    scope.audit("extension.delete", extension.number, {"unrouted_dids": orphans})
    return orphans


def regenerate_password(scope: OrgScope, number: str) -> Extension:
    """Give the extension a new strong SIP password (live after the next Apply)."""
    scope.require("pbx.edit")
    extension = get_extension(scope, number)
    extension.sip_password = v.new_secret()
    scope.audit("extension.regenerate_password", extension.number)
    return extension


def sip_username(scope: OrgScope, number: str) -> str:
    """The SIP user name of an extension: SIP names are global, so they carry the org code."""
    return f"{scope.org.code}-{number}"


def sip_settings(scope: OrgScope, number: str, server: dict) -> dict:
    """What a phone needs to register, and whether the password shown is live yet."""
    extension = get_extension(scope, number)
    live = scope.find(LiveExtension, number=extension.number)
    return {**server, "username": sip_username(scope, extension.number),
            "auth_username": sip_username(scope, extension.number),
            "password": extension.sip_password,
            "live": live is not None and live.sip_password == extension.sip_password}


def registered_numbers(scope: OrgScope, backend) -> set[str] | None:
    """The organization's extensions whose phone is registered now (None: the PBX cannot tell)."""
    return backend.registered_extensions(scope.session.connection(), scope.org.code)


def as_dict(extension: Extension, registered: set[str] | None = None) -> dict:
    """The public shape of an extension (the SIP password is only in sip_settings);
    ``registered`` true/false when the PBX reports registrations, else null."""
    shape = {name: getattr(extension, name) for name in FIELDS}
    shape["registered"] = None if registered is None else extension.number in registered
    return shape


def _assign(extension: Extension, values: dict) -> None:
    for name, value in values.items():
        setattr(extension, name, value)


def _check_call_flow(scope: OrgScope, extension: Extension) -> None:
    """Rules across fields: forwarding needs a target that is not the extension itself, and an
    internal target (2 to 6 digits) must be one of the organization's extensions."""
    if extension.no_answer == NO_ANSWER_FORWARD and not extension.forward_to:
        raise ValidationError("forwarding needs a number to forward to",
                              {"forward_to": "required when no answer forwards"})
    if extension.forward_to == extension.number:
        raise ValidationError("an extension cannot forward to itself",
                              {"forward_to": "cannot be the extension itself"})
    if extension.forward_to and v.EXTENSION_NUMBER.match(extension.forward_to):
        require_extension(scope, extension.forward_to, "forward_to")


def require_extension(scope: OrgScope, number: str | None, field: str = "extension") -> None:
    """Raise ValidationError unless ``number`` is None or a draft extension of this organization."""
    if number is not None and scope.find(Extension, number=number) is None:
        raise ValidationError(f"no extension {number} in this organization",
                              {field: "no such extension"})

