"""One exception hierarchy for the service layer; the REST API and the page map it once."""


class LittlePBXError(Exception):
    """Base: ``status`` is the HTTP status, ``code`` a stable machine-readable name."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def to_dict(self) -> dict:
        """The JSON error body: {"error": {"code", "message", "fields"}}."""
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class ValidationError(LittlePBXError):
    """Input that breaks a rule; ``fields`` says which field and why."""

    status = 422
    code = "invalid"


class NotFound(LittlePBXError):
    """No such object, or not one the caller may see (the two are not told apart)."""

    status = 404
    code = "not_found"


class Forbidden(LittlePBXError):
    """The caller may see the object but not do this to it."""

    status = 403
    code = "forbidden"


class Unauthorized(LittlePBXError):
    """No valid credentials."""

    status = 401
    code = "unauthorized"


class Conflict(LittlePBXError):
    """The request clashes with the current state (a duplicate, an Apply already running)."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, fields: dict[str, str] | None = None, detail: dict | None = None):
        super().__init__(message, fields)
        self.detail = detail

    def to_dict(self) -> dict:
        body = super().to_dict()
        if self.detail is not None:
            body["error"]["detail"] = self.detail
        return body


class QuotaExceeded(Conflict):
    """The organization would use more of the shared server than its quota allows."""

    code = "quota_exceeded"


class TooManyRequests(LittlePBXError):
    """The organization asks for something more often than it may (e.g. Applies per minute)."""

    status = 429
    code = "too_many_requests"
