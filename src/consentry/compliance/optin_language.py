"""Reading consent language: statements, and what one statement (or checkbox label) consents to.

Shared by the opt-in text rules (rules/optin.py), the message-flow rules (rules/flow.py) and the
form markup rules (forms.py), so a checkbox label and a sentence are judged the same way.
Phrases come from data/optin.yaml.
"""

from __future__ import annotations

import re
from functools import lru_cache

from consentry.compliance.lexicon import pattern
from consentry.compliance.text import is_negated

__all__ = [
    "bundles_channels",
    "is_sms_consent",
    "merges_terms",
    "statements",
    "third_party_match",
]

# A statement ends at a sentence end, a blank line, a new bullet line, or before a checkbox
# marker ("[ ] I agree…  [ ] Email me…" are two consents even on one line). Single newlines are
# hard wraps, not breaks: consent language is often pasted with its line wrapping.
_BREAK = re.compile(
    r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[☐☑☒✅]*[A-Z0-9\[☐☑☒✅])"
    r"|\n\s*\n"
    r"|\n(?=[ \t]*(?:[-*•]|\d+[.)])\s)"
    r"|(?=(?<!\S)(?:\[\s?\]|\[[xX✓✔]\]|[☐☑☒✅])\s)"
)


@lru_cache(maxsize=512)
def statements(raw: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each consent statement in `raw`: sentences, split at checkbox markers."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _BREAK.finditer(raw):
        _add(raw, out, pos, m.start())
        pos = m.end()
    _add(raw, out, pos, len(raw))
    return tuple(out)


def _add(raw: str, out: list[tuple[int, int]], start: int, end: int) -> None:
    piece = raw[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece.rstrip())
    if trail > lead:
        out.append((start + lead, start + trail))


def _kept_apart(text: str, start: int, end: int) -> bool:
    # "…and a separate, unchecked box for texts" describes two consents, not one.
    return pattern("optin", "separate_consent").search(text, start, end) is not None


def is_sms_consent(text: str, start: int = 0, end: int | None = None) -> bool:
    """True when text[start:end] consents to (or asks for) text messages."""
    end = len(text) if end is None else end
    return bool(
        pattern("optin", "sms").search(text, start, end)
        and pattern("optin", "consent_verb").search(text, start, end)
    )


def bundles_channels(
    text: str, start: int = 0, end: int | None = None, *, checkbox: bool = False
) -> re.Match[str] | None:
    """The other channel (calls, e-mail) that one SMS consent statement also covers, if any.

    "Call us at 512-555-0100 for help" or "email support@…" in the same statement is a help
    contact, not a second consent, so contact phrases are skipped. A checkbox label needs no
    consent verb: checking the box is the consent.
    """
    end = len(text) if end is None else end
    if checkbox:
        if not pattern("optin", "sms").search(text, start, end):
            return None
    elif not is_sms_consent(text, start, end):
        return None
    if _kept_apart(text, start, end):
        return None
    contact = [
        (m.start(), m.end()) for m in pattern("optin", "contact_us").finditer(text, start, end)
    ]
    for m in pattern("optin", "other_channel").finditer(text, start, end):
        if any(a <= m.start() < b or m.start() <= a < m.end() for a, b in contact):
            continue
        if is_negated(text, m.start()):
            continue
        return m
    return None


def merges_terms(text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """The acceptance of terms/privacy/another agreement that one SMS consent statement shares.

    Program terms ("our SMS Terms") are part of the texting program and do not count.
    """
    end = len(text) if end is None else end
    if not pattern("optin", "sms").search(text, start, end) or _kept_apart(text, start, end):
        return None
    m = pattern("optin", "terms_accept").search(text, start, end)
    if m and not is_negated(text, m.start()):
        return m
    if pattern("optin", "consent_verb").search(text, start, end):
        m = pattern("optin", "terms_and").search(text, start, end)
        if m and not is_negated(text, m.start()):
            return m
    return None


def third_party_match(text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """Where the text extends consent (or the number) to others than the sender, not negated.

    "We will not share your number with third parties or affiliates" is negated as a whole, so
    the look-back for a negation runs over the whole clause, not a few words.
    """
    end = len(text) if end is None else end
    for m in pattern("optin", "third_party").finditer(text, start, end):
        if not is_negated(text, m.start(), max_words=16):
            return m
    return None
