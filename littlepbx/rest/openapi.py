"""The OpenAPI 3 document of /api/v1, written as data next to the handlers it describes.

tests/rest/test_openapi.py validates it and runs schemathesis against the live app,
so a handler and its description cannot drift apart unnoticed.
"""
from flask import jsonify

from littlepbx.rest.common import api


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
ORG_CODE = {"type": "string", "pattern": "^[a-z][a-z0-9]{1,15}$"}
EXT_NUMBER = {"type": "string", "pattern": "^[0-9]{2,6}$"}
E164 = {"type": "string", "pattern": r"^\+[1-9][0-9]{6,14}$"}
EMAIL = {"type": "string", "format": "email", "maxLength": 254}
TRANSPORT = {"type": "string", "enum": ["udp", "tcp", "tls"]}
NO_ANSWER = {"type": "string", "enum": ["voicemail", "forward", "hangup"]}

ORG_FIELDS = {"name": {"type": "string", "minLength": 1, "maxLength": 100}, "admin_email": EMAIL,
              "timezone": {"type": "string", "example": "Europe/Paris"},
              "max_extensions": {"type": "integer", "minimum": 1, "maximum": 10000},
              "max_concurrent_calls": {"type": "integer", "minimum": 0, "maximum": 10000},
              "apply_wait_seconds": {"type": "integer", "minimum": 0, "maximum": 86400}}
TRUNK_FIELDS = {"host": {"type": "string", "example": "sip.example.net"},
                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "transport": TRANSPORT, "username": nullable(STR), "password": nullable(STR),
                "register": BOOL, "from_user": nullable(STR), "from_domain": nullable(STR),
                "source_addresses": {"oneOf": [STR, {"type": "array", "items": STR}],
                                     "description": "IP addresses or networks calls come from"}}
EXTENSION_FIELDS = {"display_name": {"type": "string", "maxLength": 60},
                    "ring_seconds": {"type": "integer", "minimum": 5, "maximum": 120},
                    "no_answer": NO_ANSWER, "forward_to": nullable(STR),
                    "voicemail_enabled": BOOL,
                    "voicemail_pin": nullable({"type": "string", "pattern": "^[0-9]{4,10}$"}),
                    "voicemail_email": nullable(EMAIL)}
ADMIN_FIELDS = {"name": {"type": "string", "maxLength": 100},
                "password": {"type": "string", "minLength": 10, "maxLength": 200}, "active": BOOL}

SCHEMAS = {
    "Error": obj({"error": obj({"code": STR, "message": STR,
                                "fields": {"type": "object", "additionalProperties": STR},
                                "detail": {"type": "object"}},
                               ("code", "message", "fields"))}, ("error",)),
    "Org": obj({"code": ORG_CODE, **{k: {"type": s["type"]} for k, s in ORG_FIELDS.items()},
                "created_at": TIME, "last_applied_at": TIME},
               ("code", "name", "admin_email", "timezone", "max_extensions",
                "max_concurrent_calls", "apply_wait_seconds", "created_at", "last_applied_at")),
    "OrgCreate": obj({"code": ORG_CODE, **ORG_FIELDS}, ("code", "name", "admin_email")),
    "OrgPatch": obj(dict(ORG_FIELDS)),
    "Trunk": obj({"direction": {"type": "string", "enum": ["inbound", "outbound"]}, "host": STR,
                  "port": INT, "transport": STR, "username": nullable(STR), "password_set": BOOL,
                  "register": BOOL, "from_user": nullable(STR), "from_domain": nullable(STR),
                  "source_addresses": {"type": "array", "items": STR}},
                 ("direction", "host", "port", "transport", "username", "password_set", "register",
                  "from_user", "from_domain", "source_addresses")),
    "TrunkPut": obj(TRUNK_FIELDS, ("host",)),
    "TrunkStatus": obj({"direction": STR, "configured": BOOL, "register": BOOL,
                        "state": {"type": "string", "description": "the PBX's word, e.g. Registered;"
                                  " or unknown, not_configured, not_registering"},
                        "detail": STR}, ("direction", "configured", "register", "state", "detail")),
    "Did": obj({"number": STR, "extension": nullable(STR), "description": STR},
               ("number", "extension", "description")),
    "DidCreate": obj({"number": E164, "extension": nullable(EXT_NUMBER),
                      "description": {"type": "string", "maxLength": 100}}, ("number",)),
    "DidPatch": obj({"extension": nullable(EXT_NUMBER),
                     "description": {"type": "string", "maxLength": 100}}),
    "Admin": obj({"email": STR, "name": STR, "role": STR, "active": BOOL, "last_login_at": TIME},
                 ("email", "name", "role", "active", "last_login_at")),
    "AdminCreated": obj({"email": STR, "name": STR, "role": STR, "active": BOOL,
                         "last_login_at": TIME,
                         "password": {"type": "string", "description": "only when generated"}},
                        ("email", "name", "role", "active", "last_login_at")),
    "AdminCreate": obj({"email": EMAIL, **ADMIN_FIELDS}, ("email",)),
    "AdminPatch": obj(dict(ADMIN_FIELDS)),
    "Extension": obj({"number": STR, **{k: nullable({"type": s.get("type", "string")})
                                         for k, s in EXTENSION_FIELDS.items()},
                      "registered": nullable(BOOL)},
                     ("number", *EXTENSION_FIELDS, "registered")),
    "ExtensionCreate": obj({"number": EXT_NUMBER, **EXTENSION_FIELDS}, ("number",)),
    "ExtensionPatch": obj(dict(EXTENSION_FIELDS)),
    "ExtensionDeleted": obj({"unrouted_dids": {"type": "array", "items": STR}}, ("unrouted_dids",)),
    "SipSettings": obj({"server": STR, "port": INT, "transport": STR, "username": STR,
                        "auth_username": STR, "password": STR, "live": BOOL},
                       ("server", "port", "transport", "username", "auth_username", "password",
                        "live")),
    "Moh": obj({"enabled": BOOL, "original_name": nullable(STR), "sha256": nullable(STR),
                "has_file": BOOL}, ("enabled", "original_name", "sha256", "has_file")),
    "MohEnable": obj({"enabled": BOOL}, ("enabled",), additional=True),
    "MohUpload": obj({"file": {"type": "string", "format": "binary"},
                      "enabled": {"type": "string", "enum": ["true", "false"]}}, ("file",)),
    "Changes": {"type": "object", "required": ["pending"], "properties": {"pending": BOOL},
                "additionalProperties": obj({"added": {"type": "array"}, "changed": {"type": "array"},
                                             "removed": {"type": "array"}},
                                            ("added", "changed", "removed"))},
    "ApplyRequest": obj({"notify": BOOL, "email": nullable(EMAIL)}, additional=True),
    "Run": obj({"id": INT, "state": {"type": "string", "enum": ["queued", "waiting_for_calls",
                                                                 "applying", "applied", "stopped",
                                                                 "failed"]},
                "active": BOOL, "waiting_calls": INT, "description": STR, "message": STR,
                "requested_by": STR, "requested_at": TIME, "started_at": TIME,
                "finished_at": TIME, "wait_deadline": TIME, "notify": BOOL, "attempts": INT},
               ("id", "state", "active", "waiting_calls", "description")),
    "Calls": obj({"org": STR, "active_calls": INT,
                  "dids": nullable({"type": "object", "additionalProperties": INT,
                                    "description": "calls arriving now per DID; null if the PBX "
                                                   "cannot tell"})},
                 ("org", "active_calls", "dids")),
    "Cdr": obj({"calldate": TIME, "answer": TIME, "endtime": TIME, "clid": nullable(STR),
                "src": nullable(STR), "dst": nullable(STR), "dstchannel": nullable(STR),
                "lastapp": nullable(STR), "duration": nullable(INT),
                "billsec": nullable(INT), "disposition": nullable(STR), "uniqueid": nullable(STR)},
               ("calldate", "src", "dst", "duration", "billsec", "disposition")),
    "Audit": obj({"at": TIME, "actor": STR, "action": STR, "target": STR,
                  "detail": nullable({"type": "object"})}, ("at", "actor", "action", "target", "detail")),
    "Token": obj({"id": INT, "name": STR, "prefix": STR, "org": nullable(STR), "created_by": STR,
                  "created_at": TIME, "last_used_at": TIME},
                 ("id", "name", "prefix", "org", "created_by", "created_at", "last_used_at")),
    "TokenCreated": obj({"id": INT, "name": STR, "prefix": STR, "org": nullable(STR),
                         "created_by": STR, "created_at": TIME, "last_used_at": TIME,
                         "token": {"type": "string", "description": "shown only this once"}},
                        ("id", "name", "prefix", "org", "token")),
    "TokenCreate": obj({"name": {"type": "string", "minLength": 1, "maxLength": 100},
                        "org": nullable(ORG_CODE)}, ("name",)),
    "Session": obj({"name": STR, "role": {"type": "string", "enum": ["system", "org_token",
                                                                       "org_admin"]},
                    "org": nullable(STR), "auth": {"type": "string", "enum": ["token", "session"]},
                    "csrf_token": nullable(STR)}, ("name", "role", "org", "auth", "csrf_token")),
}
for _name in ("Org", "Did", "Admin", "Extension", "Cdr", "Audit", "Token"):
    SCHEMAS[_name + "Page"] = obj({"items": {"type": "array", "items": ref(_name)},
                                   "total": INT, "offset": INT, "limit": INT},
                                  ("items", "total", "offset", "limit"))

ERROR_TEXT = {"400": "Malformed request (or a CSRF failure of a cookie-authenticated write)",
              "401": "No or unknown credentials", "403": "Your role may not do this",
              "404": "No such object, or one in another organization",
              "405": "Method not allowed", "409": "Conflicts with the current state",
              "413": "Request body too large", "422": "A field breaks a rule (see error.fields)",
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


def json_body(name: str, required: bool = True) -> dict:
    """A JSON request body of component ``name``."""
    return {"required": required, "content": json_content(ref(name))}


def path_param(name: str, schema: dict) -> dict:
    """A required path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": schema}


def query(name: str, schema: dict, description: str = "") -> dict:
    """An optional query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


PAGE = (query("offset", {"type": "integer", "minimum": 0, "default": 0}),
        query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}))
CODE = dict(path_param("code", ORG_CODE), example="acme")
ORG = "/orgs/{code}"


def crud(base: str, key: str, example: str, tag: str, thing: str, schema: str,
         create: str, patch: str, created: str | None = None, deleted=None) -> dict:
    """GET/POST on the collection and GET/PATCH/DELETE on one item, all under an org."""
    item = f"{base}/{{{key}}}"
    key_param = dict(path_param(key, STR), example=example)
    delete_ok = ("200", ref(deleted)) if deleted else ("204", None)
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
               "delete": operation(f"Delete a {thing}", tag, delete_ok[0], delete_ok[1], "403",
                                   "409", operation_id=f"delete_{tag}")},
    }


def trunk_paths(direction: str) -> dict:
    """GET/PUT/DELETE of the trunk in one direction."""
    return {f"{ORG}/trunks/{direction}": {
        "parameters": [CODE],
        "get": operation(f"The {direction} trunk (draft)", "trunks", "200", ref("Trunk"),
                         operation_id=f"get_{direction}_trunk"),
        "put": operation(f"Create or replace the {direction} trunk", "trunks", "200", ref("Trunk"),
                         "403", "422", "413", body=json_body("TrunkPut"),
                         operation_id=f"put_{direction}_trunk"),
        "delete": operation(f"Remove the {direction} trunk", "trunks", "204", None, "403",
                            operation_id=f"delete_{direction}_trunk")}}


def action(summary: str, tag: str, ok: str, schema: str, *errors, body=None, op_id: str) -> dict:
    """A POST action on an organization."""
    return {"parameters": [CODE], "post": operation(summary, tag, ok, ref(schema), *errors,
                                                     body=body, operation_id=op_id)}


PATHS = {
    "/orgs": {
        "get": operation("List organizations (an org token sees its own)", "orgs", "200",
                         ref("OrgPage"), "422", params=PAGE, operation_id="list_orgs"),
        "post": operation("Create an organization (system role)", "orgs", "201", ref("Org"),
                          "403", "409", "422", "413", body=json_body("OrgCreate"),
                          operation_id="create_org")},
    ORG: {
        "parameters": [CODE],
        "get": operation("One organization", "orgs", "200", ref("Org"), operation_id="get_org"),
        "patch": operation("Change an organization (system role)", "orgs", "200", ref("Org"),
                           "403", "422", "413", body=json_body("OrgPatch"),
                           operation_id="update_org"),
        "delete": operation("Delete an organization and its PBX configuration (system role)",
                            "orgs", "204", None, "403", operation_id="delete_org")},
    **trunk_paths("inbound"),
    **trunk_paths("outbound"),
    f"{ORG}/trunks/outbound/status": {
        "parameters": [CODE],
        "get": operation("Registration state of the live outbound trunk", "trunks", "200",
                         ref("TrunkStatus"), operation_id="outbound_trunk_status")},
    **crud(f"{ORG}/dids", "number", "+14155550100", "dids", "DID", "Did", "DidCreate", "DidPatch"),
    **crud(f"{ORG}/admins", "email", "admin@acme.example", "admins", "organization admin", "Admin",
           "AdminCreate", "AdminPatch", created="AdminCreated"),
    **crud(f"{ORG}/extensions", "number", "101", "extensions", "extension", "Extension",
           "ExtensionCreate", "ExtensionPatch", deleted="ExtensionDeleted"),
    f"{ORG}/extensions/{{number}}/sip": {
        "parameters": [CODE, dict(path_param("number", STR), example="101")],
        "get": operation("What a phone needs to register as this extension", "extensions", "200",
                         ref("SipSettings"), operation_id="get_sip_settings")},
    f"{ORG}/extensions/{{number}}/sip/regenerate": {
        "parameters": [CODE, dict(path_param("number", STR), example="101")],
        "post": operation("Give the extension a new SIP password", "extensions", "200",
                          ref("SipSettings"), "403", operation_id="regenerate_sip_password")},
    f"{ORG}/moh": {
        "parameters": [CODE],
        "get": operation("Music on hold (draft)", "moh", "200", ref("Moh"), operation_id="get_moh"),
        "put": operation("Upload an MP3 (multipart) or turn music on hold on/off (JSON)", "moh",
                         "200", ref("Moh"), "403", "413", "422",
                         body={"required": True, "content": {
                             "multipart/form-data": {"schema": ref("MohUpload")},
                             "application/json": {"schema": ref("MohEnable")}}},
                         operation_id="put_moh"),
        "delete": operation("Forget the music and turn music on hold off", "moh", "200",
                            ref("Moh"), "403", operation_id="delete_moh")},
    f"{ORG}/moh/audio": {
        "parameters": [CODE],
        "get": {"summary": "The converted music (8 kHz mono WAV)", "tags": ["moh"],
                "operationId": "get_moh_audio",
                "responses": {"200": {"description": "WAV audio", "content": {
                    "audio/wav": {"schema": {"type": "string", "format": "binary"}}}},
                    **{k: val for k, val in responses("200", None).items() if k != "200"}}}},
    f"{ORG}/changes": {
        "parameters": [CODE],
        "get": operation("The pending changes: draft against live", "apply", "200", ref("Changes"),
                         operation_id="get_changes")},
    f"{ORG}/apply": {
        "parameters": [CODE],
        "get": operation("The active Apply run, or else the latest one", "apply", "200", ref("Run"),
                         operation_id="get_apply"),
        "post": operation("Queue an Apply (409 with the running one)", "apply", "202", ref("Run"),
                          "403", "409", "413", "422", body=json_body("ApplyRequest", False),
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
    f"{ORG}/cdr": {
        "parameters": [CODE],
        "get": operation("Call history, newest first", "stats", "200", ref("CdrPage"), "422",
                         params=(*PAGE, query("from", STR, "date or date-time (UTC), inclusive"),
                                 query("to", STR, "date (inclusive) or date-time (exclusive)")),
                         operation_id="list_cdr")},
    f"{ORG}/audit": {
        "parameters": [CODE],
        "get": operation("Who changed what in the organization, newest first", "audit", "200",
                         ref("AuditPage"), "422", params=PAGE, operation_id="list_org_audit")},
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

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "LittlePBX integrator API", "version": "1.0.0",
             "description": "Organizations, trunks, DIDs, admins, extensions, music on hold and the"
                            " staged Apply of a multi-organization PBX. Errors are "
                            '{"error": {"code", "message", "fields"}}.'},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}, {"session": []}],
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "A system token (everything) or an org token (its org)"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session",
                        "description": "The page's login; writes need the X-CSRFToken header"}},
        "schemas": SCHEMAS},
    "paths": PATHS,
}


@api.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 document of this API (no credentials needed)."""
    return jsonify(DOCUMENT)
