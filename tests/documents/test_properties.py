"""Every generated document passes the checker, with no warning, for any business profile."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from consentry.compliance import Application, Finding, Kind, MessageRole, Severity, check_text
from consentry.compliance.engine import context_for
from consentry.compliance.forms import visible_text
from consentry.documents import generate
from consentry.messaging.segments import analyze, is_gsm7
from tests.documents.strategies import applications


def _problems(findings: list[Finding]) -> list[str]:
    return [
        f"{f.rule} [{f.severity}] {f.field}: {f.message} | {f.excerpt}"
        for f in findings
        if f.severity in (Severity.ERROR, Severity.WARNING)
    ]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(applications())
def test_every_document_checks_clean(app: Application) -> None:
    docs = generate(app)
    ctx = context_for(app)
    texts = [
        (Kind.OPT_IN, docs.optin_html, ctx),
        (Kind.OPT_IN, docs.optin_text, ctx),
        (Kind.OPT_IN, docs.optin_print_html, ctx),
        (Kind.PRIVACY_POLICY, docs.privacy_md, ctx),
        (Kind.PRIVACY_POLICY, visible_text(docs.privacy_html), ctx),
        (Kind.TERMS, docs.terms_md, ctx),
        (Kind.TERMS, visible_text(docs.terms_html), ctx),
        (
            Kind.SAMPLE_MESSAGE,
            docs.confirmation.text,
            ctx.with_(message_role=MessageRole.OPT_IN_CONFIRMATION),
        ),
        (Kind.SAMPLE_MESSAGE, docs.help.text, ctx.with_(message_role=MessageRole.HELP_REPLY)),
        (Kind.SAMPLE_MESSAGE, docs.stop.text, ctx.with_(message_role=MessageRole.OPT_OUT_REPLY)),
    ]
    for kind, text, text_ctx in texts:
        problems = _problems(check_text(kind, text, text_ctx).findings)
        assert not problems, (kind, text, problems)


@settings(max_examples=150, deadline=None)
@given(applications())
def test_replies_fit_two_segments_when_the_brand_is_gsm7(app: Application) -> None:
    docs = generate(app)
    for reply in docs.replies:
        assert reply.segments == analyze(reply.text).segments
        # The brand is written as registered (a curly apostrophe makes the reply UCS-2); with a
        # GSM-7 brand every reply fits two segments.
        if is_gsm7(docs.profile.brand):
            assert reply.encoding == "GSM-7", reply
            assert reply.segments <= 2, reply
