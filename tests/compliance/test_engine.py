"""The engine's contract: catalog, report shape, kinds, limits."""

from __future__ import annotations

import pytest

from consentry.compliance import CheckInputError, Context, Kind, check_text
from consentry.compliance.catalog import catalog, implemented
from consentry.compliance.text import MAX_TEXT_CHARS


def test_every_catalog_rule_is_implemented() -> None:
    missing = sorted(set(catalog()) - implemented() - {"CONTEXT-MISSING"})
    assert missing == []


def test_catalog_matches_the_spec_table() -> None:
    from tests.conftest import ROOT

    spec = ROOT.parent / "shared" / "spec" / "rules.md"
    if not spec.exists():
        pytest.skip("shared/spec is not beside this checkout")
    import re

    ids = set(
        re.findall(r"^\| ([A-Z]+-[A-Z0-9-]+) \| (?:error|warning) \|", spec.read_text(), re.M)
    )
    assert ids == set(catalog()) - {"CONTEXT-MISSING"}


def test_report_shape_and_verdict() -> None:
    report = check_text("opt_in", "Reply STOP to opt out.", Context(company="Acme"))
    data = report.to_dict()
    assert data["verdict"] == "fail"
    assert data["stats"]["errors"] == sum(1 for f in data["findings"] if f["severity"] == "error")
    rates = [f for f in data["findings"] if f["rule"] == "OI-RATES"]
    assert rates and rates[0]["fix"]


def test_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(CheckInputError) as exc:
        check_text("tweet", "hello")
    assert exc.value.code == "UNKNOWN_KIND"


def test_too_long_text_is_refused_with_a_limit_error() -> None:
    with pytest.raises(CheckInputError) as exc:
        check_text(Kind.TERMS, "a" * (MAX_TEXT_CHARS + 1))
    assert exc.value.code == "TEXT_TOO_LONG"
