"""The report renderers: terminal text, JSON, Markdown and HTML."""

from __future__ import annotations

import json
import re

from consentry.compliance import Context, Severity, check_application, check_text, load_application
from consentry.compliance.catalog import spec
from consentry.compliance.engine import application_texts
from consentry.compliance.model import Finding, Report
from consentry.compliance.report import (
    field_label,
    group_findings,
    locate,
    render,
    render_catalog,
    render_html,
    render_json,
    render_markdown,
    render_text,
    summary,
)

ANSI = re.compile(r"\x1b\[")

OPT_IN = (
    "Sign up for texts.\n"
    "I agree to receive order updates from <script>alert('x')</script> Acme | Co. "
    "Reply STOP to end."
)


def finding(
    text: str,
    piece: str,
    *,
    rule: str = "OI-BRAND",
    severity: Severity = Severity.ERROR,
    field: str = "campaign.opt_in.text",
    fix: str | None = "Name the business.",
) -> Finding:
    start = text.index(piece)
    return Finding(
        rule=rule,
        severity=severity,
        field=field,
        span=(start, start + len(piece)),
        excerpt=piece,
        message="The opt-in names something that is not the business.",
        fix=fix,
    )


def sample_report() -> tuple[Report, dict[str, str]]:
    sources = {
        "campaign.description": "Acme sends order updates to its customers.",
        "campaign.opt_in.text": OPT_IN,
        "campaign.sample_messages[0]": "Acme: your order `123` shipped.",
    }
    report = Report(
        [
            Finding(
                "APP-BRAND-CONSISTENT", Severity.WARNING, None, None, None, "Names differ.", None
            ),
            finding(
                sources["campaign.sample_messages[0]"],
                "`123`",
                rule="SM-SPECIFIC",
                severity=Severity.WARNING,
                field="campaign.sample_messages[0]",
            ),
            finding(OPT_IN, "<script>alert('x')</script>"),
            Finding(
                "OI-RATES",
                Severity.ERROR,
                "campaign.opt_in.text",
                None,
                None,
                "The opt-in does not say that message and data rates may apply.",
                'Add: "Msg & data rates may apply."',
            ),
            Finding(
                "CONTEXT-MISSING",
                Severity.INFO,
                "campaign.opt_in.text",
                None,
                None,
                "No use case.",
                None,
            ),
        ]
    )
    return report, sources


def test_json_is_exactly_the_report_dict() -> None:
    report, _ = sample_report()
    assert json.loads(render_json(report)) == report.to_dict()
    assert render_json(report).startswith('{\n  "verdict": "fail"')


def test_groups_follow_the_checked_texts_and_put_the_whole_application_last() -> None:
    report, sources = sample_report()
    groups = group_findings(report, sources)
    assert [g.field for g in groups] == [
        "campaign.opt_in.text",
        "campaign.sample_messages[0]",
        None,
    ]
    # Worst first; within a severity, whole-field findings before located ones.
    assert [f.rule for f in groups[0].findings] == ["OI-RATES", "OI-BRAND", "CONTEXT-MISSING"]
    assert groups[0].text == OPT_IN


def test_field_labels_name_fields_as_people_do() -> None:
    assert field_label("campaign.sample_messages[1]") == "Sample message 2"
    assert field_label("campaign.privacy_policy.text") == "Privacy policy"
    assert field_label(None) == "Whole application"
    assert field_label("business.ein") == "business.ein"


def test_locate_finds_the_line_and_the_span() -> None:
    f = finding(OPT_IN, "Acme | Co")
    loc = locate(f, {"campaign.opt_in.text": OPT_IN})
    assert loc is not None
    assert loc.line == 2
    assert loc.marked == "Acme | Co"
    assert (loc.before + loc.marked + loc.after) in OPT_IN.splitlines()[1]


def test_locate_clips_a_long_line_around_the_span() -> None:
    text = "word " * 400 + "BADWORD " + "word " * 400
    f = finding(text, "BADWORD", field="terms")
    loc = locate(f, {"terms": text}, radius=30)
    assert loc is not None
    assert loc.clipped_before and loc.clipped_after
    assert len(loc.before) <= 30 and len(loc.after) <= 30


def test_locate_refuses_a_span_that_does_not_match_the_text() -> None:
    f = finding(OPT_IN, "Acme | Co")
    assert (
        locate(f, {"campaign.opt_in.text": "something else entirely, longer than the span"}) is None
    )
    assert locate(f, {"campaign.opt_in.text": "short"}) is None
    assert locate(f, {}) is None


def test_plain_text_underlines_the_span_under_its_line() -> None:
    report, sources = sample_report()
    out = render_text(report, sources, title="Check of Acme")
    assert not ANSI.search(out)
    lines = out.splitlines()
    assert lines[0] == "Check of Acme"
    assert "Opt-in language" in out and "campaign.opt_in.text" in out
    row = next(i for i, line in enumerate(lines) if "<script>" in line and "line 2 |" in line)
    carets = lines[row + 1]
    start = lines[row].index("<script>")
    assert carets.index("^") == start
    assert carets.strip() == "^" * len("<script>alert('x')</script>")
    assert 'fix: Add: "Msg & data rates may apply."' in out
    assert lines[-1] == "FAIL — 2 errors, 2 warnings, 1 note"
    assert all(line == line.rstrip() for line in lines)


def test_text_is_colored_only_when_asked() -> None:
    report, sources = sample_report()
    assert ANSI.search(render_text(report, sources, color=True))
    assert not ANSI.search(render(report, "text", sources))


def test_text_of_a_clean_report_says_pass() -> None:
    out = render_text(Report(), {})
    assert "PASS — 0 errors, 0 warnings, 0 notes" in out
    assert summary(Report()) == "PASS: 0 errors, 0 warnings, 0 notes"


def test_markdown_has_a_heading_a_summary_and_a_table_per_field() -> None:
    report, sources = sample_report()
    md = render_markdown(report, sources, title="Acme check")
    assert md.startswith("# Acme check\n")
    assert "**Verdict: FAIL** (2 errors, 2 warnings, 1 note)." in md
    assert "## Opt-in language (`campaign.opt_in.text`)" in md
    assert "## Whole application" in md
    row = next(line for line in md.splitlines() if line.startswith("| `OI-BRAND`"))
    # Five cells: the pipe inside the excerpt is escaped, the excerpt is a code span.
    assert len(re.split(r"(?<!\\)\|", row)) == 7
    assert "line 2: `<script>alert('x')</script>`" in row
    # An excerpt holding backticks gets a longer fence.
    assert "``" in next(line for line in md.splitlines() if line.startswith("| `SM-SPECIFIC`"))
    assert f"- `OI-RATES`: {spec('OI-RATES').description}" in md


def test_markdown_escapes_markup_outside_code() -> None:
    report = Report(
        [Finding("OI-BRAND", Severity.ERROR, "opt_in", None, None, "Says <b>we</b> | *us*.", None)]
    )
    md = render_markdown(report, {})
    assert "\\<b\\>we\\</b\\> \\| \\*us\\*" in md


def test_html_is_a_standalone_accessible_page() -> None:
    report, sources = sample_report()
    page = render_html(report, sources, title="Acme <Check>")
    assert page.startswith("<!doctype html>")
    assert '<html lang="en">' in page and page.rstrip().endswith("</html>")
    assert "<title>Acme &lt;Check&gt; — FAIL</title>" in page
    assert "<h1>Acme &lt;Check&gt;</h1>" in page
    # No external assets: inline CSS only, no scripts, no links to stylesheets or images.
    assert "<style>" in page
    assert "<link" not in page and "src=" not in page
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert '<mark class="error">&lt;script&gt;' in page
    assert 'class="verdict fail"' in page and "Not ready to submit" in page
    assert "OI-BRAND" in page and "How to fix:</strong> Name the business." in page
    # The rule's description comes from the catalog, with its code pieces as code.
    assert "Names the business that sends (legal name or DBA)" in page
    assert 'id="f-campaign-opt-in-text"' in page and 'href="#f-campaign-opt-in-text"' in page


def test_html_of_a_passing_report() -> None:
    page = render_html(Report(), {"opt_in": "I agree"}, title="Clean")
    assert 'class="verdict pass"' in page and "Ready to submit" in page
    assert "1</b>text checked" in page


def test_render_rejects_an_unknown_format() -> None:
    import pytest

    with pytest.raises(ValueError):
        render(Report(), "pdf")


def test_catalog_renders_in_every_format() -> None:
    data = json.loads(render_catalog("json"))
    rates = next(r for r in data if r["id"] == "OI-RATES")
    assert rates["severity"] == "error" and "opt_in" in rates["kinds"]
    assert "| `OI-RATES` | error |" in render_catalog("markdown")
    assert any(line.startswith("OI-RATES ") for line in render_catalog("text").splitlines())


def test_application_texts_cover_every_located_finding(example_path: object) -> None:
    app = load_application(str(example_path))
    texts = application_texts(app)
    assert texts["campaign.sample_messages[0]"] == app.campaign.sample_messages[0]
    assert texts["campaign.privacy_policy.text"] == app.campaign.privacy_policy.text
    assert texts["campaign.opt_in.form_html"] == app.campaign.opt_in.form_html
    broken = app.model_copy(deep=True)
    broken.campaign.opt_in.text = "I agree to texts from Northside Physical Therapy."
    report = check_application(broken)
    assert "OI-RATES" in report.failing_rules()
    sources = application_texts(broken)
    for f in report.findings:
        if f.span is not None:
            assert f.field in sources
            assert locate(f, sources) is not None


def test_check_text_reports_the_kind_as_the_field() -> None:
    report = check_text("opt_in", "I agree to texts.", Context(company="Acme"))
    assert {f.field for f in report.findings} == {"opt_in"}
