"""The checker's vocabulary: severities, text kinds, findings and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Finding", "Hit", "Kind", "Report", "Severity", "Verdict"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"


class Kind(StrEnum):
    """The texts a rule runs on (spec/rules.md)."""

    OPT_IN = "opt_in"
    PRIVACY_POLICY = "privacy_policy"
    TERMS = "terms"
    SAMPLE_MESSAGE = "sample_message"
    CAMPAIGN_DESCRIPTION = "campaign_description"
    MESSAGE_FLOW = "message_flow"
    APPLICATION = "application"


TEXT_KINDS: tuple[Kind, ...] = tuple(k for k in Kind if k is not Kind.APPLICATION)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule function reports; the engine turns it into a Finding.

    `span` indexes the text the rule was given. `rule`, `severity` and `field` override the
    rule's own when set (a context-missing notice, a warning-level variant, a cross-field hit).
    """

    message: str
    fix: str | None = None
    span: tuple[int, int] | None = None
    severity: Severity | None = None
    rule: str | None = None
    field: str | None = None
    excerpt: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One explained problem: which rule, where, why, and how to fix it."""

    rule: str
    severity: Severity
    field: str | None
    span: tuple[int, int] | None
    excerpt: str | None
    message: str
    fix: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of spec/application.md."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "field": self.field,
            "span": list(self.span) if self.span is not None else None,
            "excerpt": self.excerpt,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(slots=True)
class Report:
    """The result of any check: a verdict that fails iff at least one finding is an error."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def verdict(self) -> Verdict:
        return Verdict.FAIL if self.errors else Verdict.PASS

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def rules(self) -> set[str]:
        """The ids of every rule with a finding (any severity)."""
        return {f.rule for f in self.findings}

    def failing_rules(self) -> set[str]:
        """The ids of rules with an error finding."""
        return {f.rule for f in self.findings if f.severity is Severity.ERROR}

    def extend(self, other: Report) -> None:
        self.findings.extend(other.findings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of spec/application.md."""
        return {
            "verdict": str(self.verdict),
            "findings": [f.to_dict() for f in self.findings],
            "stats": {"errors": self.errors, "warnings": self.warnings},
        }
