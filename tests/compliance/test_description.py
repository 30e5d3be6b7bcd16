"""CD-* rules: the campaign description (TCR codes 2002-2004, Twilio 30893, provider guidance)."""

from __future__ import annotations

import pytest

from consentry.compliance import Context, Report, Severity, check_text

CD_RULES = {"CD-WHO-WHAT-WHY", "CD-USE-CASE-MATCH", "CD-FREQUENCY", "CD-END-BRAND"}


def report_for(
    text: str, company: str = "Acme", use_case: str | None = "CUSTOMER_CARE", **kw: object
) -> Report:
    ctx = Context(company=company, use_case=use_case, **kw)  # type: ignore[arg-type]
    return check_text("campaign_description", text, ctx)


def failing(
    text: str, company: str = "Acme", use_case: str | None = "CUSTOMER_CARE", **kw: object
) -> set[str]:
    return report_for(text, company, use_case, **kw).failing_rules() & CD_RULES


# (use case, company, description, failing CD rules). Warnings (CD-FREQUENCY) are asserted apart.
CORPUS: list[tuple[str, str, str, set[str]]] = [
    # compliant
    (
        "CUSTOMER_CARE",
        "Smith Family Dental",
        "Smith Family Dental sends appointment reminders, rescheduling notices and 6-month checkup "
        "reminders to existing patients who opted in at the front desk or on our website. These "
        "messages help patients manage their dental care and avoid missed appointments. Patients "
        "receive up to 4 messages per month.",
        set(),
    ),
    (
        "DELIVERY_NOTIFICATION",
        "Acme Outdoor Supply",
        "Acme Outdoor Supply sends order confirmations, shipping updates and delivery "
        "notifications to customers who opt in at checkout on acmeoutdoor.com, so customers know "
        "when their order will arrive. About 3 messages per order.",
        set(),
    ),
    (
        "2FA",
        "Acme",
        "Acme sends one-time passcodes to users who sign in to their Acme account, to verify "
        "their identity at login. One message per login attempt.",
        set(),
    ),
    (
        "MARKETING",
        "Bella's Boutique",
        "Bella's Boutique sends promotional offers, new arrival announcements and seasonal sale "
        "alerts to subscribers who joined by texting BELLA to 55555 or on our website. Up to 6 "
        "messages per month.",
        set(),
    ),
    (
        "ACCOUNT_NOTIFICATION",
        "Lone Star Credit Union",
        "Lone Star Credit Union sends payment reminders, low-balance alerts and statement "
        "notices to members who enrolled in text alerts in online banking, to help members avoid "
        "late fees. Message frequency varies.",
        set(),
    ),
    (
        "K12_EDUCATION",
        "Cedar Park ISD",
        "Cedar Park ISD sends school closing and delay alerts, early dismissal notices and event "
        "reminders to parents and guardians who opted in during enrollment, to keep families "
        "informed. Up to 8 messages per month.",
        set(),
    ),
    # non-compliant
    ("CUSTOMER_CARE", "Acme", "We send messages to customers.", {"CD-WHO-WHAT-WHY"}),
    ("CUSTOMER_CARE", "Acme", "Notifications", {"CD-WHO-WHAT-WHY"}),
    (
        "CUSTOMER_CARE",
        "Acme",
        "Acme will send notifications and updates to people about various things from time to "
        "time as needed.",
        {"CD-WHO-WHAT-WHY"},
    ),
    (
        "CUSTOMER_CARE",
        "Acme",
        "Acme sends customer support replies and also promotional offers, coupons and weekly "
        "deals to customers who opted in on our website. Up to 4 messages per month.",
        {"CD-USE-CASE-MATCH"},
    ),
    (
        "MARKETING",
        "TextBlast",
        "Our platform allows small businesses to send promotional offers and appointment "
        "reminders to their customers who opted in. Up to 4 messages per month.",
        {"CD-END-BRAND", "CD-WHO-WHAT-WHY"},
    ),
    (
        "CUSTOMER_CARE",
        "Jane Doe",
        "Jane Doe sends event reminders to my friends and family about birthday parties and "
        "get-togethers. A few messages per month.",
        {"CD-END-BRAND", "CD-WHO-WHAT-WHY"},
    ),
    (
        "2FA",
        "Acme",
        "Acme sends appointment reminders and order updates to customers who opted in on our "
        "website. Up to 4 messages per month.",
        {"CD-USE-CASE-MATCH"},
    ),
    (
        "ACCOUNT_NOTIFICATION",
        "Friends of Jane Doe",
        "Friends of Jane Doe sends election day reminders, polling place information and voter "
        "reminders to supporters who signed up at rallies, asking them to vote for Jane Doe for "
        "city council. Paid for by Friends of Jane Doe. Up to 10 messages per month.",
        {"CD-USE-CASE-MATCH"},
    ),
]


@pytest.mark.parametrize(("use_case", "company", "text", "expected"), CORPUS)
def test_description_corpus(use_case: str, company: str, text: str, expected: set[str]) -> None:
    assert failing(text, company, use_case) == expected


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 10
    assert sum(1 for *_, e in CORPUS if e) >= 5
    assert sum(1 for *_, e in CORPUS if not e) >= 5


# --- CD-WHO-WHAT-WHY -------------------------------------------------------------------------
def test_description_must_name_the_sender() -> None:
    text = (
        "We send appointment reminders to patients who opted in on our website, to help them "
        "keep their visits. Up to 4 messages per month."
    )
    assert "CD-WHO-WHAT-WHY" in failing(text, company="Northside Physical Therapy")
    named = "Northside PT " + text[3:]
    assert "CD-WHO-WHAT-WHY" not in failing(named, company="Northside Physical Therapy")


def test_description_must_name_the_audience() -> None:
    text = "Acme sends appointment reminders and rescheduling notices. Up to 4 messages a month."
    assert "CD-WHO-WHAT-WHY" in failing(text)
    with_audience = text.replace("notices.", "notices to its patients.")
    assert "CD-WHO-WHAT-WHY" not in failing(with_audience)


def test_professionals_are_an_audience() -> None:
    text = (
        "Messages are sent by Acme to local realtors who enroll on acme.com to get rental "
        "projections for the listings they manage."
    )
    assert "CD-WHO-WHAT-WHY" not in failing(text)
    # Without the message type the same audience is not enough.
    assert "CD-WHO-WHAT-WHY" in failing(
        "Messages are sent by Acme to local realtors who enroll on acme.com for our program."
    )
    # A bare "agents" names no audience (it may be the sender's own staff).
    assert "CD-WHO-WHAT-WHY" in failing(
        "Acme agents send rental projections and listing reports from our office every week."
    )


def test_renewal_offers_and_answering_questions_are_message_types() -> None:
    assert "CD-WHO-WHAT-WHY" not in failing(
        "Acme Insurance sends renewal offers to current insurance clients.",
        company="Acme Insurance",
    )
    assert "CD-WHO-WHAT-WHY" not in failing(
        "Acme Insurance texts current clients, answering questions on their coverage.",
        company="Acme Insurance",
    )
    # "offers" alone, or answering in general, names no message type.
    assert "CD-WHO-WHAT-WHY" in failing(
        "Acme Insurance sends offers to current insurance clients.", company="Acme Insurance"
    )
    assert "CD-WHO-WHAT-WHY" in failing(
        "Acme Insurance texts current clients and answers promptly.", company="Acme Insurance"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Ayvaz Pizza sends work follow-up reminders to its own area coaches (employees) who opted "
        "in through an internal tool.",
        "Acme sends account, onboarding, and early-access/waitlist notifications to users who "
        "opted in on our website.",
        "Acme texts employees who opted in. Messages remind employees of follow-up tasks due "
        "today or overdue.",
    ],
)
def test_named_kinds_of_work_and_account_messages(text: str) -> None:
    company = "Ayvaz Pizza" if text.startswith("Ayvaz") else "Acme"
    assert "CD-WHO-WHAT-WHY" not in failing(text, company=company)


@pytest.mark.parametrize(
    "text",
    [
        "Acme Vet sends transactional text messages related to your account and veterinary "
        "appointment activity, such as appointment reminders and booking updates.",
        "When you join the waitlist at Acme Grill, Acme Grill texts you updates about your place "
        "in line and when your table is ready.",
    ],
)
def test_recipients_addressed_as_you(text: str) -> None:
    company = "Acme Grill" if "Grill" in text else "Acme Vet"
    assert "CD-WHO-WHAT-WHY" not in failing(text, company=company)


def test_kinds_named_as_updates_about_a_subject() -> None:
    text = (
        "Acme Capital texts people who opt in via our website form. Messages are for customer "
        "care, such as scheduling calls and sharing deal process updates."
    )
    assert "CD-WHO-WHAT-WHY" not in failing(text, company="Acme Capital")


def test_kinds_named_by_their_subject() -> None:
    text = (
        "Acme Coach provides opted-in users with workout reminders and logging prompts by SMS "
        "to help them keep their training plan."
    )
    assert "CD-WHO-WHAT-WHY" not in failing(text, company="Acme Coach")
    assert "CD-WHO-WHAT-WHY" in failing(
        text.replace("workout reminders and logging prompts", "friendly reminders"),
        company="Acme Coach",
    )


def test_reminding_without_saying_of_what_names_no_kind() -> None:
    assert "CD-WHO-WHAT-WHY" in failing("Acme texts employees who opted in to remind them.")
    assert "CD-WHO-WHAT-WHY" in failing(
        "Acme sends updates about our business to customers who opted in."
    )


def test_vague_message_types_fail() -> None:
    assert "CD-WHO-WHAT-WHY" in failing("Acme sends notifications and alerts to its customers.")
    assert "CD-WHO-WHAT-WHY" not in failing(
        "Acme sends order status notifications and delivery alerts to its customers."
    )


def test_too_short_fails() -> None:
    report = report_for("Acme reminders to patients.")
    assert "CD-WHO-WHAT-WHY" in report.failing_rules()


def test_without_company_the_sender_is_not_checked() -> None:
    text = (
        "We send appointment reminders to patients who opted in on our website, to help them "
        "keep their visits."
    )
    report = check_text("campaign_description", text, Context(use_case="CUSTOMER_CARE"))
    assert "CD-WHO-WHAT-WHY" not in report.failing_rules()
    assert "CONTEXT-MISSING" in report.rules()


# --- CD-FREQUENCY ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence",
    [
        "Up to 4 messages per month.",
        "Customers receive about two messages a week.",
        "Message frequency varies.",
        "Messages are sent weekly.",
        "One message per order.",
        "Two reminders before each appointment.",
        "Expected volume: 500 messages per day.",
        "Codes are sent only when a user requests one.",
    ],
)
def test_frequency_stated(sentence: str) -> None:
    text = f"Acme sends order status notifications to its customers who opted in. {sentence}"
    assert "CD-FREQUENCY" not in report_for(text).rules()


def test_frequency_missing_is_a_warning() -> None:
    text = "Acme sends order status notifications to its customers who opted in at checkout."
    report = report_for(text)
    hits = [f for f in report.findings if f.rule == "CD-FREQUENCY"]
    assert hits and hits[0].severity is Severity.WARNING
    assert "CD-FREQUENCY" not in report.failing_rules()


# --- CD-END-BRAND ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Our platform allows businesses to text their customers appointment reminders.",
        "We send appointment reminders on behalf of our clients to their patients.",
        "TextBlast is a SaaS platform; businesses that use our platform send order updates.",
        "We are an SMS marketing agency sending promotional offers for multiple brands.",
        "Personal use: reminders to my family about chores and school pickup.",
        "I text my friends and family about weekend plans.",
        "White-label texting for dealerships: order updates to their buyers.",
        "Our platform enables multiple healthcare brands to send messages to their customers.",
        "TextBlast enables business owners to send informational SMS messages requesting "
        "customer feedback after service completion.",
        "TextBlast is a management platform for self-storage facilities. This campaign sends "
        "account notifications from a storage facility to its own tenants.",
        "Julio uses this campaign to send order confirmations for personal software-development "
        "testing.",
        "TextBlast sends text messages to pet owners on behalf of veterinary practices who "
        "subscribe to our client communication software.",
        "TextBlast is a waitlist management app used by restaurant host stands; guests get "
        "table-ready alerts.",
        "This is a private, single-user program: TextBlast sends the operator reminders he set.",
        "TextBlast delivers customer-care SMS to each user on behalf of the partner that owns the "
        "relationship; TextBlast is the registered sender of record.",
        "Personal executive-assistant line for the business owner. Single primary recipient.",
    ],
)
def test_platforms_and_personal_use_fail(text: str) -> None:
    report = report_for(text, company="TextBlast")
    hit = next(f for f in report.findings if f.rule == "CD-END-BRAND")
    assert hit.span is not None


@pytest.mark.parametrize(
    "text",
    [
        "Acme Law sends case status updates to our clients who opted in at intake.",
        "Acme Realty agents send showing reminders on behalf of Acme Realty to buyers who "
        "opted in.",
        "The Acme app sends order updates to customers who opted in at checkout.",
        "Acme does not resell its messaging or send on behalf of other businesses.",
        "Acme Consulting helps small businesses plan budgets; it sends appointment reminders to "
        "its own clients who opted in.",
        "Acme Clinic sends appointment reminders to patients of multiple clinic locations who "
        "opted in at the front desk.",
        "Acme Gym sends personal training session reminders to members who opted in.",
        "Acme Storage sends rent reminders from our front office to tenants who opted in.",
        "Acme Hardware sends order updates from the store to customers who opted in at checkout.",
        "Acme Dental Group sends appointment reminders on behalf of our practices to patients "
        "who opted in.",
        "Acme is a SaaS company; Acme texts its own customers account alerts after they opt in "
        "on acme.com.",
        "The Acme app is used by our members to book classes; it sends class reminders.",
    ],
)
def test_businesses_texting_their_own_customers_pass(text: str) -> None:
    assert "CD-END-BRAND" not in report_for(text).rules()


# --- CD-USE-CASE-MATCH -----------------------------------------------------------------------
CARE = (
    "Acme sends order status notifications and replies to customer questions to customers "
    "who opted in at checkout. No marketing or promotional messages are sent."
)


def test_negated_marketing_matches_customer_care() -> None:
    assert "CD-USE-CASE-MATCH" not in failing(CARE)


def test_waitlist_promotions_are_not_marketing() -> None:
    text = (
        "Acme sends 24-hour game reminders and waitlist promotion alerts to players who opted in "
        "in the app, so they know when they have a spot."
    )
    assert "CD-USE-CASE-MATCH" not in failing(text)
    assert "CD-USE-CASE-MATCH" in failing(text.replace("waitlist promotion", "promotion"))


def test_a_marketing_campaign_must_describe_marketing() -> None:
    text = (
        "Acme sends order delivery notifications to customers who opted in during checkout at "
        "acme.com, so they know when to expect their packages."
    )
    assert "CD-USE-CASE-MATCH" in failing(text, use_case="MARKETING")
    promo = text.replace("order delivery notifications", "promotional offers and new arrivals")
    assert "CD-USE-CASE-MATCH" not in failing(promo, use_case="MARKETING")


def test_marketing_in_customer_care_fails_with_span() -> None:
    text = "Acme sends order updates and promotional offers to customers who opted in."
    report = report_for(text)
    hit = next(f for f in report.findings if f.rule == "CD-USE-CASE-MATCH")
    assert hit.span is not None
    assert text[hit.span[0] : hit.span[1]].lower().startswith("promotional")


@pytest.mark.parametrize(
    ("use_case", "subs"),
    [("MARKETING", ()), ("MIXED", ("MARKETING", "CUSTOMER_CARE")), ("LOW_VOLUME", ())],
)
def test_marketing_allowed_in_marketing_campaigns(use_case: str, subs: tuple[str, ...]) -> None:
    text = "Acme sends order updates and promotional offers to customers who opted in."
    assert "CD-USE-CASE-MATCH" not in failing(text, use_case=use_case, sub_use_cases=subs)


def test_samples_promoting_what_the_description_omits_fail() -> None:
    samples = (
        "Acme: Your order #[id] shipped. Reply STOP to opt out.",
        "Acme: Flash sale! 30% off everything today. Reply STOP to opt out.",
    )
    text = "Acme sends order status notifications to customers who opted in at checkout."
    assert "CD-USE-CASE-MATCH" in failing(
        text,
        use_case="MIXED",
        sub_use_cases=("MARKETING", "DELIVERY_NOTIFICATION"),
        sample_messages=samples,
    )
    covered = text.replace("notifications", "notifications and promotional offers")
    assert "CD-USE-CASE-MATCH" not in failing(
        covered,
        use_case="MIXED",
        sub_use_cases=("MARKETING", "DELIVERY_NOTIFICATION"),
        sample_messages=samples,
    )


def test_mixed_with_one_sub_use_case_fails() -> None:
    text = "Acme sends order status notifications to customers who opted in at checkout."
    assert "CD-USE-CASE-MATCH" in failing(
        text, use_case="MIXED", sub_use_cases=("DELIVERY_NOTIFICATION",)
    )


def test_use_case_missing_is_context_missing() -> None:
    report = report_for(CARE, use_case=None)
    assert "CD-USE-CASE-MATCH" not in report.failing_rules()
    assert any(
        f.rule == "CONTEXT-MISSING" and "CD-USE-CASE-MATCH" in f.message for f in report.findings
    )


# --- platforms described by who uses them ---------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Messages are sent on behalf of Acme client businesses to their own customers and inbound "
        "leads about missed calls.",
        "Acme LLC provides communication services used by healthcare providers to send "
        "transactional SMS messages such as appointment reminders.",
    ],
)
def test_platform_for_other_businesses(text: str) -> None:
    assert "CD-END-BRAND" in failing(text)


@pytest.mark.parametrize(
    "text",
    [
        "Acme Dental sends appointment reminders to its own patients, on behalf of our dentists, "
        "who opted in on acmedental.com.",
        "Acme Dental uses a scheduling system used by our front desk to send appointment "
        "reminders to patients who opted in.",
    ],
)
def test_end_business_naming_its_staff_or_tools(text: str) -> None:
    assert "CD-END-BRAND" not in failing(text)
