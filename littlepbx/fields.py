"""Field rules, each written once: the JSON schema that the OpenAPI document publishes is the
same schema that checks every value arriving through the API, the page or the CLI.

A field may first normalise what it is given (trim text, drop the spaces of a phone number,
split a string of addresses; each field's description says so); what it accepts after that
is exactly what its schema accepts, and a refusal is told in words an admin understands.
A field also knows its column, so the tables are declared by the same rules.
"""
from __future__ import annotations

import re
import secrets
import string
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import Boolean as SABoolean
from sqlalchemy import Integer as SAInteger
from sqlalchemy import String

from littlepbx.errors import ValidationError

# --- patterns, shared with the OpenAPI document ---------------------------------------------

NO_CONTROL = r"^[^\x00-\x1F\x7F]*$"
ORG_CODE = r"^[a-z][a-z0-9]{1,15}$"
EXTENSION_NUMBER = r"^[0-9]{2,6}$"
E164 = r"^\+[1-9][0-9]{6,14}$"
# What a phone may dial to reach the outside, and what a call may be forwarded to.
EXTERNAL_NUMBER = r"^\+?[0-9]{7,15}$"
PIN = r"^[0-9]{4,10}$"
# No ^ either: Asterisk's realtime driver would read ^XX as an escape (a voicemail address is mail).
EMAIL = (r"^[^@\s\"'<>,;^]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
         r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
SIP_USER = r"^[A-Za-z0-9._~+-]{1,64}$"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
# A DNS name whose last label is not all digits (that would be a bad address).
HOST_NAME = rf"(?=[^\s,]{{1,253}}(?:$|[\s,]))(?:{_LABEL}\.)*(?=[0-9]*[A-Za-z-]){_LABEL}\.?"
HOST = rf"^(?:{IPV4}|{HOST_NAME})$"
# Characters a phone number is often written with; dropped before the number is checked.
NUMBER_SEPARATORS = re.compile(r"[\s.()-]")

# What access a field has through the API: "rw" set and answered; "read" answered only;
# "write" set only (a secret); "internal" neither (a generated secret shown by its own route).
ACCESS = ("rw", "read", "write", "internal")


class FieldError(Exception):
    """One field's problem, in words an admin understands."""


# --- the schema checker ---------------------------------------------------------------------

def check(schema: dict, value) -> None:
    """Raise FieldError unless ``value`` satisfies ``schema`` (the subset of JSON schema the
    fields use: type, enum, pattern, lengths, ranges, items, oneOf, nullable)."""
    if value is None:
        if schema.get("nullable"):
            return
        raise FieldError("required")
    if "oneOf" in schema:
        _check_one_of(schema, value)
        return
    kind = schema.get("type")
    _CHECKS[kind](schema, value)
    if "enum" in schema and value not in schema["enum"]:
        raise FieldError(_message(schema, value, "must be one of: " + ", ".join(map(str, schema["enum"]))))


def _check_one_of(schema: dict, value) -> None:
    problems = []
    for alternative in schema["oneOf"]:
        try:
            check(alternative, value)
            return
        except FieldError as error:
            problems.append(str(error))
    raise FieldError(problems[-1])


def _message(schema: dict, value, default: str) -> str:
    """The schema's own message for a refused value (x-message may name the {value})."""
    template = schema.get("x-message")
    return template.format(value=value) if template else default


def _check_string(schema: dict, value) -> None:
    if not isinstance(value, str):
        raise FieldError("expected text")
    if len(value) > schema.get("maxLength", len(value)):
        raise FieldError(f"at most {schema['maxLength']} characters")
    low = schema.get("minLength", 0)
    if len(value) < low:
        raise FieldError("required" if low == 1 else f"at least {low} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise FieldError(_message(schema, value, "not in the expected form"))


def _check_integer(schema: dict, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError("expected a whole number")
    low, high = schema.get("minimum"), schema.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        raise FieldError(f"must be between {low} and {high}")


def _check_boolean(schema: dict, value) -> None:
    if not isinstance(value, bool):
        raise FieldError("expected true or false")


def _check_array(schema: dict, value) -> None:
    if not isinstance(value, list):
        raise FieldError("expected a list")
    if len(value) > schema.get("maxItems", len(value)):
        raise FieldError(_message(schema, value, f"at most {schema['maxItems']} items"))
    for item in value:
        try:
            check(schema["items"], item)
        except FieldError as error:
            raise FieldError(f"{item}: {error}" if isinstance(item, str | int) else str(error)) from None
    seen = set()
    for item in value:
        if schema.get("uniqueItems") and repr(item) in seen:
            raise FieldError(f"{item} is named twice" if isinstance(item, str | int) else "each item once")
        seen.add(repr(item))


_CHECKS = {"string": _check_string, "integer": _check_integer, "boolean": _check_boolean,
           "array": _check_array}


# --- fields -----------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Field:
    """One field: its JSON schema, how a value is normalised and stored, and who may set it."""

    label: str = ""
    help: str = ""
    required: bool = False           # must be given when the object is created
    nullable: bool = False           # null means "no value" (and "" is read as null)
    default: object = None           # an omitted field's value on create (a callable is called)
    editable: bool = True            # may change after the object is created
    permission: str | None = None    # a permission needed to set it, beyond the operation's own
    access: str = "rw"
    secret: bool = False             # a diff says only that it changed
    example: object = None
    refers_to: str | None = None     # the kind whose key this field names (see kinds.references)
    on_delete: str = "refuse"        # when that object is deleted: "refuse" or "set_null"
    ref_phrase: str = "refers to"    # "DID +1... rings 101", "extension 101 forwards to 102"

    json_type = "string"

    def type_schema(self) -> dict:
        """The schema of the value itself (no title, no nullability)."""
        return {"type": self.json_type}

    def schema(self) -> dict:
        """The value's schema as the OpenAPI document shows it."""
        schema = dict(self.type_schema())
        if self.label:
            schema["title"] = self.label
        if self.help:
            schema["description"] = self.help
        if self.example is not None:
            schema["example"] = self.example
        if self.nullable:
            schema["nullable"] = True
        if self.refers_to:
            schema["x-ref"] = self.refers_to  # the page offers the organization's objects of that kind
        return schema

    def input_schema(self) -> dict:
        """What a client may send (the value's schema unless the field accepts more forms)."""
        return self.schema()

    def normalise(self, value):
        """The value as given, before it is checked (subclasses trim, split, convert)."""
        return value

    def clean(self, value):
        """The checked value to store, or FieldError."""
        if self.nullable and (value is None or value == ""):
            return None
        value = self.normalise(value)
        check(self.schema(), value)
        return self.to_column(value)

    def to_column(self, value):
        """A checked value as its column holds it."""
        return value

    def dump(self, stored):
        """A stored value as the API answers it."""
        return stored

    def column_type(self):
        """The SQLAlchemy type of the field's column."""
        raise NotImplementedError

    def initial(self):
        """The value of an omitted field when the object is created."""
        return self.default() if callable(self.default) else self.default

    def targets(self) -> frozenset[str]:
        """The kinds this field may name an object of."""
        return frozenset({self.refers_to} if self.refers_to else ())

    def references(self, stored) -> list[tuple[str, str]]:
        """(kind, key) of each object this stored value names."""
        return [(self.refers_to, stored)] if self.refers_to and stored is not None else []

    def ref_criterion(self, column, kind: str, key: str):
        """An SQL condition on this field's column: true where a row names ``kind``'s object ``key``."""
        return column == key

    @property
    def answered(self) -> bool:
        """Whether the API shows the field."""
        return self.access in ("rw", "read")

    @property
    def settable(self) -> bool:
        """Whether the API may set the field."""
        return self.access in ("rw", "write")


@dataclass(frozen=True, kw_only=True)
class Text(Field):
    """A string: trimmed, within length limits, matching ``pattern`` (plain text refuses control
    characters); ``message`` says what a refused value should look like."""

    max_length: int
    min_length: int = 0
    pattern: str = NO_CONTROL
    message: str = "control characters are not allowed"
    ident: bool = False              # compared byte for byte (a binary collation)
    column_length: int | None = None
    lowercase: bool = False

    def type_schema(self) -> dict:
        schema = {"type": "string", "maxLength": self.max_length, "pattern": self.pattern,
                  "x-message": self.message}
        if self.min_length:
            schema["minLength"] = self.min_length
        return schema

    def normalise(self, value):
        if not isinstance(value, str):
            return value
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):  # a lone surrogate from JSON's \ud800
            raise FieldError("not valid Unicode text")
        value = value.strip()
        return value.lower() if self.lowercase else value

    def column_type(self):
        return String(self.column_length or self.max_length, collation="utf8mb4_bin" if self.ident else None)


@dataclass(frozen=True, kw_only=True)
class PhoneNumber(Text):
    """A number as people write it: spaces, dots, dashes and parentheses are dropped first;
    ``plus`` adds the '+' of an E.164 number that was given without one."""

    plus: bool = False

    def normalise(self, value):
        value = super().normalise(value)
        if isinstance(value, str) and re.fullmatch(r"[+0-9]*", NUMBER_SEPARATORS.sub("", value)):
            value = NUMBER_SEPARATORS.sub("", value)  # only a number's formatting goes: "t2-101" stays as typed
            if self.plus and value and not value.startswith("+"):
                value = "+" + value
        return value


@dataclass(frozen=True, kw_only=True)
class Integer(Field):
    """A whole number between ``minimum`` and ``maximum``; a numeric string (a form) is accepted."""

    minimum: int
    maximum: int
    json_type = "integer"

    def type_schema(self) -> dict:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def normalise(self, value):
        if isinstance(value, str) and re.fullmatch(r"[ \t]*-?[0-9]{1,12}[ \t]*", value):  # int()'s own spaces
            return int(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
            return int(value)
        return value

    def column_type(self):
        return SAInteger()


FORM_TRUE = ("true", "1", "on", "yes")
FORM_FALSE = ("false", "0", "off", "no")


@dataclass(frozen=True, kw_only=True)
class Boolean(Field):
    """true or false; the strings a form sends are accepted."""

    json_type = "boolean"

    def normalise(self, value):
        if isinstance(value, str) and value.strip().lower() in FORM_TRUE:
            return True
        if isinstance(value, str) and value.strip().lower() in FORM_FALSE:
            return False
        return value

    def column_type(self):
        return SABoolean()


@dataclass(frozen=True, kw_only=True)
class Choice(Field):
    """One of ``options``: (value, label) pairs; the labels are what the page shows."""

    options: tuple[tuple[str, str], ...]
    message: str | None = None
    column_length: int | None = None
    ident: bool = False

    @property
    def values(self) -> tuple[str, ...]:
        """The allowed values."""
        return tuple(value for value, _ in self.options)

    def type_schema(self) -> dict:
        schema = {"type": "string", "enum": list(self.values)}
        if any(label != value for value, label in self.options):
            schema["x-labels"] = [label for _, label in self.options]
        if self.message:
            schema["x-message"] = self.message
        return schema

    def column_type(self):
        length = self.column_length or max(len(value) for value in self.values)
        return String(length, collation="utf8mb4_bin" if self.ident else None)


# An IPv4 address, a network of at most 256 addresses ("203.0.113.0/24" to "/32"), or a host name
# (whose addresses are looked up at each Apply).
SOURCE_ADDRESS = rf"(?:{IPV4}(?:/(?:2[4-9]|3[0-2]))?(?![A-Za-z0-9.-])|{HOST_NAME})"


@dataclass(frozen=True, kw_only=True)
class AddressList(Field):
    """IPv4 addresses, small networks (/24 to /32) and host names, stored space-separated: a list,
    or one string separated by spaces or commas. Their total length is checked by the kind."""

    max_items: int = 50
    column_length: int = 1000
    item_pattern: str = rf"^{SOURCE_ADDRESS}$"
    item_message: str = "{value} is not an IPv4 address, a network of /24 to /32 or a host name"
    json_type = "array"

    def type_schema(self) -> dict:
        return {"type": "array", "maxItems": self.max_items, "x-message": "too many addresses",
                "items": {"type": "string", "pattern": self.item_pattern, "x-message": self.item_message}}

    def input_schema(self) -> dict:
        item = SOURCE_ADDRESS
        text_form = {"type": "string", "pattern": rf"^[\s,]*(?:{item}(?:[\s,]+{item})*)?[\s,]*$",
                     "x-message": "IPv4 addresses, networks (/24 to /32) or host names separated by spaces "
                                  "or commas"}
        return {"oneOf": [self.schema(), text_form], "title": self.label,
                "description": "a list of IPv4 addresses, networks of /24 to /32 (203.0.113.0/28) or host "
                               "names (sip.example.net, looked up at each Apply), or one string of them "
                               "separated by spaces or commas"}

    def normalise(self, value):
        if isinstance(value, str):
            value = [item for item in re.split(r"[\s,]+", value) if item]
        if isinstance(value, list):
            return [item.strip().lower() if isinstance(item, str) else item for item in value]
        return value

    def to_column(self, value):
        return " ".join(value)

    def dump(self, stored):
        return stored.split() if stored else []

    def column_type(self):
        return String(self.column_length)


@dataclass(frozen=True)
class Target:
    """One kind of place a call can be sent: its written form, and the kind whose object it names."""

    name: str                      # "extension", "voicemail", "external", "hangup"
    pattern: str                   # the written form, e.g. "voicemail:[0-9]{2,6}" (no anchors)
    kind: str | None = None        # the kind named, if any ("extensions")
    prefix: str = ""               # what precedes the key in the written form ("voicemail:")
    label: str = ""                # in words: "an extension's mailbox"


# Every kind of destination (littlepbx.kinds adds its own with register_target).
TARGETS: dict[str, Target] = {
    "extension": Target("extension", "[0-9]{2,6}", "extensions", label="an extension"),
    "voicemail": Target("voicemail", "voicemail:[0-9]{2,6}", "extensions", "voicemail:", "an extension's mailbox"),
    "external": Target("external", r"\+?[0-9]{7,15}", label="an outside number"),
    "hangup": Target("hangup", "hangup", label="hang up"),
}


def register_target(target: Target) -> Target:
    """Declare a new kind of destination (a ring group, a queue, ...)."""
    TARGETS[target.name] = target
    return target


@dataclass(frozen=True, kw_only=True)
class Destination(PhoneNumber):
    """Where a call goes: one of ``allowed`` targets (None: every kind of destination there is),
    written "102" (an extension), "voicemail:102", "+14155550100" (an outside number), "hangup",
    or "<kind>:<key>" for the kinds that are destinations ("ringgroup:600", "ivr:main"). A target
    naming an object must be one of the organization's."""

    allowed: tuple[str, ...] | None = ("extension", "external")
    max_length: int = 40
    pattern: str = ""
    message: str = ""
    ident: bool = True

    def _allowed(self) -> list[Target]:
        return list(TARGETS.values()) if self.allowed is None else [TARGETS[name] for name in self.allowed]

    def type_schema(self) -> dict:
        pattern = "^(?:" + "|".join(target.pattern for target in self._allowed()) + ")$"
        words = ", ".join(target.label for target in self._allowed())
        return {"type": "string", "maxLength": self.max_length, "pattern": pattern,
                "x-message": self.message or f"not a destination: use {words}",
                "x-destination": [target.name for target in self._allowed()]}

    def normalise(self, value):
        if isinstance(value, str) and ":" in value:  # "voicemail:102": only the number's spaces go
            return Text.normalise(self, value)
        return super().normalise(value)

    def target_of(self, stored: str) -> Target | None:
        """The allowed target ``stored`` is written as."""
        return next((t for t in self._allowed() if re.fullmatch(t.pattern, stored)), None)

    def targets(self) -> frozenset[str]:
        return frozenset(t.kind for t in self._allowed() if t.kind)

    def references(self, stored) -> list[tuple[str, str]]:
        target = self.target_of(stored) if stored is not None else None
        return [(target.kind, stored[len(target.prefix):])] if target and target.kind else []

    def ref_criterion(self, column, kind: str, key: str):
        from sqlalchemy import or_
        return or_(*[column == t.prefix + key for t in self._allowed() if t.kind == kind])


class ListOf:
    """Mixed into a field type: several of its values, in order, each once. A list in the API (or
    one string of them separated by commas, semicolons or new lines, as a form sends it), stored
    joined by ``separator``, which no item may contain."""

    max_items: int
    separator: str

    def type_schema(self) -> dict:
        item = super().type_schema()
        return {"type": "array", "maxItems": self.max_items, "x-message": f"at most {self.max_items}",
                "uniqueItems": True, "items": {key: value for key, value in item.items() if not key.startswith("x-d")},
                **{key: value for key, value in item.items() if key.startswith("x-d")}}

    def normalise(self, value):
        if isinstance(value, str):
            value = [item for item in re.split(r"[,;\n]+", value) if item.strip()]
        if isinstance(value, list):
            return [super(ListOf, self).normalise(item) for item in value]
        return value

    def to_column(self, value):
        return self.separator.join(value)

    def dump(self, stored):
        return stored.split(self.separator) if stored else []

    def column_type(self):
        return String(self.column_length, collation="utf8mb4_bin")


@dataclass(frozen=True, kw_only=True)
class DestinationList(ListOf, Destination):
    """Several destinations (a ring group's members), stored separated by spaces."""

    max_items: int = 30
    max_length: int = 40
    column_length: int = 1300
    separator: str = " "

    def references(self, stored) -> list[tuple[str, str]]:
        return [ref for item in self.dump(stored) for ref in Destination.references(self, item)]

    def ref_criterion(self, column, kind: str, key: str):
        from sqlalchemy import func, or_
        padded = func.concat(" ", column, " ")
        return or_(*[padded.like(f"% {t.prefix}{key} %") for t in self._allowed() if t.kind == kind])


@dataclass(frozen=True, kw_only=True)
class TextList(ListOf, Text):
    """Several short texts of one ``pattern`` (opening hours, holiday dates), stored separated by
    '|'; ``valid(item)`` may refuse an item the pattern lets through, saying why."""

    max_items: int = 30
    column_length: int = 1000
    separator: str = "|"
    valid: object = None

    def normalise(self, value):
        value = super().normalise(value)
        if isinstance(value, list):
            return [re.sub(r"\s+", " ", item) if isinstance(item, str) else item for item in value]
        return value

    def clean(self, value):
        value = super().clean(value)
        for item in self.dump(value) if self.valid else ():
            problem = self.valid(item)
            if problem:
                raise FieldError(f"{item}: {problem}")
        return value


# --- ready-made fields ----------------------------------------------------------------------

def text(label: str, max_length: int, **options) -> Text:
    """Plain text of at most ``max_length`` characters."""
    return Text(label=label, max_length=max_length, **options)


def short_name(example: str, help: str, **options) -> Text:
    """The key of an object named by people ("main", "hours"): lowercase letters, digits and '-'."""
    return Text(label="Short name", max_length=20, pattern=r"^[a-z0-9][a-z0-9-]{0,19}$", ident=True, lowercase=True,
                required=True, editable=False, example=example,
                message=f"lowercase letters, digits and '-', e.g. {example}", help=help, **options)


def extension_number(label: str = "Number", **options) -> Text:
    """An extension number: 2 to 6 digits."""
    return Text(label=label, max_length=6, pattern=EXTENSION_NUMBER, message="2 to 6 digits", ident=True,
                **{"example": "101", **options})


def e164(label: str = "Number", **options) -> PhoneNumber:
    """An E.164 number, stored with its '+'."""
    return PhoneNumber(label=label, max_length=32, column_length=16, pattern=E164, plus=True, ident=True,
                       example="+14155550100",
                       message="an E.164 number is + then 7 to 15 digits, e.g. +14155550100", **options)


@dataclass(frozen=True, kw_only=True)
class Email(Text):
    """A plain address: name@domain.tld (the page offers an e-mail input)."""

    def type_schema(self) -> dict:
        return {**super().type_schema(), "format": "email"}


def email(label: str = "E-mail", **options) -> Email:
    """A plain address: name@domain.tld."""
    return Email(label=label, max_length=254, pattern=EMAIL, message="not an e-mail address",
                 example="admin@acme.example", **options)


def pin(label: str = "PIN", **options) -> Text:
    """4 to 10 digits."""
    return Text(label=label, max_length=10, column_length=12, pattern=PIN, message="a PIN is 4 to 10 digits",
                **options)


def host(label: str = "Host", **options) -> Text:
    """An IPv4 address or a DNS host name (lower-cased)."""
    return Text(label=label, max_length=253, min_length=1, pattern=HOST, lowercase=True,
                message="not a host name or IPv4 address", example="sip.example.net", **options)


def port(label: str = "Port", **options) -> Integer:
    """A UDP/TCP port."""
    return Integer(label=label, minimum=1, maximum=65535, **options)


def sip_user(label: str, **options) -> Text:
    """A SIP user part we are willing to put on the wire (no '@', ';', spaces)."""
    return Text(label=label, max_length=64, min_length=1, pattern=SIP_USER,
                message="use letters, digits and . _ ~ + - only", **options)


def org_code(label: str = "Code", **options) -> Text:
    """An organization's code: 2 to 16 lowercase letters and digits, starting with a letter."""
    return Text(label=label, max_length=16, pattern=ORG_CODE, ident=True, example="acme",
                message="use 2 to 16 lowercase letters and digits, starting with a letter", **options)


def time_zone(label: str = "Time zone", **options) -> Choice:
    """An IANA time zone name."""
    zones = tuple((zone, zone) for zone in sorted(zoneinfo.available_timezones()))
    return Choice(label=label, options=zones, message="not a time zone name, e.g. Europe/Paris",
                  column_length=64, example="Europe/Paris", **options)


# --- generated secrets ----------------------------------------------------------------------

def new_secret(length: int = 24) -> str:
    """A strong random SIP password: letters and digits only, so every phone accepts it."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pin(length: int = 6) -> str:
    """A random numeric PIN."""
    return "".join(secrets.choice(string.digits) for _ in range(length))


# --- sets of fields ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldSet:
    """The fields of one request or object, checked together: every problem is reported at once."""

    fields: dict[str, Field] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Field:
        return self.fields[name]

    def __iter__(self):
        return iter(self.fields)

    def items(self):
        """(name, field) pairs in declaration order."""
        return self.fields.items()

    def only(self, names: Iterable[str]) -> FieldSet:
        """The fields named, in declaration order."""
        wanted = set(names)
        return FieldSet({name: f for name, f in self.fields.items() if name in wanted})

    def where(self, keep: Callable[[str, Field], bool]) -> FieldSet:
        """The fields for which ``keep(name, field)`` is true."""
        return FieldSet({name: f for name, f in self.fields.items() if keep(name, f)})

    def as_optional(self) -> FieldSet:
        """The same fields, none of them required (a PATCH)."""
        return FieldSet({name: replace(f, required=False) for name, f in self.fields.items()})

    def clean(self, data, *, partial: bool = False, message: str = "some fields are not valid") -> dict:
        """Check ``data`` (a JSON object): unknown names, missing required ones (unless
        ``partial``) and every given value; the cleaned values, or ValidationError naming
        each field's problem."""
        if not isinstance(data, dict):
            raise ValidationError("expected a JSON object")
        errors: dict[str, str] = {name: "unknown field" for name in data if name not in self.fields}
        values: dict[str, object] = {}
        for name, rule in self.fields.items():
            if name not in data:
                if rule.required and not partial:
                    errors[name] = "required"
                continue
            try:
                values[name] = rule.clean(data[name])
            except FieldError as error:
                errors[name] = str(error)
        if errors:
            raise ValidationError(message, errors)
        return values

    def object_schema(self, required: Iterable[str] = (), schema_of=Field.input_schema,
                      additional: bool = False) -> dict:
        """A JSON object schema of these fields."""
        schema = {"type": "object", "properties": {name: schema_of(f) for name, f in self.fields.items()},
                  "additionalProperties": additional}
        required = [name for name in required if name in self.fields]
        if required:
            schema["required"] = required
        return schema


def fail(field_name: str, message: str, summary: str | None = None) -> ValidationError:
    """A ValidationError about one field (a rule that needs more than the field's own value)."""
    return ValidationError(summary or message, {field_name: message})
