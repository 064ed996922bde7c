"""The OpenAPI 3 document of /api/v1, built from the same declarations that check requests:
the kinds of organization configuration (littlepbx.kinds) and the field sets of the other
resources. A field's rule is written once; this document only arranges the schemas.

tests/rest/test_openapi.py validates it, checks that it and the checks agree for every field,
and runs schemathesis against the live app.
"""
from __future__ import annotations

from flask import jsonify

from littlepbx.applier import states
from littlepbx.fields import TARGETS, Field, FieldSet
from littlepbx.kinds import Kind, all_kinds, kind_named
from littlepbx.pbx_backends.base import CALL_RECORD_COLUMNS
from littlepbx.rest import objects as object_routes
from littlepbx.rest.common import PAGE_FIELDS, api
from littlepbx.rest.orgs import SEARCH_MAX
from littlepbx.services import orgs, phone_states, stats, tokens, users
from littlepbx.services.apply import APPLY_FIELDS
from littlepbx.services.prompts import PROMPTS
from littlepbx.tenancy import ROLE_ORG_ADMIN, ROLE_ORG_INTEGRATOR, ROLE_SYSTEM


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required=(), additional: bool = False) -> dict:
    """An object schema; unknown properties are refused unless ``additional``."""
    schema = {"type": "object", "properties": properties, "additionalProperties": additional}
    if required:
        schema["required"] = list(required)
    return schema


def nullable(schema: dict) -> dict:
    """``schema`` or null."""
    return dict(schema, nullable=True)


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
TIME = nullable({"type": "string", "format": "date-time"})


def page_schema(item: str) -> dict:
    """The list envelope of ``item``."""
    return obj({"items": {"type": "array", "items": ref(item)}, "total": INT, "offset": INT, "limit": INT},
               ("items", "total", "offset", "limit"))


# --- the kinds ------------------------------------------------------------------------------

def with_permission(rule: Field) -> dict:
    """A field's input schema, saying which role may set it when not every editor may."""
    schema = rule.input_schema()
    if rule.permission:
        note = f"only for roles with {rule.permission} (integrators); others get 'unknown field'"
        schema["description"] = f"{schema['description']}; {note}" if schema.get("description") else note
    return schema


def kind_schemas(kind: Kind) -> dict:
    """The answer, create, patch (or put), page and delete schemas of one kind."""
    answer = {name: rule.schema() for name, rule in kind.answer_fields().items()}
    name = kind.schema_name
    schemas = {name: obj(answer, list(answer)), name + "Page": page_schema(name)}
    creating, changing = kind.writable(creating=True), kind.writable(creating=False)
    if "create" in kind.routes:
        schemas[name + "Create"] = creating.object_schema(
            [n for n, rule in creating.items() if rule.required], schema_of=with_permission)
    if "update" in kind.routes:
        schemas[name + "Patch"] = changing.as_optional().object_schema(schema_of=with_permission)
    if "put" in kind.routes:
        put_fields = creating.where(lambda n, rule: n != kind.key)
        schemas[name + "Put"] = put_fields.object_schema(
            [n for n, rule in put_fields.items() if rule.required], schema_of=with_permission)
    unrouted = object_routes.unrouted_fields(kind)
    if unrouted:
        schemas[name + "Deleted"] = obj({n: {"type": "array", "items": STR} for n in unrouted}, unrouted)
    return schemas


def kind_paths(kind: Kind) -> dict:
    """The generic routes of one kind (rest/objects.py), with a path per fixed key."""
    name, thing = kind.schema_name, kind.noun
    collection, paths = f"{ORG}/{kind.name}", {}
    if kind.routes & {"list", "create"}:
        item = {"parameters": [CODE]}
        if "list" in kind.routes:
            item["get"] = operation(f"List the organization's {thing}s (draft)", kind.name, "200",
                                    ref(name + "Page"), "422", params=PAGE, operation_id=f"list_{kind.name}")
        if "create" in kind.routes:
            item["post"] = operation(f"Create a {thing}", kind.name, "201", ref(name), "403", "409", "422",
                                     "413", body=json_body(name + "Create"), operation_id=f"create_{kind.name}")
        paths[collection] = item
    keys = (kind.key_values or (None,)) if kind.routes & {"get", "update", "put", "delete"} else ()
    for key in keys:
        if kind.key is None:  # the organization's only one
            path, suffix, item, where = collection, kind.name, {"parameters": [CODE]}, f"the organization's {thing}"
        else:
            path = f"{collection}/{key}" if key else f"{collection}/{{{kind.key}}}"
            suffix = f"{key}_{kind.noun}" if key else kind.name
            item = {"parameters": [CODE] + ([] if key else [dict(path_param(kind.key, STR),
                                                                 example=kind.key_field.example)])}
            where = f"the {key} {thing}" if key else f"one {thing}"
        deleted = (("200", ref(name + "Deleted")) if object_routes.unrouted_fields(kind) else ("204", None))
        if "get" in kind.routes:
            item["get"] = operation(f"{where.capitalize()} (draft)", kind.name, "200", ref(name),
                                    operation_id=f"get_{suffix}")
        if "update" in kind.routes:
            item["patch"] = operation(f"Change {where}", kind.name, "200", ref(name), "403", "409", "422", "413",
                                      body=json_body(name + "Patch"), operation_id=f"update_{suffix}")
        if "put" in kind.routes:
            item["put"] = operation(f"Create or replace {where}", kind.name, "200", ref(name), "403", "422",
                                    "413", body=json_body(name + "Put"), operation_id=f"put_{suffix}")
        if "delete" in kind.routes:
            item["delete"] = operation(f"Delete {where}", kind.name, deleted[0], deleted[1], "403", "409",
                                       operation_id=f"delete_{suffix}")
        paths[path] = item
    return paths


# --- the other resources ----------------------------------------------------------------------

def answer_schema(field_set: FieldSet, extra: dict, hidden=()) -> dict:
    """An answer made of ``field_set`` (without ``hidden``) and ``extra`` properties, all present."""
    properties = {name: rule.schema() for name, rule in field_set.items() if name not in hidden}
    properties.update(extra)
    return obj(properties, list(properties))


def static_schemas() -> dict:
    """The schemas of the resources that are not kinds."""
    roles = {"type": "string", "enum": [ROLE_SYSTEM, ROLE_ORG_INTEGRATOR, ROLE_ORG_ADMIN]}
    admin = answer_schema(users.ADMIN_FIELDS, {"role": STR, "last_login_at": TIME}, hidden=("password",))
    token = answer_schema(tokens.TOKEN_FIELDS, {"id": INT, "prefix": STR, "created_by": STR, "created_at": TIME,
                                                "last_used_at": dict(TIME, description="its last request, "
                                                                     "to the minute (written at most once a minute)")})
    return {
        "Error": obj({"error": obj({"code": STR, "message": STR,
                                    "fields": {"type": "object", "additionalProperties": STR},
                                    "detail": {"type": "object"}},
                                   ("code", "message", "fields"))}, ("error",)),
        "Org": answer_schema(orgs.FIELDS, {"created_at": TIME, "last_applied_at": TIME}),
        "OrgCreate": orgs.FIELDS.object_schema([n for n, rule in orgs.FIELDS.items() if rule.required]),
        "OrgPatch": orgs.EDITABLE.object_schema(),
        "Usage": obj({"org": STR, "audit_retention_days": INT,
                      **{name: obj({"used": INT, "limit": INT}, ("used", "limit"))
                         for name in ("storage_bytes", "dids", "extensions", "applies_last_minute")}},
                     ("org", "storage_bytes", "dids", "extensions", "applies_last_minute", "audit_retention_days")),
        "TrunkStatus": obj({"direction": STR, "configured": BOOL, "register": BOOL,
                            "state": {"type": "string", "description": "the PBX's word, e.g. Registered;"
                                      " or unknown, not_configured, not_registering"},
                            "detail": STR}, ("direction", "configured", "register", "state", "detail")),
        "Admin": admin,
        "AdminCreated": obj({**admin["properties"],
                             "password": {"type": "string", "description": "only when generated"}},
                            admin["required"]),
        "AdminCreate": users.ADMIN_FIELDS.object_schema(["email"]),
        "AdminPatch": users.ADMIN_CHANGES.object_schema(),
        "SipSettings": obj({"server": STR, "port": INT, "transport": STR, "username": STR,
                            "auth_username": STR, "password": STR, "live": BOOL},
                           ("server", "port", "transport", "username", "auth_username", "password", "live")),
        "PhoneState": phone_states.STATE_FIELDS.object_schema(["dnd"]),
        "PhoneStateAnswer": obj({"number": STR, "dnd": BOOL, **{name: nullable(STR) for name in phone_states.FORWARDS}},
                                ("number", "dnd", *phone_states.FORWARDS)),
        "MohSettings": kind_named("moh").fieldset.only(["enabled", "music_class"]).object_schema(),
        "TimeConditionForce": obj({"state": {"type": "string", "enum": ["open", "closed", "auto"],
                                             "description": "auto: by its hours again"}}, ("state",)),
        "PhoneRecordingUse": obj({"phone_recording": {"type": "string", "pattern": r"^[0-9]{2,6}-[0-9]{1,12}$",
                                                      "description": "the id of a recording made on a phone (*47)"}},
                                 ("phone_recording",)),
        "PhoneRecordings": obj({"items": {"type": "array", "items": obj(
            {"id": STR, "extension": STR, "recorded_at": TIME, "seconds": {"type": "number"}},
            ("id", "extension", "recorded_at", "seconds"))}}, ("items",)),
        "PhoneBlocks": obj({"items": {"type": "array", "items": obj(
            {"number": STR, "extension": nullable(STR), "created": nullable(TIME)},
            ("number", "extension", "created"))}}, ("items",)),
        "CallRecordings": obj({"items": {"type": "array", "items": obj(
            {"id": STR, "call": dict(STR, description="the call history's uniqueid"), "recorded_at": TIME,
             "seconds": nullable({"type": "number"}), "bytes": INT},
            ("id", "call", "recorded_at", "seconds", "bytes"))}}, ("items",)),
        "GreetingUpload": obj({"file": {"type": "string", "format": "binary", "description": "MP3 or WAV"}},
                              ("file",)),
        "MohUpload": obj({"file": {"type": "string", "format": "binary"},
                          "enabled": {"type": "string", "enum": ["true", "false"]}}, ("file",)),
        "Changes": {"type": "object", "required": ["pending"], "properties": {"pending": BOOL},
                    "additionalProperties": obj({"added": {"type": "array"}, "changed": {"type": "array"},
                                                 "removed": {"type": "array"}},
                                                ("added", "changed", "removed"))},
        "ApplyRequest": APPLY_FIELDS.object_schema(additional=True),
        "Run": obj({"id": INT, "state": {"type": "string", "enum": list(states.ALL_STATES),
                                         "x-labels": [states.LABELS[state] for state in states.ALL_STATES],
                                         "x-active": sorted(states.ACTIVE_STATES),
                                         "x-stoppable": sorted(states.STOPPABLE_STATES)},
                    "active": BOOL, "waiting_calls": INT, "description": STR, "message": STR,
                    "requested_by": STR, "requested_at": TIME, "started_at": TIME,
                    "finished_at": TIME, "wait_deadline": TIME, "notify": BOOL, "attempts": INT,
                    "notice": nullable(dict(STR, description="how the e-mail notice went: sent, or not sent "
                                                             "and why (tried again later)"))},
                   ("id", "state", "active", "waiting_calls", "description")),
        "Calls": obj({"org": STR, "active_calls": INT,
                      "dids": nullable({"type": "object", "additionalProperties": INT,
                                        "description": "calls arriving now per DID; null if the PBX cannot tell"})},
                     ("org", "active_calls", "dids")),
        "CurrentCalls": obj({"org": STR, "calls": nullable({
            "type": "array", "description": "null if the PBX cannot tell",
            "items": obj({"caller": STR, "callee": STR, "state": STR, "started_at": TIME},
                         ("caller", "callee", "state", "started_at"))})}, ("org", "calls")),
        "QueueStats": obj({"org": STR, "hours": INT, "queues": {"type": "array", "items": obj(
            {"number": STR, "name": STR, "waiting": INT, "answered": INT, "abandoned": INT, "timed_out": INT,
             "average_wait_seconds": nullable({"type": "number"})},
            ("number", "name", "waiting", "answered", "abandoned", "timed_out", "average_wait_seconds"))}},
            ("org", "hours", "queues")),
        "Cdr": obj({name: (TIME if name in ("calldate", "answer", "endtime") else
                           nullable(INT) if name in ("duration", "billsec") else nullable(STR))
                    for name in CALL_RECORD_COLUMNS} | {
                       "recording": nullable(dict(STR, description="the id of its recording (…/recordings/{id}/audio)"))},
                   ("calldate", "src", "dst", "duration", "billsec", "disposition")),
        "Audit": obj({"at": TIME, "actor": STR, "action": STR, "target": STR,
                      "detail": nullable({"type": "object"})}, ("at", "actor", "action", "target", "detail")),
        "Token": token,
        "TokenCreated": obj({**token["properties"], "token": {"type": "string", "description": "shown only this once"}},
                            ("id", "name", "prefix", "org", "token")),
        "TokenCreate": tokens.TOKEN_FIELDS.object_schema(["name"]),
        "Session": obj({"name": STR, "role": roles, "org": nullable(STR),
                        "auth": {"type": "string", "enum": ["token", "session"]},
                        "csrf_token": nullable(STR)}, ("name", "role", "org", "auth", "csrf_token")),
        **{name + "Page": page_schema(name) for name in ("Org", "Admin", "Cdr", "Audit", "Token")},
    }


ERROR_TEXT = {"400": "Malformed request (or a CSRF failure of a cookie-authenticated write)",
              "401": "No or unknown credentials", "403": "Your role may not do this",
              "404": "No such object, or one in another organization",
              "405": "Method not allowed", "409": "Conflicts with the current state",
              "413": "Request body too large", "422": "A field breaks a rule (see error.fields)",
              "429": "Too many requests of this kind for now (e.g. Applies per minute)",
              "503": "The PBX does not answer"}


def json_content(schema: dict) -> dict:
    """A JSON media type with ``schema``."""
    return {"application/json": {"schema": schema}}


def responses(ok: str, schema: dict | None, *errors: str, ok_text: str = "Success") -> dict:
    """The success response and the error responses an operation may give."""
    result = {ok: {"description": ok_text}}
    if schema is not None:
        result[ok]["content"] = json_content(schema)
    for status in ("401", "404", "405", "400", *errors):
        result[status] = {"description": ERROR_TEXT[status], "content": json_content(ref("Error"))}
    result["default"] = {"description": "Any other error", "content": json_content(ref("Error"))}
    return result


def operation(summary: str, tag: str, ok: str, schema, *errors, body=None, params=(), **extra):
    """One operation object."""
    op = {"summary": summary, "tags": [tag], "responses": responses(ok, schema, *errors),
          "operationId": extra.pop("operation_id")}
    if body is not None:
        op["requestBody"] = body
    if params:
        op["parameters"] = list(params)
    op.update(extra)
    return op


def prompt_paths(prompt) -> dict:
    """The upload, delete and audio paths of a kind's recorded prompt (services/prompts.py)."""
    kind = kind_named(prompt.kind)
    path = f"{ORG}/{prompt.kind}/{{name}}/{prompt.word}"
    params = [CODE, dict(path_param("name", STR), example=kind.fields["name"].example)]
    return {
        path: {
            "parameters": params,
            "put": operation(f"A {kind.noun}'s {prompt.word}: an MP3 or WAV (multipart), or a recording made on "
                             "a phone (JSON), heard after Apply",
                             prompt.kind, "200", ref(kind.schema_name), "403", "413", "422",
                             body={"required": True, "content": {
                                 "multipart/form-data": {"schema": ref("GreetingUpload")},
                                 "application/json": {"schema": ref("PhoneRecordingUse")}}},
                             operation_id=f"put_{prompt.kind}_{prompt.word}"),
            "delete": operation(f"Forget the {prompt.word} (after Apply)", prompt.kind, "200", ref(kind.schema_name),
                                "403", operation_id=f"delete_{prompt.kind}_{prompt.word}")},
        f"{path}/audio": {
            "parameters": params,
            "get": audio_operation(f"The converted {prompt.word} (8 kHz mono WAV)", prompt.kind,
                                   f"get_{prompt.kind}_{prompt.word}_audio")},
    }


def audio_operation(summary: str, tag: str, operation_id: str) -> dict:
    """A GET answering a converted upload as WAV."""
    return {"summary": summary, "tags": [tag], "operationId": operation_id,
            "responses": {"200": {"description": "WAV audio", "content": {
                "audio/wav": {"schema": {"type": "string", "format": "binary"}}}},
                **{k: val for k, val in responses("200", None).items() if k != "200"}}}


def json_body(name: str, required: bool = True) -> dict:
    """A JSON request body of component ``name``."""
    return {"required": required, "content": json_content(ref(name))}


def path_param(name: str, schema: dict) -> dict:
    """A required path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": schema}


def query_params(field_set: FieldSet) -> tuple[dict, ...]:
    """Optional query parameters, one per field."""
    return tuple({"name": name, "in": "query", "required": False, "schema": rule.schema(),
                  "description": rule.help or rule.label} for name, rule in field_set.items())


PAGE = query_params(PAGE_FIELDS)
SEARCH = {"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": SEARCH_MAX},
          "description": "only organizations whose code or name contains this (any case)"}
CODE = {**path_param("code", orgs.FIELDS["code"].schema()), "example": "acme"}
ORG = "/orgs/{code}"


def crud(base: str, key: str, example: str, tag: str, thing: str, schema: str,
         create: str, patch: str, created: str | None = None) -> dict:
    """GET/POST on the collection and GET/PATCH/DELETE on one item, all under an org."""
    item = f"{base}/{{{key}}}"
    key_param = dict(path_param(key, STR), example=example)
    return {
        base: {"parameters": [CODE],
               "get": operation(f"List the organization's {thing}s", tag, "200", ref(schema + "Page"),
                                "422", params=PAGE, operation_id=f"list_{tag}"),
               "post": operation(f"Create a {thing}", tag, "201", ref(created or schema), "403",
                                 "409", "422", "413", body=json_body(create),
                                 operation_id=f"create_{tag}")},
        item: {"parameters": [CODE, key_param],
               "get": operation(f"One {thing}", tag, "200", ref(schema), operation_id=f"get_{tag}"),
               "patch": operation(f"Change a {thing}", tag, "200", ref(schema), "403", "409", "422",
                                  "413", body=json_body(patch), operation_id=f"update_{tag}"),
               "delete": operation(f"Delete a {thing}", tag, "204", None, "403", "409",
                                   operation_id=f"delete_{tag}")},
    }


def action(summary: str, tag: str, ok: str, schema: str, *errors, body=None, op_id: str) -> dict:
    """A POST action on an organization."""
    return {"parameters": [CODE], "post": operation(summary, tag, ok, ref(schema), *errors,
                                                     body=body, operation_id=op_id)}


def static_paths() -> dict:
    """The routes that are not the kinds' generic ones."""
    number = dict(path_param("number", STR), example="101")
    return {
        "/orgs": {
            "get": operation("List organizations in code order (an org token sees its own)", "orgs", "200",
                             ref("OrgPage"), "422", params=(*PAGE, SEARCH), operation_id="list_orgs"),
            "post": operation("Create an organization (system role)", "orgs", "201", ref("Org"),
                              "403", "409", "422", "413", body=json_body("OrgCreate"),
                              operation_id="create_org")},
        ORG: {
            "parameters": [CODE],
            "get": operation("One organization", "orgs", "200", ref("Org"), operation_id="get_org"),
            "patch": operation("Change an organization (system role)", "orgs", "200", ref("Org"),
                               "403", "422", "413", body=json_body("OrgPatch"), operation_id="update_org"),
            "delete": operation("Delete an organization and its PBX configuration (system role)",
                                "orgs", "204", None, "403", operation_id="delete_org")},
        f"{ORG}/usage": {
            "parameters": [CODE],
            "get": operation("What the organization uses of its quotas", "orgs", "200", ref("Usage"),
                             operation_id="get_usage")},
        f"{ORG}/trunks/outbound/status": {
            "parameters": [CODE],
            "get": operation("Registration state of the live outbound trunk", "trunks", "200",
                             ref("TrunkStatus"), operation_id="outbound_trunk_status")},
        **crud(f"{ORG}/admins", "email", "admin@acme.example", "admins", "organization admin", "Admin",
               "AdminCreate", "AdminPatch", created="AdminCreated"),
        f"{ORG}/extensions/{{number}}/sip": {
            "parameters": [CODE, number],
            "get": operation("What a phone needs to register as this extension", "extensions", "200",
                             ref("SipSettings"), operation_id="get_sip_settings")},
        f"{ORG}/extensions/{{number}}/state": {
            "parameters": [CODE, number],
            "put": operation("Set do-not-disturb and the forwards (every call, when busy, when unanswered) at once, "
                             "no Apply; a forward left out is off", "extensions",
                             "200", ref("PhoneStateAnswer"), "403", "409", "422", body=json_body("PhoneState"),
                             operation_id="set_phone_state")},
        f"{ORG}/extensions/{{number}}/sip/regenerate": {
            "parameters": [CODE, number],
            "post": operation("Give the extension a new SIP password", "extensions", "200",
                              ref("SipSettings"), "403", operation_id="regenerate_sip_password")},
        f"{ORG}/timeconditions/{{name}}/force": {
            "parameters": [CODE, dict(path_param("name", STR), example="hours")],
            "put": operation("Force a live time condition open or closed at once, or back to its hours",
                             "timeconditions", "200", ref("TimeCondition"), "403", "409", "422",
                             body=json_body("TimeConditionForce"), operation_id="force_time_condition")},
        **{path: item for prompt in PROMPTS.values() for path, item in prompt_paths(prompt).items()},
        f"{ORG}/recordings": {
            "parameters": [CODE],
            "get": operation("The organization's recorded calls, newest first", "recordings", "200",
                             ref("CallRecordings"), "403", operation_id="list_call_recordings")},
        f"{ORG}/recordings/{{recording_id}}": {
            "parameters": [CODE, dict(path_param("recording_id", STR), example="1795777000-1795777000.12")],
            "delete": operation("Delete a recorded call", "recordings", "204", None, "403",
                                operation_id="delete_call_recording")},
        f"{ORG}/recordings/{{recording_id}}/audio": {
            "parameters": [CODE, dict(path_param("recording_id", STR), example="1795777000-1795777000.12"),
                           {"name": "download", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["1"]}, "description": "1: as a file to save"}],
            "get": audio_operation("One recorded call (WAV)", "recordings", "get_call_recording_audio")},
        f"{ORG}/phone-blocks": {
            "parameters": [CODE],
            "get": operation("Callers the organization's phones blocked by dialling *32 (the last outside caller "
                             "that rang them), newest first; refused on all its numbers", "phone-blocks", "200",
                             ref("PhoneBlocks"), "403", "409", operation_id="list_phone_blocks")},
        f"{ORG}/phone-blocks/{{number}}": {
            "parameters": [CODE, dict(path_param("number", STR), example="+14155550100")],
            "delete": operation("Unblock a caller a phone blocked: its calls ring again at once (no Apply)",
                                "phone-blocks", "204", None, "403", "404", "409", operation_id="delete_phone_block")},
        f"{ORG}/phone-recordings": {
            "parameters": [CODE],
            "get": operation("Recordings made on the organization's phones by dialling *47, newest first",
                             "phone-recordings", "200", ref("PhoneRecordings"), "403",
                             operation_id="list_phone_recordings")},
        f"{ORG}/phone-recordings/{{recording_id}}": {
            "parameters": [CODE, dict(path_param("recording_id", STR), example="101-1795777000")],
            "delete": operation("Delete a recording (a prompt made from it keeps its copy)", "phone-recordings",
                                "204", None, "403", operation_id="delete_phone_recording")},
        f"{ORG}/phone-recordings/{{recording_id}}/audio": {
            "parameters": [CODE, dict(path_param("recording_id", STR), example="101-1795777000")],
            "get": audio_operation("One recording (8 kHz mono WAV)", "phone-recordings", "get_phone_recording_audio")},
        f"{ORG}/musicclasses/{{name}}/files": {
            "parameters": [CODE, dict(path_param("name", STR), example="jazz")],
            "post": operation("Add a file to a music class: an MP3 or WAV (multipart), heard after Apply",
                              "musicclasses", "200", ref("MusicClass"), "403", "413", "422",
                              body={"required": True, "content": {"multipart/form-data": {"schema": ref("GreetingUpload")}}},
                              operation_id="add_music_file")},
        f"{ORG}/musicclasses/{{name}}/files/{{digest}}": {
            "parameters": [CODE, dict(path_param("name", STR), example="jazz"), path_param("digest", STR)],
            "delete": operation("Take a file out of a music class (after Apply)", "musicclasses", "200",
                                ref("MusicClass"), "403", operation_id="remove_music_file")},
        f"{ORG}/musicclasses/{{name}}/files/{{digest}}/audio": {
            "parameters": [CODE, dict(path_param("name", STR), example="jazz"), path_param("digest", STR)],
            "get": audio_operation("One converted file of a music class (8 kHz mono WAV)", "musicclasses",
                                   "get_music_file_audio")},
        f"{ORG}/moh": {
            "parameters": [CODE],
            "get": operation("Music on hold (draft)", "moh", "200", ref("Moh"), operation_id="get_moh"),
            "put": operation("Upload an MP3 (multipart), or turn music on hold on/off and choose a music class "
                             "(JSON)", "moh",
                             "200", ref("Moh"), "403", "413", "422",
                             body={"required": True, "content": {
                                 "multipart/form-data": {"schema": ref("MohUpload")},
                                 "application/json": {"schema": ref("MohSettings")}}},
                             operation_id="put_moh"),
            "delete": operation("Forget the music and turn music on hold off", "moh", "200",
                                ref("Moh"), "403", operation_id="delete_moh")},
        f"{ORG}/moh/audio": {
            "parameters": [CODE],
            "get": audio_operation("The converted music (8 kHz mono WAV)", "moh", "get_moh_audio")},
        f"{ORG}/changes": {
            "parameters": [CODE],
            "get": operation("The pending changes: draft against live", "apply", "200", ref("Changes"),
                             operation_id="get_changes")},
        f"{ORG}/apply": {
            "parameters": [CODE],
            "get": operation("The active Apply run, or else the latest one", "apply", "200", ref("Run"),
                             operation_id="get_apply"),
            "post": operation("Queue an Apply (409 with the running one)", "apply", "202", ref("Run"),
                              "403", "409", "413", "422", "429", body=json_body("ApplyRequest", False),
                              operation_id="request_apply")},
        f"{ORG}/apply/stop": action("Stop the active Apply if it has not begun writing", "apply", "200",
                                    "Run", "403", "409", op_id="stop_apply"),
        f"{ORG}/discard": action("Replace the draft with the live configuration", "apply", "200",
                                 "Changes", "403", op_id="discard"),
        f"{ORG}/reset": action("Reset the draft to the documented defaults", "apply", "200",
                               "Changes", "403", op_id="reset"),
        f"{ORG}/calls": {
            "parameters": [CODE],
            "get": operation("Calls up now", "stats", "200", ref("Calls"), "503",
                             operation_id="get_calls")},
        f"{ORG}/calls/current": {
            "parameters": [CODE],
            "get": operation("The organization's calls up now: caller, callee, state", "stats", "200",
                             ref("CurrentCalls"), "503", operation_id="get_current_calls")},
        f"{ORG}/queues/stats": {
            "parameters": [CODE],
            "get": operation("Each live queue: waiting now; answered, abandoned, timed out and average wait "
                             "over the last 24 hours", "stats", "200", ref("QueueStats"), "503",
                             operation_id="get_queue_stats")},
        f"{ORG}/cdr": {
            "parameters": [CODE],
            "get": operation("Call history, newest first", "stats", "200", ref("CdrPage"), "422",
                             params=(*PAGE, *query_params(stats.HISTORY_FILTERS)), operation_id="list_cdr")},
        f"{ORG}/cdr/export": {
            "parameters": [CODE],
            "get": {"summary": f"The call history as CSV (at most {stats.EXPORT_LIMIT} calls, newest first)",
                    "tags": ["stats"], "operationId": "export_cdr",
                    "parameters": list(query_params(stats.HISTORY_FILTERS)),
                    "responses": {**responses("200", None, "422"),
                                  "200": {"description": "CSV, one call per line, a header line first",
                                          "content": {"text/csv": {"schema": {"type": "string"}}}}}}},
        f"{ORG}/audit": {
            "parameters": [CODE],
            "get": operation("Who changed what in the organization, newest first", "audit", "200",
                             ref("AuditPage"), "422", params=PAGE, operation_id="list_org_audit")},
        "/metrics": {
            "get": {"summary": "The system's figures in Prometheus' text format (system role)", "tags": ["metrics"],
                    "operationId": "get_metrics",
                    "responses": {**responses("200", None, "403"),
                                  "200": {"description": "Prometheus text exposition format", "content": {
                                      "text/plain": {"schema": {"type": "string"}}}}}}},
        "/audit": {
            "get": operation("Audit entries of no organization (deleted ones), system role", "audit",
                             "200", ref("AuditPage"), "403", "422", params=PAGE,
                             operation_id="list_system_audit")},
        "/tokens": {
            "get": operation("List API tokens (system role)", "tokens", "200", ref("TokenPage"), "403",
                             "422", params=PAGE, operation_id="list_tokens"),
            "post": operation("Create an API token; the token is answered once", "tokens", "201",
                              ref("TokenCreated"), "403", "413", "422", body=json_body("TokenCreate"),
                              operation_id="create_token")},
        "/tokens/{token_id}": {
            "parameters": [path_param("token_id", {"type": "integer", "minimum": 1})],
            "delete": operation("Revoke an API token (system role)", "tokens", "204", None, "403",
                                operation_id="delete_token")},
        "/session": {
            "get": operation("Who is calling, and the CSRF token for cookie-authenticated writes",
                             "session", "200", ref("Session"), operation_id="get_session")},
        "/openapi.json": {
            "get": {"summary": "This document", "tags": ["session"], "security": [],
                    "operationId": "get_openapi",
                    "responses": {"200": {"description": "OpenAPI 3 document",
                                          "content": json_content({"type": "object"})}}}},
    }


def kinds_index() -> list[dict]:
    """x-kinds: every kind of configuration, for the page: its diff section, key and the label of each
    of its fields (also of those the API never shows, which a diff names)."""
    return [{"name": kind.name, "section": kind.table, "label": kind.label, "schema": kind.schema_name,
             "key": kind.key, "title_field": kind.title_field,
             "labels": {name: rule.label or name for name, rule in kind.fields.items()}} for kind in all_kinds()]


def build_document() -> dict:
    """The whole document: every kind's schemas and paths, then the other resources'."""
    schemas, paths = static_schemas(), static_paths()
    for kind in all_kinds():
        schemas.update(kind_schemas(kind))
        paths.update(kind_paths(kind))
    return {
        "x-kinds": kinds_index(),
        # Every kind of destination (fields.TARGETS): how it is written and which kind it names.
        "x-targets": [{"name": t.name, "kind": t.kind, "prefix": t.prefix, "label": t.label}
                      for t in TARGETS.values()],
        "openapi": "3.0.3",
        "info": {"title": "LittlePBX integrator API", "version": "1.0.0",
                 "description": "Organizations, trunks, DIDs, admins, extensions, music on hold and the"
                                " staged Apply of a multi-organization PBX. Errors are "
                                '{"error": {"code", "message", "fields"}}. Each field schema\'s title is '
                                "its label on the page; x-labels name the values of an enum."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A system token (everything) or an org token (its org)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The page's login; writes need the X-CSRFToken header"}},
            "schemas": schemas},
        "paths": paths,
    }


DOCUMENT = build_document()


@api.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 document of this API (no credentials needed)."""
    return jsonify(DOCUMENT)
