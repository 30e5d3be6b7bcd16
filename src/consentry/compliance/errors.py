"""Errors the checker raises for input it cannot check (never for text that fails a rule)."""

from __future__ import annotations

from typing import Any

__all__ = ["CheckInputError"]


class CheckInputError(Exception):
    """Input the checker refuses: a stable code, a human sentence, and the fix if there is one."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fix: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fix = fix
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """The project's error shape: {"code", "message", "fix", "details"}."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fix:
            out["fix"] = self.fix
        if self.details:
            out["details"] = self.details
        return out
