"""The bundled example's documents, the generators' handling of names and frequencies, and the
input they refuse."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import lxml.html
import pytest

from consentry.compliance import Application, Kind, check_text
from consentry.compliance.engine import context_for
from consentry.compliance.forms import visible_text
from consentry.documents import DocumentInputError, check_documents, generate
from tests.support.builders import example_application, example_json


def _app(**changes: Any) -> Application:
    """The example with business/campaign fields replaced ("business.website": None ...)."""
    data = example_json()
    for path, value in changes.items():
        section, key = path.split("__")
        if value is None:
            data[section].pop(key, None)
        else:
            data[section][key] = value
    return Application.model_validate(data)


def test_every_example_document_checks_clean() -> None:
    app = example_application()
    for name, report in check_documents(generate(app), app).items():
        assert report.errors == 0 and report.warnings == 0, (name, report.to_dict())


def test_check_documents_catches_a_broken_document() -> None:
    # The checks behind the property test can fail: without the rates line the form fails.
    app = example_application()
    docs = generate(app)
    broken = dataclasses.replace(
        docs, optin_html=docs.optin_html.replace("Msg &amp; data rates may apply.", "")
    )
    assert "OI-RATES" in check_documents(broken, app)["optin.html"].failing_rules()


def test_web_form_is_optional_unchecked_accessible_and_standalone() -> None:
    html = generate(example_application()).optin_html
    root = lxml.html.document_fromstring(html)
    assert root.get("lang") == "en"
    assert root.xpath("//meta[@name='viewport']")
    box = root.xpath("//input[@type='checkbox']")
    assert len(box) == 1  # SMS only: no email or call consent shares it
    assert box[0].get("checked") is None and box[0].get("required") is None
    phone = root.xpath("//input[@type='tel']")[0]
    assert phone.get("required") is None and phone.get("autocomplete") == "tel"
    for control in root.xpath("//input[@type!='hidden']"):
        assert root.xpath("//label[@for=$id]", id=control.get("id")), control.get("name")
    # Inline CSS only: nothing to fetch.
    assert not root.xpath("//link|//script|//img|//*[@src]")
    assert root.xpath("//style")
    text = visible_text(html)
    for phrase in (
        "Northside Physical Therapy",
        "customer care messages",
        "Message frequency: up to 4 messages per month.",
        "Msg & data rates may apply.",
        "Reply HELP for help and STOP to opt out",
        "Consent is not a condition",
        "https://northsidept.com/privacy",
        "https://northsidept.com/terms",
    ):
        assert phrase in text, phrase
    links = {a.get("href") for a in root.iter("a")}
    assert {"https://northsidept.com/privacy", "https://northsidept.com/terms"} <= links


def test_printable_form_has_signature_and_date_lines() -> None:
    docs = generate(example_application())
    text = visible_text(docs.optin_print_html)
    assert "Signature" in text and "Date" in text and "Mobile number" in text
    assert docs.optin_text[4:] in text  # the same consent language, word for word


def test_privacy_policy_carries_the_non_sharing_statement_and_carve_out() -> None:
    docs = generate(example_application())
    for text in (docs.privacy_md, visible_text(docs.privacy_html)):
        flat = " ".join(text.split())
        assert (
            "No mobile information will be shared with third parties or affiliates for "
            "marketing or promotional purposes." in flat
        )
        assert "All the above categories exclude text messaging originator opt-in data" in flat
        assert "Northside Physical Therapy LLC" in flat


def test_terms_section_has_every_element() -> None:
    docs = generate(example_application())
    flat = " ".join(docs.terms_md.split())
    for phrase in (
        "customer care messages",
        "Up to 4 messages per month.",
        "Message and data rates may apply.",
        "Reply STOP to cancel",
        "Reply HELP for help.",
        "support@northsidept.com",
        "512-555-0100",
        "Carriers are not liable for delayed or undelivered messages.",
        "https://northsidept.com/privacy",
    ):
        assert phrase in flat, phrase
    assert "<h1>" in docs.terms_html and "<strong>Program.</strong>" in docs.terms_html


def test_example_replies_fit_one_segment() -> None:
    docs = generate(example_application())
    for reply in docs.replies:
        assert reply.segments == 1 and reply.encoding == "GSM-7", reply
    assert docs.confirmation.text.startswith("Northside Physical Therapy: ")


@pytest.mark.parametrize(
    "name",
    ["Star*Bright_Cleaning [West] LLC", "A&B <Shop> Inc.", "O’Connor & Sons #1 Plumbing"],
)
def test_names_are_shown_as_written_never_as_markup(name: str) -> None:
    app = _app(business__legal_name=name, business__display_name=None)
    docs = generate(app)
    assert name in visible_text(docs.privacy_html)
    assert name in visible_text(docs.terms_html)
    assert name in visible_text(docs.optin_html)
    assert "<Shop>" not in docs.optin_html and "<em>" not in docs.privacy_html


def test_dba_and_legal_name_both_appear() -> None:
    app = _app(business__legal_name="Reyes Holdings LLC", business__display_name="Sunny Bakery")
    docs = generate(app)
    assert '"Sunny Bakery"' in docs.privacy_md and "Reyes Holdings LLC" in docs.privacy_md
    assert docs.confirmation.text.startswith("Sunny Bakery: ")
    for name, report in check_documents(docs, app).items():
        assert report.errors == 0 and report.warnings == 0, (name, report.to_dict())


@pytest.mark.parametrize(
    ("given", "terms", "sms"),
    [
        ("Up to 4 messages per month", "Up to 4 messages per month.", "Up to 4 msgs/mo."),
        ("2 texts a week", "2 texts a week.", "2 texts/wk."),
        ("1 message per request", "1 message per request.", "1 msg per request."),
        ("Weekly", "Weekly messages.", "Weekly msgs."),
        ("Varies", "Message frequency varies.", "Msg frequency varies."),
        (None, "Message frequency varies.", "Msg frequency varies."),
        ("As needed", "Message frequency varies (as needed).", "Msg frequency varies."),
    ],
)
def test_frequency_is_worded_for_each_reader(given: str | None, terms: str, sms: str) -> None:
    app = _app(campaign__message_frequency=given)
    docs = generate(app)
    assert f"**Message frequency.** {terms}" in docs.terms_md
    assert sms in docs.confirmation.text
    assert check_text(Kind.TERMS, docs.terms_md, context_for(app)).passed


def test_marketing_is_named_first_in_a_mixed_program() -> None:
    app = _app(campaign__use_case="MIXED", campaign__sub_use_cases=["CUSTOMER_CARE", "MARKETING"])
    docs = generate(app)
    assert re.search(r"receive promotional offers and customer care messages", docs.optin_text)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"business__website": None}, "business.website"),
        ({"business__website": "not a url at all"}, "business.website"),
        ({"business__email": None, "business__phone": None}, "business.email"),
        ({"business__phone": "12"}, "business.phone"),
        ({"campaign__use_case": None}, "campaign.use_case"),
        ({"campaign__use_case": "POLITICAL"}, "campaign.use_case"),
        ({"campaign__use_case": "MIXED"}, "campaign.sub_use_cases"),
        (
            {"campaign__use_case": "LOW_VOLUME", "campaign__sub_use_cases": ["NOPE"]},
            "campaign.sub_use_cases",
        ),
        ({"business__legal_name": None, "business__display_name": None}, "business.legal_name"),
    ],
)
def test_missing_or_unusable_input_is_refused_with_its_path(
    changes: dict[str, Any], path: str
) -> None:
    with pytest.raises(DocumentInputError) as caught:
        generate(_app(**changes))
    assert caught.value.code == "DOCUMENTS_INPUT_INCOMPLETE"
    assert path in {p["path"] for p in caught.value.details["problems"]}
