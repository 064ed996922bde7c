"""The OpenAPI document and the checks of every request agree, field by field.

For each field the served document describes, a reference JSON-schema validator judges the
document's schema, and the field's own check judges the value: after the field's documented
normalisation (trimming, dropping a phone number's spaces, ...) both must say the same for
boundary values, values generated from the schema, and arbitrary values.
"""
from __future__ import annotations

import copy

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from littlepbx.fields import Field, FieldError, FieldSet
from littlepbx.kinds import all_kinds
from littlepbx.rest.common import PAGE_FIELDS
from littlepbx.rest.openapi import DOCUMENT
from littlepbx.services import orgs, stats, tokens, users
from littlepbx.services.apply import APPLY_FIELDS

SCHEMAS = DOCUMENT["components"]["schemas"]
# Fields whose check knows more than a schema can say: a date that matches the pattern may
# still not exist (2026-02-30), opening hours must end after they begin (a field's ``valid``). For
# them only "the document refuses it, so does the check" holds.
REFINING = {("cdr", "from"), ("cdr", "to")}


def refining(where: str, name: str, rule) -> bool:
    return (where, name) in REFINING or getattr(rule, "valid", None) is not None


def documented_fields() -> list[tuple[str, str, Field, dict]]:
    """(where, field name, field, the served document's schema of it) for every declared field."""
    found = []
    for kind in all_kinds():
        for operation in ("Create", "Put"):
            component = SCHEMAS.get(kind.schema_name + operation)
            if component:
                for name, schema in component["properties"].items():
                    found.append((kind.schema_name + operation, name, kind.fields[name], schema))
        for name, rule in kind.fields.items():
            if rule.access == "read":
                found.append((kind.schema_name, name, rule, SCHEMAS[kind.schema_name]["properties"][name]))
    for component, field_set in (("OrgCreate", orgs.FIELDS), ("AdminCreate", users.ADMIN_FIELDS),
                                 ("TokenCreate", tokens.TOKEN_FIELDS), ("ApplyRequest", APPLY_FIELDS)):
        for name, schema in SCHEMAS[component]["properties"].items():
            found.append((component, name, field_set[name], schema))
    cdr = DOCUMENT["paths"]["/orgs/{code}/cdr"]["get"]["parameters"]
    for where, field_set in (("cdr", FieldSet({**PAGE_FIELDS.fields, **stats.HISTORY_FILTERS.fields})),):
        for parameter in cdr:
            found.append((where, parameter["name"], field_set[parameter["name"]], parameter["schema"]))
    return found


FIELDS = documented_fields()


def json_schema(schema: dict) -> dict:
    """An OpenAPI 3.0 schema as plain JSON Schema: nullable becomes "or null"; x- keys go."""
    schema = copy.deepcopy(schema)
    nullable = schema.pop("nullable", False)
    plain = {key: value for key, value in schema.items()
             if not key.startswith("x-") and key not in ("title", "description", "example")}
    for key in ("oneOf", "anyOf"):
        if key in plain:
            plain[key] = [json_schema(alternative) for alternative in plain[key]]
    if "items" in plain:
        plain["items"] = json_schema(plain["items"])
    return {"anyOf": [plain, {"type": "null"}]} if nullable else plain


def document_accepts(schema: dict, value) -> bool:
    """The reference validator's verdict on ``value``."""
    try:
        jsonschema.validate(value, json_schema(schema))
        return True
    except jsonschema.ValidationError:
        return False


def check_accepts(rule: Field, value) -> bool:
    """The field's own verdict on ``value`` (as a request would get it)."""
    try:
        rule.clean(value)
        return True
    except FieldError:
        return False


def expected(rule: Field, schema: dict, value) -> bool:
    """What the document says of ``value`` once the field's documented normalisation is done."""
    if rule.nullable and value in (None, ""):
        return True
    try:
        normalised = rule.normalise(value)
    except FieldError:
        return False
    return document_accepts(schema, normalised)


def boundary_values(schema: dict) -> list:
    """Values at and just beyond each limit the schema states."""
    values = [None, "", True, 0, "x" * 300, [], ["x"]]
    for candidate in [schema, *schema.get("oneOf", [])]:
        if "enum" in candidate:
            values += list(candidate["enum"]) + [candidate["enum"][0] + "x", candidate["enum"][0].upper()]
        if "minimum" in candidate:
            values += [candidate["minimum"], candidate["minimum"] - 1, candidate["maximum"], candidate["maximum"] + 1,
                       str(candidate["maximum"]), 1.5]
        if "maxLength" in candidate:
            values += ["1" * candidate["maxLength"], "1" * (candidate["maxLength"] + 1),
                       "a" * candidate["maxLength"], "a" * (candidate["maxLength"] + 1)]
        if "example" in candidate:
            values += [candidate["example"], f" {candidate['example']} ", f"{candidate['example']}\x01"]
    return values


def test_every_declared_field_is_in_the_document():
    assert len(FIELDS) > 30
    described = {(where, name) for where, name, _, _ in FIELDS}
    assert ("ExtensionCreate", "ring_seconds") in described and ("TrunkPut", "source_addresses") in described


@pytest.mark.parametrize("where,name,rule,schema", FIELDS, ids=[f"{w}.{n}" for w, n, _, _ in FIELDS])
def test_at_the_limits_the_document_and_the_check_agree(where, name, rule, schema):
    for value in boundary_values(schema):
        if refining(where, name, rule) and check_accepts(rule, value):
            assert expected(rule, schema, value), value
        elif not refining(where, name, rule):
            assert check_accepts(rule, value) == expected(rule, schema, value), value


ARBITRARY = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=40),
                      st.from_regex(r"\+?[0-9 ]{1,18}", fullmatch=True), st.lists(st.text(max_size=16), max_size=3))


@pytest.mark.parametrize("where,name,rule,schema", FIELDS, ids=[f"{w}.{n}" for w, n, _, _ in FIELDS])
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_for_generated_and_arbitrary_values_the_document_and_the_check_agree(where, name, rule, schema, data):
    try:
        valid = data.draw(from_schema(json_schema(schema)))
    except Exception:  # a pattern hypothesis cannot generate from (lookarounds): arbitrary values only
        valid = None
    for value in (valid, data.draw(ARBITRARY)):
        if refining(where, name, rule):
            if check_accepts(rule, value):
                assert expected(rule, schema, value), value
        else:
            assert check_accepts(rule, value) == expected(rule, schema, value), value
