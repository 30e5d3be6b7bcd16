"""Domain errors: a stable code, a human sentence, the fix, details, and an HTTP status.

One handler (api/app.py) renders every DomainError as
{"error": {"code", "message", "fix", "details"}}.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Unauthenticated",
]


class DomainError(Exception):
    """A refusal the caller can understand and act on."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "BAD_REQUEST"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fix: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code or self.default_code
        self.message = message
        self.fix = fix
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        """The body of the error response."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "fix": self.fix,
                "details": self.details,
            }
        }


class Unauthenticated(DomainError):
    """No valid API key."""

    status = 401
    default_code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    """The key is valid but its role may not do this (never used to hide foreign ids)."""

    status = 403
    default_code = "FORBIDDEN"


class NotFound(DomainError):
    """No such thing, or it belongs to another tenant."""

    status = 404
    default_code = "NOT_FOUND"


class Conflict(DomainError):
    """The thing is not in a state that allows this."""

    status = 409
    default_code = "CONFLICT"


class Invalid(DomainError):
    """The input is well-formed but not acceptable."""

    status = 422
    default_code = "INVALID"
