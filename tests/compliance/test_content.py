"""CT-FORBIDDEN, CT-AGE-GATE, CT-HIGH-RISK-FINANCIAL, CT-LEAD-GEN: prohibited and restricted
content, with the negations, carve-outs and legitimate look-alikes that must not trip them."""

from __future__ import annotations

import pytest

from consentry.compliance import Context, check_text

ACME = Context(company="Acme", age_gated=False)
KINDS = [
    "sample_message",
    "opt_in",
    "privacy_policy",
    "terms",
    "campaign_description",
    "message_flow",
]


def _rules(kind: str, text: str, ctx: Context = ACME) -> set[str]:
    return check_text(kind, text, ctx).failing_rules()


def _span_text(kind: str, text: str, rule_id: str, ctx: Context = ACME) -> list[str]:
    return [
        text[f.span[0] : f.span[1]]
        for f in check_text(kind, text, ctx).findings
        if f.rule == rule_id and f.span
    ]


# --- CT-FORBIDDEN -----------------------------------------------------------------------------

FORBIDDEN = [
    ("sample_message", "Acme: 20% off all CBD gummies this weekend! Reply STOP to opt out.", "CBD"),
    ("sample_message", "Acme Dispensary: New strains in stock. Reply STOP to opt out.", None),
    ("campaign_description", "Acme sends weekly deals on THC vapes and edibles to members.", "THC"),
    (
        "sample_message",
        "Acme: Medical marijuana card evaluations $99 this week. STOP to end.",
        "marijuana",
    ),
    (
        "sample_message",
        "Acme Rx: Buy Xanax online, no prescription needed! STOP to end.",
        "no prescription needed",
    ),
    (
        "sample_message",
        "Acme: Order tramadol and oxycodone with overnight shipping. STOP to end.",
        "tramadol",
    ),
    ("sample_message", "Acme: Get Viagra without a prescription, discreet delivery.", None),
    (
        "sample_message",
        "Acme: Hot singles in your area want to chat! Reply STOP to opt out.",
        "Hot singles",
    ),
    (
        "campaign_description",
        "Acme sends links to adult content and live cam shows to members.",
        "adult content",
    ),
    ("sample_message", "Acme Casino: Claim 50 free spins tonight! Reply STOP to opt out.", None),
    (
        "sample_message",
        "Acme Sportsbook: Place your bets on Sunday's game, odds boost inside!",
        None,
    ),
    (
        "campaign_description",
        "Acme promotes online poker tournaments and sports betting.",
        "online poker",
    ),
    (
        "sample_message",
        "Acme Vape: New disposable vapes and e-liquids just dropped! STOP to opt out.",
        None,
    ),
    ("sample_message", "Acme Smoke Shop: 2-for-1 cigars this Friday. Reply STOP to opt out.", None),
    (
        "sample_message",
        "Acme Bank: Your account is locked. Reply with your PIN to restore access.",
        "Reply with your PIN",
    ),
    (
        "sample_message",
        "Congratulations! You have won a $1000 Walmart gift card. Claim your prize now.",
        None,
    ),
    (
        "sample_message",
        "IRS notice: an arrest warrant has been issued. Pay with gift cards today.",
        None,
    ),
    (
        "campaign_description",
        "Acme texts members about white power rallies and race war news.",
        "white power",
    ),
]


@pytest.mark.parametrize(("kind", "text", "phrase"), FORBIDDEN)
def test_forbidden_content_fails(kind: str, text: str, phrase: str | None) -> None:
    assert "CT-FORBIDDEN" in _rules(kind, text)
    if phrase:
        assert phrase in _span_text(kind, text, "CT-FORBIDDEN")


ALLOWED = [
    # Crypto as the subject of policy news, not an offering.
    (
        "sample_message",
        "Acme Advocacy: Thanks for subscribing! You'll get critical updates on crypto policy. "
        "Reply STOP to opt out.",
    ),
    # Denials and prohibited-content lists in policies and terms.
    ("privacy_policy", "We do not sell tobacco, vapes, cannabis, alcohol or firearms."),
    (
        "terms",
        "You may not use this program to send messages about gambling, tobacco, firearms, "
        "cannabis or sexual content.",
    ),
    (
        "terms",
        "Prohibited content:\n- Gambling\n- Tobacco and vapes\n- Hate speech\n- Cannabis/CBD",
    ),
    ("terms", "The following content is prohibited: gambling, tobacco and hate speech."),
    ("terms", "Messages about cannabis or CBD are strictly prohibited."),
    ("privacy_policy", "Acme will never ask you to reply with your password or PIN by text."),
    # Healthcare, pharmacy and retail look-alikes.
    (
        "sample_message",
        "Acme Pharmacy: Your prescription is ready for pickup. Reply STOP to opt out.",
    ),
    (
        "sample_message",
        "Acme Pharmacy: Your Adderall refill is ready for pickup at our Main St "
        "store. Reply STOP to opt out.",
    ),
    (
        "sample_message",
        "Acme Recovery: Your heroin and alcohol treatment intake is tomorrow at 9am. "
        "Reply STOP to opt out.",
    ),
    (
        "sample_message",
        "Acme Quitline: Day 3 of your quit smoking plan! Cigarette cravings pass in "
        "minutes. Reply STOP to opt out.",
    ),
    ("sample_message", "Acme Health: Do you smoke or use tobacco? Reply Y or N for your intake."),
    (
        "sample_message",
        "Acme Lawn: Weed control visit scheduled for Monday. Reply STOP to opt out.",
    ),
    (
        "sample_message",
        "Acme Cosmetics: Our nude lipstick collection is back. Reply STOP to opt out.",
    ),
    (
        "sample_message",
        "Acme Center: If you or someone you know has a gambling problem, call 1-800-GAMBLER.",
    ),
    (
        "campaign_description",
        "Acme is a nonprofit that helps schools fight hate speech online and "
        "texts volunteers about events.",
    ),
    (
        "sample_message",
        "Acme Bank: We noticed a new sign-in. If this wasn't you, reset your password "
        "at acmebank.com/reset.",
    ),
    ("sample_message", "Acme: Don't miss our weekend sale on rain boots! Reply STOP to opt out."),
    ("sample_message", "Acme Hardware: Glue guns and nail guns 20% off. Reply STOP to opt out."),
]


@pytest.mark.parametrize(("kind", "text"), ALLOWED)
def test_legitimate_texts_are_not_forbidden(kind: str, text: str) -> None:
    assert "CT-FORBIDDEN" not in _rules(kind, text)


def test_a_forbidden_word_inside_the_brand_name_is_not_content() -> None:
    ctx = Context(company="Casino Road Dental")
    assert "CT-FORBIDDEN" not in _rules(
        "sample_message", "Casino Road Dental: your cleaning is tomorrow at 2pm.", ctx
    )


def test_a_forbidden_trade_ending_the_brand_name_is_content() -> None:
    ctx = Context(company="ACME Dispensary")
    text = "ACME Dispensary: James, your account balance has been updated. Reply STOP to opt out."
    assert "CT-FORBIDDEN" in _rules("sample_message", text, ctx)
    # The same trade word elsewhere in a brand, or an allowed trade, stays a name.
    assert "CT-FORBIDDEN" not in _rules(
        "sample_message",
        "Dispensary Road Dental: your cleaning is tomorrow at 2pm.",
        Context(company="Dispensary Road Dental"),
    )
    assert "CT-FORBIDDEN" not in _rules(
        "sample_message",
        "Acme Pharmacy: your refill is ready. Reply STOP to opt out.",
        Context(company="Acme Pharmacy"),
    )


def test_prohibition_does_not_leak_into_the_next_sentence() -> None:
    text = "We never share your data.\nBuy CBD oil today at 30% off!"
    assert "CT-FORBIDDEN" in _rules("sample_message", text)


@pytest.mark.parametrize("kind", KINDS)
def test_forbidden_runs_on_every_kind(kind: str) -> None:
    assert "CT-FORBIDDEN" in _rules(kind, "Acme sells CBD oil and THC gummies.")


# --- CT-AGE-GATE ------------------------------------------------------------------------------

ALCOHOL = "Acme Bar: Half-price wine and craft beer tonight from 5-7pm! Reply STOP to opt out."


def test_alcohol_without_the_age_gated_flag_fails() -> None:
    assert "CT-AGE-GATE" in _rules(
        "sample_message", ALCOHOL, Context(company="Acme Bar", age_gated=False)
    )
    assert "wine" in _span_text("sample_message", ALCOHOL, "CT-AGE-GATE", Context(age_gated=False))


def test_alcohol_when_the_flag_is_unknown_is_a_context_notice() -> None:
    report = check_text("sample_message", ALCOHOL, Context(company="Acme Bar"))
    assert "CT-AGE-GATE" not in report.failing_rules()
    notices = [f for f in report.findings if f.rule == "CONTEXT-MISSING"]
    assert any("CT-AGE-GATE" in f.message for f in notices)


def test_no_notice_when_nothing_age_restricted_is_said() -> None:
    report = check_text("sample_message", "Acme: your order shipped.", Context(company="Acme"))
    assert not [f for f in report.findings if "CT-AGE-GATE" in f.message]


def test_alcohol_with_the_flag_passes_in_messages() -> None:
    assert "CT-AGE-GATE" not in _rules("sample_message", ALCOHOL, Context(age_gated=True))


def test_age_gated_opt_in_needs_a_date_of_birth_not_a_checkbox() -> None:
    ctx = Context(company="Acme Winery", age_gated=True)
    claim = "[ ] I am 21 or older and agree to receive wine club offers from Acme Winery by text."
    dob = (
        "Enter your date of birth (you must be 21 or older). I agree to receive wine club offers "
        "from Acme Winery by text."
    )
    assert "CT-AGE-GATE" in _rules("opt_in", claim, ctx)
    assert "CT-AGE-GATE" not in _rules("opt_in", dob, ctx)


def test_age_gated_opt_in_form_with_a_birth_date_field_passes() -> None:
    html = (
        '<form><label>Date</label><input type="date" name="dob" required>'
        '<label><input type="checkbox" name="sms"> Text me wine club offers from Acme Winery.'
        "</label></form>"
    )
    assert "CT-AGE-GATE" not in _rules(
        "opt_in", html, Context(company="Acme Winery", age_gated=True)
    )


@pytest.mark.parametrize(
    "text",
    [
        "Acme Range: Your firearms safety class is Saturday. Reply STOP to opt out.",
        "Acme Outdoors: New shipment of hunting rifles and ammo in store now.",
    ],
)
def test_firearms_need_the_age_gate(text: str) -> None:
    assert "CT-AGE-GATE" in _rules("sample_message", text)


@pytest.mark.parametrize(
    "text",
    [
        "Wine & Dine Bistro: your table for 2 is confirmed for 7pm. Reply STOP to opt out.",
        "Acme Diner: Try our root beer floats and ginger beer this summer!",
        "Acme Clinic: Please avoid alcohol 24 hours before your procedure.",
        "Acme Clinic: Do not drink alcohol before your sedation appointment.",
        "Acme Urgent Care: Our drug and alcohol testing hours are 8-5.",
        "Acme Supply: Alcohol wipes and rubbing alcohol back in stock.",
        "Acme Hardware: Heat guns and caulk guns on sale this week.",
        "Acme Cafe: Try our new non-alcoholic sparkling cider!",
        "Acme Recovery: Alcohol use disorder group meets Tuesday at 6pm.",
        "Acme Salon: Our burgundy and wine-colored nail shades are in.",
    ],
)
def test_look_alikes_are_not_age_restricted(text: str) -> None:
    assert "CT-AGE-GATE" not in _rules("sample_message", text)


def test_the_sender_called_wine_is_not_alcohol_content() -> None:
    ctx = Context(company="Wine Country Realty", age_gated=False)
    text = "Wine Country Realty: the open house at 12 Oak St is Sunday 1-4pm."
    assert "CT-AGE-GATE" not in _rules("sample_message", text, ctx)


# --- CT-HIGH-RISK-FINANCIAL -------------------------------------------------------------------

FINANCIAL = [
    (
        "sample_message",
        "Acme: Need cash fast? Payday loans up to $1,000, bad credit OK!",
        "Payday loans",
    ),
    (
        "sample_message",
        "Acme: Get a cash advance up to $500 today. Reply STOP to opt out.",
        "Get a cash advance",
    ),
    (
        "campaign_description",
        "Acme connects consumers with our network of lenders for personal loans.",
        None,
    ),
    ("sample_message", "Acme: You're pre-approved for a $5,000 personal loan! Apply now.", None),
    ("sample_message", "Acme: Bitcoin is up 20%! Invest in crypto with us today.", "Bitcoin"),
    ("campaign_description", "Acme sends NFT drops and token sale alerts to subscribers.", "NFT"),
    (
        "sample_message",
        "Acme: Struggling with bills? Our debt relief program can cut your debt in half.",
        "debt relief",
    ),
    (
        "sample_message",
        "Acme: Fix your credit fast! Our credit repair experts remove negative items.",
        None,
    ),
    (
        "sample_message",
        "Acme Collections: This is an attempt to collect a debt. Call us today.",
        "This is an attempt to collect a debt",
    ),
    ("sample_message", "Acme: Earn $500 a day from home! Be your own boss.", None),
    (
        "campaign_description",
        "Acme sends work-from-home opportunities and passive income tips.",
        None,
    ),
    ("sample_message", "Acme: Student loan forgiveness is here, see if you qualify.", None),
]


@pytest.mark.parametrize(("kind", "text", "phrase"), FINANCIAL)
def test_high_risk_financial_fails(kind: str, text: str, phrase: str | None) -> None:
    assert "CT-HIGH-RISK-FINANCIAL" in _rules(kind, text)
    if phrase:
        assert phrase in _span_text(kind, text, "CT-HIGH-RISK-FINANCIAL")


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("sample_message", "Acme Credit Union: Your auto loan payment of $320 is due on 5/1."),
        (
            "sample_message",
            "Acme Hospital: Your balance of $120 is past due. Pay at acmehealth.com/pay.",
        ),
        ("privacy_policy", "Acme does not offer payday loans, cash advances or debt relief."),
        ("sample_message", "Acme Bank: Your mortgage application was received. We will call you."),
        ("sample_message", "Acme Careers: Your interview for the remote support role is Monday."),
        ("privacy_policy", "We use cryptographic hashing to protect stored data."),
    ],
)
def test_first_party_finance_is_not_high_risk(kind: str, text: str) -> None:
    assert "CT-HIGH-RISK-FINANCIAL" not in _rules(kind, text)


def test_crypto_exchange_passcodes_are_allowed() -> None:
    ctx = Context(company="Acme", use_case="2FA")
    assert "CT-HIGH-RISK-FINANCIAL" not in _rules(
        "sample_message", "Acme crypto wallet: your login code is 482913.", ctx
    )


# --- CT-LEAD-GEN ------------------------------------------------------------------------------

LEAD_GEN = [
    (
        "opt_in",
        "By submitting, you agree we may share your info with our network of partners who "
        "may text you.",
        "share your info with our network of partners",
    ),
    (
        "privacy_policy",
        "We sell leads to insurance agencies and share contact data with our marketing partners.",
        "sell leads",
    ),
    (
        "opt_in",
        "I agree to receive calls and texts from Acme and its marketing partners.",
        "marketing partners",
    ),
    (
        "sample_message",
        "Acme Deals: Today's affiliate offers are live! Reply STOP to opt out.",
        "affiliate offers",
    ),
    (
        "campaign_description",
        "Acme is a lead generation service for solar installers.",
        "lead generation",
    ),
    ("opt_in", "Compare quotes from up to 5 insurers and get matched with local agents.", None),
    ("opt_in", "You agree to receive offers from our partners and sponsors by text.", None),
    (
        "terms",
        "Skin Dental is a marketing, lead-generation, supply and scheduling company.",
        "lead-generation",
    ),
    (
        "terms",
        "Acme Lifts is an independent equipment matching and lead referral service.",
        "lead referral service",
    ),
]


@pytest.mark.parametrize(("kind", "text", "phrase"), LEAD_GEN)
def test_lead_generation_fails(kind: str, text: str, phrase: str | None) -> None:
    assert "CT-LEAD-GEN" in _rules(kind, text)
    if phrase:
        assert phrase in _span_text(kind, text, "CT-LEAD-GEN")


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "privacy_policy",
            "We will not share your mobile information with our partners or "
            "affiliates for marketing purposes.",
        ),
        (
            "privacy_policy",
            "We share information with service providers who help us send messages; "
            "SMS opt-in data is never shared.",
        ),
        ("sample_message", "Acme Realty: Your agent Dana will call you about the listing at 3pm."),
        ("sample_message", "Acme: This leads to faster checkout. Reply STOP to opt out."),
        (
            "campaign_description",
            "Acme sends order updates to its own customers; no data is sold or "
            "shared with partners.",
        ),
    ],
)
def test_first_party_texts_are_not_lead_generation(kind: str, text: str) -> None:
    assert "CT-LEAD-GEN" not in _rules(kind, text)


# --- all CT rules -----------------------------------------------------------------------------


def test_clean_northside_style_texts_have_no_content_findings() -> None:
    ctx = Context(company="Northside Physical Therapy", age_gated=False)
    for kind, text in [
        (
            "sample_message",
            "Northside PT: Hi [first name], reminder of your visit on [date]. Reply "
            "STOP to opt out.",
        ),
        (
            "privacy_policy",
            "No mobile information will be shared with third parties or affiliates "
            "for marketing or promotional purposes.",
        ),
        (
            "terms",
            "Message and data rates may apply. Carriers are not liable for delayed messages.",
        ),
    ]:
        report = check_text(kind, text, ctx)
        assert not {r for r in report.rules() if r.startswith("CT-")}
