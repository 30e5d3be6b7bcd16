"""Rules TS-* (and DOC-EMBEDDED-CONSENT) on the SMS terms.

The examples follow public provider guidance for SMS terms (Klaviyo's SMS terms example,
Vonage's and acoustic's required sections, Telnyx's 10DLC terms best practices): brand or
program name, program description, "Message frequency varies", "Message and data rates may
apply", STOP and HELP instructions, a link to the privacy policy, "Carriers are not liable for
delayed or undelivered messages", and no permission to share mobile numbers or SMS consent.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from consentry.compliance import Context, check_text
from consentry.compliance.text import Text

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "consentry" / "examples" / "northside"

CTX = Context(company="Bayview Coffee Co.", brand_names=("Bayview Rewards",))
TS = {
    "TS-BRAND",
    "TS-PROGRAM",
    "TS-FREQUENCY",
    "TS-RATES",
    "TS-STOP",
    "TS-HELP",
    "TS-PRIVACY-LINK",
    "TS-CARRIER-LIABILITY",
    "TS-SHARING",
}
MINE = TS | {"DOC-EMBEDDED-CONSENT"}


def report_rules(text: str, ctx: Context = CTX) -> set[str]:
    """Every rule of this family with a finding (errors and warnings) on a terms text."""
    return check_text("terms", text, ctx).rules() & MINE


def failing(text: str, ctx: Context = CTX) -> set[str]:
    """The rules of this family that fail (error) on a terms text."""
    return check_text("terms", text, ctx).failing_rules() & MINE


COMPLETE = """\
Bayview Rewards SMS Terms

1. Bayview Coffee Co. sends order-ready alerts, loyalty reward notices and weekly promotions by
text message to customers who opt in at checkout or on bayviewcoffee.com.
2. Message frequency varies, up to 6 messages per month.
3. Message and data rates may apply.
4. Text STOP to 45678 to cancel at any time. You will get one confirmation message.
5. Text HELP to 45678 for help, or email care@bayviewcoffee.com.
6. Carriers are not liable for delayed or undelivered messages.
7. See our Privacy Policy: https://bayviewcoffee.com/privacy. We do not share or sell your mobile
number or SMS consent with third parties or affiliates.
"""


def without(line_start: str, text: str = COMPLETE) -> str:
    """`text` without the numbered line that starts with `line_start` (and its continuation)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line[:2].rstrip(".").isdigit() or not line.strip():
            skipping = line.startswith(line_start)
        if not skipping:
            out.append(line)
    return "\n".join(out)


# --- the bundled example ------------------------------------------------------------------


def test_example_terms_pass_every_rule() -> None:
    text = (EXAMPLE / "terms.md").read_text()
    report = check_text("terms", text, Context(company="Northside Physical Therapy LLC"))
    assert report.rules() & MINE == set()


def test_complete_terms_pass() -> None:
    assert report_rules(COMPLETE) == set()


# --- a corpus of realistic SMS terms sections ----------------------------------------------

KLAVIYO_STYLE = """\
SMS Terms of Service — Bayview Coffee Co.

Bayview Rewards is a recurring automated marketing text program. When you opt in, you will
receive text messages about special offers, new drinks and your order status. Message
frequency varies. Message and data rates may apply. SMS consent is not a condition of purchase.

To cancel, reply STOP at any time; you will receive one message confirming you have been
unsubscribed. For help, reply HELP or contact support@bayviewcoffee.com.

Carriers are not liable for delayed or undelivered messages.

Please see our Privacy Policy at https://bayviewcoffee.com/privacy for how we handle your data.
"""

ABBREVIATED = """\
Bayview Rewards: order alerts & deals. Msg freq varies. Msg & data rates may apply. Txt STOP to
cancel, HELP for help. Carriers not liable for delayed or undelivered msgs. Privacy:
bayviewcoffee.com/privacy
"""

NO_RATES_NO_FREQUENCY = """\
Bayview Coffee Co. sends order-ready alerts by text message. Reply STOP to unsubscribe. Reply
HELP for help. Carriers are not liable for delayed or undelivered messages. Privacy Policy:
https://bayviewcoffee.com/privacy
"""

CANCEL_ONLY = """\
Bayview Coffee Co. sends order-ready alerts by text. Message frequency varies. Message and data
rates may apply. To unsubscribe, reply CANCEL. For help email care@bayviewcoffee.com. Carriers
are not liable for delayed or undelivered messages. See our Privacy Policy.
"""

SHARES_WITH_PARTNERS = COMPLETE.replace(
    "We do not share or sell your mobile\nnumber or SMS consent with third parties or affiliates.",
    "We may share your mobile number with\nour marketing partners so they can send you offers.",
)

EMBEDDED_CONSENT = COMPLETE + (
    "\nBy using this website, you agree to receive text messages and calls from Bayview Coffee.\n"
)

NO_PRIVACY = without("7.")

NO_PROGRAM = """\
Bayview Coffee Co. SMS terms. Message frequency varies. Message and data rates may apply. Reply
STOP to cancel, HELP for help. Carriers are not liable for delayed or undelivered messages.
Privacy Policy: https://bayviewcoffee.com/privacy
"""

NO_CARRIER = without("6.")

NO_BRAND = (
    COMPLETE.replace("Bayview Rewards SMS Terms", "SMS Terms")
    .replace("Bayview Coffee Co. sends", "We send")
    .replace("bayviewcoffee.com", "example-cafe.com")
)

GENERIC_SHARING_WITH_CARVE_OUT = COMPLETE + (
    "\nWe may share your personal information with our affiliates as described in our Privacy "
    "Policy. All the above categories exclude text messaging originator opt-in data and consent; "
    "this information will not be shared with any third parties.\n"
)

ONE_PER_REQUEST = """\
Bayview Coffee Co. texts a one-time verification code when you sign in. One message per login
request. Msg & data rates may apply. Reply STOP to opt out, HELP for help or call
(415) 555-0142. Carriers are not liable for delayed or undelivered messages. Privacy Notice:
https://bayviewcoffee.com/legal/privacy
"""

CORPUS = [
    pytest.param(COMPLETE, set(), id="complete-numbered"),
    pytest.param(KLAVIYO_STYLE, set(), id="klaviyo-style"),
    pytest.param(ABBREVIATED, set(), id="abbreviated"),
    pytest.param(NO_RATES_NO_FREQUENCY, {"TS-RATES", "TS-FREQUENCY"}, id="no-rates-frequency"),
    pytest.param(CANCEL_ONLY, {"TS-STOP"}, id="cancel-not-stop"),
    pytest.param(SHARES_WITH_PARTNERS, {"TS-SHARING"}, id="shares-with-partners"),
    pytest.param(EMBEDDED_CONSENT, {"DOC-EMBEDDED-CONSENT"}, id="embedded-consent"),
    pytest.param(NO_PRIVACY, {"TS-PRIVACY-LINK"}, id="no-privacy-link"),
    pytest.param(NO_PROGRAM, {"TS-PROGRAM"}, id="no-program"),
    pytest.param(NO_CARRIER, {"TS-CARRIER-LIABILITY"}, id="no-carrier-disclaimer"),
    pytest.param(NO_BRAND, {"TS-BRAND"}, id="no-brand"),
    pytest.param(GENERIC_SHARING_WITH_CARVE_OUT, set(), id="generic-sharing-carved-out"),
    pytest.param(ONE_PER_REQUEST, set(), id="otp-one-per-request"),
]


@pytest.mark.parametrize(("text", "expected"), CORPUS)
def test_terms_corpus(text: str, expected: set[str]) -> None:
    assert report_rules(text) == expected


def test_carrier_disclaimer_is_a_warning_only() -> None:
    report = check_text("terms", NO_CARRIER, CTX)
    assert "TS-CARRIER-LIABILITY" in report.rules()
    assert "TS-CARRIER-LIABILITY" not in report.failing_rules()


# --- element by element --------------------------------------------------------------------


def test_brand_via_dba_and_without_context() -> None:
    ctx = Context(company="Bayview Holdings LLC", brand_names=("Bayview Coffee",))
    assert "TS-BRAND" not in failing(COMPLETE, ctx)
    report = check_text("terms", COMPLETE, Context())
    assert "TS-BRAND" not in report.rules() and "CONTEXT-MISSING" in report.rules()


@pytest.mark.parametrize(
    "line",
    [
        "We send appointment reminders.",
        "You will receive order status updates and shipping notifications.",
        "Texts include exclusive offers and coupons.",
        "We text one-time verification codes.",
        "Customer care replies to your questions.",
        "These messages are AI-generated accountability check-ins about your habits.",
    ],
)
def test_program_described(line: str) -> None:
    assert "TS-PROGRAM" not in failing(COMPLETE.replace(COMPLETE.split("\n2.")[0], line))


@pytest.mark.parametrize(
    "line",
    [
        "Bayview Coffee Co. will text you.",
        "We will not send promotions. We may post updates to these Terms.",
        "Bayview Coffee Co. will text you. Check-in at the counter.",
    ],
)
def test_program_missing(line: str) -> None:
    text = without("1.").replace("Bayview Rewards SMS Terms", line)
    assert "TS-PROGRAM" in failing(text)


@pytest.mark.parametrize(
    "line",
    [
        "Message frequency varies.",
        "Msg freq varies.",
        "Msg frequency may vary.",
        "Up to 4 msgs/month.",
        "You will receive up to 2 messages per week.",
        "Expect about 3 texts a month.",
        "This is a recurring messaging program.",
        "We send weekly text alerts.",
        "One message per request.",
        "No more than 10 messages per month will be sent.",
        "The number of messages you receive varies.",
    ],
)
def test_frequency_variants(line: str) -> None:
    text = without("2.").replace("3. Message", f"{line}\n3. Message")
    assert "TS-FREQUENCY" not in failing(text)


def test_frequency_missing() -> None:
    assert "TS-FREQUENCY" in failing(without("2."))


@pytest.mark.parametrize(
    "line",
    [
        "Message and data rates may apply.",
        "Msg & data rates may apply.",
        "Msg&data rates may apply.",
        "Standard message and data rates may apply.",
        "Carrier message and data rates may apply.",
        "Message and data charges may apply.",
        "Standard messaging rates apply.",
        "Standard message and data rates from your mobile carrier may apply.",
    ],
)
def test_rates_variants(line: str) -> None:
    text = without("3.").replace("4. Text", f"{line}\n4. Text")
    assert "TS-RATES" not in failing(text)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "The program is free.",
        "Rates may vary by plan.",
        "No message and data rates apply.",
        "Message and data rates from your carrier will not apply.",
    ],
)
def test_rates_missing(line: str) -> None:
    text = without("3.").replace("4. Text", f"{line}\n4. Text")
    assert "TS-RATES" in failing(text)


@pytest.mark.parametrize(
    "line",
    [
        "Reply STOP to cancel.",
        "Text STOP to 45678 to opt out.",
        'Reply "STOP" at any time to unsubscribe.',
        "Txt STOP to end.",
        "You can cancel at any time by texting STOP.",
        "Reply HELP for help, STOP to cancel.",
        "Reply with the word STOP to be removed.",
        "If you no longer wish to receive texts, you can reply STOP at any time.",
    ],
)
def test_stop_variants(line: str) -> None:
    text = without("4.").replace("5. Text", f"{line}\n5. Text")
    assert "TS-STOP" not in failing(text)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "To unsubscribe, click the link in any message.",
        "Reply END to opt out.",
        "Do not reply STOP; call us to cancel.",
        "If you want to cancel, do not reply STOP; call us instead.",
    ],
)
def test_stop_missing(line: str) -> None:
    text = without("4.").replace("5. Text", f"{line}\n5. Text")
    assert "TS-STOP" in failing(text)


@pytest.mark.parametrize(
    "line",
    [
        "Reply HELP for help.",
        "Text HELP to 45678 for assistance.",
        "For support, email care@bayviewcoffee.com.",
        "Questions? Call 1-800-555-0199.",
        "HELP for info.",
    ],
)
def test_help_variants(line: str) -> None:
    text = without("5.").replace("6. Carriers", f"{line}\n6. Carriers")
    assert "TS-HELP" not in failing(text)


def test_help_missing() -> None:
    assert "TS-HELP" in failing(without("5."))


@pytest.mark.parametrize(
    "line",
    [
        "See our Privacy Policy.",
        "Privacy: https://bayviewcoffee.com/privacy",
        "Read our privacy notice at bayviewcoffee.com/legal/privacy-notice.",
    ],
)
def test_privacy_link_variants(line: str) -> None:
    assert "TS-PRIVACY-LINK" not in failing(without("7.") + f"\n{line}\n")


def test_frequency_and_program_in_plain_words() -> None:
    text = without("2.") + (
        "\nThe number of text messages you receive will vary depending on how you use our "
        "services.\n"
    )
    assert "TS-FREQUENCY" not in failing(text)
    program = without("1.") + (
        "\nThis Text Messaging Service is for conversational communication between you and "
        "Bayview Coffee Co.\n"
    )
    assert "TS-PROGRAM" not in failing(program)
    assert "TS-PROGRAM" in failing(without("1.") + "\nThis Text Messaging Service is ours.\n")


@pytest.mark.parametrize(
    "line",
    [
        "Reply **STOP** to cancel. Reply **HELP** for help.",
        "You may stop receiving messages at any time by replying:\n\n**STOP**\n\n"
        "Text HELP for help.",
        "Opt out by replying: - STOP — to unsubscribe from all messages. Reply `HELP` for help.",
        "Reply STOP → Unsubscribe. Reply HELP for help.",
    ],
)
def test_keywords_in_markdown_and_lists(line: str) -> None:
    text = without("4.", without("5.")) + f"\n{line} Email care@bayviewcoffee.com.\n"
    rules = failing(text)
    assert "TS-STOP" not in rules and "TS-HELP" not in rules


@pytest.mark.parametrize(
    "line",
    [
        "Your use of our SMS services is also governed by our Privacy Policy.",
        "Your information is handled in accordance with our privacy practices.",
        "A full Privacy Policy is coming soon.",
    ],
)
def test_naming_the_privacy_policy_without_a_way_to_it(line: str) -> None:
    assert "TS-PRIVACY-LINK" in failing(without("7.") + f"\n{line}\n")


@pytest.mark.parametrize(
    "line",
    [
        "Your number is handled as described in our [SMS Privacy Policy](/sms-privacy.html).",
        "Our Privacy Policy is available at bayviewcoffee.com/legal.",
        "Read our full Privacy Policy for details.",
        "How we use your data is in our Privacy Policy, linked at the bottom of this page.",
    ],
)
def test_a_pointer_or_link_to_the_privacy_policy(line: str) -> None:
    assert "TS-PRIVACY-LINK" not in failing(without("7.") + f"\n{line}\n")


def test_naming_the_text_itself_a_privacy_policy_is_no_way_to_one() -> None:
    line = "This privacy policy will inform you about how we look after your personal data."
    assert "TS-PRIVACY-LINK" in failing(without("7.") + f"\n{line}\n")


@pytest.mark.parametrize(
    "line",
    [
        "Carriers are not liable for delayed or undelivered messages.",
        "Wireless carriers are not responsible for delayed or undelivered messages.",
        "Neither Bayview Coffee nor your carrier is liable for delayed or undelivered messages.",
        "Carriers are not liable for any delays in the receipt of messages.",
        "T-Mobile is not liable for delayed or undelivered messages; carriers assume no liability "
        "for undelivered messages.",
    ],
)
def test_carrier_liability_variants(line: str) -> None:
    assert "TS-CARRIER-LIABILITY" not in report_rules(without("6.") + f"\n{line}\n")


@pytest.mark.parametrize(
    "line",
    [
        "We may share your mobile number with our affiliates.",
        "By subscribing, you agree that we may sell your phone number and SMS consent to lead "
        "buyers.",
        "Your SMS consent may be transferred to our partner companies.",
        "We may share your information with third parties for marketing purposes.",
    ],
)
def test_sharing_in_terms_fails(line: str) -> None:
    assert "TS-SHARING" in failing(COMPLETE + f"\n{line}\n")


@pytest.mark.parametrize(
    "line",
    [
        "We will never share your mobile number with third parties.",
        "Mobile numbers and SMS consent are not sold, rented or shared with affiliates.",
        "We share your number only with the messaging providers that deliver our texts.",
        "We may disclose information to third parties when required by law.",
    ],
)
def test_not_sharing_in_terms_passes(line: str) -> None:
    assert "TS-SHARING" not in failing(COMPLETE + f"\n{line}\n")


def test_sharing_finding_is_located() -> None:
    line = "We may share your mobile number with our affiliates."
    text = COMPLETE + f"\n{line}\n"
    finding = next(f for f in check_text("terms", text, CTX).findings if f.rule == "TS-SHARING")
    assert finding.span is not None and text[finding.span[0] : finding.span[1]] == line


# --- speed --------------------------------------------------------------------------------


def test_terms_rules_are_fast() -> None:
    from consentry.compliance.catalog import rules_for
    from consentry.compliance.model import Kind

    text = KLAVIYO_STYLE * 3
    funcs = [f for s, f in rules_for(Kind.TERMS) if s.id in MINE]
    times = []
    for _ in range(20):
        analysed = Text(text)
        start = time.perf_counter()
        for func in funcs:
            list(func(analysed, CTX))
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.002


@pytest.mark.parametrize(
    "text",
    [
        "Reyes Dental sends surveys and feedback requests by text message.",
        "Reyes Dental sends polls to members who opt in.",
    ],
)
def test_surveys_and_polls_are_a_program(text: str) -> None:
    assert "TS-PROGRAM" not in check_text("terms", text, Context(company="Reyes Dental")).rules()


@pytest.mark.parametrize(
    "line", ["Message frequency: weekly.", "**Message frequency.** Weekly.", "Frequency - daily."]
)
def test_a_labelled_bare_frequency_is_a_frequency(line: str) -> None:
    text = f"Reyes Dental sends appointment reminders. {line}"
    assert "TS-FREQUENCY" not in check_text("terms", text, Context(company="Reyes Dental")).rules()


def test_a_frequency_label_without_a_frequency_is_not_enough() -> None:
    text = "Reyes Dental sends appointment reminders. Frequency depends."
    assert "TS-FREQUENCY" in check_text("terms", text, Context(company="Reyes Dental")).rules()


@pytest.mark.parametrize(
    "line",
    [
        "Message frequency depends on your activity.",
        "This is a recurring subscription and the frequency is related to your appointments.",
        "Messages are event-based.",
        "Typically, recipients may receive 1\u20133 messages per call, reservation, or order.",
        "You will receive a message when a user initiates a payment request.",
    ],
)
def test_activity_based_frequency_is_a_frequency(line: str) -> None:
    text = f"Reyes Dental sends appointment reminders. {line}"
    assert "TS-FREQUENCY" not in check_text("terms", text, Context(company="Reyes Dental")).rules()


@pytest.mark.parametrize(
    "line",
    [
        "Message frequency is up to us.",
        "Messages are sent by Reyes Dental.",
        "You will receive a confirmation when you sign up.",
    ],
)
def test_near_miss_frequency_lines_are_not_enough(line: str) -> None:
    text = f"Reyes Dental sends appointment reminders. {line}"
    assert "TS-FREQUENCY" in check_text("terms", text, Context(company="Reyes Dental")).rules()


def test_plural_messages_and_data_rates() -> None:
    text = "Reyes Dental sends appointment reminders. Messages and data rates may apply."
    assert "TS-RATES" not in check_text("terms", text, Context(company="Reyes Dental")).rules()


@pytest.mark.parametrize(
    "text",
    [
        "Reyes Dental sends payment requests by text when a balance is due.",
        "Reyes Dental sends a daily briefing by text.",
    ],
)
def test_payment_requests_and_briefings_are_a_program(text: str) -> None:
    assert "TS-PROGRAM" not in check_text("terms", text, Context(company="Reyes Dental")).rules()


def test_a_request_alone_is_not_a_program() -> None:
    text = "Reyes Dental answers every request by text."
    assert "TS-PROGRAM" in check_text("terms", text, Context(company="Reyes Dental")).rules()


# --- TS-PROGRAM: messages "related to your billing" -------------------------------------------
def test_program_named_as_messages_about_the_customers_business() -> None:
    program = "1. You may receive up to 1 SMS message per month related to your billing.\n"
    text = without("1.").replace("2. Message", program + "2. Message", 1)
    assert "TS-PROGRAM" not in failing(text)


def test_program_not_named_by_an_empty_list() -> None:
    empty = "1. If you opt in, you may receive text messages related to the following:\n"
    text = without("1.").replace("2. Message", empty + "2. Message", 1)
    assert "TS-PROGRAM" in failing(text)
