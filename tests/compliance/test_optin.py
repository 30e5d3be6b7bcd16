"""OI-* rules: the opt-in / call to action, as typed text and as quoted in a message flow.

Cases follow public carrier and provider guidance (CTIA Messaging Principles §5, Twilio campaign
rejection codes 30917/30923/30924/30931, Telnyx/Bandwidth/AWS opt-in examples): what reviewers
approve and what they reject.
"""

from __future__ import annotations

from typing import Any

import pytest

from consentry.compliance import Context, check_text

LINKS = "Privacy Policy: https://{d}/privacy. Terms: https://{d}/terms."


def oi(report_rules: set[str]) -> set[str]:
    """The OI-* rules among failing rules (other families run too and are not judged here)."""
    return {r for r in report_rules if r.startswith("OI-")}


def failing(
    text: str, company: str = "Acme Dental", *, kind: str = "opt_in", **ctx: Any
) -> set[str]:
    """OI-* rules failing on `text` checked as `kind` with the given context fields."""
    return oi(check_text(kind, text, Context(company=company, **ctx)).failing_rules())


# --- The corpus: realistic opt-ins, compliant or not --------------------------------------------

COMPLIANT: list[tuple[str, str, dict[str, Any]]] = [
    (
        "Northside Physical Therapy",
        "[ ] I agree to receive appointment reminder texts from Northside Physical Therapy at the "
        "number provided. Up to 4 msgs/month. Msg & data rates may apply. Reply HELP for help, "
        "STOP to opt out. Consent is not a condition of treatment. See our Privacy Policy "
        "(https://northsidept.com/privacy) and Terms (https://northsidept.com/terms).",
        {},
    ),
    (
        "Bright Smile Dental",
        "By checking this box, you agree to receive recurring automated appointment reminders "
        "and billing notifications by text from Bright Smile Dental at the mobile number "
        "provided. Msg frequency varies. Msg & data rates may apply. Reply STOP to cancel, HELP "
        "for help. View our Privacy Policy at brightsmile.com/privacy and Terms at "
        "brightsmile.com/terms.",
        {},
    ),
    (
        "Harbor Outfitters",
        "[ ] Yes, send me promotional offers and new arrivals by text from Harbor Outfitters. "
        "Up to 6 msgs/month. Consent is not a condition of purchase. Msg and data rates may "
        "apply. Text STOP to unsubscribe or HELP for help. Terms: https://harboroutfitters.com/"
        "sms-terms Privacy: https://harboroutfitters.com/privacy",
        {"use_case": "MARKETING"},
    ),
    (
        "Cedar Bank",
        "Check the box to receive one-time passcodes by SMS from Cedar Bank when you sign in. "
        "One message per login attempt. Message and data rates may apply. Privacy Policy: "
        "https://cedarbank.com/privacy. Terms of Service: https://cedarbank.com/terms.",
        {"use_case": "2FA"},
    ),
    (
        "Pizza Palace",
        "Text PIZZA to 55123 to receive weekly deals and coupons from Pizza Palace. Up to 4 "
        "msgs/mo. Msg&data rates may apply. Reply HELP for help, STOP to cancel. No purchase "
        "necessary; consent is not a condition of purchase. Terms & Privacy: pizzapalace.com/sms",
        {"use_case": "MARKETING"},
    ),
    (
        "Greenway Realty LLC",
        "[ ] I consent to receive text messages from Greenway Realty about my property showings "
        "and listing updates. Message frequency varies. Standard message and data rates may "
        "apply. Reply STOP to opt out at any time; reply HELP for assistance. Privacy Policy "
        "and Terms of Service are available on our website at greenwayrealty.com.",
        {},
    ),
    (
        "Metro Auto Repair",
        "By checking this box, I agree to receive SMS notifications from Metro Auto Repair "
        "about my repair status and pickup times. Msg frequency varies by service. Msg & data "
        "rates may apply. Text HELP for help. Text STOP to end. "
        "https://metroauto.com/privacy | https://metroauto.com/terms",
        {},
    ),
    (
        "Lakeside Yoga Studio",
        "☐ Text me class reminders and schedule changes from Lakeside Yoga Studio. "
        "About 2 messages per week. Message & data rates may apply. Reply STOP to unsubscribe. "
        "For help, email hello@lakesideyoga.com. Privacy: https://lakesideyoga.com/privacy "
        "Terms: https://lakesideyoga.com/terms",
        {},
    ),
    (
        "QuickShip Logistics",
        "I agree to receive delivery updates via text message from QuickShip Logistics. You "
        "will receive 1 message per order status change. Msg & data rates may apply. Reply "
        "STOP to opt out or HELP for help. Consent is not required to place an order. Privacy "
        "Policy: quickship.com/privacy. Terms: quickship.com/terms.",
        {},
    ),
    (
        "Riverside Animal Hospital",
        "[ ] I would like to receive pet vaccination reminders and appointment confirmations by "
        "text from Riverside Animal Hospital. Msg freq varies. Msg & data rates may apply. Reply "
        "HELP for help and STOP to cancel. See https://riversidevet.com/privacy and "
        "https://riversidevet.com/terms.",
        {},
    ),
    (
        "Summit Credit Union",
        "By checking this box you agree to receive account alerts and fraud notifications by "
        "text message from Summit Credit Union. Message frequency depends on account activity. "
        "Message and data rates may apply. Text STOP to opt out, HELP for help, or call "
        "800-555-0199. Privacy Policy: https://summitcu.org/privacy. Terms and Conditions: "
        "https://summitcu.org/terms.",
        {},
    ),
    (
        "Bella's Boutique",
        "[ ] Sign me up for Bella's Boutique text alerts with exclusive deals and sale "
        "announcements. Up to 8 msgs/month. Msg & data rates may apply. Consent is not a "
        "condition of any purchase. Reply STOP to unsubscribe, HELP for help. Terms: "
        "bellasboutique.com/terms Privacy: bellasboutique.com/privacy",
        {"use_case": "MARKETING"},
    ),
    (
        "Oak Street Tutoring",
        "By checking the box below, you opt in to receive session reminders and schedule "
        "updates via SMS from Oak Street Tutoring. Message frequency varies. Message and data "
        "rates may apply. Reply STOP to unsubscribe. Reply HELP for help. Read our Privacy "
        "Policy and Terms of Service at oakstreettutoring.com/legal.",
        {},
    ),
    (
        "Valley Plumbing Co.",
        "Yes, text me! I agree to receive service appointment confirmations and technician "
        "arrival alerts from Valley Plumbing by checking this box. Up to 5 texts per job. Msg & "
        "data rates may apply. Reply STOP to opt out; reply HELP or call (602) 555-0143 for "
        "help. Privacy: https://valleyplumbing.com/privacy Terms: https://valleyplumbing.com/terms",
        {},
    ),
    (
        "Fresh Market Grocers",
        "Text JOIN to 48213 to get Fresh Market Grocers weekly specials and digital coupons by "
        "text. Msg frequency: up to 4/mo. Msg & data rates may apply. Consent not required for "
        "purchase. Reply HELP for help, STOP to cancel. SMS Terms: freshmarket.com/sms-terms. "
        "Privacy Policy: freshmarket.com/privacy.",
        {"use_case": "MARKETING"},
    ),
    (
        "Hillcrest Apartments",
        "[ ] I agree to receive rent reminders and maintenance updates via text message from "
        "Hillcrest Apartments. Msg frequency varies. Msg and data rates may apply. Reply STOP "
        "to cancel and HELP for help. The Privacy Policy and Terms are linked below.",
        {},
    ),
    (
        "Acme Dental",
        "Staff read aloud: Do you agree to receive appointment reminder text messages from "
        "Acme Dental? Message frequency varies. Message and data rates may apply. Reply STOP "
        "to opt out and HELP for help. Our Privacy Policy and Terms are available on our "
        "website at acmedental.com.",
        {"opt_in_method": "VERBAL"},
    ),
    (
        "Sunrise Pharmacy",
        "By checking this box, I consent to receive prescription refill reminders and "
        "ready-for-pickup texts from Sunrise Pharmacy. Msg frequency varies. Msg & data rates "
        "may apply. Reply HELP for help. Reply STOP to opt out. Consent is not a condition of "
        "purchase. Privacy Policy: sunrisepharmacy.com/privacy. Terms: sunrisepharmacy.com/terms.",
        {},
    ),
]

NON_COMPLIANT: list[tuple[str, str, dict[str, Any], set[str]]] = [
    (
        # Twilio 30924: no frequency, no rates, no opt-out, no help, no links.
        "Acme Dental",
        "I agree to receive appointment reminder texts from Acme Dental.",
        {},
        {"OI-FREQUENCY", "OI-RATES", "OI-STOP", "OI-HELP", "OI-POLICY-LINKS"},
    ),
    (
        # Vague "communications", no brand: the classic rejected call to action.
        "Acme Dental",
        "By submitting this form, I agree to receive communications from us. Reply STOP to "
        "opt out. Msg & data rates may apply. Msg frequency varies. Reply HELP for help. "
        "Privacy Policy: https://acmedental.com/privacy. Terms: https://acmedental.com/terms.",
        {},
        {"OI-BRAND", "OI-SMS-EXPLICIT", "OI-MSG-TYPE"},
    ),
    (
        # Implied consent from giving a number (no checkbox, no keyword).
        "Acme Dental",
        "By providing your phone number, you agree to receive appointment reminder text "
        "messages from Acme Dental. Msg frequency varies. Msg & data rates may apply. Reply "
        "STOP to opt out, HELP for help. Privacy: https://acmedental.com/privacy Terms: "
        "https://acmedental.com/terms",
        {},
        {"OI-IMPLIED"},
    ),
    (
        # Channels bundled: calls, texts and email in one consent.
        "Acme Insurance",
        "[ ] I agree to receive calls, texts and emails from Acme Insurance about my policy "
        "updates, including by autodialer. Msg frequency varies. Msg & data rates may apply. "
        "Reply STOP to opt out, HELP for help. Privacy: https://acmeins.com/privacy Terms: "
        "https://acmeins.com/terms",
        {},
        {"OI-BUNDLED-CHANNELS"},
    ),
    (
        # Lead generation: consent for partners and lenders in a network.
        "LoanFinder",
        "[ ] By checking this box, I agree to receive text messages about loan offers from "
        "LoanFinder and its marketing partners and lenders in our network. Msg frequency "
        "varies. Msg & data rates may apply. Reply STOP to cancel, HELP for help. Privacy: "
        "https://loanfinder.com/privacy Terms: https://loanfinder.com/terms",
        {},
        {"OI-THIRD-PARTY"},
    ),
    (
        # Consent merged with acceptance of the Terms of Service.
        "Acme Dental",
        "[ ] I agree to the Terms of Service and Privacy Policy and to receive appointment "
        "reminder texts from Acme Dental. Msg frequency varies. Msg & data rates may apply. "
        "Reply STOP to opt out, HELP for help. https://acmedental.com/terms "
        "https://acmedental.com/privacy",
        {},
        {"OI-BURIED-IN-TERMS"},
    ),
    (
        # Pre-checked box.
        "Acme Dental",
        "[x] I agree to receive appointment reminder texts from Acme Dental. Msg frequency "
        "varies. Msg & data rates may apply. Reply STOP to opt out, HELP for help. Privacy: "
        "https://acmedental.com/privacy Terms: https://acmedental.com/terms",
        {},
        {"OI-NOT-PRECHECKED"},
    ),
    (
        # Twilio 30923: consent required to use the service.
        "Acme Fitness",
        "You must agree to receive text messages from Acme Fitness to complete your "
        "membership sign-up. We send class reminders and membership updates. Msg frequency "
        "varies. Msg & data rates may apply. Reply STOP to opt out, HELP for help. Privacy: "
        "https://acmefitness.com/privacy Terms: https://acmefitness.com/terms",
        {},
        {"OI-OPTIONAL"},
    ),
    (
        # Booking form: reminders and promotions under one box.
        "Glow Salon",
        "Book your appointment below. [ ] I agree to receive appointment reminders and "
        "promotional offers by text from Glow Salon. Msg frequency varies. Msg & data rates "
        "may apply. Reply STOP to opt out, HELP for help. Privacy: https://glowsalon.com/privacy "
        "Terms: https://glowsalon.com/terms",
        {},
        {"OI-BUNDLED-PURPOSES"},
    ),
    (
        # Non-standard opt-out keyword and no help.
        "Acme Dental",
        "[ ] I agree to receive appointment reminder texts from Acme Dental. Msg frequency "
        "varies. Msg & data rates may apply. Reply NO MORE to opt out. Privacy: "
        "https://acmedental.com/privacy Terms: https://acmedental.com/terms",
        {},
        {"OI-STOP", "OI-HELP"},
    ),
    (
        # Marketing campaign that never says it sends marketing.
        "Harbor Outfitters",
        "[ ] I agree to receive order updates by text from Harbor Outfitters. Up to 4 "
        "msgs/month. Msg & data rates may apply. Consent is not a condition of purchase. Reply "
        "STOP to opt out, HELP for help. Privacy: https://harbor.com/privacy Terms: "
        "https://harbor.com/terms",
        {"use_case": "MARKETING"},
        {"OI-MSG-TYPE"},
    ),
    (
        # Browsing is not consent.
        "Acme News",
        "By using this site, you consent to receive breaking news alerts by text from Acme "
        "News. Msg frequency varies. Msg & data rates may apply. Reply STOP to opt out, HELP for "
        "help. Privacy: https://acmenews.com/privacy Terms: https://acmenews.com/terms",
        {},
        {"OI-IMPLIED"},
    ),
    (
        # Policies named but nowhere to find them.
        "Acme Dental",
        "[ ] I agree to receive appointment reminder texts from Acme Dental. Msg frequency "
        "varies. Msg & data rates may apply. Reply STOP to opt out, HELP for help. We respect "
        "your Privacy Policy rights and our Terms.",
        {},
        {"OI-POLICY-LINKS"},
    ),
]


@pytest.mark.parametrize(("company", "text", "ctx"), COMPLIANT, ids=[c[0] for c in COMPLIANT])
def test_compliant_opt_ins_have_no_oi_findings(
    company: str, text: str, ctx: dict[str, Any]
) -> None:
    assert failing(text, company, **ctx) == set()


@pytest.mark.parametrize(
    ("company", "text", "ctx", "expected"),
    NON_COMPLIANT,
    ids=[f"{i}-{'+'.join(sorted(c[3]))}" for i, c in enumerate(NON_COMPLIANT)],
)
def test_non_compliant_opt_ins_fail_exactly_their_rules(
    company: str, text: str, ctx: dict[str, Any], expected: set[str]
) -> None:
    assert failing(text, company, **ctx) == expected


def test_corpus_is_large_enough() -> None:
    assert len(COMPLIANT) + len(NON_COMPLIANT) >= 25


# --- Rule by rule: triggers and near misses -----------------------------------------------------

GOOD = (
    "[ ] I agree to receive appointment reminder texts from Acme Dental. Msg frequency varies. "
    "Msg & data rates may apply. Reply STOP to opt out, HELP for help. Privacy: "
    "https://acmedental.com/privacy Terms: https://acmedental.com/terms"
)


def test_good_baseline_passes() -> None:
    assert failing(GOOD) == set()


def test_message_flow_quoting_the_opt_in_carries_the_same_elements() -> None:
    flow = (
        "Patients opt in at https://acmedental.com/sms by checking an unchecked box next to: "
        f'"{GOOD}"'
    )
    assert failing(flow, kind="message_flow") == set()
    assert "OI-RATES" in failing(
        flow.replace("Msg & data rates may apply. ", ""), kind="message_flow"
    )


class TestBrand:
    def test_missing_context_is_an_info_notice(self) -> None:
        report = check_text("opt_in", GOOD, Context())
        assert "OI-BRAND" not in report.failing_rules()
        assert "CONTEXT-MISSING" in report.rules()

    @pytest.mark.parametrize(
        "text",
        [
            GOOD.replace("from Acme Dental", "from us"),
            GOOD.replace("from Acme Dental", "from our company"),
            GOOD.replace("from Acme Dental", "from Twilio on behalf of our office"),
        ],
    )
    def test_we_or_a_platform_is_not_a_brand(self, text: str) -> None:
        assert "OI-BRAND" in failing(text)

    @pytest.mark.parametrize("name", ["Acme Dental LLC", "ACME DENTAL", "Acme Dental, Inc."])
    def test_brand_tolerates_suffix_and_case(self, name: str) -> None:
        assert "OI-BRAND" not in failing(GOOD, company=name)

    def test_a_brand_that_is_a_domain_name(self) -> None:
        text = GOOD.replace("from Acme Dental", "from acmedental.com")
        assert "OI-BRAND" not in failing(text, company="acmedental.com")
        # For a brand that is not a domain, its site's address names no one.
        assert "OI-BRAND" in failing(text)
        linked = GOOD.replace("from Acme Dental", "from us (https://acmedental.com/sms)")
        assert "OI-BRAND" in failing(linked, company="acmedental.com")

    def test_dba_counts(self) -> None:
        text = GOOD.replace("Acme Dental", "Smile Studio")
        report = check_text(
            "opt_in", text, Context(company="Acme Dental Group LLC", brand_names=("Smile Studio",))
        )
        assert "OI-BRAND" not in report.failing_rules()


class TestSmsExplicit:
    @pytest.mark.parametrize(
        "text",
        [
            GOOD.replace("appointment reminder texts", "appointment reminder communications"),
            GOOD.replace("appointment reminder texts", "updates about appointments"),
        ],
    )
    def test_communications_is_not_texts(self, text: str) -> None:
        assert "OI-SMS-EXPLICIT" in failing(text)

    def test_vague_phrase_is_located(self) -> None:
        text = "I agree to receive communications from Acme Dental."
        report = check_text("opt_in", text, Context(company="Acme Dental"))
        (finding,) = [f for f in report.findings if f.rule == "OI-SMS-EXPLICIT"]
        assert (
            finding.span is not None and "communications" in text[finding.span[0] : finding.span[1]]
        )

    @pytest.mark.parametrize(
        "phrase", ["SMS reminders", "text message reminders", "MMS reminders", "txt reminders"]
    )
    def test_sms_words(self, phrase: str) -> None:
        assert "OI-SMS-EXPLICIT" not in failing(GOOD.replace("appointment reminder texts", phrase))


class TestMessageType:
    def test_generic_messages_fail(self) -> None:
        text = GOOD.replace("appointment reminder texts", "text messages")
        assert "OI-MSG-TYPE" in failing(text)

    @pytest.mark.parametrize(
        "kind", ["text alerts", "important notifications", "SMS notifications", "updates"]
    )
    def test_alerts_that_say_nothing_of_their_subject_fail(self, kind: str) -> None:
        assert "OI-MSG-TYPE" in failing(GOOD.replace("appointment reminder texts", kind))

    def test_words_inside_a_link_name_no_message_type(self) -> None:
        text = GOOD.replace("appointment reminder texts", "texts").replace(
            "https://acmedental.com/terms", "https://acmedental.com/sales-deals/terms"
        )
        assert "OI-MSG-TYPE" in failing(text)

    def test_information_on_opting_out_is_no_message_type(self) -> None:
        text = GOOD.replace("appointment reminder texts", "text messages").replace(
            "HELP for help", "HELP for information on how to unsubscribe"
        )
        assert "OI-MSG-TYPE" in failing(text)

    @pytest.mark.parametrize(
        "kind",
        [
            "order updates",
            "delivery notifications",
            "one-time passcodes",
            "promotional offers",
            "customer care replies to your questions",
            "account alerts",
            "Home Automation System alerts",
            "daily pregnancy tips and guidance",
            "updates about social change actions and scholarships",
            "recurring automated text messages (the nightly Lord's Prayer)",
            "daily Bible verses",
        ],
    )
    def test_named_kinds_pass(self, kind: str) -> None:
        text = GOOD.replace("appointment reminder texts", f"{kind} by text")
        assert "OI-MSG-TYPE" not in failing(text)

    def test_marketing_must_be_named_for_marketing_use_case(self) -> None:
        text = GOOD + " Consent is not a condition of purchase."
        assert "OI-MSG-TYPE" in failing(text, use_case="MARKETING")
        marketing = text.replace(
            "appointment reminder texts", "appointment reminders and promotional texts"
        )
        assert "OI-MSG-TYPE" not in failing(marketing, use_case="MARKETING")

    def test_a_refused_use_of_data_is_not_a_message_type(self) -> None:
        text = GOOD.replace("appointment reminder texts", "text messages")
        refusal = (
            " This consent will not be shared with third parties or used for marketing purposes."
        )
        assert "OI-MSG-TYPE" in failing(text + refusal)
        assert "OI-MSG-TYPE" in failing(GOOD + refusal, use_case="MARKETING")
        # Marketing as the purpose of the texts still names the kind sent.
        affirmed = text.replace("text messages", "text messages for marketing purposes")
        assert "OI-MSG-TYPE" not in failing(affirmed)


class TestFrequency:
    @pytest.mark.parametrize(
        "phrase",
        [
            "Msg freq varies.",
            "Message frequency may vary.",
            "Up to 4 msgs/mo.",
            "2 messages per week.",
            "1 msg per request.",
            "You will receive one message per order.",
            "Weekly text deals.",
            "Usually 2-4 per week.",
        ],
    )
    def test_disclosures(self, phrase: str) -> None:
        assert "OI-FREQUENCY" not in failing(GOOD.replace("Msg frequency varies.", phrase))

    def test_recurring_alone_is_not_a_frequency(self) -> None:
        text = GOOD.replace("Msg frequency varies.", "Recurring messages.")
        assert "OI-FREQUENCY" in failing(text)


class TestRates:
    @pytest.mark.parametrize(
        "phrase",
        [
            "Msg&data rates may apply.",
            "Message and data rates may apply.",
            "Msg & Data Rates Apply.",
            "Standard message and data rates may apply.",
            "Standard text messaging rates may apply.",
            "Messages and data rates may apply.",
        ],
    )
    def test_variants(self, phrase: str) -> None:
        assert "OI-RATES" not in failing(GOOD.replace("Msg & data rates may apply.", phrase))

    def test_missing(self) -> None:
        assert "OI-RATES" in failing(GOOD.replace("Msg & data rates may apply.", "Free service."))


class TestStopAndHelp:
    @pytest.mark.parametrize(
        "phrase",
        [
            "Reply STOP to cancel.",
            "Txt STOP to end.",
            "Text STOP at any time to unsubscribe.",
            "Reply 'STOP' to opt out.",
            "Reply UNSUBSCRIBE to stop messages.",
            "STOP to opt out.",
        ],
    )
    def test_standard_opt_out(self, phrase: str) -> None:
        text = GOOD.replace(
            "Reply STOP to opt out, HELP for help.", phrase + " Reply HELP for help."
        )
        assert "OI-STOP" not in failing(text)

    def test_non_standard_keyword_is_located(self) -> None:
        text = GOOD.replace(
            "Reply STOP to opt out, HELP for help.", "Reply REMOVE to opt out. HELP for help."
        )
        report = check_text("opt_in", text, Context(company="Acme Dental"))
        (finding,) = [f for f in report.findings if f.rule == "OI-STOP"]
        assert finding.excerpt is not None and "REMOVE" in finding.excerpt

    def test_stop_word_in_prose_is_not_an_instruction(self) -> None:
        text = GOOD.replace(
            "Reply STOP to opt out, HELP for help.", "We never stop caring. HELP for help."
        )
        assert "OI-STOP" in failing(text)

    @pytest.mark.parametrize(
        "phrase",
        [
            "Reply HELP for help.",
            "For help, call 512-555-0100.",
            "Questions? Email support@acmedental.com.",
            "Text INFO for more information.",
        ],
    )
    def test_help_forms(self, phrase: str) -> None:
        text = GOOD.replace(
            "Reply STOP to opt out, HELP for help.", "Reply STOP to opt out. " + phrase
        )
        assert "OI-HELP" not in failing(text)

    def test_help_missing(self) -> None:
        text = GOOD.replace("Reply STOP to opt out, HELP for help.", "Reply STOP to opt out.")
        assert "OI-HELP" in failing(text)

    def test_passcodes_are_exempt(self) -> None:
        text = (
            "[ ] Send me one-time passcodes by text from Cedar Bank. One message per login. "
            "Msg & data rates may apply. Privacy: https://cedarbank.com/privacy Terms: "
            "https://cedarbank.com/terms"
        )
        assert failing(text, company="Cedar Bank", use_case="2FA") == set()
        assert {"OI-STOP", "OI-HELP"} <= failing(
            text, company="Cedar Bank", use_case="ACCOUNT_NOTIFICATION"
        )


class TestPolicyLinks:
    def test_markdown_links(self) -> None:
        links = "Privacy: https://acmedental.com/privacy Terms: https://acmedental.com/terms"
        text = GOOD.replace(
            links, "[Privacy Policy](privacy.html) · [Terms of Service](terms.html)"
        )
        assert "OI-POLICY-LINKS" not in failing(text)
        only = GOOD.replace(links, "[Privacy Policy](privacy.html)")
        assert "OI-POLICY-LINKS" in failing(only)

    def test_only_privacy_linked(self) -> None:
        text = GOOD.replace(" Terms: https://acmedental.com/terms", "")
        assert "OI-POLICY-LINKS" in failing(text)

    def test_named_with_place(self) -> None:
        text = GOOD.replace(
            "Privacy: https://acmedental.com/privacy Terms: https://acmedental.com/terms",
            "Our Privacy Policy and Terms of Service are posted on our website.",
        )
        assert "OI-POLICY-LINKS" not in failing(text)

    @pytest.mark.parametrize(
        "reference",
        [
            "See our Privacy Policy and Terms of Service.",
            "Please see Privacy Policy and Terms of Use.",
            "View our Terms and Privacy Policy.",
            "Learn more on our privacy policy page and Terms & Conditions.",
        ],
    )
    def test_see_reference(self, reference: str) -> None:
        # The reference a web form shows as links.
        text = GOOD.replace(
            "Privacy: https://acmedental.com/privacy Terms: https://acmedental.com/terms", reference
        )
        assert "OI-POLICY-LINKS" not in failing(text)

    def test_see_reference_names_only_one(self) -> None:
        text = GOOD.replace(
            "Privacy: https://acmedental.com/privacy Terms: https://acmedental.com/terms",
            "See our Privacy Policy. We follow our Terms of Service.",
        )
        assert "OI-POLICY-LINKS" in failing(text)

    def test_learn_more_about_is_no_place(self) -> None:
        # Near miss of "Learn more on our privacy policy page": says nothing of where.
        text = GOOD.replace(
            "Privacy: https://acmedental.com/privacy Terms: https://acmedental.com/terms",
            "We care about privacy. Our terms and privacy policy protect you.",
        )
        assert "OI-POLICY-LINKS" in failing(text)

    def test_named_without_place(self) -> None:
        text = GOOD.replace(
            "Privacy: https://acmedental.com/privacy Terms: https://acmedental.com/terms",
            "We follow our Privacy Policy and Terms of Service.",
        )
        assert "OI-POLICY-LINKS" in failing(text)

    def test_verbal_read_aloud(self) -> None:
        text = (
            "Agent says: You agree to receive appointment reminder texts from Acme Dental. Msg "
            "frequency varies. Msg and data rates may apply. Reply STOP to opt out or HELP for "
            "help. You can find our Privacy Policy and Terms at acmedental.com."
        )
        assert failing(text, opt_in_method="VERBAL") == set()


class TestOptional:
    def test_signing_the_contract_is_the_consent(self) -> None:
        flow = (
            "The customer must e-sign the estimate to accept the contract; that e-signature "
            "constitutes written consent to receive SMS from Acme Builders."
        )
        assert "OI-OPTIONAL" in failing(flow, kind="message_flow")
        # A signature on a consent form of its own is the express act, not a condition.
        own = (
            "Patients sign an SMS consent form at the front desk; the signature constitutes "
            "written consent to receive text messages from Acme Dental."
        )
        assert "OI-OPTIONAL" not in failing(own, kind="message_flow")

    @pytest.mark.parametrize(
        "phrase",
        [
            "You must agree to receive texts to continue.",
            "Consent to receive text messages is required.",
            "Text messages are required to use this service.",
            "Agreeing to SMS is a condition of purchase.",
            "The SMS consent checkbox is required.",
            "The checkbox is required - form cannot be submitted without consent.",
            "The sign-up form cannot be submitted without checking the box.",
            "Customers see a required SMS consent checkbox at checkout.",
            "Customers must check the box to proceed with payment.",
            "To help you, we need your consent to send SMS updates about your deliveries.",
            "Step 4: The user must check the SMS consent checkbox (required field).",
            "The form will not submit unless the checkbox is checked.",
            "Users must check an explicit, unchecked SMS consent checkbox before creating an "
            "account.",
        ],
    )
    def test_required(self, phrase: str) -> None:
        assert "OI-OPTIONAL" in failing(GOOD + " " + phrase)

    @pytest.mark.parametrize(
        "phrase",
        [
            "Consent is not a condition of purchase.",
            "You are not required to agree to receive texts as a condition of purchase.",
            "Consent to receive text messages is not required to book.",
            "The SMS consent checkbox is not required.",
            "The consent checkbox is not pre-checked.",
            "The form can be submitted without consent to texts.",
            "The required fields are name and e-mail; the SMS consent checkbox is optional.",
            "Customers must check the box to opt in.",
            # Consent needed for the texts themselves conditions nothing else.
            "I understand this opt-in is required for Acme Dental to send me texts.",
            "Consent is required to receive text messages; it is not a condition of purchase.",
            "We need your consent to send you text messages.",
        ],
    )
    def test_not_a_condition_is_fine(self, phrase: str) -> None:
        assert "OI-OPTIONAL" not in failing(GOOD + " " + phrase)

    def test_marketing_must_say_not_a_condition(self) -> None:
        text = GOOD.replace("appointment reminder texts", "promotional texts")
        assert "OI-OPTIONAL" in failing(text, use_case="MARKETING")
        assert "OI-OPTIONAL" not in failing(
            text + " Consent is not a condition of purchase.", use_case="MARKETING"
        )


class TestPrechecked:
    @pytest.mark.parametrize("marker", ["[x]", "[X]", "☑", "☒", "✓"])
    def test_markers(self, marker: str) -> None:
        text = GOOD.replace("[ ]", marker)
        report = check_text("opt_in", text, Context(company="Acme Dental"))
        (finding,) = [f for f in report.findings if f.rule == "OI-NOT-PRECHECKED"]
        assert finding.span is not None and text[finding.span[0] : finding.span[1]] == marker

    @pytest.mark.parametrize("marker", ["[ ]", "☐"])
    def test_unchecked(self, marker: str) -> None:
        assert "OI-NOT-PRECHECKED" not in failing(GOOD.replace("[ ]", marker))

    def test_a_box_checked_by_the_person_is_not_prechecked(self) -> None:
        text = GOOD + " The form will not submit unless the checkbox is checked."
        assert "OI-NOT-PRECHECKED" not in failing(text)
        assert "OI-NOT-PRECHECKED" in failing(GOOD + " The checkbox is checked by default.")

    def test_placeholder_count_is_not_a_box(self) -> None:
        assert "OI-NOT-PRECHECKED" not in failing(
            GOOD.replace("Msg frequency varies.", "Up to [X] msgs/month.")
        )

    def test_prose(self) -> None:
        flow = "Customers opt in at https://acme.com/sms; the SMS box is pre-checked. " + GOOD
        assert "OI-NOT-PRECHECKED" in failing(flow, kind="message_flow")
        assert "OI-NOT-PRECHECKED" not in failing(
            flow.replace("is pre-checked", "is never pre-checked"), kind="message_flow"
        )


class TestBundledChannels:
    @pytest.mark.parametrize(
        "consent",
        [
            "I agree to receive calls, texts and emails from Acme Dental",
            "I consent to be contacted by phone, text or email by Acme Dental",
            "I agree to receive appointment reminder texts and emails from Acme Dental",
            "I authorize Acme Dental to send me text messages and prerecorded calls",
            "I consent to receive automated SMS and voice messages from Acme Dental",
        ],
    )
    def test_bundled(self, consent: str) -> None:
        text = GOOD.replace(
            "I agree to receive appointment reminder texts from Acme Dental", consent
        )
        assert "OI-BUNDLED-CHANNELS" in failing(text)

    @pytest.mark.parametrize(
        "extra",
        [
            "For help, call us at 512-555-0100 or email support@acmedental.com.",
            "[ ] Email me the monthly newsletter.",
            "Calls and emails are a separate choice below.",
            "Patients may also agree to these texts verbally during a phone call with our staff.",
            "Booking confirmations go by email regardless of whether patients opt in to texts.",
            "If you opt in to text reminders, you'll still receive email reminders.",
        ],
    )
    def test_separate_or_help_contact(self, extra: str) -> None:
        assert "OI-BUNDLED-CHANNELS" not in failing(GOOD + " " + extra)

    def test_one_checkbox_described_for_both(self) -> None:
        # A flow describing one box for two channels: the box is the consent, no verb needed.
        text = "Include a checkbox to receive promotional emails and SMS from Acme Dental."
        assert "OI-BUNDLED-CHANNELS" in failing(text)

    @pytest.mark.parametrize(
        "text",
        [
            "Include a checkbox to receive promotional SMS from Acme Dental and a separate, "
            "unchecked checkbox for emails.",
            "Patients check a checkbox to receive SMS from Acme Dental. For help, email "
            "support@acmedental.com.",
            "Include a checkbox for promotional emails.",
        ],
    )
    def test_checkbox_for_one_channel(self, text: str) -> None:
        assert "OI-BUNDLED-CHANNELS" not in failing(text)


class TestBundledPurposes:
    def test_one_box_for_reminders_and_promotions_on_booking_form(self) -> None:
        text = "Schedule an appointment online. " + GOOD.replace(
            "appointment reminder texts", "appointment reminders and promotional offers by text"
        )
        assert "OI-BUNDLED-PURPOSES" in failing(text)

    def test_separate_boxes_pass(self) -> None:
        text = (
            "Schedule an appointment online. "
            + GOOD
            + (" [ ] I also agree to receive promotional offers by text from Acme Dental.")
        )
        assert "OI-BUNDLED-PURPOSES" not in failing(text)

    @pytest.mark.parametrize(
        "form", ["Consultation request form.", "Mortgage application.", "Contact form."]
    )
    def test_notifications_and_marketing_in_one_box_on_another_form(self, form: str) -> None:
        text = f"{form} " + GOOD.replace(
            "appointment reminder texts", "SMS notifications and marketing texts"
        )
        assert "OI-BUNDLED-PURPOSES" in failing(text)
        # The same box with notifications only, or on a dedicated sign-up, is fine.
        only = f"{form} " + GOOD.replace("appointment reminder texts", "SMS notifications")
        assert "OI-BUNDLED-PURPOSES" not in failing(only)
        dedicated = GOOD.replace(
            "appointment reminder texts", "SMS notifications and marketing texts"
        )
        assert "OI-BUNDLED-PURPOSES" not in failing(dedicated)

    def test_inquiry_updates_and_marketing_in_one_consent(self) -> None:
        text = GOOD.replace(
            "appointment reminder texts", "texts with updates on your inquiry and promotions"
        )
        assert "OI-BUNDLED-PURPOSES" in failing(text)
        only = GOOD.replace("appointment reminder texts", "texts with updates on your inquiry")
        assert "OI-BUNDLED-PURPOSES" not in failing(only)

    def test_dedicated_signup_may_mix(self) -> None:
        text = GOOD.replace(
            "appointment reminder texts", "appointment reminders and promotional offers by text"
        )
        assert "OI-BUNDLED-PURPOSES" not in failing(text)


class TestBuriedInTerms:
    @pytest.mark.parametrize(
        "consent",
        [
            "I agree to the Terms of Service and Privacy Policy and to receive appointment "
            "reminder texts from Acme Dental",
            "By accepting our Terms and Conditions, you agree to receive appointment reminder "
            "texts from Acme Dental",
            "I have read and agree to the Terms, including receiving appointment reminder texts "
            "from Acme Dental",
            # No article before the documents: still an acceptance of them.
            "I agree to terms, privacy policy, and appointment reminder texts from Acme Dental",
        ],
    )
    def test_merged(self, consent: str) -> None:
        text = GOOD.replace(
            "I agree to receive appointment reminder texts from Acme Dental", consent
        )
        assert "OI-BURIED-IN-TERMS" in failing(text)

    @pytest.mark.parametrize(
        "text",
        [
            GOOD + " [ ] I agree to the Terms of Service.",
            GOOD.replace("Terms: https", "By opting in you agree to our SMS Terms: https"),
            "Customers check a box to accept the Terms of Service and a separate, unchecked box to "
            "receive appointment reminder texts from Acme Dental.",
        ],
    )
    def test_separate(self, text: str) -> None:
        assert "OI-BURIED-IN-TERMS" not in failing(text)

    def test_terms_as_the_only_agreement(self) -> None:
        assert "OI-BURIED-IN-TERMS" in failing("By clicking submit, you agree to our Terms.")

    @pytest.mark.parametrize(
        "text",
        [
            # The agreement to the terms stands beside a consent to texts: judged as merged or
            # separate above, not as the only agreement.
            GOOD + " [ ] I agree to the Terms of Service.",
            "By clicking submit, you do not agree to any terms.",
        ],
    )
    def test_terms_beside_text_consent_or_refused(self, text: str) -> None:
        report = check_text("opt_in", text, Context(company="Acme Dental"))
        assert not any(
            f.rule == "OI-BURIED-IN-TERMS" and "only agreement" in f.message
            for f in report.findings
        )

    TAIL = (
        " Msg frequency varies. Msg & data rates may apply. Reply STOP to opt out, HELP for help."
    )

    def test_one_click_accepts_the_terms_and_gives_consent(self) -> None:
        text = (
            "By clicking Submit, you agree to our Terms of Use and Privacy Policy. You consent to "
            "receive appointment reminder texts from Acme Dental." + self.TAIL
        )
        assert "OI-BURIED-IN-TERMS" in failing(text)
        # With its own box for texts, the click only accepts the terms.
        boxed = text.replace("You consent to", "[ ] I consent to")
        assert "OI-BURIED-IN-TERMS" not in failing(boxed)
        # A button that accepts nothing but the terms, then a separate consent act.
        checked = text.replace("You consent to", "By checking this box, you consent to")
        assert "OI-BURIED-IN-TERMS" not in failing(checked)

    @pytest.mark.parametrize(
        "flow",
        [
            "Customers opt in to receive SMS by accepting and signing a construction estimate "
            "from Acme Builders.",
            "The SMS consent clause appears within the Terms & Conditions block above the "
            "signature line.",
            "By signing the service agreement, you agree to receive text messages from Acme "
            "Builders.",
        ],
    )
    def test_consent_inside_a_contract(self, flow: str) -> None:
        assert "OI-BURIED-IN-TERMS" in failing(flow + self.TAIL, kind="message_flow")

    @pytest.mark.parametrize(
        "flow",
        [
            "After signing the estimate, customers may check a separate, optional box to receive "
            "text messages from Acme Builders.",
            "The SMS consent checkbox appears below the estimate, apart from the signature line.",
            "We will never hide the consent clause in our Terms.",
        ],
    )
    def test_consent_apart_from_a_contract(self, flow: str) -> None:
        assert "OI-BURIED-IN-TERMS" not in failing(flow + self.TAIL, kind="message_flow")


class TestThirdParty:
    @pytest.mark.parametrize(
        "who",
        [
            "Acme Dental and its affiliates",
            "Acme Dental and our marketing partners",
            "Acme Dental and third parties",
            "Acme Dental and lenders in our network",
            "Acme Dental and its agents",
        ],
    )
    def test_others(self, who: str) -> None:
        assert "OI-THIRD-PARTY" in failing(GOOD.replace("from Acme Dental", f"from {who}"))

    @pytest.mark.parametrize(
        "label", ["Colleges may text me", "Participating dealers may contact me by SMS"]
    )
    def test_other_senders_who_may_text(self, label: str) -> None:
        assert "OI-THIRD-PARTY" in failing(f"[ ] {label}. " + GOOD.replace("[ ] ", ""))

    def test_the_sellers_of_a_marketplace(self) -> None:
        text = GOOD.replace(
            "from Acme Dental", "from Acme Dental, from the vehicle's seller and the seller's agent"
        )
        assert "OI-THIRD-PARTY" in failing(text)

    def test_the_sender_itself_may_text(self) -> None:
        text = "[ ] Acme Dental may text me. " + GOOD.replace("[ ] ", "")
        assert "OI-THIRD-PARTY" not in failing(text)

    @pytest.mark.parametrize(
        "extra",
        [
            "We will not share your mobile number with third parties or affiliates for marketing "
            "purposes.",
            "Mobile opt-in data is never shared with any third parties.",
            "No mobile information will be shared with third parties/affiliates for marketing.",
        ],
    )
    def test_negated_sharing_is_fine(self, extra: str) -> None:
        assert "OI-THIRD-PARTY" not in failing(GOOD + " " + extra)


class TestImplied:
    @pytest.mark.parametrize(
        "lead",
        [
            "By providing your phone number, you agree to receive",
            "By entering your mobile number you consent to receive",
            "By submitting this form, you agree to receive",
            "By visiting this website you agree to receive",
            "By entering your phone number and clicking Submit, you agree to receive",
            "By tapping Continue, you agree to receive",
            "By providing this number, the customer agrees to receive",
        ],
    )
    def test_implied(self, lead: str) -> None:
        text = GOOD.replace("[ ] I agree to receive", lead)
        assert "OI-IMPLIED" in failing(text)

    def test_entering_a_number_for_a_passcode_is_the_request(self) -> None:
        text = (
            "By entering your phone number, you agree to receive one-time verification codes "
            "from Acme Dental via SMS. Message frequency varies. Message and data rates may "
            "apply. Privacy: https://acmedental.com/privacy Terms: https://acmedental.com/terms"
        )
        assert "OI-IMPLIED" not in failing(text, use_case="2FA")
        assert "OI-IMPLIED" in failing(text, use_case="MARKETING")
        by_site = "By using this site, you agree to receive verification codes by text."
        assert "OI-IMPLIED" in failing(by_site, use_case="2FA")

    @pytest.mark.parametrize(
        "claim",
        [
            "Texting our number gives implied consent to receive further text messages.",
            "Opt-in is implied when a caller contacts your business number.",
            "Sending us a text is considered sufficient to opt you into our SMS program.",
            "Replying to any message is treated as consent to receive texts.",
        ],
    )
    def test_consent_said_to_be_implied(self, claim: str) -> None:
        flow = claim + " " + GOOD.replace("[ ] ", "")
        assert "OI-IMPLIED" in failing(flow, kind="message_flow")

    @pytest.mark.parametrize(
        "claim",
        [
            "We never rely on implied consent: every subscriber checks the box below.",
            "Implied consent is not accepted; customers check an unchecked box.",
            "Our terms are considered part of this agreement.",
        ],
    )
    def test_refusing_implied_consent_is_fine(self, claim: str) -> None:
        assert "OI-IMPLIED" not in failing(claim + " " + GOOD)

    def test_an_express_act_elsewhere_in_a_flow_does_not_cover_this_one(self) -> None:
        flow = (
            "Patients can give consent when they manually provide their mobile phone number. "
            "Patients who opted out can opt back in by texting START to the office. "
            + GOOD.replace("[ ] ", "")
        )
        assert "OI-IMPLIED" in failing(flow, kind="message_flow")

    @pytest.mark.parametrize(
        "claim",
        [
            "Consumers provide consent through professional directories and business listings.",
            "Customers consent to these texts by being the account holder.",
        ],
    )
    def test_listings_and_accounts_are_not_consent(self, claim: str) -> None:
        flow = claim + " " + GOOD.replace("[ ] ", "")
        assert "OI-IMPLIED" in failing(flow, kind="message_flow")

    def test_by_continuing(self) -> None:
        text = GOOD.replace("[ ] I agree to receive", "By continuing, you agree to receive")
        assert "OI-IMPLIED" in failing(text)

    def test_providing_a_number_in_a_described_flow(self) -> None:
        flow = (
            "When customers submit service request forms on our website and provide their phone "
            "number, they consent to receive appointment text messages from Acme Dental."
        )
        assert "OI-IMPLIED" in failing(flow, kind="message_flow")
        boxed = flow.replace(
            "provide their phone number, they consent",
            "provide their phone number, they may check an unchecked box to consent",
        )
        assert "OI-IMPLIED" not in failing(boxed, kind="message_flow")

    def test_relationship(self) -> None:
        flow = (
            "Existing customers are automatically enrolled in appointment reminder texts from "
            "Acme Dental. " + GOOD.replace("[ ] ", "")
        )
        assert "OI-IMPLIED" in failing(flow, kind="message_flow")

    def test_signing_up_for_texts_with_a_form_is_affirmative(self) -> None:
        lead = "By submitting this form and signing up for texts, you consent to receive"
        assert "OI-IMPLIED" not in failing(GOOD.replace("[ ] I agree to receive", lead))
        plain = "By submitting this form, you consent to receive"
        assert "OI-IMPLIED" in failing(GOOD.replace("[ ] I agree to receive", plain))

    @pytest.mark.parametrize(
        "lead",
        [
            "By checking this box, you agree to receive",
            "By providing your phone number and checking this box, you agree to receive",
            "Text JOIN to 55123 to receive",
            "By entering your phone number and clicking \u201cSubscribe,\u201d you agree to "
            "receive",
            "By tapping \u201cSend code\u201d, you agree to receive",
            'By pressing "Sign me up for texts", you agree to receive',
        ],
    )
    def test_affirmative(self, lead: str) -> None:
        text = GOOD.replace("[ ] I agree to receive", lead)
        assert "OI-IMPLIED" not in failing(text)

    @pytest.mark.parametrize(
        "lead",
        [
            'By providing a telephone number and checking "Opt-in to Text Messages", I consent '
            "to receive",
            "By entering your number and ticking \u201cText me reminders\u201d, you agree to "
            "receive",
        ],
    )
    def test_checking_a_quoted_box_label_is_affirmative(self, lead: str) -> None:
        text = GOOD.replace("[ ] I agree to receive", lead)
        assert "OI-IMPLIED" not in failing(text)

    def test_a_quoted_button_is_not_a_box(self) -> None:
        lead = 'By providing your phone number and clicking "Submit", you agree to receive'
        assert "OI-IMPLIED" in failing(GOOD.replace("[ ] I agree to receive", lead))

    @pytest.mark.parametrize(
        "sentence",
        [
            "If you do not opt out within 24 hours, you will be deemed to have consented to "
            "receive appointment reminder texts from Acme Dental.",
            "Consent to future texts from Acme Dental is deemed if you do not reply STOP.",
        ],
    )
    def test_deemed_consent(self, sentence: str) -> None:
        assert "OI-IMPLIED" in failing(sentence + " " + GOOD.replace("[ ] ", ""))

    def test_deemed_in_another_sense_is_fine(self) -> None:
        text = GOOD + " Messages are deemed delivered when the carrier accepts them."
        assert "OI-IMPLIED" not in failing(text)

    def test_form_checkbox_is_the_express_act(self) -> None:
        text = GOOD.replace(
            "[ ] I agree to receive", "By providing your number, you agree to receive"
        )
        form = '<form><input type="checkbox" name="sms"> Text me</form>'
        report = check_text("opt_in", text, Context(company="Acme Dental", form_html=form))
        assert "OI-IMPLIED" not in report.failing_rules()


class TestAboutYourRequest:
    """Messages "about your inquiry" or "about your account" name what the texts are about."""

    @pytest.mark.parametrize(
        "what",
        [
            "text messages from Acme Dental about your inquiry",
            "monthly text alerts about your Acme Dental account activity",
            "texts regarding your appointment",
        ],
    )
    def test_named(self, what: str) -> None:
        text = GOOD.replace("appointment reminder texts from Acme Dental", what)
        assert "OI-MSG-TYPE" not in failing(text)

    @pytest.mark.parametrize(
        "what",
        ["text messages from Acme Dental", "texts from Acme Dental about us"],
    )
    def test_not_named(self, what: str) -> None:
        text = GOOD.replace("appointment reminder texts from Acme Dental", what)
        assert "OI-MSG-TYPE" in failing(text)


class TestImpliedByOrdering:
    @pytest.mark.parametrize(
        "lead",
        [
            "By calling our office and placing an order, you consent to receive",
            "By placing an order, you agree to receive",
        ],
    )
    def test_order_is_not_consent(self, lead: str) -> None:
        text = GOOD.replace("[ ] I agree to receive", lead)
        assert "OI-IMPLIED" in failing(text)

    def test_opt_in_is_the_order(self) -> None:
        flow = (
            "We do not require you to opt in separately. The opt-in is the order itself. "
            + GOOD.replace("[ ] ", "")
        )
        assert "OI-IMPLIED" in failing(flow, kind="message_flow")

    @pytest.mark.parametrize(
        "lead",
        [
            "By placing an order and checking this box, you agree to receive",
            "By calling our office you can ask us questions. [ ] I agree to receive",
        ],
    )
    def test_express_act_beside_the_order(self, lead: str) -> None:
        text = GOOD.replace("[ ] I agree to receive", lead)
        assert "OI-IMPLIED" not in failing(text)


# --- Checkbox labels drawn in text -------------------------------------------------------------
SMS_BOX = (
    "\u2610 I agree to receive appointment reminder texts from Acme Dental. Msg frequency varies. "
    "Msg & data rates may apply. Reply STOP to opt out, HELP for help."
)


def test_a_separate_terms_checkbox_points_to_the_linked_documents() -> None:
    text = SMS_BOX + "\n\u2610 I agree to the Terms of Service and Privacy Policy."
    assert failing(text) == set()


def test_accepting_the_terms_inside_the_sms_checkbox_buries_the_consent() -> None:
    text = SMS_BOX + " I have read and accept the Privacy Policy & Terms."
    assert "OI-BURIED-IN-TERMS" in failing(text)


def test_a_description_that_users_agree_to_the_terms_says_nothing_of_where() -> None:
    text = (
        "Users check a separate, unchecked box agreeing to receive appointment reminder texts "
        "from Acme Dental. Msg frequency varies. Msg & data rates may apply. Reply STOP to opt "
        "out, HELP for help. Users also agree to our Terms of Service and Privacy Policy."
    )
    assert "OI-POLICY-LINKS" in failing(text, kind="message_flow")


def test_a_frequency_per_business_day_is_a_frequency() -> None:
    per_day = "Standard frequency: 1-5 messages per business day."
    text = SMS_BOX.replace("Msg frequency varies.", per_day)
    assert "OI-FREQUENCY" not in failing(text)


def test_a_required_marker_on_the_consent_label_makes_consent_mandatory() -> None:
    label = "* Required: " + SMS_BOX.removeprefix("\u2610 ")
    assert "OI-OPTIONAL" in failing(label)
    assert "OI-OPTIONAL" not in failing("* Optional: " + SMS_BOX.removeprefix("\u2610 "))


def test_texts_listed_with_calls_in_a_consent_text_bundle_the_channels() -> None:
    consent = (
        "I agree to let Acme Dental send me appointment reminders. Msg frequency varies. Msg & "
        "data rates may apply. Reply STOP to opt out, HELP for help. "
    )
    listed = "Acme Dental will send text messages, phone calls, or pre-recorded voice messages."
    assert "OI-BUNDLED-CHANNELS" in failing(consent + listed)
    contact = "For help, call us at 512-555-0100 or e-mail help@acmedental.com."
    assert "OI-BUNDLED-CHANNELS" not in failing(consent + contact)
    no_calls = "Acme Dental will never send phone calls, e-mails, or text messages to others."
    assert "OI-BUNDLED-CHANNELS" not in failing(consent + no_calls)
