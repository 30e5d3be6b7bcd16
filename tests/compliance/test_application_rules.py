"""APP-* rules: the application as a whole.

Cases follow the registry's campaign requirements as CSPs publish them (Twilio, Telnyx,
Bandwidth): every element of the campaign present, 2-5 realistic samples that name the brand and
show opt-out language (CTIA: brand identification and STOP in messages), and the campaign
attributes (embedded link, embedded phone, age-gated, direct lending, affiliate marketing)
answered truthfully against the sample content.
"""

from __future__ import annotations

from typing import Any

import pytest

from consentry.compliance import Severity, check_application
from consentry.compliance.application import Application
from tests.compliance.builders import check, fields, findings

APP = ("APP-COMPLETE", "APP-SAMPLE-COUNT", "APP-FLAGS-CONSISTENT", "APP-BRAND-CONSISTENT")

REMINDER = (
    "Northside PT: Hi [first name], reminder of your visit on [date] at [time]. "
    "Reply C to confirm. Reply STOP to opt out."
)
UNBRANDED_REMINDER = (
    "Hi [first name], reminder of your visit on [date] at [time]. Reply STOP to opt out."
)
RESCHEDULED = "Northside PT: Your visit on [date] was rescheduled to [time]. Reply STOP to opt out."


def _with_samples(*samples: str, **more: Any) -> dict[str, Any]:
    """Changes that replace the samples (which then show no phone number unless given one)."""
    return {
        "campaign.sample_messages": list(samples),
        "campaign.attributes.embedded_phone": False,
        **more,
    }


def _errors(rule: str, **changes: Any) -> list[str | None]:
    return [f.field for f in findings(check(**changes), rule) if f.severity is Severity.ERROR]


def _warnings(rule: str, **changes: Any) -> list[str | None]:
    return [f.field for f in findings(check(**changes), rule) if f.severity is Severity.WARNING]


def test_the_example_has_no_application_findings() -> None:
    report = check()
    assert not {f.rule for f in report.findings} & set(APP)


# --- APP-COMPLETE -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"business.legal_name": None}, "business.legal_name"),
        ({"business.ein": " "}, "business.ein"),
        ({"business.address.city": None}, "business.address"),
        ({"business.address": {}}, "business.address"),
        ({"business.website": None}, "business.website"),
        (
            {
                "business.email": None,
                "business.phone": None,
                "business.contact.email": None,
                "business.contact.phone": None,
            },
            "business.contact",
        ),
        ({"campaign.opt_in.method": None}, "campaign.opt_in.method"),
        (
            {
                "campaign.opt_in.text": None,
                "campaign.opt_in.form_html": None,
                "campaign.opt_in.url": None,
            },
            "campaign.opt_in.text",
        ),
        (
            {"campaign.opt_in.method": "KEYWORD", "campaign.opt_in.keywords": []},
            "campaign.opt_in.keywords",
        ),
        ({"campaign.message_flow": ""}, "campaign.message_flow"),
        ({"campaign.privacy_policy": {}}, "campaign.privacy_policy"),
        ({"campaign.terms": {"url": None, "text": "  "}}, "campaign.terms"),
        ({"campaign.description": None}, "campaign.description"),
        ({"campaign.sample_messages": []}, "campaign.sample_messages"),
        ({"campaign.sample_messages": ["", "  "]}, "campaign.sample_messages"),
        ({"campaign.message_frequency": None}, "campaign.message_frequency"),
        ({"campaign.use_case": None}, "campaign.use_case"),
        ({"campaign.use_case": "NEWSLETTER"}, "campaign.use_case"),
        ({"campaign.use_case": "MIXED"}, "campaign.sub_use_cases"),
        (
            {"campaign.use_case": "MIXED", "campaign.sub_use_cases": ["MARKETING", "NEWSLETTER"]},
            "campaign.sub_use_cases",
        ),
        (
            {"campaign.use_case": "LOW_VOLUME", "campaign.sub_use_cases": ["CUSTOMER_CARE"]},
            "campaign.sub_use_cases",
        ),
    ],
)
def test_a_missing_element_is_reported_at_its_field(changes: dict[str, Any], field: str) -> None:
    assert _errors("APP-COMPLETE", **changes) == [field]


@pytest.mark.parametrize(
    "changes",
    [
        {"business.entity_type": "SOLE_PROPRIETOR", "business.ein": None, "business.website": None},
        {"campaign.privacy_policy.text": None},  # the URL alone is the policy
        {"campaign.terms.url": None},  # the text alone is the terms
        {"campaign.opt_in.text": None, "campaign.opt_in.form_html": None},  # the URL shows it
        {"campaign.opt_in.text": None, "campaign.opt_in.url": None},  # the form shows it
        {"business.contact.email": None, "business.contact.phone": None},  # brand's own contact
        {"campaign.use_case": "MIXED", "campaign.sub_use_cases": ["CUSTOMER_CARE", "MARKETING"]},
        {"campaign.use_case": "customer_care"},
        {"campaign.opt_in.method": "KEYWORD", "campaign.opt_in.keywords": ["JOIN"]},
    ],
)
def test_a_complete_application_passes(changes: dict[str, Any]) -> None:
    assert findings(check(**changes), "APP-COMPLETE") == []


def test_an_empty_application_gets_one_finding_per_missing_element() -> None:
    report = check_application(Application())
    reported = [f.field for f in findings(report, "APP-COMPLETE")]
    assert len(reported) == len(set(reported))
    assert set(reported) == {
        "business.legal_name",
        "business.ein",
        "business.address",
        "business.website",
        "business.contact",
        "campaign.opt_in.method",
        "campaign.opt_in.text",
        "campaign.message_flow",
        "campaign.privacy_policy",
        "campaign.terms",
        "campaign.use_case",
        "campaign.description",
        "campaign.sample_messages",
        "campaign.message_frequency",
    }
    assert all(f.span is None for f in findings(report, "APP-COMPLETE"))


# --- APP-SAMPLE-COUNT -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("samples", "field"),
    [
        ([REMINDER], "campaign.sample_messages"),
        ([REMINDER] * 6, "campaign.sample_messages"),
        ([REMINDER, "Northside PT: " + "x" * 1020], "campaign.sample_messages[1]"),
        ([REMINDER, "Northside PT: Hi"], "campaign.sample_messages[1]"),
        ([REMINDER, "   Northside PT      "], "campaign.sample_messages[1]"),
        (
            [
                UNBRANDED_REMINDER,
                "Your visit on [date] was rescheduled to [time]. Reply STOP to opt out.",
            ],
            "campaign.sample_messages",
        ),
        (
            [
                "Northside PT: Hi [first name], reminder of your visit on [date] at [time].",
                "Northside PT: Your visit was moved to [time]. Questions? Call 512-555-0100.",
            ],
            "campaign.sample_messages",
        ),
        (
            [
                "Northside PT: STOP by the front desk to pick up your exercise plan, [first name].",
                "Northside PT: We will stop your reminders when your therapy ends on [date].",
            ],
            "campaign.sample_messages",
        ),
    ],
)
def test_samples_that_fail_count_length_brand_or_opt_out(samples: list[str], field: str) -> None:
    assert _errors("APP-SAMPLE-COUNT", **{"campaign.sample_messages": samples}) == [field]


@pytest.mark.parametrize(
    "samples",
    [
        [REMINDER, RESCHEDULED],
        [REMINDER, RESCHEDULED, REMINDER, RESCHEDULED, REMINDER],
        [REMINDER, "Northside PT: " + "x" * 990],
        [  # the brand in one, opt-out in another is enough here (SM-* judge each sample)
            "Northside Physical Therapy's reminder: your visit is on [date] at [time].",
            "Your visit was rescheduled to [time]. Txt STOP to end.",
        ],
        [
            "NORTHSIDE PHYSICAL THERAPY: your visit is on [date] at [time].",
            "Northside PT: Reply HELP for help, STOP to cancel. Your visit is at [time].",
        ],
        [
            "Northside PT: Your visit is on [date]. To opt out, reply STOP.",
            "Northside PT: Your visit moved to [time]. Text END to quit.",
        ],
        [
            "Northside PT: Your visit is on [date]. Reply UNSUBSCRIBE to stop receiving texts.",
            "Northside PT: Your visit moved to [time]. Opt out: reply STOP.",
        ],
    ],
)
def test_samples_that_pass(samples: list[str]) -> None:
    assert findings(check(**{"campaign.sample_messages": samples}), "APP-SAMPLE-COUNT") == []


def test_one_time_passcodes_need_no_opt_out() -> None:
    samples = [
        "Northside PT: Your verification code is 482913. It expires in 10 minutes.",
        "Northside PT: Use code 117204 to sign in to your patient portal.",
    ]
    changes = {"campaign.sample_messages": samples, "campaign.use_case": "2FA"}
    assert findings(check(**changes), "APP-SAMPLE-COUNT") == []
    changes["campaign.use_case"] = "ACCOUNT_NOTIFICATION"
    assert _errors("APP-SAMPLE-COUNT", **changes) == ["campaign.sample_messages"]


def test_without_a_brand_the_brand_check_says_what_it_needs() -> None:
    report = check(**{"business.legal_name": None, "business.display_name": None})
    notices = [f for f in report.findings if f.rule == "CONTEXT-MISSING"]
    assert any("APP-SAMPLE-COUNT" in f.message for f in notices)
    assert all(f.severity is Severity.INFO for f in notices)


def test_no_samples_is_left_to_app_complete() -> None:
    assert findings(check(**{"campaign.sample_messages": []}), "APP-SAMPLE-COUNT") == []


# --- APP-FLAGS-CONSISTENT ---------------------------------------------------------------------

LINK_FLAG = "campaign.attributes.embedded_link"
PHONE_FLAG = "campaign.attributes.embedded_phone"


@pytest.mark.parametrize(
    "link",
    [
        "https://northsidept.com/r/8KQ2",
        "http://northsidept.com",
        "www.northsidept.com/visits",
        "northsidept.com/reschedule",
        "bit.ly/3xYzAb",
        "[link]",
        "{short_url}",
    ],
)
def test_a_link_in_a_sample_contradicts_embedded_link_false(link: str) -> None:
    sample = f"Northside PT: Reschedule your visit at {link} . Reply STOP to opt out."
    changes = _with_samples(REMINDER, sample)
    assert _errors("APP-FLAGS-CONSISTENT", **changes) == [LINK_FLAG]


def test_a_link_with_the_flag_undeclared_is_a_warning() -> None:
    sample = "Northside PT: Reschedule at https://northsidept.com/r/8KQ2. Reply STOP to opt out."
    changes = _with_samples(REMINDER, sample, **{LINK_FLAG: None})
    assert _warnings("APP-FLAGS-CONSISTENT", **changes) == [LINK_FLAG]
    assert _errors("APP-FLAGS-CONSISTENT", **changes) == []


def test_embedded_link_declared_but_shown_in_no_sample_is_a_warning() -> None:
    assert _warnings("APP-FLAGS-CONSISTENT", **{LINK_FLAG: True}) == [LINK_FLAG]


def test_a_declared_link_shown_in_a_sample_passes() -> None:
    sample = "Northside PT: Reschedule at https://northsidept.com/r/8KQ2. Reply STOP to opt out."
    changes = _with_samples(REMINDER, sample, **{LINK_FLAG: True})
    assert findings(check(**changes), "APP-FLAGS-CONSISTENT") == []


@pytest.mark.parametrize(
    "sample",
    [
        "Northside PT: Questions? Email support@northsidept.com. Reply STOP to opt out.",
        "Northside PT: Dr. Lee at 100 Main St. will see you at [time]. Reply STOP to opt out.",
        "Northside PT: Your copay is $25.00, due at the visit. Reply STOP to opt out.",
    ],
)
def test_email_addresses_abbreviations_and_amounts_are_not_links(sample: str) -> None:
    changes = {"campaign.sample_messages": [REMINDER, sample], PHONE_FLAG: False}
    assert findings(check(**changes), "APP-FLAGS-CONSISTENT") == []


@pytest.mark.parametrize(
    "phone", ["512-555-0100", "(512) 555-0100", "+1 512 555 0100", "1-800-555-0199", "[phone]"]
)
def test_a_phone_number_in_a_sample_contradicts_embedded_phone_false(phone: str) -> None:
    sample = f"Northside PT: Questions? Call {phone}. Reply STOP to opt out."
    changes = {"campaign.sample_messages": [REMINDER, sample], PHONE_FLAG: False}
    assert _errors("APP-FLAGS-CONSISTENT", **changes) == [PHONE_FLAG]


def test_embedded_phone_declared_but_shown_in_no_sample_is_a_warning() -> None:
    changes = {"campaign.sample_messages": [REMINDER, RESCHEDULED], PHONE_FLAG: True}
    assert _warnings("APP-FLAGS-CONSISTENT", **changes) == [PHONE_FLAG]


@pytest.mark.parametrize(
    "sample",
    [
        "Northside PT: Your code is 482913 and order #20240115 ships 04/05. Reply STOP to opt out.",
        "Northside PT: Reply C to confirm your visit at 10:30 on 1/15. Reply STOP to opt out.",
    ],
)
def test_codes_dates_and_order_numbers_are_not_phone_numbers(sample: str) -> None:
    changes = {"campaign.sample_messages": [REMINDER, sample], PHONE_FLAG: False}
    assert findings(check(**changes), "APP-FLAGS-CONSISTENT") == []


@pytest.mark.parametrize(
    ("flag", "sample"),
    [
        (
            "age_gated",
            "Northside PT: Join our open house with craft beer on [date]. Reply STOP to opt out.",
        ),
        (
            "age_gated",
            "Northside PT: Wine & spirits tasting Friday, 21+ only. Reply STOP to opt out.",
        ),
        (
            "age_gated",
            "Northside PT: Our firearms safety class starts [date]. Reply STOP to opt out.",
        ),
        (
            "direct_lending",
            "Northside PT: Your personal loan application was approved. Reply STOP to opt out.",
        ),
        (
            "direct_lending",
            "Northside PT: Get a cash advance on your next visit. Reply STOP to opt out.",
        ),
        (
            "affiliate_marketing",
            "Northside PT: Exclusive offers from our partners inside! Reply STOP to opt out.",
        ),
        (
            "affiliate_marketing",
            "Northside PT: Shop with our affiliate link and save. Reply STOP to opt out.",
        ),
    ],
)
def test_content_that_contradicts_a_false_flag(flag: str, sample: str) -> None:
    changes = _with_samples(REMINDER, sample)
    assert _errors("APP-FLAGS-CONSISTENT", **changes) == [f"campaign.attributes.{flag}"]


def test_the_description_counts_for_content_flags() -> None:
    description = (
        "Northside Physical Therapy sends reminders about its firearms safety classes to members "
        "who opted in on its website."
    )
    changes = {"campaign.description": description}
    assert _errors("APP-FLAGS-CONSISTENT", **changes) == ["campaign.attributes.age_gated"]


def test_content_with_the_flag_undeclared_is_a_warning() -> None:
    sample = "Northside PT: Join our open house with craft beer on [date]. Reply STOP to opt out."
    changes = _with_samples(REMINDER, sample, **{"campaign.attributes.age_gated": None})
    assert _warnings("APP-FLAGS-CONSISTENT", **changes) == ["campaign.attributes.age_gated"]


@pytest.mark.parametrize(
    "sample",
    [
        "Northside PT: No alcohol is served at our open house on [date]. Reply STOP to opt out.",
        "Northside PT: We do not offer loans; ask about payment plans. Reply STOP to opt out.",
        "Northside PT: Your loaner brace is ready for pickup. Reply STOP to opt out.",
        "Northside PT: Keep your spirits up, [first name]! See you [date]. Reply STOP to opt out.",
        "Northside PT: Your massage gun rental is due back on [date]. Reply STOP to opt out.",
        "Northside PT: We never share your number with affiliates. Reply STOP to opt out.",
        "Northside PT: Bring your referral form to your visit on [date]. Reply STOP to opt out.",
    ],
)
def test_near_misses_do_not_trip_content_flags(sample: str) -> None:
    changes = _with_samples(REMINDER, sample)
    assert findings(check(**changes), "APP-FLAGS-CONSISTENT") == []


def test_declaring_sensitive_content_that_is_absent_is_not_reported() -> None:
    changes = {
        "campaign.attributes.age_gated": True,
        "campaign.attributes.direct_lending": True,
        "campaign.attributes.affiliate_marketing": True,
    }
    assert findings(check(**changes), "APP-FLAGS-CONSISTENT") == []


# --- APP-BRAND-CONSISTENT ---------------------------------------------------------------------

GENERIC_POLICY = (
    "Privacy Policy\n\nWe collect your name, email address and mobile number. No mobile "
    "information will be shared with third parties or affiliates for marketing or promotional "
    "purposes."
)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"campaign.privacy_policy.text": GENERIC_POLICY}, "campaign.privacy_policy.text"),
        (
            {"campaign.terms.text": "SMS Terms. Reply STOP to cancel. Msg & data rates may apply."},
            "campaign.terms.text",
        ),
        (
            {
                "campaign.opt_in.text": "[ ] I agree to receive appointment reminder texts. Msg & "
                "data rates may apply. Reply STOP to opt out."
            },
            "campaign.opt_in.text",
        ),
        (
            {
                "campaign.sample_messages": [
                    UNBRANDED_REMINDER,
                    "Your visit on [date] was rescheduled to [time]. Reply STOP to opt out.",
                ]
            },
            "campaign.sample_messages",
        ),
        (
            {
                "business.website": "https://healthyclinicgroup.com",
                "business.email": "support@healthyclinicgroup.com",
                "business.contact.email": "dana@healthyclinicgroup.com",
            },
            "business.website",
        ),
    ],
)
def test_a_document_that_never_names_the_brand(changes: dict[str, Any], field: str) -> None:
    report = check(**changes)
    assert _warnings("APP-BRAND-CONSISTENT", **changes) == [field]
    assert "APP-BRAND-CONSISTENT" not in report.failing_rules()


def test_a_registered_name_that_no_document_uses() -> None:
    changes = {"business.legal_name": "Zeta Holdings LLC", "business.display_name": None}
    assert _warnings("APP-BRAND-CONSISTENT", **changes) == ["business.legal_name"]


@pytest.mark.parametrize(
    "changes",
    [
        {"campaign.privacy_policy.text": None},  # a policy given by URL only is not compared
        {
            "business.website": "https://www.northside-pt.com",
            "business.email": None,
            "business.contact.email": None,
        },
        {
            "business.website": "https://northsidetherapy.com",
            "business.email": None,
            "business.contact.email": None,
        },
        {"campaign.terms.text": "NORTHSIDE PHYSICAL THERAPY SMS TERMS. Reply STOP to cancel."},
        {"campaign.privacy_policy.text": "Northside PT's privacy policy: " + GENERIC_POLICY},
    ],
)
def test_consistent_brand_passes(changes: dict[str, Any]) -> None:
    assert findings(check(**changes), "APP-BRAND-CONSISTENT") == []


def test_only_the_documents_missing_the_brand_are_named() -> None:
    changes = {
        "campaign.privacy_policy.text": GENERIC_POLICY,
        "campaign.terms.text": "SMS Terms. Reply STOP to cancel.",
    }
    assert fields(check(**changes), "APP-BRAND-CONSISTENT") == {
        "campaign.privacy_policy.text",
        "campaign.terms.text",
    }


def test_a_placeholder_name_is_not_taken_for_the_brand() -> None:
    changes = {"business.legal_name": "Company Name LLC", "business.display_name": None}
    report = check(**changes)
    assert "BIZ-LEGAL-NAME" in report.failing_rules()
    assert findings(report, "APP-BRAND-CONSISTENT") == []
    assert findings(report, "APP-SAMPLE-COUNT") == []
