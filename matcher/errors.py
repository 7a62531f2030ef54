"""Domain errors. The web layer maps each class to one HTTP status and one JSON shape:

``{"error": {"code": ..., "message": ..., "fields": {field: [messages]}}}``
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """Base class; ``code`` is a stable machine-readable identifier."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None,
                 fields: Mapping[str, Sequence[str]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields: dict[str, Sequence[str]] = dict(fields or {})

    def to_dict(self) -> dict[str, object]:
        """The JSON error body."""
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a rule of a field (HTTP 422)."""

    status = 422
    code = "validation_failed"


class Refused(DomainError):
    """A business or compliance rule refuses the action (HTTP 422), with a user message."""

    status = 422
    code = "refused"


class NotFound(DomainError):
    """The object does not exist or is not visible to the caller (HTTP 404)."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The caller may not do this (HTTP 403)."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action conflicts with existing state, e.g. a duplicate claim (HTTP 409)."""

    status = 409
    code = "conflict"
