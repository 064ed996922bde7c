"""Every error of the API as {"error": {"code", "message", "fields"}}: mapped here, once."""
from __future__ import annotations

import logging
import re

from flask import jsonify, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from littlepbx.errors import Conflict, LittlePBXError, ValidationError
from littlepbx.pbx_backends.base import BackendError

log = logging.getLogger(__name__)
API_PREFIX = "/api/"


def error_response(code: str, message: str, status: int, fields: dict | None = None, headers=None):
    """The JSON error body with its status."""
    response = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def littlepbx_error(error: LittlePBXError):
    """A service refusal: its own status and body."""
    response = jsonify(error.to_dict())
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="littlepbx"'
    return response


def http_error(error: HTTPException):
    """404, 405, 413, 400 and the rest of werkzeug's errors, as JSON."""
    if isinstance(error, CSRFError):
        return error_response("csrf", f"CSRF check failed: {error.description}; send the "
                              "X-CSRFToken header from GET /api/v1/session", 400)
    code = re.sub(r"[^a-z0-9]+", "_", (error.name or "error").lower()).strip("_")
    headers = {k: val for k, val in error.get_headers() if k.lower() == "allow"}
    return error_response(code, error.description or error.name, error.code or 500, headers=headers)


def http_error_outside_blueprint(error: HTTPException):
    """Unrouted URLs under /api/ answer JSON too; the pages keep Flask's default."""
    if request.path.startswith(API_PREFIX):
        return http_error(error)
    return error


def database_refusal(error):
    """A write the database refused that the services did not foresee: still the client's fault."""
    log.warning("database refused a write: %s", error)
    if isinstance(error, IntegrityError):
        return littlepbx_error(Conflict("the change clashes with existing data"))
    return littlepbx_error(ValidationError("a value does not fit its field"))


def pbx_unavailable(error: BackendError):
    """The PBX backend could not do its part: nothing was committed."""
    log.warning("PBX backend error: %s", error)
    return error_response("pbx_unavailable", f"the PBX could not do this now: {error}", 503)


def unexpected(error: Exception):
    """A bug: logged with its traceback, answered as JSON 500."""
    log.exception("unexpected error in %s %s", request.method, request.path)
    return error_response("internal", "internal error; see the server log", 500)


def register_on_blueprint(blueprint) -> None:
    """The blueprint's handlers (called once, at import)."""
    blueprint.register_error_handler(LittlePBXError, littlepbx_error)
    blueprint.register_error_handler(HTTPException, http_error)
    blueprint.register_error_handler(IntegrityError, database_refusal)
    blueprint.register_error_handler(DataError, database_refusal)
    blueprint.register_error_handler(BackendError, pbx_unavailable)
    blueprint.register_error_handler(Exception, unexpected)


def register_on_app(app) -> None:
    """The app's handler, so unrouted /api/ URLs answer JSON too."""
    app.register_error_handler(HTTPException, http_error_outside_blueprint)
