"""GEN-ENGLISH, GEN-PLACEHOLDER, GEN-CLARITY: every text is English, filled in, and readable."""

from __future__ import annotations

import pytest

from consentry.compliance import Context, Kind, check_text
from consentry.compliance.context import MessageRole
from consentry.compliance.model import Severity
from consentry.compliance.rules.general import readability
from consentry.compliance.text import Text

ACME = Context(company="Acme Dental")


def _rules(kind: str, text: str, ctx: Context = ACME) -> set[str]:
    return check_text(kind, text, ctx).failing_rules()


def _findings(
    kind: str, text: str, rule_id: str, ctx: Context = ACME
) -> list[tuple[int, int] | None]:
    return [f.span for f in check_text(kind, text, ctx).findings if f.rule == rule_id]


# --- GEN-ENGLISH ------------------------------------------------------------------------------

NON_ENGLISH = [
    "Hola, su cita es mañana. Responda STOP para cancelar.",
    "Acme Dental: Hola, su cita es mañana a las 3pm. Responda STOP para cancelar.",
    "Acme Dental : Bonjour, votre rendez-vous est demain à 15 h. "
    "Répondez STOP pour vous désabonner.",
    "Acme Dental: Olá, sua consulta é amanhã às 15h. Responda STOP para cancelar as mensagens.",
    "Acme Dental: Hallo, Ihr Termin ist morgen um 15 Uhr. Antworten Sie STOP, um sich abzumelden.",
    "Acme Dental: Ciao, il tuo appuntamento è domani alle 15. Rispondi STOP per annullare.",
    "Acme Dental: Xin chào, lịch hẹn của bạn là ngày mai lúc 3 giờ chiều. Trả lời STOP để hủy.",
    "Acme Dental：您好，您的预约时间是明天下午3点。回复STOP退订。",
    "Acme Dental: 안녕하세요, 예약은 내일 오후 3시입니다. 수신 거부는 STOP 회신.",
    "Acme Dental: Здравствуйте, ваш приём завтра в 15:00. Ответьте STOP для отписки.",
    "Acme Dental: Magandang araw po! Ang inyong appointment ay bukas ng 3pm. Mag-reply ng STOP.",
    "Acme Dental: Bonjou, randevou ou se demen a 3 è. Voye STOP pou w pa resevwa mesaj ankò.",
    # One English keyword sentence does not make a Spanish message English.
    "Acme Dental: Hola María, le recordamos que su cita de limpieza dental es mañana martes a las "
    "3 de la tarde en nuestra oficina. Por favor llegue 10 minutos antes. Reply STOP to opt out.",
]


@pytest.mark.parametrize("text", NON_ENGLISH)
def test_confident_non_english_fails(text: str) -> None:
    assert "GEN-ENGLISH" in _rules("sample_message", text)


def test_spanish_privacy_policy_fails() -> None:
    policy = (
        "Política de privacidad de Acme Dental. Recopilamos su nombre, su correo electrónico y su "
        "número de teléfono móvil para enviarle recordatorios de citas. No compartiremos su "
        "información móvil con terceros ni afiliados con fines de marketing o promocionales. "
        "Puede cancelar en cualquier momento respondiendo STOP."
    )
    assert "GEN-ENGLISH" in _rules("privacy_policy", policy)


ENGLISH = [
    "Acme Dental: Hi [first name], reminder of your visit on [date] at [time]. "
    "Reply STOP to opt out.",
    "Acme Dental: Appt confirmed Tue 3pm. Txt C to confirm, STOP to end.",
    "Acme Dental: Ur appt is tmrw @ 3. Reply Y/N. Msg&data rates may apply.",
    "Acme: Code 123456",
    "Acme Dental: New patient special! Cleaning, x-rays & exam $99. "
    "Book: acmedental.com/book. STOP=optout",
    # Spanish food words and names inside English text stay English.
    "Acme Taqueria: Tacos al pastor are back! Order at acmetaqueria.com. Reply STOP to opt out.",
    "Acme Dental: Dr. Nguyen Thi Lan confirmed your cleaning Wednesday 10:30am. "
    "Reply STOP to opt out.",
    "OK",
    "STOP",
]


@pytest.mark.parametrize("text", ENGLISH)
def test_english_and_short_texts_pass(text: str) -> None:
    assert "GEN-ENGLISH" not in _rules("sample_message", text)


def test_a_text_with_an_english_version_beside_spanish_passes() -> None:
    text = (
        "Acme Dental: Your appointment is tomorrow at 3pm. Reply STOP to opt out.\n\n"
        "Acme Dental: Su cita es mañana a las 3pm. Responda STOP para cancelar."
    )
    assert "GEN-ENGLISH" not in _rules("sample_message", text)


def test_a_long_spanish_policy_with_an_english_translation_after_it_passes() -> None:
    spanish = (
        "Recopilamos su nombre y su número de teléfono móvil para enviarle recordatorios de "
        "citas. No compartiremos su información con terceros para fines de marketing. "
    ) * 12
    english = (
        "English version: We collect your name and mobile number to send you appointment "
        "reminders. We will not share your information with third parties for marketing."
    )
    assert "GEN-ENGLISH" not in _rules("privacy_policy", spanish + "\n\n" + english)


def test_a_spanish_brand_name_does_not_make_english_text_spanish() -> None:
    ctx = Context(company="La Casa de los Tacos")
    text = "La Casa de los Tacos: your order is ready for pickup. Reply STOP to opt out."
    assert "GEN-ENGLISH" not in _rules("sample_message", text, ctx)


# --- GEN-PLACEHOLDER --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "placeholder"),
    [
        (
            "opt_in",
            "I agree to receive texts from [Company Name]. Msg & data rates may apply.",
            "[Company Name]",
        ),
        ("sample_message", "{Program}: your order shipped. Reply STOP to opt out.", "{Program}"),
        (
            "sample_message",
            "[Business Name]: Hi [first name], your order shipped.",
            "[Business Name]",
        ),
        (
            "sample_message",
            "<business name>: your table is ready. Reply STOP to opt out.",
            "<business name>",
        ),
        ("terms", "For help call {{ phone }} or reply HELP.", "{{ phone }}"),
        ("privacy_policy", "COMPANY NAME HERE respects your privacy.", "COMPANY NAME HERE"),
        ("privacy_policy", "YOUR COMPANY NAME respects your privacy.", "YOUR COMPANY NAME"),
        ("terms", "Questions? Call XXX-XXX-XXXX.", "XXX-XXX-XXXX"),
        (
            "terms",
            "Subscribers receive marketing texts from (Business Name). Reply STOP to opt out.",
            "(Business Name)",
        ),
        ("terms", "Questions? Call (XXX) XXX-XXXX.", "(XXX) XXX-XXXX"),
        ("terms", "Questions? Call 123-456-7890 or reply HELP.", "123-456-7890"),
        (
            "privacy_policy",
            "Effective date: [Insert date]. We respect your privacy.",
            "[Insert date]",
        ),
        ("privacy_policy", "Last updated: [Effective Date].", "[Effective Date]"),
        ("privacy_policy", "Lorem ipsum dolor sit amet.", "Lorem ipsum dolor"),
        ("terms", "These terms are governed by the laws of the State of [State].", "[State]"),
        ("terms", "Email us at [email address] for help.", "[email address]"),
        ("terms", "Email us at you@yourdomain.com for help.", "you@yourdomain.com"),
        (
            "opt_in",
            "Privacy Policy: www.example.com/privacy. Msg & data rates may apply.",
            "www.example.com",
        ),
        (
            "message_flow",
            "Customers opt in at https://example.com/sms by checking a box.",
            "example.com",
        ),
        (
            "campaign_description",
            "[Company] sends order updates to customers who opted in.",
            "[Company]",
        ),
        ("message_flow", "Customers text JOIN to [phone number] to opt in.", "[phone number]"),
        ("terms", "Support hours: TBD. Reply HELP for help.", "TBD"),
        ("privacy_policy", "Contact %COMPANY_NAME% with questions.", "%COMPANY_NAME%"),
        ("terms", "Contact us at [email protected].", "[email protected]"),
    ],
)
def test_unfilled_stand_ins_fail_with_a_span(kind: str, text: str, placeholder: str) -> None:
    report = check_text(kind, text, ACME)
    hits = [f for f in report.findings if f.rule == "GEN-PLACEHOLDER"]
    assert hits and hits[0].severity is Severity.ERROR
    assert placeholder in [text[f.span[0] : f.span[1]] for f in hits if f.span]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        # Variable fields in sample messages are how samples show what changes.
        ("sample_message", "Acme Dental: Hi [first name], your visit is on [date] at [time]."),
        (
            "sample_message",
            "Acme: Order {order_id} shipped. Track: acme.com/t/{tracking}. STOP to end.",
        ),
        ("sample_message", "Acme: Hi {{first_name}}, your code is {{code}}."),
        ("sample_message", "Acme: Your card ending in XXXX was charged $[amount]."),
        (
            "sample_message",
            "Acme: Your order is ready at [store location]. Call [phone] with questions.",
        ),
        # Checkbox markers are not placeholders.
        (
            "opt_in",
            "[ ] I agree to receive appointment texts from Acme Dental. "
            "Msg & data rates may apply.",
        ),
        ("opt_in", "[x] Yes, text me order updates from Acme Dental."),
        # Markdown links, real 555-01xx fictional numbers, real domains, "todo" in Spanish.
        ("terms", "See our [Privacy Policy](https://acmedental.com/privacy). Call 512-555-0100."),
        ("privacy_policy", "We collect your business name and phone number to send reminders."),
        ("message_flow", "Customers quote samples like 'Hi [first name], order [number] shipped'."),
        ("sample_message", "Acme Dental: Reply HELP for help."),
        ("terms", "Acme Dental (the company name on your bill) sends appointment reminders."),
    ],
)
def test_variable_fields_and_real_values_pass(kind: str, text: str) -> None:
    assert "GEN-PLACEHOLDER" not in check_text(kind, text, ACME).rules()


def test_brand_slot_fails_even_in_a_sample_message() -> None:
    assert "GEN-PLACEHOLDER" in _rules(
        "sample_message", "[Company Name]: Hi [first name], your order shipped. STOP to opt out."
    )


def test_the_same_slot_in_a_policy_is_an_error_but_fine_in_a_sample() -> None:
    assert "GEN-PLACEHOLDER" in _rules("privacy_policy", "Questions? Email [email].")
    assert "GEN-PLACEHOLDER" not in _rules("sample_message", "Acme: we sent a receipt to [email].")


def test_documentation_domains_under_a_reserved_name_are_a_warning() -> None:
    report = check_text(
        "opt_in", "Terms: https://acme.example/terms. Msg & data rates may apply.", ACME
    )
    hits = [f for f in report.findings if f.rule == "GEN-PLACEHOLDER"]
    assert hits and all(f.severity is Severity.WARNING for f in hits)
    assert "GEN-PLACEHOLDER" not in report.failing_rules()


def test_a_repeated_placeholder_is_reported_once() -> None:
    text = "[Company Name] sends texts. [Company Name] will not share data. Contact [Company Name]."
    hits = [
        f for f in check_text("privacy_policy", text, ACME).findings if f.rule == "GEN-PLACEHOLDER"
    ]
    assert len(hits) == 1
    assert "3 times" in hits[0].message


def test_rule_reads_kind_from_the_engine() -> None:
    text = "Acme: your appointment is on [date]."
    assert "GEN-PLACEHOLDER" not in _rules(Kind.SAMPLE_MESSAGE, text)
    assert "GEN-PLACEHOLDER" in _rules(Kind.TERMS, "These terms take effect on [date].")


# --- GEN-CLARITY ------------------------------------------------------------------------------

LEGALESE = (
    "IN NO EVENT SHALL THE COMPANY, ITS OFFICERS, DIRECTORS, EMPLOYEES, AGENTS, LICENSORS, "
    "SUPPLIERS OR ANY THIRD-PARTY PROVIDERS BE LIABLE FOR ANY INDIRECT, INCIDENTAL, SPECIAL, "
    "CONSEQUENTIAL, EXEMPLARY OR PUNITIVE DAMAGES, INCLUDING WITHOUT LIMITATION DAMAGES FOR LOSS "
    "OF PROFITS, GOODWILL, USE, DATA OR OTHER INTANGIBLE LOSSES, ARISING OUT OF OR RELATING TO THE "
    "USE OF, OR INABILITY TO USE, THE MESSAGING PROGRAM, REGARDLESS OF WHETHER SUCH DAMAGES WERE "
    "FORESEEABLE AND WHETHER OR NOT THE COMPANY WAS ADVISED OF THE POSSIBILITY OF SUCH DAMAGES."
)


def test_dense_legalese_gets_a_clarity_warning_with_the_measured_score() -> None:
    report = check_text("terms", LEGALESE, ACME)
    hits = [f for f in report.findings if f.rule == "GEN-CLARITY"]
    assert len(hits) == 1
    assert hits[0].severity is Severity.WARNING
    assert "grade level" in hits[0].message and "Flesch reading ease" in hits[0].message
    assert hits[0].span == (0, len(LEGALESE))  # the longest sentence
    assert "GEN-CLARITY" not in report.failing_rules()


def test_a_long_run_on_opt_in_sentence_is_flagged() -> None:
    text = (
        "By entering your phone number and checking this box you agree that Acme Dental and its "
        "staff may send you recurring automated text messages about your appointments, billing, "
        "treatment plans, insurance questions, office closures, seasonal offers and other news "
        "from the practice at the number you provided even if it is on a do not call list and "
        "you understand that message frequency varies and rates may apply."
    )
    assert "GEN-CLARITY" in check_text("opt_in", text, ACME).rules()


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("sample_message", "Acme Dental: Reply STOP to opt out."),  # too short to score
        (
            "opt_in",
            "I agree to receive appointment reminder texts from Acme Dental at the number "
            "provided. Up to 4 msgs/month. Msg & data rates may apply. "
            "Reply HELP for help, STOP to "
            "opt out.",
        ),
        (
            "privacy_policy",
            "We collect your name and mobile number. We use them to remind you of "
            "visits. We never share your mobile number with third parties for marketing. "
            "Reply STOP "
            "to opt out at any time.",
        ),
    ],
)
def test_plain_texts_have_no_clarity_warning(kind: str, text: str) -> None:
    assert "GEN-CLARITY" not in check_text(kind, text, ACME).rules()


def test_readability_is_measured_and_skips_tiny_texts() -> None:
    assert readability(Text("Reply STOP.")) is None
    score = readability(
        Text(
            "We send reminders by text. You can reply STOP at any time to opt out of them. "
            "Message and data rates may apply to every message we send you."
        )
    )
    assert score is not None
    ease, grade, n_words, n_sentences = score
    assert 40 < ease < 110 and grade < 10 and n_words >= 15 and n_sentences == 3


@pytest.mark.parametrize(
    ("kind", "text", "placeholder"),
    [
        ("terms", "Get help directly at {{ companyPhoneNumber }}.", "{{ companyPhoneNumber }}"),
        ("terms", "Offers and alerts from [[shop_name]] via text message.", "[shop_name]"),
        ("terms", "You may receive up to [X] messages per week.", "[X]"),
        ("opt_in", "Text JOIN to get alerts from [Clinic Name].", "[Clinic Name]"),
    ],
)
def test_template_variables_and_counts_are_stand_ins(
    kind: str, text: str, placeholder: str
) -> None:
    hits = [f for f in check_text(kind, text, ACME).findings if f.rule == "GEN-PLACEHOLDER"]
    assert placeholder in [text[f.span[0] : f.span[1]] for f in hits if f.span]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("sample_message", "Acme: You have [X] points. Your order [order number] shipped."),
        ("sample_message", "Acme: Hi [firstName], your order from [store name] is ready."),
        ("opt_in", "[X] Yes, text me order updates from Acme Dental."),
        ("campaign_description", "Acme sends order updates like 'Order [order number] shipped'."),
    ],
)
def test_variables_and_checkbox_markers_stay_fine(kind: str, text: str) -> None:
    assert "GEN-PLACEHOLDER" not in check_text(kind, text, ACME).rules()


# --- a bracketed instruction to the writer ---------------------------------------------------
@pytest.mark.parametrize(
    "slot",
    [
        "[describe the method \u2013 e.g., checking a consent box, sending a specific keyword, "
        "filling out a consent form, etc.]",
        "[specify how often messages are sent to subscribers of the program]",
    ],
)
def test_long_bracketed_instruction_is_a_placeholder(slot: str) -> None:
    text = f"You must explicitly request SMS notifications from Acme Dental by {slot}."
    assert "GEN-PLACEHOLDER" in _rules("terms", text)


def test_a_link_left_as_a_described_slot_is_a_placeholder() -> None:
    text = (
        "Customers opt in on our booking form. Screenshot of the form: "
        "[public URL of hosted screenshot]."
    )
    assert "GEN-PLACEHOLDER" in _rules("message_flow", text)


def test_the_programs_number_left_as_a_slot_in_a_flow() -> None:
    flow = "Text START to [Number] to join Acme alerts, as shown on our flyers."
    assert "GEN-PLACEHOLDER" in _rules("message_flow", flow)
    quoted = "Customers then receive: 'Acme: your order [number] has shipped.'"
    assert "GEN-PLACEHOLDER" not in _rules("message_flow", quoted)


def test_a_contact_slot_in_a_keyword_reply_is_the_senders_own() -> None:
    ctx = Context(company="Acme IT", message_role=MessageRole.HELP_REPLY)
    help_reply = "Acme IT: Help at support@acmeit.com or [phone number]. Reply STOP to cancel."
    report = check_text("sample_message", help_reply, ctx)
    assert "GEN-PLACEHOLDER" in report.failing_rules()
    message = Context(company="Acme IT", message_role=MessageRole.MESSAGE)
    sample = "Acme IT: Your ticket is updated. Call your technician at [phone number]. Reply STOP."
    assert "GEN-PLACEHOLDER" not in check_text("sample_message", sample, message).failing_rules()


def test_bracketed_aside_is_not_a_placeholder() -> None:
    text = (
        "You may opt in to texts from Acme Dental on our booking page [the checkbox under the "
        "phone field is unchecked by default]."
    )
    assert "GEN-PLACEHOLDER" not in _rules("terms", text)


# --- Blanks, fact slots and descriptive sender slots --------------------------------------------
@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (
            "opt_in",
            "Would you like to receive text messages about your order from ________? Message and "
            "data rates may apply.",
        ),
        ("terms", "Acme Dental SMS Terms. Frequency: You will receive {message frequency}."),
        (
            "message_flow",
            "The agent asks: Do you consent to receive appointment texts from [the HVAC business "
            "you contacted]? Reply STOP to opt out.",
        ),
    ],
)
def test_blanks_and_described_senders_are_stand_ins(kind: str, text: str) -> None:
    assert "GEN-PLACEHOLDER" in _rules(kind, text)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        # A paper form's field for the person to fill in.
        ("opt_in", "Join Acme Dental texts! Name: ____________ Phone: ____________"),
        # A variable field of a sample message.
        (
            "sample_message",
            "Acme Dental: your order [order number] has shipped. Reply STOP to opt out.",
        ),
        # A short slot naming a detail, in a sample.
        (
            "sample_message",
            "Acme Dental: Hi [first name], see you [appointment date]. Reply STOP to end.",
        ),
    ],
)
def test_form_fields_and_sample_variables_are_not_stand_ins(kind: str, text: str) -> None:
    assert "GEN-PLACEHOLDER" not in _rules(kind, text)
