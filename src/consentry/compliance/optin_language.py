"""Reading consent language: statements, and what one statement (or checkbox label) consents to.

Shared by the opt-in text rules (rules/optin.py), the message-flow rules (rules/flow.py) and the
form markup rules (forms.py), so a checkbox label and a sentence are judged the same way.
Phrases come from data/optin.yaml.
"""

from __future__ import annotations

import re

from consentry.compliance.lexicon import data, pattern
from consentry.compliance.text import Text, is_negated

__all__ = [
    "bundles_channels",
    "is_sms_consent",
    "may_match",
    "merges_terms",
    "statement_of",
    "statements",
    "text_may_match",
    "text_statements",
    "text_urls",
    "third_party_match",
    "urls",
]

_TOKEN = re.compile(r"\S+")

# A statement ends at a sentence end, a blank line, a new bullet line, or before a checkbox
# marker ("[ ] I agree…  [ ] Email me…" are two consents even on one line). Single newlines are
# hard wraps, not breaks: consent language is often pasted with its line wrapping.
_SENTENCE_BREAK = (
    r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[☐☑☒✅]*[A-Z0-9\[☐☑☒✅])"
    r"|\n\s*\n"
    r"|\n(?=[ \t]*(?:[-*•]|\d+[.)])\s)"
)
_BREAK = re.compile(_SENTENCE_BREAK)
# The zero-width break before a checkbox marker costs a look-ahead at every offset: only texts
# that hold a marker pay for it.
_BREAK_AT_BOX = re.compile(_SENTENCE_BREAK + r"|(?=(?<!\S)(?:\[\s?\]|\[[xX✓✔]\]|[☐☑☒✅])\s)")
_BOX_CHARS = ("[", "☐", "☑", "☒", "✅")


def statements(raw: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each consent statement in `raw`: sentences, split at checkbox markers."""
    out: list[tuple[int, int]] = []
    pos = 0
    splitter = _BREAK_AT_BOX if any(c in raw for c in _BOX_CHARS) else _BREAK
    for m in splitter.finditer(raw):
        _add(raw, out, pos, m.start())
        pos = m.end()
    _add(raw, out, pos, len(raw))
    return tuple(out)


def statement_of(
    raw: str, pos: int, spans: tuple[tuple[int, int], ...] | None = None
) -> tuple[int, int]:
    """The statement that contains offset `pos` (the last one before it if between two);
    `spans` are the text's statements when already known."""
    found = (0, len(raw))
    for start, end in statements(raw) if spans is None else spans:
        if start <= pos < end:
            return (start, end)
        if start > pos:
            break
        found = (start, end)
    return found


def urls(raw: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, address) of every web address in `raw`.

    The address pattern is costly, so it runs only on the words that hold a dot.
    """
    url = pattern("optin", "url")
    out: list[tuple[int, int, str]] = []
    for token in _TOKEN.finditer(raw):
        # A sentence's final period is no address: only a dot inside the word can be one.
        if "." not in token.group().rstrip(".,;:!?)]\"'”’"):
            continue
        m = url.search(raw, token.start(), token.end())
        if m is not None:
            out.append((m.start(), m.end(), m.group()))
    return tuple(out)


def _folded(raw: str) -> str:
    return " ".join(raw.lower().split())


def may_match(raw: str, key: str) -> bool:
    """False when none of the `hints` of `key` (data/optin.yaml) occurs: its pattern cannot match.

    A substring test costs a fraction of a pattern scan, and most opt-ins hold no bundling,
    terms or third-party language at all.
    """
    hints = data("optin")["hints"].get(key)
    if not hints:
        return True
    folded = _folded(raw)
    return any(map(folded.__contains__, hints))


# Several rules read the same analyses of one opt-in: they are kept on its Text, so each is
# computed once per text checked (never reused for another check of the same words).


def text_statements(t: Text) -> tuple[tuple[int, int], ...]:
    """`statements` of an analysed text, computed once per text."""
    found = t.scratch.get("optin:statements")
    if not isinstance(found, tuple):
        found = t.scratch["optin:statements"] = statements(t.raw)
    return found


def text_urls(t: Text) -> tuple[tuple[int, int, str], ...]:
    """`urls` of an analysed text, computed once per text."""
    found = t.scratch.get("optin:urls")
    if not isinstance(found, tuple):
        found = t.scratch["optin:urls"] = urls(t.raw)
    return found


def text_may_match(t: Text, key: str) -> bool:
    """`may_match` on an analysed text (its folded form computed once per text)."""
    hints = data("optin")["hints"].get(key)
    if not hints:
        return True
    folded = t.scratch.get("optin:folded")
    if not isinstance(folded, str):
        folded = t.scratch["optin:folded"] = _folded(t.raw)
    return any(map(folded.__contains__, hints))


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
    if not may_match(text, "other_channel"):
        return None
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
    accepts = may_match(text, "terms_accept")
    if not (accepts or may_match(text, "contract_accept")):
        return None
    if not pattern("optin", "sms").search(text, start, end) or _kept_apart(text, start, end):
        return None
    m = pattern("optin", "terms_accept").search(text, start, end) if accepts else None
    if m and not is_negated(text, m.start()):
        return m
    if pattern("optin", "consent_verb").search(text, start, end):
        for key in ("terms_and", "contract_accept"):
            if may_match(text, key):
                m = pattern("optin", key).search(text, start, end)
                if m and not is_negated(text, m.start()):
                    return m
    return None


def third_party_match(text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """Where the text extends consent (or the number) to others than the sender, not negated.

    "We will not share your number with third parties or affiliates" is negated as a whole, so
    the look-back for a negation runs over the whole clause, not a few words.
    """
    end = len(text) if end is None else end
    if not may_match(text, "third_party"):
        return None
    for m in pattern("optin", "third_party").finditer(text, start, end):
        if not is_negated(text, m.start(), max_words=16):
            return m
    return None
