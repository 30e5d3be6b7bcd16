"""The rule catalog (data/rules.yaml) and the registry of rule implementations.

A rule module declares an implementation with `@rule("OI-RATES")`; severity, kinds and the
description come from the catalog, so the contract lives in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from consentry.compliance.lexicon import data
from consentry.compliance.model import Hit, Kind, Severity

if TYPE_CHECKING:
    from consentry.compliance.application import Application
    from consentry.compliance.context import Context
    from consentry.compliance.text import Text

__all__ = ["RuleSpec", "app_rule", "app_rules", "catalog", "rule", "rules_for", "spec"]

TextRule = Callable[["Text", "Context"], Iterable[Hit]]
AppRule = Callable[["Application", "Context"], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: str
    severity: Severity
    kinds: frozenset[Kind]
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "kinds": sorted(str(k) for k in self.kinds),
            "description": self.description,
        }


@cache
def catalog() -> dict[str, RuleSpec]:
    """Every rule of spec/rules.md by id, in catalog order."""
    out: dict[str, RuleSpec] = {}
    for entry in data("rules")["rules"]:
        out[entry["id"]] = RuleSpec(
            id=entry["id"],
            severity=Severity(entry["severity"]),
            kinds=frozenset(Kind(k) for k in entry["kinds"]),
            description=" ".join(str(entry["description"]).split()),
        )
    return out


def spec(rule_id: str) -> RuleSpec:
    """The catalog entry for one rule id."""
    return catalog()[rule_id]


_TEXT_RULES: dict[str, TextRule] = {}
_APP_RULES: dict[str, AppRule] = {}


def rule(rule_id: str) -> Callable[[TextRule], TextRule]:
    """Register the implementation of a text rule of the catalog."""
    if rule_id not in catalog():
        raise KeyError(f"{rule_id} is not in the rule catalog")

    def register(func: TextRule) -> TextRule:
        if rule_id in _TEXT_RULES:
            raise KeyError(f"{rule_id} is implemented twice")
        _TEXT_RULES[rule_id] = func
        return func

    return register


def app_rule(rule_id: str) -> Callable[[AppRule], AppRule]:
    """Register the implementation of a whole-application rule of the catalog."""
    if rule_id not in catalog():
        raise KeyError(f"{rule_id} is not in the rule catalog")

    def register(func: AppRule) -> AppRule:
        if rule_id in _APP_RULES:
            raise KeyError(f"{rule_id} is implemented twice")
        _APP_RULES[rule_id] = func
        return func

    return register


def _load_rules() -> None:
    # Importing the package registers every implementation.
    import consentry.compliance.rules  # noqa: F401


@cache
def rules_for(kind: Kind) -> tuple[tuple[RuleSpec, TextRule], ...]:
    """The text rules that run on `kind`, in catalog order."""
    _load_rules()
    return tuple(
        (s, _TEXT_RULES[s.id])
        for s in catalog().values()
        if kind in s.kinds and s.id in _TEXT_RULES
    )


@cache
def app_rules() -> tuple[tuple[RuleSpec, AppRule], ...]:
    """The whole-application rules, in catalog order."""
    _load_rules()
    return tuple((s, _APP_RULES[s.id]) for s in catalog().values() if s.id in _APP_RULES)


def implemented() -> set[str]:
    """Ids that have an implementation (text or application)."""
    _load_rules()
    return set(_TEXT_RULES) | set(_APP_RULES)
