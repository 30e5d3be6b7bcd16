"""The bundled examples: northside checks clean, broken fails the way its header says."""

from __future__ import annotations

from pathlib import Path

from consentry.compliance import Severity, check_application, load_application
from tests.conftest import EXAMPLE

BROKEN = EXAMPLE.parent.parent / "broken" / "application.yaml"
OWN_FAMILIES = ("BIZ-", "APP-")


def test_example_loads(example_path: Path) -> None:
    app = load_application(example_path)
    assert app.business.display_name == "Northside Physical Therapy"
    assert len(app.campaign.sample_messages) == 2


def test_example_has_no_business_or_application_findings(example_path: Path) -> None:
    report = check_application(load_application(example_path))
    own = [f for f in report.findings if f.rule.startswith(OWN_FAMILIES)]
    assert own == []


def test_example_passes_every_rule(example_path: Path) -> None:
    report = check_application(load_application(example_path))
    assert report.passed, [(f.rule, f.field, f.message) for f in report.findings]
    assert report.warnings == 0, [(f.rule, f.field, f.message) for f in report.findings]


def test_broken_example_fails_every_business_and_application_rule() -> None:
    report = check_application(load_application(BROKEN))
    assert not report.passed
    failing = report.failing_rules()
    for rule in (
        "BIZ-LEGAL-NAME",
        "BIZ-EIN",
        "BIZ-ADDRESS",
        "BIZ-ENTITY-TYPE",
        "BIZ-WEBSITE",
        "BIZ-CONTACT",
        "APP-COMPLETE",
        "APP-SAMPLE-COUNT",
        "APP-FLAGS-CONSISTENT",
    ):
        assert rule in failing, rule
    warned = {f.rule for f in report.findings if f.severity is Severity.WARNING}
    assert "APP-BRAND-CONSISTENT" in warned
    assert "BIZ-WEBSITE" in warned  # the free-mail contact
