"""Rules MF-*: the message flow, i.e. how and where consent is collected.

A reviewer must be able to see the opt-in for themselves: a public page, a hosted image of a
paper form, or a keyword and number they can text. The OI-* rules also run on the flow, since it
quotes the consent language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern, words
from consentry.compliance.model import Hit
from consentry.compliance.optin_language import text_urls
from consentry.compliance.text import Text

# Words in capitals: a keyword can only be one of them (a cheap test before the keyword patterns).
_CAPS = re.compile(r"\b[A-Z][A-Z0-9]{1,19}\b")
# Quoted consent language: long enough to be the disclosure, not a one-word label.
# A straight quote opens after no letter and before a non-space, and closes after a non-space,
# so the closing quote of '"yes" when prompted' does not open a quotation up to '"STOP"'.
# Single quotes (straight or typographic) open after no letter and close before none, so an
# apostrophe inside a word ("You're") does not end the quotation.
_QUOTED = re.compile(
    r"(?<!\w)\"(?=\S)([^\"]{25,}?)(?<=\S)\"|“([^”]{25,})”|«([^»]{25,})»"
    r"|(?<!\w)'((?:[^'\n]|(?<=\w)'(?=\w)){25,}?)'(?!\w)"
    r"|‘((?:[^’\n]|(?<=\w)’(?=\w)){25,}?)’(?!\w)"
)
_SCREENSHOT = re.compile(r"screenshot|image|photo|\.(?:png|jpe?g|gif|pdf|webp)\b", re.I)


def _opt_in_urls(t: Text) -> list[str]:
    """Web addresses in the flow that are not policy pages."""
    policy = pattern("flow", "policy_url")
    return [u for _, _, u in text_urls(t) if not policy.search(u)]


# A quoted cancellation notice ("You are cancelling your opt-in…") is not consent language.
_CANCELLING = re.compile(
    r"\b(?:you\s+are\s+(?:now\s+)?(?:cancell?ing|unsubscribing|opting\s+out)"
    r"|you\s+have\s+(?:cancell?ed|unsubscribed|opted\s+out)|cancell?ing\s+your)\b",
    re.I,
)
_AGREEING = re.compile(r"\b(?:agree\w*|consent\w*|opt(?:ing)?[\s-]?in\s+to\s+receive)\b", re.I)


def _quotes_consent(t: Text) -> bool:
    consent = (pattern("optin", "sms"), pattern("optin", "consent_verb"), pattern("optin", "stop"))
    for m in _QUOTED.finditer(t.raw):
        start, end = m.span()
        if _CANCELLING.search(t.raw, start, end) and not _AGREEING.search(t.raw, start, end):
            continue
        if any(p.search(t.raw, start, end) for p in consent):
            return True
    intro = t.find(pattern("flow", "quote_intro"))
    return intro is not None and len(t.raw[intro.end() :].strip()) >= 25


def _keywords(t: Text, key: str) -> list[re.Match[str]]:
    """Opt-in keywords named in capitals, without STOP, HELP and the like."""
    skip = words("flow", "not_keywords")
    return [
        m for m in t.finditer(pattern("flow", key)) if m.group(1) and m.group(1).lower() not in skip
    ]


@rule("MF-METHOD")
def method(t: Text, ctx: Context) -> Iterator[Hit]:
    """The flow must say where and how opt-in happens, in a way a reviewer can verify."""
    if t.find(pattern("flow", "action")) is None:
        yield Hit(
            message="The message flow does not say what a person does to opt in.",
            fix=(
                'Describe the act, e.g. "Customers opt in at https://example.com/sms by checking '
                'an unchecked box next to the consent language."'
            ),
        )
        return
    if _opt_in_urls(t) and not (
        t.find(pattern("flow", "login_gated")) and not _SCREENSHOT.search(t.raw)
    ):
        return
    if _keywords(t, "keyword_name") and t.find(pattern("flow", "number")):
        return
    paper = t.find(pattern("flow", "paper")) is not None
    if paper and t.find(pattern("flow", "on_file")) and t.find(pattern("flow", "sample")):
        return
    if t.find(pattern("flow", "verbal")) and _quotes_consent(t):
        return
    if paper:
        message = "The paper-form opt-in cannot be verified: no sample of the form is given."
        fix = (
            'Say the forms are kept on file and link a sample, e.g. "A sample of the signed form: '
            'https://example.com/sms-form.pdf".'
        )
    else:
        message = (
            "The message flow does not say where opt-in happens in a way a reviewer can verify."
        )
        fix = (
            "Give the public URL of the opt-in page (or a hosted screenshot), or the keyword and "
            "the number to text."
        )
    yield Hit(message=message, fix=fix)


@rule("MF-DISCLOSURE")
def disclosure(t: Text, ctx: Context) -> Iterator[Hit]:
    """The flow must quote or link the exact consent language the person sees or hears."""
    if _quotes_consent(t) or (_SCREENSHOT.search(t.raw) and text_urls(t)):
        return
    # A page behind a login shows a reviewer nothing.
    if _opt_in_urls(t) and t.find(pattern("flow", "login_gated")) is None:
        return
    yield Hit(
        message="The message flow does not quote or link the consent language people see.",
        fix=(
            'Quote it exactly, e.g. next to this language: "I agree to receive … Reply STOP to '
            'opt out.", or link the page or a screenshot that shows it.'
        ),
    )


@rule("MF-KEYWORD")
def keyword(t: Text, ctx: Context) -> Iterator[Hit]:
    """A keyword opt-in must name the keyword, the number, where it is advertised, the reply."""
    skip = words("flow", "not_keywords")
    caps = any(m.group().lower() not in skip for m in _CAPS.finditer(t.raw))
    texted = _keywords(t, "keyword_text_to") if caps else []
    # "There is no keyword opt-in campaign" describes none.
    if not texted and t.find_affirmed(pattern("flow", "keyword_flow")) is None:
        return
    missing: list[str] = []
    if not texted and not _keywords(t, "keyword_name"):
        missing.append("the keyword")
    if t.find(pattern("flow", "number")) is None:
        missing.append("the number to text")
    if t.find(pattern("flow", "advertised")) is None:
        missing.append("where the keyword is advertised")
    if t.find(pattern("flow", "confirmation")) is None:
        missing.append("the confirmation message")
    if missing:
        yield Hit(
            message=f"The keyword opt-in does not give {', '.join(missing)}.",
            fix=(
                'Write, e.g.: "Customers text JOIN to (512) 555-0123, advertised on in-store '
                "signage, and receive: 'Acme: You're subscribed… Reply STOP to opt out.'\""
            ),
        )
