"""KW-* rules: opt-in confirmations, STOP and HELP replies, opt-out keywords (CTIA, FCC 24-24)."""

from __future__ import annotations

import pytest

from consentry.compliance import Context, MessageRole, check_text
from consentry.compliance.rules.keywords import check_opt_out_keywords, is_standard_opt_out

KW_RULES = {"KW-CONFIRMATION", "KW-STOP-REPLY", "KW-HELP-REPLY", "KW-OPT-OUT-KEYWORDS"}
BRAND = "Northside Physical Therapy"


def failing(text: str, role: MessageRole | None, **kw: object) -> set[str]:
    ctx = Context(company=BRAND, use_case="CUSTOMER_CARE", message_role=role, **kw)  # type: ignore[arg-type]
    return check_text("sample_message", text, ctx).failing_rules() & KW_RULES


CONFIRM = MessageRole.OPT_IN_CONFIRMATION
STOP = MessageRole.OPT_OUT_REPLY
HELP = MessageRole.HELP_REPLY


# --- KW-CONFIRMATION -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: You're subscribed to appointment reminders. Up to 4 msgs/mo. Msg & data "
        "rates may apply. Reply HELP for help, STOP to cancel.",
        "Welcome to Northside Physical Therapy alerts! Msg frequency varies. Message and data "
        "rates may apply. Text HELP for help. Text STOP to opt out.",
        "Northside PT: Thanks for joining! Recurring msgs. Msg&data rates may apply. HELP for "
        "info. Reply STOP to unsubscribe.",
        "Northside PT: Please confirm your consent to receive appointment reminders by responding "
        "with YES. Messages and data rates may apply and message frequency may vary. You can "
        "opt-out at any time by replying STOP to any message. You can get help by replying with "
        "HELP.",
        "Confirm Northside PT Health Alerts subscription with AGREE. Alert freq determined by "
        "user. Msg&data rates may apply. Reply STOP to-cancel. Reply HELP for help",
    ],
)
def test_complete_confirmation_passes(text: str) -> None:
    assert failing(text, CONFIRM) == set()


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        (
            "You're subscribed to appointment reminders. Up to 4 msgs/mo. Msg & data rates may "
            "apply. Reply HELP for help, STOP to cancel.",
            "brand",
        ),
        (
            "Northside PT: You're subscribed to appointment reminders. Msg & data rates may apply. "
            "Reply HELP for help, STOP to cancel.",
            "frequency",
        ),
        (
            "Northside PT: You're subscribed to appointment reminders. Up to 4 msgs/mo. Reply HELP "
            "for help, STOP to cancel.",
            "rates",
        ),
        (
            "Northside PT: You're subscribed to appointment reminders. Up to 4 msgs/mo. Msg & data "
            "rates may apply. Reply STOP to cancel.",
            "help",
        ),
        (
            "Northside PT: You're subscribed to appointment reminders. Up to 4 msgs/mo. Msg & data "
            "rates may apply. Reply HELP for help.",
            "stop",
        ),
        # Gerund forms need the keyword itself.
        (
            "Northside PT: You're subscribed to appointment reminders. Up to 4 msgs/mo. Msg & data "
            "rates may apply. You can get help by replying to us. Reply STOP to cancel.",
            "help",
        ),
        (
            "Northside PT: You're subscribed to appointment reminders. Up to 4 msgs/mo. Msg & data "
            "rates may apply. Reply HELP for help. You can opt out at any time by replying.",
            "stop",
        ),
    ],
)
def test_confirmation_missing_an_element_fails(text: str, missing: str) -> None:
    ctx = Context(company=BRAND, message_role=CONFIRM)
    report = check_text("sample_message", text, ctx)
    hits = [f for f in report.findings if f.rule == "KW-CONFIRMATION"]
    assert len(hits) == 1, [h.message for h in hits]
    keyword = {
        "brand": "brand",
        "frequency": "frequency",
        "rates": "rates",
        "help": "help",
        "stop": "opt out",
    }[missing]
    assert keyword in hits[0].message.lower()


@pytest.mark.parametrize(
    ("text", "states_frequency"),
    [
        (
            "Northside PT: Thanks for joining! Up to 4/msgs/month. Reply STOP to opt-out or "
            "HELP for help. Msg & Data rates may apply.",
            True,
        ),
        (
            "You're now subscribed to receive Northside PT weekly exercise tips. Msg&data rates "
            "may apply. Text STOP to opt-out or HELP for help.",
            True,
        ),
        # "Up to 4/month" leaves the unit implied: it still states how often messages come.
        (
            "Northside PT: Thanks for joining! Up to 4/month. Reply STOP to opt-out or HELP for "
            "help. Msg & Data rates may apply.",
            True,
        ),
        (
            "Northside PT: Thanks for joining! Up to 40% off this month. Reply STOP to opt-out or "
            "HELP for help. Msg & Data rates may apply.",
            False,
        ),
        (
            "You're now subscribed to receive Northside PT exercise tips every so often. Msg&data "
            "rates may apply. Text STOP to opt-out or HELP for help.",
            False,
        ),
    ],
)
def test_confirmation_frequency_forms(text: str, states_frequency: bool) -> None:
    report = check_text("sample_message", text, Context(company=BRAND, message_role=CONFIRM))
    missing = any(f.rule == "KW-CONFIRMATION" and "frequency" in f.message for f in report.findings)
    assert missing is not states_frequency


def test_confirmation_rule_only_runs_on_confirmations() -> None:
    text = "Northside PT: your visit on [date] is confirmed. Reply STOP to opt out."
    assert "KW-CONFIRMATION" not in failing(text, None)
    assert "KW-CONFIRMATION" not in failing(text, MessageRole.MESSAGE)
    assert "KW-CONFIRMATION" in failing(text, CONFIRM)


# --- KW-STOP-REPLY ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: You are unsubscribed and will receive no further messages.",
        "Northside PT: You have been opted out and will not receive any further messages. Reply "
        "START to resubscribe.",
        "You have successfully unsubscribed from Northside Physical Therapy. You will receive no "
        "further messages. Reply HELP for help.",
        "Northside PT: You've been unsubscribed. No more messages will be sent. Text UNSTOP to "
        "rejoin.",
        # Contractions, with a typographic apostrophe as phones type it.
        "Northside PT: You\u2019re opted out of appointment texts. Call us to re-enable them.",
        "Northside PT: You're unsubscribed. Reply START to resubscribe.",
        "STOP received. Northside PT will not send you any more texts.",
        "I am opting you out of text messages from Northside PT now. Have a good day!",
        "Northside PT reminders: You will no longer receive Northside PT appointment reminder "
        "notifications. Reply START to resubscribe.",
        "Northside PT: We won't text you again. Reply START to resubscribe.",
    ],
)
def test_good_stop_replies_pass(text: str) -> None:
    assert failing(text, STOP) == set()


@pytest.mark.parametrize(
    "text",
    [
        "You are unsubscribed and will receive no further messages.",  # no brand
        "Northside PT: Sorry to see you go!",  # no confirmation
        "Northside PT: Ok, we stopped.",
        "Northside PT: You have not been unsubscribed yet; reply STOP again to confirm.",
        "Northside PT: You\u2019re not opted out yet; reply STOP again to confirm.",
        "Northside PT: You are unsubscribed. Come back anytime for 20% off your next visit!",
        "Northside PT: You're opted out. Before you go, use promo code COMEBACK to save $10.",
        "STOP received. Northside PT will send you a confirmation shortly.",
        "Northside PT: I am not opting you out until you reply STOP again.",
        "Northside PT: We will not send you any more texts until you confirm; reply STOP again.",
    ],
)
def test_bad_stop_replies_fail(text: str) -> None:
    assert "KW-STOP-REPLY" in failing(text, STOP)


def test_promotional_stop_reply_spans_the_offer() -> None:
    text = "Northside PT: You are unsubscribed. Come back anytime for 20% off your next visit!"
    report = check_text("sample_message", text, Context(company=BRAND, message_role=STOP))
    hit = next(f for f in report.findings if f.rule == "KW-STOP-REPLY" and f.span)
    assert hit.span is not None
    assert text[hit.span[0] : hit.span[1]] == "20% off"


# --- KW-HELP-REPLY ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: For help call 512-555-0100 or email support@northsidept.com. Reply STOP "
        "to cancel.",
        "Northside Physical Therapy: Need help? Visit https://northsidept.com/help. Msg & data "
        "rates may apply. Reply STOP to opt out.",
        "Northside PT support: (512) 555-0100. Reply STOP to cancel.",
        "Northside PT: Questions? Email help@northsidept.com.",
        "Northside PT: Call us toll-free at 1-800-555-0100.",
    ],
)
def test_help_reply_with_contact_passes(text: str) -> None:
    assert failing(text, HELP) == set()


@pytest.mark.parametrize(
    "text",
    [
        "For help call 512-555-0100. Reply STOP to cancel.",  # no brand
        "Northside PT: For help, contact us. Reply STOP to cancel.",  # no contact
        "Northside PT: Reply STOP to cancel. Msg & data rates may apply.",
        "Northside PT: For help call [support phone] or email [support email].",
        # The brand only inside the e-mail address's domain names no one.
        "For help, contact support@northsidept.com. Reply STOP to stop.",
    ],
)
def test_help_reply_without_brand_or_contact_fails(text: str) -> None:
    assert "KW-HELP-REPLY" in failing(text, HELP)


def test_keyword_reply_rules_need_a_brand() -> None:
    text = "You are unsubscribed and will receive no further messages."
    report = check_text("sample_message", text, Context(message_role=STOP))
    assert "KW-STOP-REPLY" not in report.failing_rules()
    assert "CONTEXT-MISSING" in report.rules()


# --- KW-OPT-OUT-KEYWORDS ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Northside PT: your visit is on [date]. Text REMOVE to opt out.", "REMOVE"),
        (
            "Northside PT: your visit is on [date]. Reply NO MORE to stop receiving texts.",
            "NO MORE",
        ),
        ("Northside PT: your visit is on [date]. To opt out, reply REMOVE.", "REMOVE"),
        ("Northside PT: your visit is on [date]. Reply with the word OFF to unsubscribe.", "OFF"),
        ("Northside PT: your visit is on [date]. Reply N to opt out.", "N"),
    ],
)
def test_non_standard_opt_out_keyword_fails_with_span(text: str, bad: str) -> None:
    report = check_text("sample_message", text, Context(company=BRAND))
    hit = next(f for f in report.findings if f.rule == "KW-OPT-OUT-KEYWORDS")
    assert hit.span is not None
    assert text[hit.span[0] : hit.span[1]].strip("'\"") == bad


@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: The only way to opt out is to call our office at 512-555-0100.",
        "Northside PT: You can only unsubscribe by emailing support@northsidept.com.",
        "Northside PT: Opt-out requests are accepted only by mail. Reply STOP to opt out.",
        "Northside PT: You must call us to opt out of these reminders.",
        "Northside PT: your visit is on [date]. Click the link below to unsubscribe: "
        "https://northsidept.com/unsub",
    ],
)
def test_restricted_opt_out_fails(text: str) -> None:
    assert "KW-OPT-OUT-KEYWORDS" in failing(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: your visit is on [date]. Reply STOP to opt out.",
        "Northside PT: your visit is on [date]. Reply STOP or REMOVE to opt out.",
        "Northside PT: your visit is on [date]. Reply STOP ALL to opt out of all programs.",
        "Northside PT: your visit is on [date]. Reply OPT OUT to unsubscribe.",
        "Northside PT: your visit is on [date]. Reply C to confirm, STOP to cancel.",
        "Northside PT: your visit is on [date]. Reply STOP to opt out or manage preferences at "
        "https://northsidept.com/prefs.",
        "Northside PT: You may opt out at any time by replying STOP or by any other reasonable "
        "means.",
        "Northside PT: Reply HELP for help, STOP to cancel.",
    ],
)
def test_standard_opt_out_passes(text: str) -> None:
    assert "KW-OPT-OUT-KEYWORDS" not in failing(text, None)


@pytest.mark.parametrize("role", [CONFIRM, STOP, HELP, MessageRole.MESSAGE, None])
def test_opt_out_keywords_apply_to_every_role(role: MessageRole | None) -> None:
    text = "Northside PT: Text REMOVE to opt out. Up to 4 msgs/mo."
    assert "KW-OPT-OUT-KEYWORDS" in failing(text, role)


def test_check_opt_out_keywords_lists_missing_standard_words() -> None:
    full = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]
    assert check_opt_out_keywords(full) == []
    assert check_opt_out_keywords(["stop", "Unsubscribe", "opt out", "Stop All"]) == [
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
    ]
    assert check_opt_out_keywords(["STOP", "OPT-OUT"]) == [
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
    ]
    assert check_opt_out_keywords([]) == full


def test_standard_words() -> None:
    assert is_standard_opt_out("opt-out")
    assert is_standard_opt_out("Stop")
    assert not is_standard_opt_out("REMOVE")
    assert not is_standard_opt_out("NO MORE")


@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: your visit is on [date]. Reply C to confirm or X to cancel your "
        "appointment. Reply STOP to opt out.",
        "Northside PT: your visit is on [date]. Reply YES to confirm or NO to cancel the visit. "
        "Reply STOP to opt out.",
        "Northside PT: Reply 1 to end the chat with our front desk. Reply STOP to opt out.",
    ],
)
def test_cancelling_an_appointment_is_not_an_opt_out_keyword(text: str) -> None:
    assert "KW-OPT-OUT-KEYWORDS" not in failing(text, None)


def test_cancelling_the_texts_with_a_substitute_is_flagged() -> None:
    text = "Northside PT: your visit is on [date]. Reply NO to cancel these texts."
    assert "KW-OPT-OUT-KEYWORDS" in failing(text, None)


# --- STOP followed by the program keyword on a shared short code ----------------------------
def test_stop_with_program_keyword_is_standard() -> None:
    text = (
        "Northside PT Promos. More help at care@northsidept.com. Msg & Data rates may apply. "
        "4 Msgs/Month. Reply STOP SURF20 to cancel."
    )
    assert "KW-OPT-OUT-KEYWORDS" not in failing(text, HELP)


@pytest.mark.parametrize("kw", ["SURF20", "STOP please", "PAUSE SURF20"])
def test_program_keyword_alone_or_other_words_are_substitutes(kw: str) -> None:
    text = f"Northside PT Promos. Help at care@northsidept.com. Reply {kw} to cancel."
    assert "KW-OPT-OUT-KEYWORDS" in failing(text, HELP)


# --- Short forms in confirmations and program names in opt-out replies -------------------------
def test_short_form_rates_and_help_count_in_a_confirmation() -> None:
    text = (
        "Subscribed to Northside PT special offers. Up to 5/mo. Std msging rates & other charges "
        "may apply. Cancel, reply STOP, for help, HELP. T&Cs: northsidept.com/sms"
    )
    assert failing(text, CONFIRM) == set()


def test_help_without_the_keyword_is_still_missing() -> None:
    text = (
        "Subscribed to Northside PT offers. Up to 5/mo. Std msg rates apply. Reply STOP to cancel, "
        "for help, visit our site."
    )
    assert failing(text, CONFIRM) == {"KW-CONFIRMATION"}


def test_offer_words_naming_the_program_left_are_not_marketing() -> None:
    text = (
        "You\u2019ve canceled your subscription to Northside PT special offers. You will not "
        "receive any more messages."
    )
    assert failing(text, STOP) == set()


def test_offers_after_the_confirmation_are_marketing() -> None:
    text = (
        "You are unsubscribed from Northside PT. You will not receive any more messages. Book "
        "now and get 20% off your next visit!"
    )
    assert failing(text, STOP) == {"KW-STOP-REPLY"}
