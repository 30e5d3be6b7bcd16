"""The normalized rejection reasons of spec/rejections.md (data/rejections.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from consentry.compliance import Finding

__all__ = ["RejectionReason", "reason", "reasons", "rules_match"]


@dataclass(frozen=True, slots=True)
class RejectionReason:
    """A normalized rejection code, whether it is terminal, and the rules that catch it."""

    code: str
    meaning: str
    terminal: bool
    rules: tuple[str, ...]

    def catches(self, rule_id: str) -> bool:
        """Whether a finding of `rule_id` is evidence for this reason."""
        return rules_match(self.rules, rule_id)

    def findings(self, findings: list[Finding]) -> list[Finding]:
        """The findings (of a check) that this reason's rules produce."""
        return [f for f in findings if self.catches(f.rule)]


def rules_match(patterns: tuple[str, ...], rule_id: str) -> bool:
    """Whether `rule_id` is one of `patterns` ("PP-*" matches every PP- rule)."""
    for pattern in patterns:
        if pattern.endswith("*"):
            if rule_id.startswith(pattern[:-1]):
                return True
        elif rule_id == pattern:
            return True
    return False


@cache
def reasons() -> dict[str, RejectionReason]:
    """Every normalized reason by code, in the order of the spec."""
    text = resources.files("consentry.registration").joinpath("data", "rejections.yaml")
    raw = yaml.safe_load(text.read_text(encoding="utf-8"))
    out: dict[str, RejectionReason] = {}
    for entry in raw["reasons"]:
        out[entry["code"]] = RejectionReason(
            code=entry["code"],
            meaning=entry["meaning"],
            terminal=bool(entry["terminal"]),
            rules=tuple(entry.get("rules") or ()),
        )
    return out


def reason(code: str) -> RejectionReason | None:
    """The reason with this code, or None."""
    return reasons().get(code)
