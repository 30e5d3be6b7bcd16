"""Generate an application's opt-in forms, privacy policy, SMS terms and keyword replies.

Pure: an Application in, finished texts out (no database, no network). Each document has one
Jinja2 source under templates/; the policy and terms are written once in Markdown and the HTML
page is rendered from it, so the two never drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from consentry.compliance import Application, MessageRole
from consentry.compliance.forms import visible_text
from consentry.documents.profile import (
    DocumentInputError,
    Profile,
    Program,
    profile_for,
    program_for,
    sms_frequency,
)
from consentry.messaging.segments import analyze

__all__ = ["Documents", "Reply", "generate", "opt_in_confirmation"]

# Characters that start Markdown markup inside a line; a business name is shown as written.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def _md(value: object) -> str:
    """Escape a value for inline Markdown text."""
    return _MD_ENTITY.sub(r"\\&", _MD_SPECIAL.sub(r"\\\1", str(value)))


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("consentry.documents", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    return env


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML in the Markdown is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True, slots=True)
class Reply:
    """One keyword reply with its SMS segmentation."""

    role: MessageRole
    text: str
    segments: int
    encoding: str

    def to_dict(self) -> dict[str, object]:
        """The reply as replies.json holds it."""
        return {
            "text": self.text,
            "characters": len(self.text),
            "segments": self.segments,
            "encoding": self.encoding,
        }


def _reply(role: MessageRole, text: str) -> Reply:
    text = " ".join(text.split())
    seg = analyze(text)
    return Reply(role=role, text=text, segments=seg.segments, encoding=seg.encoding)


@dataclass(frozen=True, slots=True)
class Documents:
    """Every generated document of one application."""

    profile: Profile
    optin_html: str
    optin_text: str
    optin_print_html: str
    privacy_md: str
    privacy_html: str
    terms_md: str
    terms_html: str
    confirmation: Reply
    help: Reply
    stop: Reply

    @property
    def replies(self) -> tuple[Reply, ...]:
        """The opt-in confirmation, HELP reply and STOP reply."""
        return (self.confirmation, self.help, self.stop)


def _page(title: str, markdown: str) -> str:
    # markdown-it escapes the text itself (and raw HTML is off), so its output is safe markup.
    body = Markup(_markdown().render(markdown))
    return _env().get_template("page.html").render(title=title, body=body)


def generate(app: Application, *, effective: date | None = None) -> Documents:
    """All documents for `app`; DocumentInputError names what the application lacks."""
    p = profile_for(app)
    env = _env()
    values = {"p": p, "effective": effective.strftime("%B %-d, %Y") if effective else None}
    # The consent language is rendered once (autoescaped) and placed in both forms as markup.
    consent = Markup(env.get_template("consent.html").render(**values).strip())
    optin_html = env.get_template("optin.html").render(consent=consent, **values)
    optin_print = env.get_template("optin_print.html").render(consent=consent, **values)
    privacy_md = env.get_template("privacy.md").render(**values)
    terms_md = env.get_template("terms.md").render(**values)
    return Documents(
        profile=p,
        optin_html=optin_html,
        optin_text="[ ] " + visible_text(consent),
        optin_print_html=optin_print,
        privacy_md=privacy_md,
        privacy_html=_page(f"Privacy Policy — {p.brand}", privacy_md),
        terms_md=terms_md,
        terms_html=_page(f"Text Messaging Terms — {p.brand}", terms_md),
        confirmation=_reply(
            MessageRole.OPT_IN_CONFIRMATION, env.get_template("confirmation.txt").render(**values)
        ),
        help=_reply(MessageRole.HELP_REPLY, env.get_template("help.txt").render(**values)),
        stop=_reply(MessageRole.OPT_OUT_REPLY, env.get_template("stop.txt").render(**values)),
    )


@dataclass(frozen=True, slots=True)
class _Known:
    """The few profile values the opt-in confirmation places."""

    brand: str
    program: Program
    frequency_sms: str


_ANY_PROGRAM = Program(messages="text messages", short="text messages", marketing=False)


def opt_in_confirmation(app: Application, *, brand: str) -> Reply:
    """The opt-in confirmation of `app`: the generated one when the application is complete
    enough for documents; otherwise the same sentence built from what it gives (its program
    when the use case is known, its frequency or "Msg frequency varies"), under `brand`."""
    try:
        return generate(app).confirmation
    except (DocumentInputError, ValueError):
        pass
    c = app.campaign
    known = _Known(
        brand=" ".join(brand.split()),
        program=program_for(c.use_case, list(c.sub_use_cases)) or _ANY_PROGRAM,
        frequency_sms=sms_frequency(c.message_frequency),
    )
    text = _env().get_template("confirmation.txt").render(p=known)
    return _reply(MessageRole.OPT_IN_CONFIRMATION, text)
