"""Rules PP-* and DOC-EMBEDDED-CONSENT on privacy policies.

The examples follow public carrier and provider guidance: Twilio's rejection codes 30848/30932
("privacy policy mentions sharing opt-in data"), Telnyx's and Zoho's 10DLC privacy-policy best
practices, and the widely published SMS clauses ("No mobile information will be shared with third
parties/affiliates for marketing/promotional purposes…", "All the above categories exclude text
messaging originator opt-in data and consent…").
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from consentry.compliance import Context, check_text
from consentry.compliance.text import Text

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "consentry" / "examples" / "northside"

CTX = Context(company="Acme Dental LLC")
MINE = {"PP-BRAND", "PP-NON-SHARING-STATEMENT", "PP-SHARING-LANGUAGE", "DOC-EMBEDDED-CONSENT"}

NON_SHARING = (
    "No mobile information will be shared with third parties/affiliates for marketing/promotional "
    "purposes."
)
CARVE_OUT = (
    "All the above categories exclude text messaging originator opt-in data and consent; this "
    "information will not be shared with any third parties."
)


def failing(text: str, ctx: Context = CTX) -> set[str]:
    """The rules of this family that fail on a privacy policy text."""
    return check_text("privacy_policy", text, ctx).failing_rules() & MINE


def policy(*body: str) -> str:
    """A short policy that names Acme Dental, with the given paragraphs."""
    return "\n\n".join(("Acme Dental Privacy Policy", *body))


# --- the bundled example ------------------------------------------------------------------


def test_example_privacy_policy_passes_every_rule() -> None:
    text = (EXAMPLE / "privacy.md").read_text()
    report = check_text("privacy_policy", text, Context(company="Northside Physical Therapy LLC"))
    assert report.rules() & MINE == set()


# --- a corpus of realistic policy excerpts --------------------------------------------------

TWILIO_STYLE = """\
# Privacy Policy of Acme Dental

Acme Dental LLC ("we", "us") operates acmedental.com. This page informs you of our policies
regarding the collection, use and disclosure of personal information.

## Information Sharing
We may share personal information with vendors and service providers who perform services on
our behalf, such as appointment scheduling and payment processing. We may also disclose
information if required to do so by law or in response to a subpoena or court order.

## SMS Messaging
No mobile information will be shared with third parties/affiliates for marketing/promotional
purposes. All the above categories exclude text messaging originator opt-in data and consent;
this information will not be shared with any third parties.
"""

GENERIC_TEMPLATE = """\
Acme Dental Privacy Policy

How we share your information
We may share your personal information with our marketing partners and other third parties so
that they can send you offers that may interest you. We do not sell your personal information.
"""

GENERIC_WITH_CARVE_OUT = GENERIC_TEMPLATE + f"\n{NON_SHARING} {CARVE_OUT}\n"

SELL_ONLY = """\
Acme Dental respects your privacy. We do not sell your personal information to anyone.
We use your information only to provide dental care and to contact you about your visits.
"""

MOBILE_TO_LEAD_BUYERS = policy(
    "We may sell your mobile number and SMS opt-in data to lead buyers and marketing partners.",
    f"{NON_SHARING} {CARVE_OUT}",
)

SERVICE_PROVIDERS_AND_LAW = policy(
    "We share contact information with third-party service providers that help us deliver "
    "appointment reminders, and with law enforcement when required by law.",
    "We will not share your mobile number or SMS opt-in data with any third party.",
)

WITH_YOUR_CONSENT = policy(
    "We may share your personal information with our partners with your consent.",
    NON_SHARING,
)

EMBEDDED = policy(
    "By providing your phone number, you agree to receive text messages from Acme Dental.",
    NON_SHARING,
)

BUNDLED = policy(
    "By using our services you consent to receive SMS, calls and emails from us and our team.",
    NON_SHARING,
)

AFFILIATES_MARKETING = policy(
    "We may share the information we collect with our affiliates and subsidiaries for their own "
    "marketing purposes.",
    NON_SHARING,
)

WRAPPED_NEVER_SOLD = """\
Acme Dental (the "Practice") collects your mobile number when you sign up for text reminders on
our website. Mobile opt-in data that we collect through our website is never sold, rented or
shared with third parties or affiliates.
"""

NEVER_SHARE_SHORT = policy("We never share your mobile number with anyone.")

MAY_SHARE_MOBILE = policy(
    "We may share your mobile number with our partners so they can send you offers.",
)

AGGREGATE_AND_MERGER = policy(
    "We may share aggregated, de-identified information with advertisers and researchers.",
    "If Acme Dental is involved in a merger, acquisition, or sale of assets, your information may "
    "be transferred to the acquiring third party.",
    "SMS opt-in data and consent will not be shared, sold, rented, or otherwise transferred to any "
    "third party or affiliate for marketing or promotional purposes.",
)

SELL_MOBILE_ONLY = policy("We do not sell or rent your mobile number to third parties.")

NEGATION_THEN_BUT = policy(
    "We do not sell personal information, but we may share your phone number with marketing "
    "partners.",
    NON_SHARING,
)

INLINE_CARVE_OUT = policy(
    "We may share personal information with our business partners, except SMS opt-in data, which "
    "is never shared with anyone.",
)

AGENT_STYLE = policy(
    "SMS opt-in information, including your phone number and your consent to receive text "
    "messages, is never shared, sold, or rented to any third party for marketing purposes, "
    "regardless of any other consent you may have given.",
    "Information sharing with subprocessors is limited to what is required to deliver SMS messages "
    "on our behalf, such as our messaging carrier.",
)

TERMLY_STYLE = """\
PRIVACY NOTICE

This privacy notice for Acme Dental LLC ("we," "us," or "our") describes how and why we might
collect, store, use, and/or share ("process") your information when you use our services.

4. WHEN AND WITH WHOM DO WE SHARE YOUR PERSONAL INFORMATION?
We may need to share your personal information in the following situations:
- Business Transfers. We may share or transfer your information in connection with, or during
negotiations of, any merger, sale of company assets, financing, or acquisition of all or a
portion of our business to another company.
- Affiliates. We may share your information with our affiliates, in which case we will require
those affiliates to honor this privacy notice.
- Business Partners. We may share your information with our business partners to offer you
certain products, services, or promotions.
"""

TERMLY_FIXED = (
    TERMLY_STYLE
    + f"""
5. SMS MESSAGING
We will not share your opt-in to an SMS campaign with any third party for purposes unrelated to
providing you with the services of that campaign. {CARVE_OUT}
"""
)

CORPUS = [
    pytest.param(
        TERMLY_STYLE,
        {"PP-NON-SHARING-STATEMENT", "PP-SHARING-LANGUAGE"},
        id="generator-template-affiliates-partners",
    ),
    pytest.param(TERMLY_FIXED, set(), id="generator-template-with-sms-section"),
    pytest.param(TWILIO_STYLE, set(), id="twilio-style-compliant"),
    pytest.param(
        GENERIC_TEMPLATE,
        {"PP-NON-SHARING-STATEMENT", "PP-SHARING-LANGUAGE"},
        id="generic-template-marketing-partners",
    ),
    pytest.param(GENERIC_WITH_CARVE_OUT, set(), id="marketing-partners-with-carve-out"),
    pytest.param(SELL_ONLY, {"PP-NON-SHARING-STATEMENT"}, id="we-do-not-sell-only"),
    pytest.param(MOBILE_TO_LEAD_BUYERS, {"PP-SHARING-LANGUAGE"}, id="sells-mobile-numbers"),
    pytest.param(SERVICE_PROVIDERS_AND_LAW, set(), id="service-providers-and-law"),
    pytest.param(WITH_YOUR_CONSENT, {"PP-SHARING-LANGUAGE"}, id="partners-with-your-consent"),
    pytest.param(EMBEDDED, {"DOC-EMBEDDED-CONSENT"}, id="embedded-consent"),
    pytest.param(BUNDLED, {"DOC-EMBEDDED-CONSENT"}, id="bundled-channels"),
    pytest.param(AFFILIATES_MARKETING, {"PP-SHARING-LANGUAGE"}, id="affiliates-marketing"),
    pytest.param(WRAPPED_NEVER_SOLD, set(), id="wrapped-never-sold-rented-shared"),
    pytest.param(NEVER_SHARE_SHORT, set(), id="never-share-mobile"),
    pytest.param(
        MAY_SHARE_MOBILE,
        {"PP-NON-SHARING-STATEMENT", "PP-SHARING-LANGUAGE"},
        id="may-share-mobile",
    ),
    pytest.param(AGGREGATE_AND_MERGER, set(), id="aggregate-data-and-merger"),
    pytest.param(SELL_MOBILE_ONLY, {"PP-NON-SHARING-STATEMENT"}, id="sell-or-rent-only"),
    pytest.param(NEGATION_THEN_BUT, {"PP-SHARING-LANGUAGE"}, id="not-sell-but-share"),
    pytest.param(INLINE_CARVE_OUT, set(), id="inline-carve-out"),
    pytest.param(AGENT_STYLE, set(), id="sms-opt-in-information-never-shared"),
]


@pytest.mark.parametrize(("text", "expected"), CORPUS)
def test_policy_corpus(text: str, expected: set[str]) -> None:
    assert failing(text) == expected


# --- PP-BRAND -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Acme Dental respects your privacy.",
        'ACME DENTAL, LLC ("we") respects your privacy.',
        "This is Acme Dental's privacy policy.",
        "Acme   Dental\nrespects your privacy.",
    ],
)
def test_brand_named_passes(text: str) -> None:
    assert "PP-BRAND" not in failing(text)


@pytest.mark.parametrize(
    "text",
    [
        "We respect your privacy. Our company never shares your mobile number.",
        "Acme Plumbing respects your privacy.",
        "AcmeDentalGroup respects your privacy.",
    ],
)
def test_brand_missing_fails(text: str) -> None:
    assert "PP-BRAND" in failing(text)


def test_brand_via_dba_passes() -> None:
    ctx = Context(company="Acme Holdings Inc", brand_names=("Bright Smile Dental",))
    assert "PP-BRAND" not in failing("Bright Smile Dental respects your privacy.", ctx)


def test_brand_without_context_is_context_missing() -> None:
    report = check_text("privacy_policy", "We respect your privacy.", Context())
    assert "PP-BRAND" not in report.rules()
    assert "CONTEXT-MISSING" in report.rules()


# --- PP-NON-SHARING-STATEMENT ------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "No mobile information will be shared with third parties/affiliates for "
        "marketing/promotional purposes.",
        "No mobile information will be shared with third parties or affiliates for marketing or "
        "promotional purposes.",
        "We will not share your mobile number or SMS opt-in data with any third party.",
        "Text messaging originator opt-in data and consent will not be shared with any third "
        "parties.",
        "Text messaging originator opt-in data and consent will not be shared with any third "
        "parties, except for aggregators and providers of the Text Message services.",
        "Mobile opt-in data collected on our website is never sold, rented or shared.",
        "We never share your mobile number.",
        "Opt-in data and consent will not be shared with third parties.",
        "We will not share your opt-in to an SMS campaign with any third party for purposes "
        "unrelated to providing you with the services of that campaign.",
        "SMS-collected information is not shared with third parties or associates.",
        "Under no circumstances will we share your cell phone number with third parties.",
        "We don't share phone numbers collected for SMS with third parties for marketing purposes.",
        "Your mobile information will not be sold or shared with anyone.",
        "Information collected through our SMS program will not be disclosed to third parties.",
        "We do not share your personal information, including your phone number, with third "
        "parties for marketing.",
        "We don't share mobile contact information with third parties or affiliates for "
        "marketing or promotional purposes.",
        "Cell phone contact details are not shared with third parties.",
    ],
)
def test_non_sharing_statement_variants_pass(statement: str) -> None:
    assert "PP-NON-SHARING-STATEMENT" not in failing(policy(statement))


@pytest.mark.parametrize(
    "statement",
    [
        "We don't sell your data.",
        "We do not sell personal information.",
        "We do not sell or share your personal information with third parties.",
        "Your privacy matters to us and we protect your data.",
        "We may share your mobile number with our partners.",
        "We do not sell your mobile number.",
        "We never rent or sell phone numbers.",
        "We do not share your email address with third parties. We may text your mobile number.",
        "We do not sell personal information, but we share your mobile number with partners.",
        "We do not sell mobile contact information.",
        "We do not share contact information with third parties.",
    ],
)
def test_non_sharing_statement_missing_fails(statement: str) -> None:
    assert "PP-NON-SHARING-STATEMENT" in failing(policy(statement))


@pytest.mark.parametrize(
    "statement",
    [
        "We will not sell or share your email address, telephone number or name with any "
        "telemarketer or marketing agency.",
        "Your mobile number will never be shared with telemarketers.",
    ],
)
def test_refusing_only_narrow_recipients_is_not_a_non_sharing_statement(statement: str) -> None:
    assert "PP-NON-SHARING-STATEMENT" in failing(policy(statement))


@pytest.mark.parametrize(
    "statement",
    [
        "We will not share your mobile number with telemarketers or any other third parties.",
        "Your telephone number will not be shared with marketing agencies or anyone else.",
    ],
)
def test_narrow_recipients_beside_broad_ones_still_count(statement: str) -> None:
    assert "PP-NON-SHARING-STATEMENT" not in failing(policy(statement))


def test_non_sharing_reads_across_a_hard_line_wrap() -> None:
    text = policy(
        "All the above categories exclude text messaging originator opt-in data and consent; this\n"
        "information will not be shared with any third parties."
    )
    assert "PP-NON-SHARING-STATEMENT" not in failing(text)


def test_non_sharing_statement_is_not_an_unrelated_negation() -> None:
    # The negated verb is about email; the mobile number sits in another clause that shares it.
    text = policy(
        "We do not share your email address; we send your mobile number to partners for offers."
    )
    assert "PP-NON-SHARING-STATEMENT" in failing(text)


# --- PP-SHARING-LANGUAGE -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "We may share your personal information with third parties.",
        "We may sell or rent your contact information to other companies.",
        "Your phone number may be disclosed to our marketing partners.",
        "We may transfer personal data to our affiliates for promotional purposes.",
        "We may share your information with trusted partners who may contact you with offers.",
        "Information we collect may be provided to advertisers and sponsors.",
        "We may share your data with lead buyers.",
        "We share customer lists with other businesses for their own marketing purposes.",
        "We may disclose your information to third parties with your consent.",
        "Your email address and phone number may be shared with our affiliates.",
        "We may share your personal information with service providers and marketing partners.",
        # A refusal whose exception lets data go to partners or affiliates after all.
        "We will not sell, rent, trade or otherwise transfer any personal information to any "
        "third party other than our trusted partners.",
        "We do not share your phone number with third parties, except with our marketing partners.",
        "We may disclose your information to a company controlled by, or under common control "
        "with, Acme Dental for any purpose permitted by this policy.",
        # A list item takes its verb from the sentence that introduces the list.
        "We may share your personal information with:\n- Service providers who host our site\n"
        "- Marketing partners who may send you offers",
        "Acme Dental may disclose information about you in these cases:\n1. To comply with law\n"
        "2. To our affiliates for their own purposes",
    ],
)
def test_sharing_language_fails(sentence: str) -> None:
    text = policy(sentence, NON_SHARING)
    assert "PP-SHARING-LANGUAGE" in failing(text)


@pytest.mark.parametrize(
    "sentence",
    [
        "We do not share your personal information with third parties.",
        "We will never sell, rent or share your phone number with third parties or affiliates.",
        "We share information with third-party service providers who help us send reminders.",
        "We may share your information with vendors that process payments on our behalf.",
        "We may share information with third parties that perform services on our behalf.",
        "We may disclose personal information to third parties if required by law or to respond to "
        "a subpoena.",
        "We may share aggregated or anonymized data with partners.",
        "You may share your referral link with third parties.",
        "You can choose to share your information with third parties through social media.",
        "Our affiliates do not receive your information.",
        "We share your phone number with our SMS provider and carriers to deliver messages.",
        "We may share your information with our service providers, but never with third parties "
        "for marketing.",
        # Near misses of a refusal with an exception: the exception names no partner.
        "We do not share your phone number with third parties except our service providers who "
        "help us send messages.",
        "We will not share your information with any third parties other than as required by law.",
        "We do not share your personal information with:\n- Marketing partners\n- Advertisers",
        "We may share your personal information with:\n- Service providers who host our site\n"
        "- Law enforcement when required by law",
        # A list after a sentence that does not end in a colon is not that sentence's list.
        "We may share your information with our hosting provider.\n- Affiliates are listed on "
        "our website",
    ],
)
def test_not_sharing_language_passes(sentence: str) -> None:
    text = policy(sentence, NON_SHARING)
    assert "PP-SHARING-LANGUAGE" not in failing(text)


@pytest.mark.parametrize(
    "carve_out",
    [
        CARVE_OUT,
        "The above excludes text messaging originator opt-in data and consent; this information "
        "will not be shared with any third parties.",
        "This sharing does not apply to SMS opt-in data, which is never shared.",
        "All of the above excludes SMS consent and mobile opt-in data.",
        "Text messaging opt-in data and consent will not be shared with any third parties, "
        "except service providers that assist us in delivering messages.",
    ],
)
def test_carve_out_excuses_generic_sharing(carve_out: str) -> None:
    text = policy(
        "We may share your personal information with our marketing partners.",
        NON_SHARING,
        carve_out,
    )
    assert "PP-SHARING-LANGUAGE" not in failing(text)


def test_no_carve_out_excuses_handing_numbers_to_marketers() -> None:
    text = policy(
        "We may share personal information, including phone numbers, with our partners and "
        "affiliates for their marketing purposes.",
        NON_SHARING,
        "Text messaging originator opt-in data and consent will not be shared with any third "
        "parties.",
    )
    assert "PP-SHARING-LANGUAGE" in failing(text)


def test_carve_out_with_a_parenthetical_before_its_verb() -> None:
    text = policy(
        "We may share your personal information with our marketing partners.",
        NON_SHARING,
        "Text messaging originator opt-in data and consent (including your mobile phone number "
        "provided for SMS purposes) are excluded from any sharing, selling, or disclosure to "
        "third parties or affiliates for marketing purposes.",
    )
    assert "PP-SHARING-LANGUAGE" not in failing(text)


def test_a_parenthetical_does_not_make_sharing_a_carve_out() -> None:
    text = policy(
        NON_SHARING,
        "Opt-in data (including your mobile number) may be shared with our marketing partners.",
    )
    assert "PP-SHARING-LANGUAGE" in failing(text)


def test_carve_out_in_the_same_sentence() -> None:
    text = policy(
        "We may share your information with third parties, but not your SMS opt-in data.",
        NON_SHARING,
    )
    assert "PP-SHARING-LANGUAGE" not in failing(text)


def test_carve_out_does_not_excuse_selling_sms_data_itself() -> None:
    text = policy(
        "We may share your SMS opt-in data and consent with our marketing partners.",
        NON_SHARING,
        CARVE_OUT,
    )
    assert "PP-SHARING-LANGUAGE" in failing(text)


def test_sharing_finding_is_located_on_the_sentence() -> None:
    sentence = "We may sell your contact information to other companies."
    text = policy("We care about privacy.", sentence, NON_SHARING)
    report = check_text("privacy_policy", text, CTX)
    hits = [f for f in report.findings if f.rule == "PP-SHARING-LANGUAGE"]
    assert len(hits) == 1
    assert hits[0].span is not None
    start, end = hits[0].span
    assert text[start:end] == sentence
    assert hits[0].fix


def test_each_sharing_sentence_is_reported_once() -> None:
    text = policy(
        "We may share, sell or rent your data to partners and affiliates.",
        "We may also disclose your information to advertisers.",
        NON_SHARING,
    )
    report = check_text("privacy_policy", text, CTX)
    assert sum(1 for f in report.findings if f.rule == "PP-SHARING-LANGUAGE") == 2


# --- DOC-EMBEDDED-CONSENT ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "By providing your phone number, you agree to receive text messages from Acme Dental.",
        "By providing your mobile number you consent to receive recurring automated marketing "
        "messages.",
        "By using our services you consent to receive SMS, calls and emails.",
        "By using this website, you agree that we may text you about offers.",
        "By submitting a form on our website, you authorize Acme Dental to send you SMS messages.",
        "By accepting these terms, you agree to receive text alerts.",
        "By creating an account you agree to receive texts and emails from us.",
        "You consent to receive marketing calls, emails and text messages from Acme Dental.",
        "If you do not opt out within 24 hours, you will be deemed to have consented to receive "
        "future text messages.",
        # A claim that introduces a list reads on through it.
        "By submitting your contact information, you expressly consent to receive communications "
        "from Acme Dental, including:\n- Phone calls\n- Text messages (SMS/MMS)\n- Emails",
        "You consent to receive the following from Acme Dental:\n* Text messages\n* Emails",
        # A list of short lines without bullets.
        "When you sign up, you consent to receive communications via the following methods:\n"
        "Email\nPhone calls\nText messages (SMS)\nMessage and data rates may apply.",
        "By sending an SMS to any of our numbers, you agree to receive SMS messages from Acme "
        "Dental.",
        "By calling or texting +1 (828) 555-0100, you consent to receive SMS messages from Acme "
        "Dental.",
        "By contacting us, you consent to receive text messages related to your service.",
        "By providing a mobile phone number to Acme Dental and/or checking the consent box on "
        "our form, you agree that Acme Dental may send you SMS messages.",
        # One act among alternatives is enough for the claim.
        "By checking the SMS consent checkbox, submitting your phone number through our "
        "website, or texting a keyword to us, you give your consent to receive text messages.",
    ],
)
def test_embedded_consent_fails(sentence: str) -> None:
    text = policy(sentence, NON_SHARING)
    assert "DOC-EMBEDDED-CONSENT" in failing(text)


@pytest.mark.parametrize(
    "sentence",
    [
        "If you opt in to text messages on our website, you will receive appointment reminders.",
        "By opting in to our SMS program, you agree to receive recurring text messages.",
        "By providing your mobile number and checking the SMS consent checkbox, you:\n"
        "- Consent to receive SMS text messages from Acme Dental\n- Agree to our Terms",
        "By checking the SMS consent box on our form and providing your number, you agree to "
        "receive appointment reminder texts.",
        "By texting JOIN to 55555 you agree to receive text alerts.",
        "By providing your mobile number and opting in to our SMS program, you agree to receive "
        "recurring text messages.",
        "Providing your phone number does not mean you agree to receive text messages.",
        "By using our website, you agree to this Privacy Policy.",
        "By providing your email address, you agree to receive our newsletter.",
        "By opting in, you agree to receive text messages; email support@acmedental.com for help.",
        "By providing your phone number, you do not consent to receive text messages; SMS consent "
        "is collected separately.",
        "You will never be deemed to have consented to receive text messages; you must opt in.",
        # A list that is not the claim's own: the claim ends with a full stop, not a colon.
        "By opting in to our SMS program, you agree to receive recurring text messages.\n"
        "We may contact you by:\n- Email\n- Phone calls",
        "By providing your email address, you agree to receive the following:\n- Newsletters\n"
        "- Event invitations",
        # Consent named as a condition inside the act, then terms agreed to.
        "By providing your phone number and consenting to receive text messages, you agree to "
        "the following:\n- Program: appointment reminder texts\n- Message frequency varies.",
        "Members opt in by sending a text message with the keyword START to 55555; by texting "
        "START you consent to receive event updates.",
        # Agreeing to terms listed after a colon is no consent to what the list mentions.
        "By using our site you agree to the following:\n- Texts are sent only after you opt in",
    ],
)
def test_not_embedded_consent_passes(sentence: str) -> None:
    text = policy(sentence, NON_SHARING)
    assert "DOC-EMBEDDED-CONSENT" not in failing(text)


def test_embedded_consent_is_located() -> None:
    sentence = "By providing your phone number, you agree to receive text messages."
    text = policy("We care about privacy.", sentence, NON_SHARING)
    report = check_text("privacy_policy", text, CTX)
    hit = next(f for f in report.findings if f.rule == "DOC-EMBEDDED-CONSENT")
    assert hit.span is not None and text[hit.span[0] : hit.span[1]] == sentence


# --- speed --------------------------------------------------------------------------------


def _long_policy() -> str:
    filler = (
        "We collect information you give us, such as your name, email address and appointment "
        "history, and we use it to provide care, answer questions and improve our services. "
        "We keep records for as long as the law requires and protect them with safeguards.\n"
    )
    body = filler * 18 + (
        "We may share information with service providers who help us operate our website.\n"
        + TWILIO_STYLE
    )
    return body


@pytest.mark.parametrize("rule_id", sorted(MINE))
def test_each_rule_is_fast_on_a_5kb_policy(rule_id: str) -> None:
    from consentry.compliance.catalog import rules_for
    from consentry.compliance.model import Kind

    text = _long_policy()
    assert len(text) >= 5000
    func = dict((s.id, f) for s, f in rules_for(Kind.PRIVACY_POLICY))[rule_id]
    times = []
    for _ in range(30):
        analysed = Text(text)
        _ = analysed.prose_sentences  # shared by every rule: analysed once per text
        start = time.perf_counter()
        list(func(analysed, CTX))
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.0005


# --- text helpers these rules rely on ------------------------------------------------------


def test_lower_keeps_offsets() -> None:
    raw = "İstanbul Dental: we NEVER share your mobile number."
    t = Text(raw)
    assert len(t.lower) == len(raw)
    assert t.lower.index("never") == raw.index("NEVER")


def test_prose_sentences_join_wrapped_lines_but_not_headings_or_bullets() -> None:
    raw = (
        "## SMS\n"
        "No mobile information will be shared with third parties or affiliates for marketing or\n"
        "promotional purposes.\n"
        "- Reply STOP to opt out\n"
        "- Reply HELP for help\n"
    )
    texts = [s.text for s in Text(raw).prose_sentences]
    assert texts[0] == "## SMS"
    assert texts[1].endswith("promotional purposes.")
    assert texts[2:] == ["- Reply STOP to opt out", "- Reply HELP for help"]


# --- recipient-less sharing, lead buyers, first-person consent claims ----------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Opt in data may be shared for marketing purposes if you agree.",
        "Your mobile number may be sold for promotional purposes.",
    ],
)
def test_offering_sms_data_for_marketing_is_sharing_without_a_recipient(sentence: str) -> None:
    assert "PP-SHARING-LANGUAGE" in failing(policy(sentence))


@pytest.mark.parametrize(
    "sentence",
    [
        "Opt-in data will not be shared for marketing purposes.",
        "We use your mobile number to send the marketing messages you asked for.",
        "You may share our promotional texts with friends.",
    ],
)
def test_sms_data_near_marketing_without_an_affirmed_share_passes(sentence: str) -> None:
    assert "PP-SHARING-LANGUAGE" not in failing(policy(NON_SHARING, sentence))


def test_buyers_who_purchase_leads_are_sharing() -> None:
    text = policy(
        "We match consumer Leads with Buyers (licensed agents and lenders) who have purchased "
        "access to Leads in the consumer's area."
    )
    assert "PP-SHARING-LANGUAGE" in failing(text)


def test_a_buyer_of_our_business_is_not_lead_sharing() -> None:
    text = policy(
        NON_SHARING,
        "We may disclose personal information to a buyer or other successor in connection with "
        "a merger or sale of company assets.",
    )
    assert "PP-SHARING-LANGUAGE" not in failing(text)


def test_first_person_consent_from_providing_a_number_is_embedded() -> None:
    text = policy(
        NON_SHARING,
        "By providing my phone number, I consent to receive SMS text messages from Acme Dental "
        "for appointment reminders.",
    )
    assert "DOC-EMBEDDED-CONSENT" in failing(text)


def test_first_person_consent_by_checking_a_box_is_a_description() -> None:
    text = policy(
        NON_SHARING,
        "By checking the box and providing my phone number, I consent to receive SMS text "
        "messages from Acme Dental.",
    )
    assert "DOC-EMBEDDED-CONSENT" not in failing(text)


# --- A clause opened by "No ..." is negated however long its subject ---------------------------
def test_a_long_no_subject_negates_the_sharing_verb() -> None:
    text = policy(
        "No mobile information, phone numbers, or SMS consent will be shared with third parties or "
        "affiliates for marketing or promotional purposes."
    )
    assert failing(text) == set()


def test_a_long_subject_without_no_still_shares() -> None:
    text = policy(
        NON_SHARING,
        "Your mobile information, phone numbers, and SMS consent may be shared with our marketing "
        "partners.",
    )
    assert "PP-SHARING-LANGUAGE" in failing(text)
