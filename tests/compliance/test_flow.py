"""MF-* rules: the message flow (how consent is collected), after Twilio 30917 ("all opt-in
methods must include complete workflow descriptions"), Telnyx and Bandwidth message-flow
templates and the rejected flows they list ("customers opt in" with nothing to verify)."""

from __future__ import annotations

import pytest

from consentry.compliance import Context, check_text

CONSENT = (
    "I agree to receive appointment reminder texts from Acme Dental. Msg frequency varies. Msg & "
    "data rates may apply. Reply HELP for help, STOP to opt out. Privacy Policy: "
    "https://acmedental.com/privacy, Terms: https://acmedental.com/terms"
)


def mf(text: str, company: str = "Acme Dental") -> set[str]:
    """The MF-* rules failing on a message flow."""
    rules = check_text("message_flow", text, Context(company=company)).failing_rules()
    return {r for r in rules if r.startswith("MF-")}


def all_rules(text: str, company: str = "Acme Dental") -> set[str]:
    rules = check_text("message_flow", text, Context(company=company)).failing_rules()
    return {r for r in rules if r.startswith(("MF-", "OI-"))}


COMPLIANT_FLOWS = [
    (
        "Acme Dental",
        "Patients opt in on https://acmedental.com/sms by entering their mobile number and "
        f'checking an unchecked, optional box next to this consent language: "{CONSENT}". '
        "Consent is not a condition of treatment.",
    ),
    (
        "Acme Dental",
        "Patients opt in at the front desk by signing a paper consent form that is kept on file. "
        "A sample of the form is hosted at https://acmedental.com/sms-form.png. The form reads: "
        f'"{CONSENT}"',
    ),
    (
        "Pizza Palace",
        "Customers text PIZZA to 55123, advertised on in-store posters and on receipts. They "
        'receive this confirmation: "Pizza Palace: You are subscribed to weekly deals and '
        "coupons. Up to 4 msgs/mo. Msg & data rates may apply. Reply HELP for help, STOP to "
        'cancel." Consent is not a condition of purchase. Terms: https://pizzapalace.com/terms '
        "Privacy: https://pizzapalace.com/privacy",
    ),
    (
        "Acme Dental",
        "End users opt in through the web form at https://acmedental.com/contact (screenshot: "
        "https://acmedental.com/optin-screenshot.png). They check a separate box that reads "
        f'"{CONSENT}".',
    ),
]

NON_COMPLIANT_FLOWS = [
    ("Customers opt in to receive texts from Acme Dental.", {"MF-METHOD", "MF-DISCLOSURE"}),
    (
        # Only a policy link: nothing shows where people opt in.
        f"Customers agree to texts from us. {CONSENT}",
        {"MF-METHOD", "MF-DISCLOSURE"},
    ),
    (
        # A paper form with no sample: not verifiable.
        "Patients sign a paper form at the front desk, kept on file, to receive appointment "
        f'reminder texts. The form says: "{CONSENT}"',
        {"MF-METHOD"},
    ),
    (
        # Keyword flow with no number, no place and no confirmation.
        "Customers can text JOIN to sign up for Acme Dental appointment reminder texts.",
        {"MF-METHOD", "MF-DISCLOSURE", "MF-KEYWORD"},
    ),
    (
        "Customers opt in at https://acmedental.com/sms by checking a box.",
        set(),
    ),
]


@pytest.mark.parametrize(("company", "flow"), COMPLIANT_FLOWS)
def test_compliant_flows_pass_mf_and_oi(company: str, flow: str) -> None:
    assert all_rules(flow, company) == set()


@pytest.mark.parametrize(("flow", "expected"), NON_COMPLIANT_FLOWS)
def test_non_compliant_flows(flow: str, expected: set[str]) -> None:
    assert mf(flow) == expected


class TestMethod:
    def test_no_action_described(self) -> None:
        assert "MF-METHOD" in mf("https://acmedental.com/sms")

    def test_keyword_with_number_is_verifiable(self) -> None:
        flow = (
            "Customers text REMIND to (512) 555-0123, shown on appointment cards, and get a "
            f'confirmation text: "{CONSENT}"'
        )
        assert mf(flow) == set()

    def test_verbal_with_script(self) -> None:
        flow = (
            "Patients opt in verbally over the phone; staff read this script and log the consent: "
            f'"{CONSENT}"'
        )
        assert "MF-METHOD" not in mf(flow)

    def test_verbal_without_script(self) -> None:
        assert "MF-METHOD" in mf("Patients opt in verbally when they call the office.")

    def test_policy_url_alone_is_not_the_opt_in_page(self) -> None:
        assert "MF-METHOD" in mf("Customers opt in. See https://acmedental.com/privacy.")


class TestDisclosure:
    def test_quoted(self) -> None:
        flow = f'Customers sign up by texting us; they see "{CONSENT}" and a keyword card.'
        assert "MF-DISCLOSURE" not in mf(flow)

    def test_typographic_quotes(self) -> None:
        flow = f"Patients check a box next to “{CONSENT}”."
        assert "MF-DISCLOSURE" not in mf(flow)

    def test_screenshot_link(self) -> None:
        flow = "Customers check a box on our site; screenshot: https://cdn.acme.io/optin.png"
        assert "MF-DISCLOSURE" not in mf(flow)

    def test_neither_quote_nor_link(self) -> None:
        flow = "Customers check a box agreeing to receive texts when they register in the store."
        assert "MF-DISCLOSURE" in mf(flow)

    @pytest.mark.parametrize("open_, close", [("'", "'"), ("\u2018", "\u2019")])
    def test_single_quotes(self, open_: str, close: str) -> None:
        consent = CONSENT.replace("Reply", "You're free to reply")
        flow = f"Patients check a box next to {open_}{consent}{close}."
        assert "MF-DISCLOSURE" not in mf(flow)

    def test_quoted_keywords_do_not_pair_into_a_quotation(self) -> None:
        flow = (
            'Customers opt in by submitting an online form or by responding "y" or "yes" when '
            'prompted by Acme Dental. To opt out, reply "STOP" to any message.'
        )
        assert "MF-DISCLOSURE" in mf(flow)

    def test_a_quoted_cancellation_notice_is_not_the_consent_language(self) -> None:
        flow = (
            "Customers click the checkbox on our portal to give their consent. If they untick "
            'it they see: "You are cancelling your opt-in to text messaging for this campaign. '
            'Click OK to confirm."'
        )
        assert "MF-DISCLOSURE" in mf(flow)

    def test_apostrophes_are_not_quotations(self) -> None:
        flow = (
            "Customers check a box when they register in the store's kiosk; it's where they "
            "agree to receive the clinic's texts."
        )
        assert "MF-DISCLOSURE" in mf(flow)

    def test_a_script_introduced_by_read(self) -> None:
        flow = f"Patients consent verbally on a phone call. Staff read: {CONSENT}"
        assert "MF-DISCLOSURE" not in mf(flow)
        assert "MF-METHOD" not in mf(flow)

    def test_short_label_in_quotes_is_not_the_language(self) -> None:
        flow = 'Customers click "Sign up" in the store kiosk to receive texts.'
        assert "MF-DISCLOSURE" in mf(flow)


def test_a_login_gated_page_is_not_verifiable() -> None:
    flow = (
        "Users check a consent checkbox in authenticated web forms at acme.com/user-preferences: "
        f'"{CONSENT}"'
    )
    assert "MF-METHOD" in mf(flow)
    public = flow.replace("authenticated web forms at", "the public sign-up page")
    assert "MF-METHOD" not in mf(public)
    shown = flow + " Screenshot: https://acme.com/optin.png"
    assert "MF-METHOD" not in mf(shown)


def test_a_newsletter_that_advertises_the_keyword_is_no_frequency() -> None:
    flow = (
        "Customers text the word JOIN to 55123 to opt in. We advertise this keyword on our "
        f'website and in our monthly newsletter, and they receive: "{CONSENT}"'
    ).replace("Msg frequency varies. ", "")
    report = check_text("message_flow", flow, Context(company="Acme Dental"))
    assert "OI-FREQUENCY" in report.failing_rules()


class TestKeyword:
    def test_a_flow_that_has_no_keyword_opt_in(self) -> None:
        flow = (
            "There is no web form and no keyword opt-in campaign; patients opt in at "
            f'https://acmedental.com/sms by checking a box next to "{CONSENT}"'
        )
        assert "MF-KEYWORD" not in mf(flow)

    def test_not_a_keyword_flow(self) -> None:
        flow = (
            "Patients opt in at https://acmedental.com/sms by checking a box. Reply STOP to "
            "opt out."
        )
        assert "MF-KEYWORD" not in mf(flow)

    @pytest.mark.parametrize(
        ("missing", "flow"),
        [
            ("number", "Customers text JOIN, shown on flyers, and get a confirmation message."),
            ("place", "Customers text JOIN to 55123 and get a confirmation message."),
            ("confirmation", "Customers text JOIN to 55123, shown on flyers in the store."),
            (
                "keyword",
                "Customers text our opt-in keyword to 55123, shown on flyers, and get a "
                "confirmation.",
            ),
        ],
    )
    def test_each_element_is_required(self, missing: str, flow: str) -> None:
        assert "MF-KEYWORD" in mf(flow), missing

    def test_the_confirmation_after_receive_colon(self) -> None:
        flow = (
            "Customers text JOIN to (713) 555-0142, a number advertised on signs at our front "
            f"desk. They receive: '{CONSENT}'"
        )
        assert "MF-KEYWORD" not in mf(flow)

    def test_complete_keyword_flow(self) -> None:
        flow = (
            "Customers text the keyword JOIN to 55123, advertised on table tents, and receive a "
            "confirmation message with frequency, rates, HELP and STOP."
        )
        assert "MF-KEYWORD" not in mf(flow)
