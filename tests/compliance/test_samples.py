"""SM-* rules: sample messages (from carrier and provider guidance on approved/rejected samples)."""

from __future__ import annotations

import pytest

from consentry.compliance import Context, MessageRole, Severity, check_text
from consentry.compliance.text import brand_variants

SM_RULES = {
    "SM-BRAND",
    "SM-OPT-OUT",
    "SM-LINKS",
    "SM-USE-CASE-MATCH",
    "SM-SPECIFIC",
    "SM-COLD-OUTREACH",
}


def failing(text: str, ctx: Context) -> set[str]:
    return check_text("sample_message", text, ctx).failing_rules() & SM_RULES


def ctx_for(use_case: str = "CUSTOMER_CARE", **kw: object) -> Context:
    base: dict[str, object] = {
        "company": "Northside Physical Therapy",
        "use_case": use_case,
        "website": "https://northsidept.com",
    }
    base.update(kw)
    return Context(**base)  # type: ignore[arg-type]


# --- a labelled corpus of realistic samples -------------------------------------------------
# (use case, brand, text, rules that must fail). Texts follow the patterns of approved and
# rejected samples in Twilio (30893), Telnyx and TCR guidance.
CORPUS: list[tuple[str, str, str, set[str]]] = [
    # compliant
    (
        "CUSTOMER_CARE",
        "Northside Physical Therapy",
        "Northside PT: Hi [first name], reminder of your visit on [date] at [time]. Reply C to "
        "confirm. Reply STOP to opt out.",
        set(),
    ),
    (
        "DELIVERY_NOTIFICATION",
        "Acme Outdoor Supply",
        "Acme Outdoor Supply: Your order #[order id] has shipped! Track it at "
        "https://acmeoutdoor.com/track/[id]. Reply STOP to unsubscribe.",
        set(),
    ),
    (
        "2FA",
        "Acme",
        "Your Acme verification code is 847291. This code expires in 10 minutes.",
        set(),
    ),
    (
        "2FA",
        "Acme",
        "Acme security code: [code]. Enter this code to complete your password reset.",
        set(),
    ),
    (
        "MARKETING",
        "Bella's Boutique",
        "Bella's Boutique: Summer sale! 30% off all dresses this weekend. Shop at "
        "https://bellasboutique.com/sale. Reply STOP to opt out.",
        set(),
    ),
    (
        "ACCOUNT_NOTIFICATION",
        "Lone Star Credit Union",
        "Lone Star Credit Union: Your payment of $[amount] is due on [date]. Log in at "
        "https://lonestarcu.com to pay. Txt STOP to end",
        set(),
    ),
    (
        "SECURITY_ALERT",
        "Acme Bank",
        "Acme Bank: New sign-in to your account from Chrome on Windows. If this wasn't you, call "
        "800-555-0199. Reply STOP to opt out.",
        set(),
    ),
    (
        "CHARITY",
        "Habitat for Hope",
        "Habitat for Hope: Thanks for your support, [first name]! Our spring build starts "
        "[date]. Donate at https://habitatforhope.org/give. Reply STOP to opt out.",
        set(),
    ),
    (
        "POLLING_VOTING",
        "Greenway Grocers",
        "Greenway Grocers: How was your pickup today? Reply with a number 1-5. Reply STOP to "
        "opt out.",
        set(),
    ),
    (
        "K12_EDUCATION",
        "Cedar Park ISD",
        "Cedar Park ISD: School will be closed Tuesday due to weather. Reply STOP to opt out.",
        set(),
    ),
    (
        "CUSTOMER_CARE",
        "Metro Plumbing Co",
        "Metro Plumbing: Hi [name], your technician [tech name] is on the way and will arrive "
        "by [time]. Questions? Call 512-555-0142. STOP to cancel.",
        set(),
    ),
    # non-compliant
    (
        "CUSTOMER_CARE",
        "Northside Physical Therapy",
        "Test message",
        {"SM-SPECIFIC", "SM-BRAND", "SM-OPT-OUT"},
    ),
    (
        "CUSTOMER_CARE",
        "Northside Physical Therapy",
        "Northside PT: Appointment reminder. Reply STOP to opt out.",
        {"SM-SPECIFIC"},
    ),
    (
        "CUSTOMER_CARE",
        "Northside Physical Therapy",
        "Hi [first name], reminder of your visit on [date] at [time]. Reply STOP to opt out.",
        {"SM-BRAND"},
    ),
    (
        "CUSTOMER_CARE",
        "Northside Physical Therapy",
        "Northside PT: Hi [first name], your visit is on [date] at [time]. See you soon!",
        {"SM-OPT-OUT"},
    ),
    (
        "CUSTOMER_CARE",
        "Northside Physical Therapy",
        "Northside PT: Get 20% off your next massage session this month! Reply STOP to opt out.",
        {"SM-USE-CASE-MATCH"},
    ),
    (
        "MARKETING",
        "Bella's Boutique",
        "Bella's Boutique: New arrivals are here! See them at https://bit.ly/3xYz9Q. Reply STOP "
        "to opt out.",
        {"SM-LINKS"},
    ),
    (
        "MARKETING",
        "Bella's Boutique",
        "Bella's Boutique: Flash sale today only, 40% off everything! ReplySTOP to end",
        {"SM-OPT-OUT"},
    ),
    (
        "MARKETING",
        "Sunrise Home Buyers",
        "Hi, this is Mike from Sunrise Home Buyers. I came across your listing on Zillow. Would "
        "you consider selling? Reply STOP to opt out.",
        {"SM-COLD-OUTREACH"},
    ),
    (
        "MARKETING",
        "Capital Funding Group",
        "Capital Funding Group: Congratulations, you've been pre-approved for a $50,000 business "
        "line of credit! Reply STOP to opt out.",
        {"SM-COLD-OUTREACH"},
    ),
    ("2FA", "Acme", "Acme: Thanks for signing up! We're glad you're here.", {"SM-USE-CASE-MATCH"}),
    (
        "ACCOUNT_NOTIFICATION",
        "Lone Star Credit Union",
        "Lone Star Credit Union: Refinance your auto loan and save up to $100 a month! Use "
        "promo code DRIVE. Reply STOP to opt out.",
        {"SM-USE-CASE-MATCH"},
    ),
    (
        "CUSTOMER_CARE",
        "Metro Plumbing Co",
        "Sample message 1",
        {"SM-SPECIFIC", "SM-BRAND", "SM-OPT-OUT"},
    ),
    (
        "CUSTOMER_CARE",
        "Metro Plumbing Co",
        "Metro Plumbing: Vote for Jane Doe for city council on election day, Nov 5! Paid for by "
        "Friends of Jane. Reply STOP to opt out.",
        {"SM-USE-CASE-MATCH"},
    ),
]


@pytest.mark.parametrize(("use_case", "company", "text", "expected"), CORPUS)
def test_sample_corpus(use_case: str, company: str, text: str, expected: set[str]) -> None:
    ctx = Context(company=company, use_case=use_case)
    assert failing(text, ctx) == expected


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20
    assert sum(1 for *_, e in CORPUS if e) >= 10
    assert sum(1 for *_, e in CORPUS if not e) >= 10


# --- SM-BRAND --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Northside Physical Therapy: your visit is on [date]. Reply STOP to opt out.",
        "Northside PT: your visit is on [date]. Reply STOP to opt out.",
        "NPT reminder: your visit is on [date] at [time]. Reply STOP to opt out.",
        "Reminder from Northside Physical Therapy LLC: visit on [date]. Reply STOP to opt out.",
        "Your visit at Northside Physical Therapy's Main St clinic is on [date]. STOP to cancel.",
        "Hi [name], your visit on [date] is confirmed. Details: northsidept.com. Reply STOP to "
        "opt out.",
    ],
)
def test_brand_named_in_full_short_or_possessive(text: str) -> None:
    assert "SM-BRAND" not in failing(text, ctx_for())


@pytest.mark.parametrize(
    "text",
    [
        "Hi [first name], your visit is on [date] at [time]. Reply STOP to opt out.",
        "Northside Dental: your visit is on [date] at [time]. Reply STOP to opt out.",
        "We will see you on [date] at [time] for your therapy session. Reply STOP to opt out.",
    ],
)
def test_brand_missing_or_wrong(text: str) -> None:
    assert "SM-BRAND" in failing(text, ctx_for())


def test_brand_without_company_is_context_missing() -> None:
    report = check_text("sample_message", "Hi, your visit is tomorrow. Reply STOP to opt out.")
    assert "SM-BRAND" not in report.failing_rules()
    assert "CONTEXT-MISSING" in report.rules()


def test_brand_missing_is_a_warning_when_another_sample_names_it() -> None:
    unbranded = "Hi [first name], your visit is on [date] at [time]. Reply STOP to opt out."
    branded = "Northside PT: your visit on [date] was moved to [time]. Reply STOP to opt out."
    ctx = ctx_for(sample_messages=(branded, unbranded))
    report = check_text("sample_message", unbranded, ctx)
    assert "SM-BRAND" not in report.failing_rules()
    assert "SM-BRAND" in report.rules()


def test_brand_variants_abbreviate_trailing_words() -> None:
    variants = brand_variants(["Northside Physical Therapy"])
    assert "Northside PT" in variants
    assert "NPT" in variants
    # Two-letter initials are too ambiguous to count as the brand.
    assert "AC" not in brand_variants(["Acme Corp"])


# --- SM-OPT-OUT ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "tail",
    [
        "Reply STOP to opt out.",
        "Reply STOP to opt-out.",
        "Txt STOP to end",
        "Reply HELP for help, STOP to cancel.",
        "Text STOP to 55555 to unsubscribe.",
        "To opt out, reply STOP.",
        "Reply STOP, END or QUIT to stop receiving messages.",
        "Opt out: reply STOP",
        "reply stop to unsubscribe",
        "Reply 'STOP' if you no longer wish to receive texts.",
        "If you don't want to hear from me anymore, just reply STOP.",
        "You can opt out at any time by replying STOP to any message.",
        "Unsubscribe anytime by texting STOP.",
        "To unsubscribe from these messages, reply with STOP.",
        'If you would like to unsubscribe from these messages, please reply with "STOP."',
        "Don't want these texts? Reply STOP.",
        "Want to stop? Reply STOP.",
        "Reply STOP if you no longer want these reminders.",
        "You can opt out of Northside PT texts at any time by replying STOP.",
    ],
)
def test_opt_out_language_accepted(tail: str) -> None:
    text = f"Northside PT: your visit on [date] is confirmed. {tail}"
    assert "SM-OPT-OUT" not in failing(text, ctx_for())


@pytest.mark.parametrize(
    "tail",
    [
        "See you soon!",
        "ReplySTOP to opt out",
        "Reply STOPto opt out",
        "STOP2END",
        "Reply STOP=END",
        "Text REMOVE to opt out.",
        "To stop these messages, let us know.",
        # Near misses of the accepted forms above: no keyword, or a non-standard one.
        "If you don't want to hear from me anymore, just let me know.",
        "You can opt out at any time by replying to this message.",
        "If you don't want these reminders, reply REMOVE.",
        "To unsubscribe from these messages, reply with REMOVE.",
        "If you would like to unsubscribe, please let us know.",
        "Don't want these texts? Let us know.",
        "Want to stop? Reply REMOVE.",
        "To unsubscribe from these messages, visit northsidept.com/texts.",
    ],
)
def test_opt_out_missing_or_unspaced(tail: str) -> None:
    text = f"Northside PT: your visit on [date] is confirmed. {tail}"
    assert "SM-OPT-OUT" in failing(text, ctx_for())


def test_unspaced_keyword_gets_a_span() -> None:
    text = "Northside PT: your visit on [date] is confirmed. ReplySTOP to opt out"
    report = check_text("sample_message", text, ctx_for())
    hit = next(f for f in report.findings if f.rule == "SM-OPT-OUT")
    assert hit.span is not None
    assert text[hit.span[0] : hit.span[1]] == "ReplySTOP"


def test_one_time_passcodes_are_exempt_from_opt_out() -> None:
    text = "Your Acme login code is 523016. Don't share this code with anyone."
    assert "SM-OPT-OUT" not in failing(text, Context(company="Acme", use_case="2FA"))
    # The same text in a non-OTP campaign needs opt-out language.
    assert "SM-OPT-OUT" in failing(text, Context(company="Acme", use_case="ACCOUNT_NOTIFICATION"))


def test_opt_out_missing_is_a_warning_when_another_sample_has_it() -> None:
    bare = "Northside PT: your visit on [date] was moved to [time]. See you then!"
    full = "Northside PT: reminder of your visit on [date]. Reply STOP to opt out."
    report = check_text("sample_message", bare, ctx_for(sample_messages=(full, bare)))
    assert "SM-OPT-OUT" not in report.failing_rules()
    assert any(f.rule == "SM-OPT-OUT" and f.severity is Severity.WARNING for f in report.findings)
    # Alone (no other sample carrying it) it is an error.
    assert "SM-OPT-OUT" in failing(bare, ctx_for(sample_messages=(bare,)))


# --- SM-LINKS --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("link", "shortener"),
    [
        ("https://bit.ly/3abcXYZ", "bit.ly"),
        ("bit.ly/3abcXYZ", "bit.ly"),
        ("https://tinyurl.com/y4k8p2", "tinyurl.com"),
        ("http://goo.gl/maps/abc", "goo.gl"),
        ("t.co/xyz123", "t.co"),
        ("https://rebrand.ly/spring", "rebrand.ly"),
        ("https://cutt.ly/offer", "cutt.ly"),
        ("https://www.shorturl.at/abcd", "shorturl.at"),
        ("https://qrco.de/bcXyZ", "qrco.de"),
    ],
)
def test_public_shorteners_are_flagged_with_a_span(link: str, shortener: str) -> None:
    text = f"Northside PT: book your next visit at {link}. Reply STOP to opt out."
    report = check_text("sample_message", text, ctx_for())
    hits = [f for f in report.findings if f.rule == "SM-LINKS"]
    assert hits and hits[0].severity is Severity.ERROR
    assert hits[0].span is not None
    assert text[hits[0].span[0] : hits[0].span[1]] == link
    assert shortener in hits[0].message


@pytest.mark.parametrize(
    "link",
    [
        "https://northsidept.com/book",
        "https://book.northsidept.com/visit?id=[id]",
        "northsidept.com/book",
        "www.northsidept.com",
    ],
)
def test_own_domain_links_pass(link: str) -> None:
    text = f"Northside PT: book your next visit at {link}. Reply STOP to opt out."
    assert "SM-LINKS" not in check_text("sample_message", text, ctx_for()).rules()


def test_link_on_another_domain_fails_only_when_the_website_is_known() -> None:
    text = (
        "Northside PT: book your next visit at https://calendly.com/northside. Reply STOP to "
        "opt out."
    )
    assert "SM-LINKS" in failing(text, ctx_for())
    no_site = Context(company="Northside Physical Therapy", use_case="CUSTOMER_CARE")
    assert "SM-LINKS" not in failing(text, no_site)


def test_plain_http_link_is_a_warning() -> None:
    text = (
        "Northside PT: book your next visit at http://northsidept.com/book. Reply STOP to opt out."
    )
    report = check_text("sample_message", text, ctx_for())
    assert "SM-LINKS" not in report.failing_rules()
    assert "SM-LINKS" in report.rules()


@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: questions? Email support@northsidept.com. Reply STOP to opt out.",
        "Northside PT: Msg.freq varies, e.g. before each visit. Reply STOP to opt out.",
        "Northside PT: your visit is at 9 a.m. on [date]. Reply STOP to opt out.",
        "Northside PT: your visit is on [date]. Book online: [link]. Reply STOP to opt out.",
    ],
)
def test_non_links_are_not_links(text: str) -> None:
    assert "SM-LINKS" not in check_text("sample_message", text, ctx_for()).rules()


# --- SM-SPECIFIC -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Test message",
        "Appointment reminder",
        "Sample 1",
        "[message]",
        "Order update",
        "This is a test message from Northside PT. Reply STOP to opt out.",
        "Northside PT: Appointment reminder. Reply STOP to opt out.",
        "Northside PT: Promotional message. Reply STOP to opt out.",
        "Northside PT: [Insert message here]. Reply STOP to opt out.",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Reply STOP to opt out.",
        "Hi!",
    ],
)
def test_stubs_and_labels_fail(text: str) -> None:
    assert "SM-SPECIFIC" in failing(text, ctx_for())


@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: Hi [first name], reminder of your visit on [date] at [time]. Reply STOP to "
        "opt out.",
        "Northside PT: Your visit on {date} was rescheduled to {time}. Reply STOP to opt out.",
        "Northside PT: Your test results are ready. Call 512-555-0100. Reply STOP to opt out.",
        "Your Acme verification code is 847291.",
    ],
)
def test_specific_messages_pass(text: str) -> None:
    assert "SM-SPECIFIC" not in failing(text, ctx_for())


# --- SM-COLD-OUTREACH ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Acme Realty: You've been selected for a free home valuation! Reply STOP to opt out.",
        "Acme Realty: We got your number from a list of local homeowners. Reply STOP to opt out.",
        "Hi, this is Jake from Acme Realty, are you interested in selling your home? Reply STOP "
        "to opt out.",
        "Acme Realty: I came across your listing on Zillow and have a buyer. Reply STOP to opt "
        "out.",
        "Acme Capital: Good news, you are pre-approved for a $25,000 loan. Reply STOP to opt out.",
        "Hello, my name is Tara with Acme Solar. Reply YES if you want to learn more about free "
        "panels. Reply STOP to opt out.",
        "Acme Home Buyers: Are you the owner of 12 Oak St? We can make a cash offer for your "
        "house. Reply STOP to opt out.",
        "Hello, my name is Crystelle, and I'm seeking to buy a few houses in the area. I'd like "
        "to make you an offer on 984 Michael Cv. Is there a price at which you'd consider selling?",
        "Hello Zina. Do you own 1768 Woodtree Cir? Really wanna talk about it if you have time.",
        "Hi [name], this is [Your Name] from Acme Ops. We offer a free missed-call audit for "
        "dental offices. Interested? Reply YES or STOP to opt out.",
        "Hi Hannah - Nathan with Acme Refunds. Records show the recent sale of your property may "
        "have surplus funds owed to you. Reply Y for details or STOP to opt out.",
        "{firstName} - Gianna from Acme. Honest question: does the business run clean books? "
        "Reply STOP to opt out.",
        "Hey [Name], just left you a voicemail. We help landscaping companies catch every lead. "
        "Worth a quick chat? - Jay, Acme. Reply STOP to opt out.",
        "Hi Mena Plaza! We built you a FREE website at acme.com/mena-plaza. Claim it in 2 min. "
        "Reply STOP to opt out.",
    ],
)
def test_cold_outreach_fails(text: str) -> None:
    assert "SM-COLD-OUTREACH" in failing(text, Context(company="Acme", use_case="MARKETING"))


@pytest.mark.parametrize(
    "text",
    [
        "This is Dana from Northside PT: your visit is tomorrow at [time]. Reply STOP to opt out.",
        "Acme Sweepstakes: You've been selected as a winner of the sweepstakes you entered! "
        "Claim at https://acme.com/win. Reply STOP to opt out.",
        "Acme Capital: Your loan application has been pre-approved. Log in to review it. Reply "
        "STOP to opt out.",
        "Acme Realty: New listings in [neighborhood] that match your saved search: "
        "https://acme.com/l/[id]. Reply STOP to opt out.",
        "Acme Realty: 3 new homes for buyers seeking to buy homes in Austin: "
        "https://acme.com/l/[id]. Reply STOP to opt out.",
        "Acme Realty: The seller accepted the offer on 12 Oak St you asked us to make. Reply STOP "
        "to opt out.",
        "Hello David, Kate here from Acme. Appreciate you subscribing to our messages. Would you "
        "be interested in a free voucher? Reply STOP to opt out.",
        "Acme Dental: We just left you a voicemail about your appointment tomorrow. Reply STOP to "
        "opt out.",
    ],
)
def test_messages_to_opted_in_people_are_not_cold(text: str) -> None:
    assert "SM-COLD-OUTREACH" not in failing(text, Context(company="Acme", use_case="MARKETING"))


# --- SM-USE-CASE-MATCH -----------------------------------------------------------------------
PROMO = "Northside PT: Get 20% off your next massage with code RELAX. Reply STOP to opt out."


@pytest.mark.parametrize(
    "use_case",
    ["CUSTOMER_CARE", "ACCOUNT_NOTIFICATION", "2FA", "DELIVERY_NOTIFICATION", "SECURITY_ALERT"],
)
def test_promotion_in_non_marketing_campaign_fails(use_case: str) -> None:
    report = check_text("sample_message", PROMO, ctx_for(use_case))
    hit = next(f for f in report.findings if f.rule == "SM-USE-CASE-MATCH")
    assert hit.span is not None
    assert "20% off" in PROMO[hit.span[0] : hit.span[1]]


@pytest.mark.parametrize(
    ("use_case", "subs"),
    [
        ("MARKETING", ()),
        ("MIXED", ("MARKETING", "CUSTOMER_CARE")),
        ("MIXED", ()),
        ("LOW_VOLUME", ()),
        ("SOLE_PROPRIETOR", ()),
    ],
)
def test_promotion_in_marketing_campaign_passes(use_case: str, subs: tuple[str, ...]) -> None:
    assert "SM-USE-CASE-MATCH" not in failing(PROMO, ctx_for(use_case, sub_use_cases=subs))


def test_mixed_without_marketing_sub_use_case_rejects_promotion() -> None:
    ctx = ctx_for("MIXED", sub_use_cases=("CUSTOMER_CARE", "ACCOUNT_NOTIFICATION"))
    assert "SM-USE-CASE-MATCH" in failing(PROMO, ctx)


def test_promotion_contradicting_the_description_fails() -> None:
    ctx = ctx_for(
        "MIXED",
        sub_use_cases=("MARKETING", "CUSTOMER_CARE"),
        campaign_description="Northside Physical Therapy sends appointment reminders to patients. "
        "No marketing or promotional messages are sent.",
    )
    assert "SM-USE-CASE-MATCH" in failing(PROMO, ctx)


def test_negated_promotion_is_not_promotion() -> None:
    text = "Northside PT: Your visit is on [date]. No coupon is needed. Reply STOP to opt out."
    assert "SM-USE-CASE-MATCH" not in failing(text, ctx_for())


def test_two_factor_sample_without_a_code_fails() -> None:
    ctx = Context(company="Acme", use_case="2FA")
    assert "SM-USE-CASE-MATCH" in failing("Acme: Welcome! Your account is ready to use.", ctx)
    assert "SM-USE-CASE-MATCH" not in failing("Acme: Your login code is 482913.", ctx)
    assert "SM-USE-CASE-MATCH" not in failing("Acme: Your one-time passcode is {otp}.", ctx)


def test_passcode_shown_as_sent_does_not_fit_a_marketing_campaign() -> None:
    ctx = Context(company="Acme", use_case="MARKETING")
    assert "SM-USE-CASE-MATCH" in failing("Acme: Here's your one-time passcode: 123456", ctx)
    # One 2FA phrase without a code shown, or a promo code, is not a passcode message.
    assert "SM-USE-CASE-MATCH" not in failing(
        "Acme: Forgot your passcode? Visit acme.com to reset it. Reply STOP to opt out.", ctx
    )
    assert "SM-USE-CASE-MATCH" not in failing(
        "Acme: Your code is 4521 for 20% off this weekend. Reply STOP to opt out.", ctx
    )
    care = Context(company="Acme", use_case="CUSTOMER_CARE")
    assert "SM-USE-CASE-MATCH" not in failing("Acme: Here's your one-time passcode: 123456", care)


def test_customer_care_accepts_account_and_delivery_content() -> None:
    ctx = ctx_for("CUSTOMER_CARE")
    text = (
        "Northside PT: Your order of resistance bands has shipped. Tracking number: "
        "[tracking]. Reply STOP to opt out."
    )
    assert "SM-USE-CASE-MATCH" not in failing(text, ctx)


def test_use_case_missing_is_context_missing() -> None:
    report = check_text("sample_message", PROMO, Context(company="Northside Physical Therapy"))
    assert "SM-USE-CASE-MATCH" not in report.failing_rules()
    assert any(
        f.rule == "CONTEXT-MISSING" and "SM-USE-CASE-MATCH" in f.message for f in report.findings
    )


# --- keyword replies are not samples ----------------------------------------------------------
@pytest.mark.parametrize(
    "role", [MessageRole.OPT_IN_CONFIRMATION, MessageRole.OPT_OUT_REPLY, MessageRole.HELP_REPLY]
)
def test_sm_rules_skip_keyword_replies(role: MessageRole) -> None:
    text = "You are unsubscribed and will receive no further messages."
    report = check_text("sample_message", text, ctx_for(message_role=role))
    assert not (report.rules() & SM_RULES)


def test_sm_rules_apply_to_the_message_role() -> None:
    text = "You are unsubscribed and will receive no further messages."
    report = check_text("sample_message", text, ctx_for(message_role=MessageRole.MESSAGE))
    assert {"SM-BRAND", "SM-OPT-OUT"} <= report.failing_rules()


# --- the bundled example ---------------------------------------------------------------------
MY_RULES = SM_RULES | {
    "KW-CONFIRMATION",
    "KW-STOP-REPLY",
    "KW-HELP-REPLY",
    "KW-OPT-OUT-KEYWORDS",
    "CD-WHO-WHAT-WHY",
    "CD-USE-CASE-MATCH",
    "CD-FREQUENCY",
    "CD-END-BRAND",
}


def test_northside_example_texts_pass_every_sample_keyword_and_description_rule() -> None:
    from consentry.compliance import load_application
    from consentry.compliance.engine import context_for
    from tests.conftest import EXAMPLE

    app = load_application(EXAMPLE)
    ctx = context_for(app)
    c = app.campaign
    texts: list[tuple[str, str, Context]] = [
        ("campaign_description", c.description or "", ctx),
        *(
            ("sample_message", s, ctx.with_(message_role=MessageRole.MESSAGE))
            for s in c.sample_messages
        ),
        (
            "sample_message",
            c.opt_in.confirmation_message or "",
            ctx.with_(message_role=MessageRole.OPT_IN_CONFIRMATION),
        ),
        (
            "sample_message",
            c.opt_out.message or "",
            ctx.with_(message_role=MessageRole.OPT_OUT_REPLY),
        ),
        ("sample_message", c.help.message or "", ctx.with_(message_role=MessageRole.HELP_REPLY)),
    ]
    for kind, text, text_ctx in texts:
        assert text, kind
        report = check_text(kind, text, text_ctx)
        mine = [f for f in report.findings if f.rule in MY_RULES or f.rule == "CONTEXT-MISSING"]
        assert mine == [], (text, [f.message for f in mine])
    assert c.opt_out.keywords is not None
    from consentry.compliance.rules.keywords import check_opt_out_keywords

    assert check_opt_out_keywords(c.opt_out.keywords) == []


def test_keyword_replies_change_what_the_same_text_is_judged_by() -> None:
    # The example's STOP reply fails as an ordinary sample (no opt-out language), passes as a
    # STOP reply: the role, not the wording, decides which rules apply.
    text = "Northside PT: You are unsubscribed and will receive no further messages."
    assert "SM-OPT-OUT" in failing(text, ctx_for(message_role=MessageRole.MESSAGE))
    assert failing(text, ctx_for(message_role=MessageRole.OPT_OUT_REPLY)) == set()


@pytest.mark.parametrize(
    ("registered", "written"),
    [("Sam’s Dry Cleaning", "Sam's Dry Cleaning"), ("Sam's Dry Cleaning", "Sam’s Dry Cleaning")],
)
def test_brand_matches_across_apostrophe_styles(registered: str, written: str) -> None:
    text = f"{written}: your order is ready for pickup today. Reply STOP to opt out."
    report = check_text("sample_message", text, Context(company=registered))
    assert "SM-BRAND" not in report.rules()


# --- the brand inside a link ----------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Hi Sarah, your welcome offer is ready: https://northside.viewyouroffers.com/a?t=1 "
        "Reply STOP to opt out.",
        "Hi Sarah, your offer is ready: https://offers.example-deals.com/northsidept "
        "Reply STOP to opt out.",
    ],
)
def test_brand_only_on_another_site_is_not_named(text: str) -> None:
    assert "SM-BRAND" in failing(text, ctx_for())


@pytest.mark.parametrize(
    "text",
    [
        "Hi Sarah, your visit is confirmed: https://www.northsidept.com/visit Reply STOP to "
        "opt out.",
        "Northside PT: your offer is ready at https://northside.viewyouroffers.com/a Reply STOP "
        "to opt out.",
    ],
)
def test_brand_on_its_own_site_or_in_words_is_named(text: str) -> None:
    assert "SM-BRAND" not in failing(text, ctx_for())


@pytest.mark.parametrize("company", ["Dave Biggers' campaign", "Dave Biggers campaign"])
def test_a_candidate_named_for_the_campaign(company: str) -> None:
    ctx = ctx_for(company=company, website=None, use_case="POLITICAL")
    text = "Hi [name], I'm a volunteer with Dave Biggers for mayor. Reply STOP to opt out."
    assert "SM-BRAND" not in failing(text, ctx)
    assert "SM-BRAND" in failing(text.replace("Dave Biggers", "the mayor's office"), ctx)


def test_a_business_slot_beside_the_named_sender_is_the_recipients() -> None:
    ctx = ctx_for()
    text = (
        "Got it, [name] - we'll run the free missed-call report for {{company}}. Takes 48 hrs. "
        "- Northside PT. Reply STOP to opt out."
    )
    report = check_text("sample_message", text, ctx)
    assert "GEN-PLACEHOLDER" not in report.failing_rules()
    unnamed = text.replace(" - Northside PT.", "")
    assert "GEN-PLACEHOLDER" in check_text("sample_message", unnamed, ctx).failing_rules()


@pytest.mark.parametrize(
    "text",
    [
        "farmersmarketing.app: Your order #FM-A1B2 has been cancelled. Reply STOP to opt out.",
        "Your pickup is ready at https://farmersmarketing.app/orders/1. Reply STOP to opt out.",
    ],
)
def test_a_brand_that_is_a_domain_name(text: str) -> None:
    ctx = ctx_for(company="farmersmarketing.app", website=None)
    assert "SM-BRAND" not in failing(text, ctx)
    # Another site's subdomain does not name it.
    other = "Your pickup is ready at https://farmersmarketing.app.example.com/1. Reply STOP."
    assert "SM-BRAND" in failing(other, ctx)


# --- asking a stranger for permission -----------------------------------------------------
def test_permission_request_reads_as_cold_outreach() -> None:
    text = (
        "Northside PT would like to send you occasional text messages. Reply START to agree or "
        "STOP to opt out. Msg rates may apply."
    )
    assert "SM-COLD-OUTREACH" in failing(text, ctx_for())


def test_permission_request_as_a_confirmation_reply_is_not_judged_as_a_sample() -> None:
    text = (
        "Northside PT would like to send you occasional text messages. Reply YES to confirm, "
        "STOP to opt out. Msg & data rates may apply."
    )
    ctx = ctx_for(message_role=MessageRole.OPT_IN_CONFIRMATION)
    assert "SM-COLD-OUTREACH" not in failing(text, ctx)


def test_sending_a_reminder_is_not_a_permission_request() -> None:
    text = (
        "Northside PT: we would like to remind you of your visit on [date]. Reply STOP to opt out."
    )
    assert "SM-COLD-OUTREACH" not in failing(text, ctx_for())


# --- One-time passcodes in mixed campaigns -----------------------------------------------------
PASSCODE = (
    "Your Acme verification code is 123456. This code expires in 10 minutes. Do not share it."
)


def test_a_passcode_sample_of_a_mixed_campaign_needs_no_opt_out() -> None:
    assert "SM-OPT-OUT" not in failing(PASSCODE, Context(company="Acme", use_case="MIXED"))


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        # The mixed campaign lists its sub-use cases, and 2FA is not among them.
        (PASSCODE, Context(company="Acme", use_case="MIXED", sub_use_cases=("CUSTOMER_CARE",))),
        # A promo code is no passcode.
        (
            "Acme: your promo code is 123456 for 20% off. Code expires Sunday.",
            Context(company="Acme", use_case="MIXED"),
        ),
    ],
)
def test_other_mixed_samples_still_need_opt_out(text: str, ctx: Context) -> None:
    assert "SM-OPT-OUT" in failing(text, ctx)


# --- A text asking the recipient to reply before any texts are sent ----------------------------
def test_asking_a_reply_to_start_receiving_texts_is_cold_outreach() -> None:
    text = (
        "Please reply TEXT to receive text messages from Acme Salon. Message frequency varies. "
        "Msg/Data rates may apply. Reply STOP to unsubscribe."
    )
    assert "SM-COLD-OUTREACH" in failing(text, Context(company="Acme Salon"))


@pytest.mark.parametrize(
    "text",
    [
        "Acme Salon: your appointment is Tuesday at 3 PM. Reply YES to confirm. Reply STOP to end.",
        "Acme Salon: reply C to receive your receipt by text. Reply STOP to opt out.",
    ],
)
def test_replies_about_an_existing_relationship_are_not_cold(text: str) -> None:
    assert "SM-COLD-OUTREACH" not in failing(text, Context(company="Acme Salon"))
