"""Opt-in HTML forms: the markup rules (forms.check_markup) and HTML given as opt_in text.

After AWS/Twilio/Telnyx web-form guidance: an optional, unchecked SMS checkbox of its own,
apart from e-mail and from accepting the Terms; the phone field not required where the form
serves another purpose (Twilio 30923/30931).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from consentry.compliance import Context, check_text
from consentry.compliance.engine import check_form
from consentry.compliance.forms import check_markup, looks_like_html, visible_text

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "consentry"
    / "examples"
    / "northside"
    / "optin.html"
)
CTX = Context(company="Acme Dental")

DISCLOSURE = (
    "I agree to receive appointment reminder texts from Acme Dental. Msg frequency varies. "
    "Msg &amp; data rates may apply. Reply HELP for help, STOP to opt out. "
    '<a href="https://acmedental.com/privacy">Privacy Policy</a> · '
    '<a href="https://acmedental.com/terms">Terms</a>'
)


def page(body: str) -> str:
    return (
        f"<!doctype html><html><body><form action='/go' method='post'>{body}</form></body></html>"
    )


def rules_of(html: str) -> dict[str, list[tuple[int, int] | None]]:
    out: dict[str, list[tuple[int, int] | None]] = {}
    for hit in check_markup(html, CTX):
        assert hit.rule is not None
        out.setdefault(hit.rule, []).append(hit.span)
    return out


def test_example_form_passes_markup_and_text_rules() -> None:
    html = EXAMPLE.read_text(encoding="utf-8")
    assert rules_of(html) == {}
    report = check_text("opt_in", html, Context(company="Northside Physical Therapy"))
    assert {r for r in report.failing_rules() if r.startswith("OI-")} == set()


def test_detection_and_visible_text() -> None:
    html = page(f"<label><input type='checkbox' name='sms'> {DISCLOSURE}</label>")
    assert looks_like_html(html)
    assert not looks_like_html("[ ] I agree to receive texts. Reply STOP to opt out.")
    text = visible_text(html)
    assert "Msg & data rates may apply" in text and "<" not in text


@pytest.mark.parametrize(
    "text",
    [
        "I agree to receive texts from Acme Dental. Msg &amp; data rates may apply.",
        "Reply <b>STOP</b> to opt out of Acme Dental texts.",
        "Texts from the vehicle&#39;s seller.",
    ],
)
def test_escaped_or_inline_markup_is_read_as_shown(text: str) -> None:
    assert looks_like_html(text)
    shown = visible_text(text)
    assert "&amp;" not in shown and "<b>" not in shown and "&#39;" not in shown


def test_plain_consent_language_is_not_markup() -> None:
    assert not looks_like_html("Msg & data rates may apply. Text STOP to 55555 <3")


def test_visible_text_keeps_each_block_apart() -> None:
    html = page(
        "<div><label for='e'>Email</label><input id='e' type='email'></div>"
        f"<div><p>SMS consent</p><label><input type='checkbox' name='sms'> {DISCLOSURE}</label>"
        "</div>"
    )
    paragraphs = visible_text(html).split("\n\n")
    assert paragraphs[:2] == ["Email", "SMS consent"]
    assert paragraphs[2].startswith("I agree")
    # A field's label does not run into the consent language: no bundling with e-mail.
    report = check_text("opt_in", html, CTX)
    assert "OI-BUNDLED-CHANNELS" not in report.failing_rules()


class TestPrechecked:
    @pytest.mark.parametrize(
        "binding", ["checked={!!form.sms_opt_in}", "checked='{{ $sms ? 1 : 0 }}'"]
    )
    def test_a_template_binding_is_not_checked_by_default(self, binding: str) -> None:
        html = page(f"<label><input type='checkbox' name='sms' {binding}> {DISCLOSURE}</label>")
        assert "OI-NOT-PRECHECKED" not in rules_of(html)
        assert "OI-NOT-PRECHECKED" in rules_of(html.replace(binding, "checked"))

    def test_a_jsx_label_names_its_box_with_htmlfor(self) -> None:
        html = (
            f"<div><label htmlFor='c1'>{DISCLOSURE}</label>"
            "<input id='c1' type='checkbox' name='opt' checked /></div>"
        )
        # The box is found as the SMS box by its label, so its default state is judged.
        assert "OI-NOT-PRECHECKED" in rules_of(html)
        assert "OI-NOT-PRECHECKED" not in rules_of(html.replace("htmlFor='c1'", "htmlFor='x'"))

    def test_checked_sms_box_is_located(self) -> None:
        html = page(
            f'<label><input type="checkbox" name="sms_opt_in" checked> {DISCLOSURE}</label>'
        )
        spans = rules_of(html)["OI-NOT-PRECHECKED"]
        (span,) = spans
        assert span is not None
        assert html[span[0] : span[1]] == '<input type="checkbox" name="sms_opt_in" checked>'

    def test_unchecked_passes(self) -> None:
        html = page(f"<label><input type='checkbox' name='sms_opt_in'> {DISCLOSURE}</label>")
        assert "OI-NOT-PRECHECKED" not in rules_of(html)

    def test_checked_email_box_is_not_sms(self) -> None:
        html = page(
            f"<label><input type='checkbox' name='sms'> {DISCLOSURE}</label>"
            "<label><input type='checkbox' name='news' checked> Email me the newsletter.</label>"
        )
        assert "OI-NOT-PRECHECKED" not in rules_of(html)

    def test_commented_out_markup_does_not_shift_spans(self) -> None:
        html = page(
            "<!-- <input type='checkbox' name='old' checked> -->"
            "<input type='text' name='name'>"
            f"<input id='c' type='checkbox' checked><label for='c'>{DISCLOSURE}</label>"
        )
        (span,) = rules_of(html)["OI-NOT-PRECHECKED"]
        assert (
            span is not None and html[span[0] : span[1]] == "<input id='c' type='checkbox' checked>"
        )


class TestOptional:
    def test_required_sms_checkbox(self) -> None:
        html = page(
            "<input type='email' name='email' required><input type='tel' name='phone'>"
            f"<input id='sms' type='checkbox' required><label for='sms'>{DISCLOSURE}</label>"
            "<button>Book appointment</button>"
        )
        (span,) = rules_of(html)["OI-OPTIONAL"]
        assert span is not None and "required" in html[span[0] : span[1]]

    @pytest.mark.parametrize(
        "other",
        [
            "<textarea name='message'></textarea>",
            "<select name='service'><option>Cleaning</option></select>",
            "<button>Place order</button>",
            "<input type='email' name='email' required>",
        ],
    )
    def test_required_sms_checkbox_on_a_form_with_another_purpose(self, other: str) -> None:
        html = page(
            f"<input name='first_name'><input type='tel' name='phone' required>{other}"
            f"<input id='sms' type='checkbox' required><label for='sms'>{DISCLOSURE}</label>"
        )
        assert "OI-OPTIONAL" in rules_of(html)

    def test_a_choice_about_the_texts_belongs_to_the_sign_up(self) -> None:
        html = page(
            "<input name='name' required><input type='tel' name='phone' required>"
            "<label for='r'>Reason for texts</label><select id='r' name='reason'>"
            "<option>Scheduling</option></select>"
            f"<input id='sms' type='checkbox' required><label for='sms'>{DISCLOSURE}</label>"
        )
        assert "OI-OPTIONAL" not in rules_of(html)
        other = html.replace("Reason for texts", "Service you need")
        assert "OI-OPTIONAL" in rules_of(other)

    def test_another_required_box_is_another_purpose(self) -> None:
        html = (
            "<div><input type='checkbox' id='t' required><label for='t'>I consent to "
            "treatment.</label>"
            f"<input type='checkbox' id='sms' required><label for='sms'>{DISCLOSURE}</label></div>"
        )
        assert "OI-OPTIONAL" in rules_of(html)

    def test_a_text_only_sign_up_may_require_its_consent_box(self) -> None:
        # Name, an optional e-mail and the number: the form exists to join the texts.
        html = page(
            "<input name='first_name'><input type='email' name='email'>"
            "<input type='tel' name='phone' required>"
            f"<input id='sms' type='checkbox' required><label for='sms'>{DISCLOSURE}</label>"
            "<button>Join the VIP list</button>"
        )
        assert "OI-OPTIONAL" not in rules_of(html)

    def test_required_phone_on_multi_purpose_form_without_sms_box(self) -> None:
        html = page(
            "<input name='name'><input type='email' name='email' required>"
            "<input type='tel' name='phone' required><textarea name='message'></textarea>"
            "<p>By submitting, you agree to receive texts from Acme Dental.</p>"
            "<button>Send</button>"
        )
        (span,) = rules_of(html)["OI-OPTIONAL"]
        assert (
            span is not None
            and html[span[0] : span[1]] == "<input type='tel' name='phone' required>"
        )

    def test_phone_named_field_counts(self) -> None:
        html = page(
            "<input name='email' type='email'><input type='text' name='mobile_phone' required>"
            "<button>Book appointment</button>"
        )
        assert "OI-OPTIONAL" in rules_of(html)

    def test_required_phone_with_separate_optional_sms_box(self) -> None:
        # The number serves the order; texts stay optional through their own box.
        html = page(
            "<input type='email' name='email' required><input type='tel' name='phone' required>"
            f"<label><input type='checkbox' name='sms'> {DISCLOSURE}</label>"
            "<button>Place order</button>"
        )
        assert "OI-OPTIONAL" not in rules_of(html)

    def test_dedicated_sms_signup_may_require_the_number(self) -> None:
        html = page(
            "<input name='first_name'><input type='tel' name='phone' required>"
            f"<p>{DISCLOSURE}</p><button>Sign up for texts</button>"
        )
        assert "OI-OPTIONAL" not in rules_of(html)

    def test_optional_phone_passes(self) -> None:
        html = page("<input type='email' name='email' required><input type='tel' name='phone'>")
        assert "OI-OPTIONAL" not in rules_of(html)


class TestBundledChannels:
    def test_one_box_for_texts_and_email(self) -> None:
        html = page(
            "<input type='checkbox' id='c'>"
            "<label for='c'>Send me offers by text message and email from Acme Dental.</label>"
        )
        (span,) = rules_of(html)["OI-BUNDLED-CHANNELS"]
        assert span is not None and html[span[0] : span[1]] == "<input type='checkbox' id='c'>"

    def test_calls_and_texts_after_the_input(self) -> None:
        html = page(
            "<div><input type='checkbox' name='contact'> I agree to receive calls and texts from "
            "Acme Dental.</div>"
        )
        assert "OI-BUNDLED-CHANNELS" in rules_of(html)

    def test_separate_boxes_pass(self) -> None:
        html = page(
            f"<label><input type='checkbox' name='sms'> {DISCLOSURE} Questions? Call us at "
            "512-555-0100.</label>"
            "<label><input type='checkbox' name='email'> Email me the newsletter.</label>"
        )
        assert "OI-BUNDLED-CHANNELS" not in rules_of(html)


class TestBuriedInTerms:
    def test_sms_consent_inside_the_terms_checkbox(self) -> None:
        html = page(
            "<label><input type='checkbox' name='accept_terms' required> I have read and agree to "
            "the Terms of Service and Privacy Policy, and agree to receive text messages from "
            "Acme Dental.</label>"
        )
        rules = rules_of(html)
        assert "OI-BURIED-IN-TERMS" in rules
        assert "OI-OPTIONAL" in rules  # the required terms box now carries SMS consent

    def test_sms_consent_only_inside_terms_block(self) -> None:
        html = page(
            "<input type='tel' name='phone'><button>Continue</button>"
            "<div class='terms-of-service'><h3>Terms</h3><p>12. By continuing you consent to "
            "receive text messages from Acme Dental.</p></div>"
        )
        (span,) = rules_of(html)["OI-BURIED-IN-TERMS"]
        assert span is not None and html[span[0] : span[1]] == "<div class='terms-of-service'>"

    def test_terms_box_apart_from_sms_box(self) -> None:
        html = page(
            f"<label><input type='checkbox' name='sms'> {DISCLOSURE}</label>"
            "<label><input type='checkbox' name='tos' required> I agree to the Terms of "
            "Service.</label>"
        )
        assert rules_of(html) == {}


class TestHtmlAsOptInText:
    def test_text_rules_and_markup_rules_both_run(self) -> None:
        html = page(
            "<input type='tel' name='phone'>"
            "<label><input type='checkbox' name='sms' checked> I agree to receive texts from "
            "Acme Dental.</label>"
        )
        report = check_text("opt_in", html, CTX)
        rules = report.failing_rules()
        assert "OI-NOT-PRECHECKED" in rules  # markup
        assert {"OI-RATES", "OI-STOP", "OI-FREQUENCY"} <= rules  # visible text
        (pre,) = [f for f in report.findings if f.rule == "OI-NOT-PRECHECKED"]
        assert pre.span is not None and pre.excerpt is not None and pre.excerpt.startswith("<input")

    def test_form_links_satisfy_policy_links(self) -> None:
        html = page(f"<label><input type='checkbox' name='sms'> {DISCLOSURE}</label>")
        assert "OI-POLICY-LINKS" not in check_text("opt_in", html, CTX).failing_rules()

    def test_dead_links_do_not(self) -> None:
        html = page(
            f"<label><input type='checkbox' name='sms'> {DISCLOSURE}</label>".replace(
                "https://acmedental.com/privacy", "#"
            )
        )
        assert "OI-POLICY-LINKS" in check_text("opt_in", html, CTX).failing_rules()

    def test_application_form_field(self) -> None:
        html = page("<input type='checkbox' name='sms_consent' checked> Text me reminders")
        report = check_form(html, CTX)
        assert report.failing_rules() == {"OI-NOT-PRECHECKED"}
        assert report.findings[0].field == "campaign.opt_in.form_html"


@pytest.mark.parametrize("broken", ["", "   ", "<<<>>>", "<input"])
def test_odd_markup_does_not_crash(broken: str) -> None:
    list(check_markup(broken, CTX))
