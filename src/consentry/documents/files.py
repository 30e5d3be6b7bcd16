"""The generated documents as files (name, media type, bytes) and their compliance checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from consentry.compliance import Application, Kind, Report, check_text
from consentry.compliance.engine import context_for
from consentry.compliance.forms import visible_text
from consentry.documents.generate import Documents
from consentry.documents.pdf import render_pdf

__all__ = ["FILES", "DocumentFile", "check_documents", "render_file", "replies_json"]


def replies_json(docs: Documents) -> str:
    """The keyword replies with their segment counts, as replies.json holds them."""
    body = {str(reply.role): reply.to_dict() for reply in docs.replies}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class DocumentFile:
    """One file the documents are delivered as."""

    name: str
    media_type: str
    title: str
    render: Callable[[Documents], bytes]


def _utf8(pick: Callable[[Documents], str]) -> Callable[[Documents], bytes]:
    return lambda docs: pick(docs).encode("utf-8")


FILES: dict[str, DocumentFile] = {
    f.name: f
    for f in (
        DocumentFile(
            "optin.html",
            "text/html; charset=utf-8",
            "Opt-in web form",
            _utf8(lambda d: d.optin_html),
        ),
        DocumentFile(
            "optin.pdf",
            "application/pdf",
            "Printable opt-in form",
            lambda d: render_pdf(d.optin_print_html),
        ),
        DocumentFile(
            "privacy.html",
            "text/html; charset=utf-8",
            "Privacy policy",
            _utf8(lambda d: d.privacy_html),
        ),
        DocumentFile(
            "privacy.md",
            "text/markdown; charset=utf-8",
            "Privacy policy (Markdown)",
            _utf8(lambda d: d.privacy_md),
        ),
        DocumentFile(
            "terms.html",
            "text/html; charset=utf-8",
            "Text messaging terms",
            _utf8(lambda d: d.terms_html),
        ),
        DocumentFile(
            "terms.md",
            "text/markdown; charset=utf-8",
            "Text messaging terms (Markdown)",
            _utf8(lambda d: d.terms_md),
        ),
        DocumentFile(
            "replies.json",
            "application/json",
            "Opt-in confirmation, HELP and STOP replies",
            _utf8(replies_json),
        ),
    )
}


def render_file(docs: Documents, name: str) -> bytes:
    """The bytes of the file `name` (one of FILES); KeyError for any other name."""
    return FILES[name].render(docs)


def check_documents(docs: Documents, app: Application) -> dict[str, Report]:
    """The checker's report on each file's text, with the application's context."""
    ctx = context_for(app)
    # The generated opt-in text goes with the generated form, not with a form the application
    # may already carry.
    optin_ctx = ctx.with_(form_html=docs.optin_html)
    replies = Report()
    for reply in docs.replies:
        replies.extend(
            check_text(
                Kind.SAMPLE_MESSAGE,
                reply.text,
                ctx.with_(message_role=reply.role),
                field=str(reply.role),
            )
        )
    optin = check_text(Kind.OPT_IN, docs.optin_html, ctx, field="optin.html")
    optin.extend(check_text(Kind.OPT_IN, docs.optin_text, optin_ctx, field="optin.txt"))
    return {
        "optin.html": optin,
        # The PDF is printed from this HTML; its text is the HTML's visible text.
        "optin.pdf": check_text(Kind.OPT_IN, docs.optin_print_html, ctx, field="optin.pdf"),
        "privacy.html": check_text(
            Kind.PRIVACY_POLICY, visible_text(docs.privacy_html), ctx, field="privacy.html"
        ),
        "privacy.md": check_text(Kind.PRIVACY_POLICY, docs.privacy_md, ctx, field="privacy.md"),
        "terms.html": check_text(
            Kind.TERMS, visible_text(docs.terms_html), ctx, field="terms.html"
        ),
        "terms.md": check_text(Kind.TERMS, docs.terms_md, ctx, field="terms.md"),
        "replies.json": replies,
    }
