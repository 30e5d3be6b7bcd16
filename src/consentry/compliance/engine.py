"""Entry points of the checker: one text, or a whole application."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from consentry.compliance import forms
from consentry.compliance.application import Application
from consentry.compliance.catalog import app_rules, rules_for, spec
from consentry.compliance.context import Context, MessageRole
from consentry.compliance.errors import CheckInputError
from consentry.compliance.model import Finding, Hit, Kind, Report, Severity
from consentry.compliance.text import MAX_TEXT_CHARS, Text, analysed, analysis_scope

__all__ = [
    "application_texts",
    "check_application",
    "check_send_time",
    "check_text",
    "context_for",
    "parse_kind",
    "text_as_checked",
]

EXCERPT_CHARS = 160


def parse_kind(kind: Kind | str) -> Kind:
    """A text kind from its name, or a clear error."""
    if isinstance(kind, Kind):
        return kind
    try:
        parsed = Kind(str(kind).strip().lower())
    except ValueError:
        parsed = None
    if parsed is None or parsed is Kind.APPLICATION:
        names = ", ".join(k.value for k in Kind if k is not Kind.APPLICATION)
        raise CheckInputError(
            "UNKNOWN_KIND",
            f"{kind!r} is not a kind of text the checker knows.",
            fix=f"Use one of: {names}.",
        )
    return parsed


def _excerpt(text: str, span: tuple[int, int] | None) -> str | None:
    if span is None:
        return None
    start, end = span
    piece = text[start:end]
    if len(piece) > EXCERPT_CHARS:
        piece = piece[: EXCERPT_CHARS - 1] + "…"
    return piece


def _finding(
    rule_id: str, default: Severity, hit: Hit, text: str | None, field: str | None
) -> Finding:
    span = hit.span
    if span is not None and text is not None:
        span = (max(0, min(span[0], len(text))), max(0, min(span[1], len(text))))
    excerpt = (
        hit.excerpt
        if hit.excerpt is not None
        else (_excerpt(text, span) if text is not None else None)
    )
    return Finding(
        rule=hit.rule or rule_id,
        severity=hit.severity or (Severity.INFO if hit.rule == "CONTEXT-MISSING" else default),
        field=hit.field or field,
        span=span,
        excerpt=excerpt,
        message=hit.message,
        fix=hit.fix,
    )


def _findings(
    rule_id: str, default: Severity, hits: Iterable[Hit], text: str | None, field: str | None
) -> list[Finding]:
    return [_finding(rule_id, default, hit, text, field) for hit in hits]


def _check_length(text: str, field: str | None) -> None:
    if len(text) > MAX_TEXT_CHARS:
        where = f" in {field}" if field else ""
        raise CheckInputError(
            "TEXT_TOO_LONG",
            f"The text{where} is {len(text):,} characters; "
            f"the checker accepts at most {MAX_TEXT_CHARS:,}.",
            fix="Check the document in parts, or remove what is not part of it.",
            details={"field": field, "length": len(text), "limit": MAX_TEXT_CHARS},
        )


def text_as_checked(kind: Kind | str, text: str) -> str:
    """The text a check_text report's spans index: the visible text of an HTML opt-in form."""
    if parse_kind(kind) is Kind.OPT_IN and forms.looks_like_html(text):
        return forms.visible_text(text)
    return text


def check_text(
    kind: Kind | str,
    text: str,
    context: Context | None = None,
    *,
    field: str | None = None,
) -> Report:
    """Check one text of `kind` against every rule that applies to it (field defaults to kind)."""
    kind = parse_kind(kind)
    if not isinstance(text, str):
        raise CheckInputError("TEXT_INVALID", "The text to check must be a string.")
    field = field or kind.value
    _check_length(text, field)
    ctx = context or Context()
    html: str | None = None
    if kind is Kind.OPT_IN and forms.looks_like_html(text):
        # An HTML form: rules read its visible text; form rules also read the markup.
        html = text
        ctx = ctx.with_(form_html=text)
        text = text_as_checked(kind, text)
    report = Report()
    findings = report.findings
    with analysis_scope():
        subject = analysed(text, kind)
        for rule_spec, func in rules_for(kind):
            # Most rules find nothing: build findings only for the hits there are.
            for hit in func(subject, ctx):
                findings.append(_finding(rule_spec.id, rule_spec.severity, hit, text, field))
    if html is not None:
        # Markup hits index the HTML itself (a required field, a pre-checked box).
        report.extend(check_form(html, ctx, field=field))
    return report


# The content rules a message must pass at the moment it is sent (the rest judge registration
# texts). SM-LINKS runs without the website, so only public shorteners and http links count.
SEND_TIME_RULES = (
    "CT-FORBIDDEN",
    "CT-HIGH-RISK-FINANCIAL",
    "CT-LEAD-GEN",
    "CT-AGE-GATE",
    "SM-LINKS",
)


def check_send_time(text: str, context: Context | None = None) -> Report:
    """Check an outgoing message against the send-time content rules only (fast path)."""
    _check_length(text, "text")
    ctx = (context or Context()).with_(message_role=MessageRole.MESSAGE, form_html=None)
    subject = Text(text, Kind.SAMPLE_MESSAGE)
    report = Report()
    for rule_spec, func in rules_for(Kind.SAMPLE_MESSAGE):
        if rule_spec.id not in SEND_TIME_RULES:
            continue
        rule_ctx = ctx.with_(website=None) if rule_spec.id == "SM-LINKS" else ctx
        hits = func(subject, rule_ctx)
        report.findings.extend(_findings(rule_spec.id, rule_spec.severity, hits, text, "text"))
    return report


def context_for(app: Application) -> Context:
    """The context an application gives to the rules of its texts."""
    b, c = app.business, app.campaign
    return Context(
        company=b.display_name or b.legal_name,
        brand_names=b.brand_names,
        use_case=c.use_case.upper() if c.use_case else None,
        sub_use_cases=tuple(s.upper() for s in c.sub_use_cases),
        website=b.website,
        business_description=c.description,
        age_gated=c.attributes.age_gated,
        vertical=b.vertical,
        opt_in_method=c.opt_in.method.upper() if c.opt_in.method else None,
        form_html=c.opt_in.form_html,
        campaign_description=c.description,
        sample_messages=tuple(c.sample_messages),
    )


def _fields(app: Application) -> Iterator[tuple[str, Kind, str, MessageRole | None]]:
    """(field, kind, text, message role) for every text of the application that has text."""
    c = app.campaign
    if c.description:
        yield "campaign.description", Kind.CAMPAIGN_DESCRIPTION, c.description, None
    if c.message_flow:
        yield "campaign.message_flow", Kind.MESSAGE_FLOW, c.message_flow, None
    if c.opt_in.text:
        yield "campaign.opt_in.text", Kind.OPT_IN, c.opt_in.text, None
    for i, sample in enumerate(c.sample_messages):
        yield f"campaign.sample_messages[{i}]", Kind.SAMPLE_MESSAGE, sample, MessageRole.MESSAGE
    if c.opt_in.confirmation_message:
        yield (
            "campaign.opt_in.confirmation_message",
            Kind.SAMPLE_MESSAGE,
            c.opt_in.confirmation_message,
            MessageRole.OPT_IN_CONFIRMATION,
        )
    if c.opt_out.message:
        yield (
            "campaign.opt_out.message",
            Kind.SAMPLE_MESSAGE,
            c.opt_out.message,
            MessageRole.OPT_OUT_REPLY,
        )
    if c.help.message:
        yield "campaign.help.message", Kind.SAMPLE_MESSAGE, c.help.message, MessageRole.HELP_REPLY
    if c.privacy_policy.text:
        yield "campaign.privacy_policy.text", Kind.PRIVACY_POLICY, c.privacy_policy.text, None
    if c.terms.text:
        yield "campaign.terms.text", Kind.TERMS, c.terms.text, None


def _texts(app: Application, ctx: Context) -> Iterable[tuple[str, Kind, str, Context]]:
    """(field, kind, text, context) for every text of the application that has text."""
    for field, kind, text, role in _fields(app):
        yield field, kind, text, (ctx if role is None else ctx.with_(message_role=role))


def application_texts(app: Application | Mapping[str, Any]) -> dict[str, str]:
    """Every checked text of an application by field, as its findings' spans index it."""
    application = _as_application(app)
    texts = {field: text for field, _kind, text, _role in _fields(application)}
    if application.campaign.opt_in.form_html:
        texts["campaign.opt_in.form_html"] = application.campaign.opt_in.form_html
    return texts


def _as_application(app: Application | Mapping[str, Any]) -> Application:
    if isinstance(app, Application):
        return app
    try:
        return Application.model_validate(app)
    except ValidationError as exc:
        from consentry.compliance.appfile import validation_error

        raise validation_error(exc, None) from None


def check_application(app: Application | Mapping[str, Any]) -> Report:
    """Check every text of an application and the whole-application rules."""
    application = _as_application(app)
    ctx = context_for(application)
    report = Report()
    form_html = application.campaign.opt_in.form_html
    if form_html:
        _check_length(form_html, "campaign.opt_in.form_html")
    with analysis_scope():
        for field, kind, text, text_ctx in _texts(application, ctx):
            report.extend(check_text(kind, text, text_ctx, field=field))
        if form_html:
            report.extend(check_form(form_html, ctx))
        for rule_spec, func in app_rules():
            report.findings.extend(
                _findings(rule_spec.id, rule_spec.severity, func(application, ctx), None, None)
            )
    return report


def check_form(html: str, ctx: Context, *, field: str = "campaign.opt_in.form_html") -> Report:
    """The form rules (OI-*) on an opt-in form's markup; spans index the HTML."""
    report = Report()
    for hit in forms.check_markup(html, ctx):
        rule_id = hit.rule or "OI-OPTIONAL"
        report.findings.extend(_findings(rule_id, spec(rule_id).severity, [hit], html, field))
    return report


def warm_up() -> None:
    """Load what the rules load on first use (the language model, the pronunciation
    dictionary, compiled patterns) by checking the bundled example once."""
    from consentry.compliance.appfile import load_application
    from consentry.examples import example_path

    check_application(load_application(example_path()))
