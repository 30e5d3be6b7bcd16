"""Small helpers shared by rule modules."""

from __future__ import annotations

import re
from collections.abc import Iterator

from consentry.compliance.model import Hit, Severity
from consentry.compliance.text import Text

__all__ = ["context_missing", "require", "span"]


def span(m: re.Match[str]) -> tuple[int, int]:
    """A match's offsets as a finding span."""
    return (m.start(), m.end())


def context_missing(rule_id: str, what: str) -> Hit:
    """The info notice a context-dependent rule gives instead of guessing."""
    return Hit(
        message=f"{rule_id} was not checked: it needs {what}, which was not given.",
        fix=f"Give {what} (in the application, or with --context-json) to run {rule_id}.",
        rule="CONTEXT-MISSING",
        severity=Severity.INFO,
    )


def require(t: Text, pattern: re.Pattern[str], message: str, fix: str) -> Iterator[Hit]:
    """A whole-text finding when `pattern` occurs nowhere (affirmatively) in the text."""
    if t.find_affirmed(pattern) is None:
        yield Hit(message=message, fix=fix)
