"""Rules KW-*: keyword replies (opt-in confirmation, STOP and HELP replies) and opt-out keywords.

The replies are sample_message texts whose context names their role (ctx.message_role); with
no role, or the role `message`, only KW-OPT-OUT-KEYWORDS applies (the SM rules judge the rest).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context, MessageRole
from consentry.compliance.lexicon import data, pattern
from consentry.compliance.model import Hit
from consentry.compliance.rules._common import context_missing, span
from consentry.compliance.rules.samples import (
    brand_mentions,
    find_links,
    is_promotional,
    sender_names,
)
from consentry.compliance.text import Text, is_negated

__all__ = ["check_opt_out_keywords", "is_standard_opt_out", "standard_opt_out_words"]

_QUOTES = "\"'“”‘’"
_SPLIT = re.compile(r"\s*(?:,\s*or\b|,|\bor\b|/|\band\b)\s*", re.I)
_NON_WORD = re.compile(r"[\s\-_]+")
_PLACEHOLDER = re.compile(r"^[\[{<]|[\]}>]$")
# A program keyword written after STOP: capitals and digits, "SURF20".
_PROGRAM_KEYWORD = re.compile(r"[A-Z][A-Z0-9]{1,14}")


def _norm(word: str) -> str:
    return _NON_WORD.sub("", word.strip(_QUOTES + " .!?")).upper()


@cache
def _standard() -> tuple[str, ...]:
    return tuple(_norm(w) for w in data("keywords")["opt_out"])


def standard_opt_out_words() -> tuple[str, ...]:
    """The standard opt-out keywords (data/keywords.yaml), in their documented order."""
    return _standard()


def is_standard_opt_out(word: str) -> bool:
    """True when `word` is one of the standard opt-out keywords ("opt out" counts as OPTOUT)."""
    return _norm(word) in _standard()


def check_opt_out_keywords(keywords: Sequence[str]) -> list[str]:
    """The standard opt-out words missing from a program's opt-out keyword list, in order."""
    given = {_norm(k) for k in keywords}
    return [w for w in _standard() if w not in given]


@cache
def _substitute_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Reply-X-to-opt-out, both ways round, capturing the keyword X offered."""
    verbs = "|".join(data("keywords")["reply_verbs"])
    ends = "|".join(data("keywords")["opt_out_verbs"])
    q = "[\"'“”‘’]?"
    forward = re.compile(
        rf"\b(?:{verbs})(?:\s+(?:with|back))?(?:\s+the\s+(?:word|keyword))?\s+"
        # The keyword: a few words, never spanning another "to ..." instruction.
        rf"(?P<kw>{q}[A-Za-z0-9](?:(?!\s+to\s)[A-Za-z0-9 \-'’]){{0,24}}?{q})"
        rf"(?:\s+to\s+\d[\d\-() ]{{2,15}}\d)?(?:\s+(?:at\s+any\s+time|anytime))?\s+(?:to|2)\s+"
        rf"(?:{ends})\b",
        re.I,
    )
    backward = re.compile(
        rf"\bto\s+(?:{ends})(?:\s+[\w-]+){{0,4}}?\s*[,:]\s*(?:just\s+|simply\s+)?(?:{verbs})"
        rf"(?:\s+(?:with|back))?(?:\s+the\s+(?:word|keyword))?\s+"
        rf"(?P<kw>{q}[A-Za-z0-9][A-Za-z0-9\-]*(?:\s+(?-i:[A-Z]{{2,}}))?{q})",
        re.I,
    )
    return forward, backward


def _non_standard(offered: str) -> bool:
    """True when the offered keyword(s) include no standard opt-out word."""
    words = [w for w in _SPLIT.split(offered.strip(_QUOTES)) if w.strip(_QUOTES + " ")]
    if not words or any(is_standard_opt_out(w) for w in words):
        return False
    # On a shared short code STOP may name the program it leaves: "Reply STOP SURF20 to cancel".
    head, _, program = offered.strip(_QUOTES).partition(" ")
    if is_standard_opt_out(head) and _PROGRAM_KEYWORD.fullmatch(program):
        return False
    # "Reply STOP ALL to ..." and "Reply OPT OUT to ..." read as one standard word.
    return not is_standard_opt_out(offered)


@rule("KW-OPT-OUT-KEYWORDS")
def opt_out_keywords(t: Text, ctx: Context) -> Iterator[Hit]:
    """Standard opt-out words honoured; no non-standard substitute, no "only way" to opt out."""
    for m in t.finditer(pattern("keywords", "only_way")):
        if not is_negated(t.raw, m.start()):
            yield Hit(
                message=f'The text limits how people may opt out ("{m.group(0)}"); they may '
                "opt out by any reasonable means, including the standard keywords.",
                fix='Remove the restriction and say: "Reply STOP to opt out at any time."',
                span=span(m),
            )
            return
    for regex in _substitute_patterns():
        for m in t.finditer(regex):
            if _non_standard(m.group("kw")):
                kw = m.group("kw").strip(_QUOTES)
                yield Hit(
                    message=f'The text offers "{kw}" as the way to opt out instead of a standard '
                    "keyword (STOP, UNSUBSCRIBE, CANCEL, END, QUIT...).",
                    fix='Use the standard keyword: "Reply STOP to opt out."',
                    span=(m.start("kw"), m.end("kw")),
                )
                return
    link = t.find(pattern("keywords", "link_opt_out"))
    if link and not t.find(pattern("keywords", "opt_out_instruction")):
        yield Hit(
            message="The text offers a link as the way to opt out but no standard keyword.",
            fix='Add: "Reply STOP to opt out." (a link may stay as an extra way).',
            span=span(link),
        )


def _names_brand(t: Text, names: tuple[str, ...]) -> bool:
    """True when the reply names the brand in its words: "support@acmedental.com" is a contact,
    and the brand inside its domain names no one."""
    emails: list[tuple[int, int]] | None = None
    for m in brand_mentions(t, names):
        if emails is None:
            emails = [e.span() for e in t.finditer(pattern("keywords", "email"))]
        if not any(a <= m.start() < b for a, b in emails):
            return True
    return False


def _brand_hit(t: Text, ctx: Context, rule_id: str, what: str) -> Iterator[Hit]:
    if not ctx.brands:
        yield context_missing(rule_id, "the brand name (company)")
    elif not _names_brand(t, sender_names(ctx)):
        yield Hit(
            message=f"The {what} does not name the brand ({ctx.brands[0]}).",
            fix=f'Start it with the brand: "{ctx.brands[0]}: ..."',
        )


@rule("KW-CONFIRMATION")
def confirmation(t: Text, ctx: Context) -> Iterator[Hit]:
    """Opt-in confirmation names the brand and includes frequency, rates, HELP and STOP."""
    if ctx.message_role is not MessageRole.OPT_IN_CONFIRMATION:
        return
    yield from _brand_hit(t, ctx, "KW-CONFIRMATION", "opt-in confirmation")
    if not t.find(pattern("keywords", "frequency")):
        yield Hit(
            message="The opt-in confirmation does not state the message frequency.",
            fix='Add: "Msg frequency varies." or "Up to 4 msgs/month."',
        )
    if not t.find_affirmed(pattern("keywords", "rates")):
        yield Hit(
            message="The opt-in confirmation does not say that message and data rates may apply.",
            fix='Add: "Msg & data rates may apply."',
        )
    if not t.find(pattern("keywords", "help_instruction")):
        yield Hit(
            message="The opt-in confirmation does not tell recipients how to get help.",
            fix='Add: "Reply HELP for help."',
        )
    if not t.find(pattern("keywords", "opt_out_instruction")):
        yield Hit(
            message="The opt-in confirmation does not tell recipients how to opt out.",
            fix='Add: "Reply STOP to opt out."',
        )


_NAME_BREAK = re.compile(r"[.!?;:\n]")


def _names_left_program(t: Text, m: re.Match[str]) -> bool:
    """True when promotional words `m` are part of the name of the program the reply says was
    left ("You've canceled your subscription to Acme special offers")."""
    lo = max(0, m.start() - 60)
    for p in pattern("keywords", "left_program").finditer(t.raw, lo, m.start()):
        gap = t.raw[p.end() : m.start()]
        if not _NAME_BREAK.search(gap) and len(gap.split()) <= 5:
            return True
    return False


@rule("KW-STOP-REPLY")
def stop_reply(t: Text, ctx: Context) -> Iterator[Hit]:
    """Opt-out reply names the brand, confirms no further messages, carries no marketing."""
    if ctx.message_role is not MessageRole.OPT_OUT_REPLY:
        return
    yield from _brand_hit(t, ctx, "KW-STOP-REPLY", "opt-out reply")
    if not t.find_affirmed(pattern("keywords", "unsubscribed")):
        yield Hit(
            message="The opt-out reply does not confirm that no further messages will be sent.",
            fix='Say: "You are unsubscribed and will receive no further messages."',
        )
    promo = is_promotional(t)
    if promo and _names_left_program(t, promo):
        promo = next(
            (
                m
                for m in t.finditer(pattern("usecases", "promotional"))
                if m.start() > promo.start()
                and not is_negated(t.raw, m.start())
                and not _names_left_program(t, m)
            ),
            None,
        )
    if promo:
        yield Hit(
            message=f'The opt-out reply carries promotional content ("{promo.group(0)}"); it must '
            "only confirm the opt-out.",
            fix="Remove everything but the brand and the confirmation (a note on how to opt back "
            'in, "Reply START to resubscribe", may stay).',
            span=span(promo),
        )


@rule("KW-HELP-REPLY")
def help_reply(t: Text, ctx: Context) -> Iterator[Hit]:
    """HELP reply names the brand and gives a working contact."""
    if ctx.message_role is not MessageRole.HELP_REPLY:
        return
    yield from _brand_hit(t, ctx, "KW-HELP-REPLY", "HELP reply")
    if not _has_contact(t):
        yield Hit(
            message="The HELP reply gives no way to reach the sender (phone number, email or "
            "website).",
            fix='Add a real contact: "For help call 512-555-0100 or email support@yourbrand.com."',
        )


def _has_contact(t: Text) -> bool:
    for key in ("phone", "email"):
        for m in t.finditer(pattern("keywords", key)):
            if not _in_placeholder(t.raw, m.start(), m.end()):
                return True
    return any(not _in_placeholder(t.raw, ln.start, ln.end) for ln in find_links(t.raw))


def _in_placeholder(raw: str, start: int, end: int) -> bool:
    """True when the contact sits inside a bracketed field ("[support phone]")."""
    before = raw[max(0, start - 1) : start]
    after = raw[end : end + 1]
    return bool(before and after and _PLACEHOLDER.search(before) and _PLACEHOLDER.search(after))
