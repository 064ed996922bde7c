"""Field rules shared by every service: each returns the cleaned value or raises FieldError.

Services collect the errors of all fields of a request with :class:`Checker`, so one
request gets every problem at once and nothing is written.
"""
from __future__ import annotations

import ipaddress
import re
import secrets
import string

from littlepbx.errors import ValidationError

ORG_CODE = re.compile(r"^[a-z][a-z0-9]{1,15}$")
EXTENSION_NUMBER = re.compile(r"^[0-9]{2,6}$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# Digits a phone may dial to reach the outside: optional +, then 3 to 20 digits.
EXTERNAL_NUMBER = re.compile(r"^\+?[0-9]{7,15}$")
PIN = re.compile(r"^[0-9]{4,10}$")
EMAIL = re.compile(r"^[^@\s\"'<>,;]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
SIP_USER = re.compile(r"^[A-Za-z0-9._~+-]{1,64}$")
TRANSPORTS = ("udp",)  # what the PBX serves today; TCP/TLS need transports in pjsip.conf


class FieldError(Exception):
    """One field's problem, in words an admin understands."""


def org_code(value) -> str:
    """2–16 characters: a lowercase letter, then lowercase letters or digits."""
    value = text(value, 16)
    if not ORG_CODE.match(value):
        raise FieldError("use 2 to 16 lowercase letters and digits, starting with a letter")
    return value


def extension_number(value) -> str:
    """2 to 6 digits."""
    value = text(value, 6)
    if not EXTENSION_NUMBER.match(value):
        raise FieldError("an extension number is 2 to 6 digits")
    return value


def e164(value) -> str:
    """An E.164 number, stored with its leading '+'; spaces, dots and dashes are dropped."""
    value = re.sub(r"[\s.()-]", "", text(value, 32))
    if value and not value.startswith("+"):
        value = "+" + value
    if not E164.match(value):
        raise FieldError("an E.164 number is + then 7 to 15 digits, e.g. +14155550100")
    return value


def external_number(value) -> str:
    """A number a call may be forwarded to: an extension or an outside number."""
    value = re.sub(r"[\s.()-]", "", text(value, 32))
    if not (EXTENSION_NUMBER.match(value) or EXTERNAL_NUMBER.match(value)):
        raise FieldError("forward to an extension (2 to 6 digits) or a phone number (7 to 15 digits, optional +)")
    return value


def pin(value) -> str:
    """4 to 10 digits."""
    value = text(value, 10)
    if not PIN.match(value):
        raise FieldError("a PIN is 4 to 10 digits")
    return value


def email(value) -> str:
    """A plain address: name@domain.tld."""
    value = text(value, 254)
    if not EMAIL.match(value):
        raise FieldError("not an e-mail address")
    return value


def text(value, max_length: int, min_length: int = 0) -> str:
    """A string, trimmed, within length limits, without control characters."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise FieldError("expected text")
    value = str(value).strip()
    if len(value) > max_length:
        raise FieldError(f"at most {max_length} characters")
    if len(value) < min_length:
        raise FieldError("required" if min_length == 1 else f"at least {min_length} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise FieldError("control characters are not allowed")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):  # a lone surrogate from JSON's \ud800
        raise FieldError("not valid Unicode text")
    return value


def integer(value, low: int, high: int) -> int:
    """A whole number between low and high inclusive (a numeric string is accepted)."""
    if isinstance(value, bool):
        raise FieldError("expected a whole number")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        raise FieldError("expected a whole number") from None
    if isinstance(value, float) and value != number:
        raise FieldError("expected a whole number")
    if not low <= number <= high:
        raise FieldError(f"must be between {low} and {high}")
    return number


def boolean(value) -> bool:
    """true/false (JSON), or the strings a form sends."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "on", "yes"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "off", "no", ""):
        return False
    raise FieldError("expected true or false")


def choice(value, options) -> str:
    """One of ``options``."""
    if value not in options:
        raise FieldError("must be one of: " + ", ".join(options))
    return value


def host(value) -> str:
    """An IP address or a DNS host name."""
    value = text(value, 253, 1)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    labels = value.rstrip(".").split(".")
    if not all(HOSTNAME_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise FieldError("not a host name or IP address")
    return value.lower()


def port(value) -> int:
    """A UDP/TCP port."""
    return integer(value, 1, 65535)


def sip_user(value) -> str:
    """A SIP user part we are willing to put on the wire (no '@', ';', spaces)."""
    value = text(value, 64, 1)
    if not SIP_USER.match(value):
        raise FieldError("use letters, digits and . _ ~ + - only")
    return value


def addresses(value) -> str:
    """Space- or comma-separated IPv4 addresses, normalised to one space.

    The PBX recognises an upstream's call by its exact source address, so networks
    (which it could not match) and IPv6 (not supported yet) are refused here.
    """
    items = value if isinstance(value, list) else re.split(r"[\s,]+", text(value, 1000))
    cleaned = []
    for item in filter(None, items):
        try:
            cleaned.append(str(ipaddress.IPv4Address(str(item).strip())))
        except ValueError:
            raise FieldError(f"{item!s} is not an IPv4 address (one address each, no networks)") from None
    if len(" ".join(cleaned)) > 1000:
        raise FieldError("too many addresses")
    return " ".join(cleaned)


def new_secret(length: int = 24) -> str:
    """A strong random SIP password: letters and digits only, so every phone accepts it."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pin(length: int = 6) -> str:
    """A random numeric PIN."""
    return "".join(secrets.choice(string.digits) for _ in range(length))


class Checker:
    """Collects field errors: ``checker.field(name, rule, value)``, then ``checker.done()``."""

    def __init__(self):
        self.errors: dict[str, str] = {}
        self.values: dict[str, object] = {}

    def field(self, name: str, rule, value, *args):
        """Apply ``rule`` to ``value``; remember the cleaned value or the error."""
        try:
            cleaned = rule(value, *args)
        except FieldError as exc:
            self.errors[name] = str(exc)
            return None
        self.values[name] = cleaned
        return cleaned

    def optional(self, name: str, rule, value, *args):
        """Like field, but None or '' stands for 'no value' and is kept as None."""
        if value is None or value == "":
            self.values[name] = None
            return None
        return self.field(name, rule, value, *args)

    def fail(self, name: str, message: str) -> None:
        """Record an error found by a rule that needs more than one field or the database."""
        self.errors[name] = message

    def done(self, message: str = "some fields are not valid") -> dict:
        """Raise ValidationError with every field's problem, or return the cleaned values."""
        if self.errors:
            raise ValidationError(message, dict(self.errors))
        return self.values


def check_fields(data, allowed: dict, required=(), partial: bool = False) -> dict:
    """Validate a mapping against ``allowed`` {name: (rule, args...)}; unknown fields are errors.

    With ``partial`` only the fields present are checked (PATCH); otherwise every
    name in ``required`` must be present.
    """
    if not isinstance(data, dict):
        raise ValidationError("expected a JSON object")
    checker = Checker()
    for name in data:
        if name not in allowed:
            checker.fail(name, "unknown field")
    for name in required:
        if not partial and name not in data:
            checker.fail(name, "required")
    for name, (rule, *args) in allowed.items():
        if name in data and name not in checker.errors:
            if name in required:
                checker.field(name, rule, data[name], *args)
            else:
                checker.optional(name, rule, data[name], *args)
    return checker.done()
