"""The API blueprint and the few helpers every resource module shares."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from littlepbx import fields as f
from littlepbx.auth import current_actor
from littlepbx.errors import ValidationError
from littlepbx.extensions import db
from littlepbx.tenancy import OrgScope, open_scope

api = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
PAGE_FIELDS = f.FieldSet({
    "offset": f.Integer(label="Offset", minimum=0, maximum=10**9, default=0),
    "limit": f.Integer(label="Limit", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT),
})


def session():
    """The request's database session."""
    return db.request_session()


def scope(code: str) -> OrgScope:
    """Organization ``code`` as the caller may reach it; another org's is NotFound."""
    return open_scope(session(), current_actor(), code, settings=current_app.config)


def body() -> dict:
    """The request's JSON object, or ValidationError."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting is bad input, not a crash
        data = None
    if not isinstance(data, dict):
        raise ValidationError("send a JSON object with Content-Type: application/json")
    return data


def optional_body() -> dict:
    """The request's JSON object, or {} when the request has no body."""
    return body() if request.get_data(cache=True) else {}


def page_params() -> tuple[int, int]:
    """``?offset=&limit=``, checked: offset >= 0, 1 <= limit <= MAX_LIMIT."""
    given = {name: request.args[name] for name in PAGE_FIELDS if name in request.args}
    values = PAGE_FIELDS.clean(given, partial=True, message="bad pagination parameters")
    return values.get("offset", 0), values.get("limit", DEFAULT_LIMIT)


def paginated(items: list, total: int, offset: int, limit: int):
    """The list envelope every collection answers with."""
    return jsonify({"items": items, "total": total, "offset": offset, "limit": limit})


def page_of(rows: list, serialise):
    """Paginate a list the service returned whole (the admins of one organization are few)."""
    offset, limit = page_params()
    return paginated([serialise(row) for row in rows[offset:offset + limit]], len(rows), offset, limit)


def committed(value, status: int = 200, headers: dict | None = None):
    """Commit the request's writes, then answer ``value`` as JSON."""
    session().commit()
    return jsonify(value), status, headers or {}


def no_content():
    """Commit the request's writes, then answer 204."""
    session().commit()
    return "", 204


def config(key: str):
    """One configuration value of the running app."""
    return current_app.config[key]
