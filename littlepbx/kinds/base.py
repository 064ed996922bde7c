"""A kind of organization configuration, declared once.

A kind names its fields (littlepbx.fields: the rules, the OpenAPI schema and the column of
each), its key and which roles may do what. From that one declaration come its two tables
(the draft the admin edits and the live copy an Apply writes), the checks of every write,
the REST routes and their OpenAPI schemas, the diff, Discard, Reset and the audit entries,
and the objects the PBX backend is given. The hooks below hold what is particular to a kind.
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar

from sqlalchemy import ForeignKey
from sqlalchemy.orm import mapped_column

from littlepbx.fields import Field, FieldSet
from littlepbx.models.base import Base

# How an object is found: by its key within its organization, by a key unique on the whole
# server (a phone number), or as the organization's only object of the kind.
ORG, GLOBAL, SINGLETON = "org", "global", "singleton"
OPERATIONS = ("read", "create", "update", "delete")
ROUTES = frozenset({"list", "create", "get", "update", "delete"})


class Kind:
    """Base of every kind; subclasses declare the class attributes and override hooks."""

    name: ClassVar[str]              # REST collection and PBX config attribute: "extensions"
    noun: ClassVar[str]              # one object, in messages and audit actions: "extension"
    label: ClassVar[str]             # heading on the page: "Extension"
    table: ClassVar[str]             # draft table; the live one is "live_<table>"
    schema_name: ClassVar[str]       # OpenAPI component: "Extension"
    key: ClassVar[str | None]        # the field naming one object (None for a singleton)
    key_scope: ClassVar[str] = ORG
    key_values: ClassVar[tuple[str, ...]] = ()   # a closed set of keys (trunk directions)
    fields: ClassVar[dict[str, Field]]
    outputs: ClassVar[dict[str, Field]] = {}     # computed, read-only answers
    permissions: ClassVar[dict[str, str]] = {"read": "pbx.view", "create": "pbx.edit",
                                             "update": "pbx.edit", "delete": "pbx.edit"}
    verbs: ClassVar[dict[str, str]] = {"create": "create", "update": "update", "delete": "delete",
                                       "put": "put"}
    routes: ClassVar[frozenset[str]] = ROUTES  # which generic REST routes exist ("put": by key)
    pbx_config: ClassVar[type | None] = None     # the dataclass the PBX backend gets per object
    title_field: ClassVar[str | None] = None     # a field naming the object for people ("Front desk")
    aliases: ClassVar[dict[str, str]] = {}       # an older name a request may still use for a field
    dialable: ClassVar[bool] = False             # its key is a number the organization's phones dial
    # Uploaded audio its rows name by digest: (directory under DATA_DIR, the digest field); the
    # files no draft or live row names any more are pruned after an Apply (kinds/audio.py).
    audio_files: ClassVar[tuple[str, str] | None] = None

    def __init__(self):
        self.fieldset = FieldSet(dict(self.fields))
        self.draft = self._model(self.table, self.schema_name)
        self.live = self._model("live_" + self.table, "Live" + self.schema_name)

    # --- declaration helpers -----------------------------------------------------------------

    @property
    def key_field(self) -> Field | None:
        """The field of the key."""
        return self.fields[self.key] if self.key else None

    @property
    def data_columns(self) -> list[str]:
        """The columns carrying configuration (every field; not the organization)."""
        return list(self.fields)

    def writable(self, creating: bool) -> FieldSet:
        """The fields a request may set: on create every settable one, later the editable ones."""
        return self.fieldset.where(lambda name, f: f.settable and (creating or (f.editable and name != self.key)))

    def answer_fields(self) -> dict[str, Field]:
        """The fields an answer shows, then the computed ones."""
        return {**{name: f for name, f in self.fields.items() if f.answered}, **self.outputs}

    def key_of(self, row) -> tuple:
        """The row's natural key within its organization (the org itself for a singleton)."""
        return (getattr(row, self.key),) if self.key else (row.org_id,)

    def describe(self, key) -> str:
        """The object in words: "extension 101"."""
        return f"{self.noun} {key}" if self.key else self.noun

    def _model(self, table: str, class_name: str):
        """A mapped class for ``table``: the organization, then one column per field."""
        attributes = {"__tablename__": table, "__kind__": self,
                      "org_id": mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False,
                                              primary_key=self.key_scope != GLOBAL,
                                              index=self.key_scope == GLOBAL)}
        for name, rule in self.fields.items():
            attributes[name] = mapped_column(rule.column_type(), primary_key=name == self.key,
                                             nullable=rule.nullable and name != self.key)
        return type(class_name, (Base,), attributes)

    # --- hooks -----------------------------------------------------------------------------

    def before_create(self, scope, values: dict) -> None:
        """Rules a new object must meet beyond its fields (limits, uniqueness elsewhere)."""

    def check(self, scope, row) -> None:
        """Rules across fields of a created or changed row (raise ValidationError)."""

    def extra(self, scope, rows: list, pbx) -> dict:
        """Computed answers per row key, e.g. whether a phone is registered (``pbx``: the backend)."""
        return {}

    def reset(self, scope) -> None:
        """Give the draft the documented defaults (Reset); a kind without them is left as it is."""

    def to_pbx(self, row, context: dict):
        """The PBX backend's object for one live row: the dataclass's fields taken by name."""
        names = [f.name for f in dataclasses.fields(self.pbx_config)]
        return self.pbx_config(**{name: getattr(row, name) for name in names})
