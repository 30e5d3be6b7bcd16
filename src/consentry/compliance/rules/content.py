"""Rules CT-*: prohibited and restricted content, on every kind of text.

One scan of the text finds every candidate phrase of every category (data/content.yaml); each
candidate then counts only when it is affirmed: not negated, not in a list of what is prohibited,
not inside an exempt phrase ("root beer", "glue gun", "problem gambling"), and not part of the
sender's own name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern
from consentry.compliance.model import Hit, Kind
from consentry.compliance.rules._common import context_missing
from consentry.compliance.rules._scan import memo, phrase_index
from consentry.compliance.text import Sentence, Text, brand_pattern, clause_start

__all__ = [
    "ContentMatch",
    "age_gate",
    "content_matches",
    "forbidden",
    "high_risk_financial",
    "in_negative_scope",
    "lead_gen",
]

# Categories scanned, in the order a phrase is attributed when two would match at one place.
FORBIDDEN = (
    "fraud",
    "cannabis",
    "drugs_always",
    "drugs_named",
    "sexual",
    "hate",
    "gambling",
    "tobacco",
)
AGE_RESTRICTED = ("alcohol", "firearms")
FINANCIAL = ("lending", "crypto", "debt", "get_rich_quick")
LEAD_GEN = ("lead_gen",)
_CATEGORIES = FORBIDDEN + AGE_RESTRICTED + FINANCIAL + LEAD_GEN
_EXEMPT_KEYS = ("alcohol_exempt", "firearms_exempt", "gambling_help")

_LIST_ITEM = re.compile(r"(?:[-*•‣◦▪·]|\d{1,2}[.)]|\(?[a-z][.)])\s", re.I)
_HEADING_WORDS = 8
_LIST_LOOKBACK = 40
_WORD = re.compile(r"[A-Za-z0-9]+")

LABELS = {
    "cannabis": "cannabis, CBD or THC content",
    "drugs_always": "prescription drugs offered without a prescription",
    "drugs_named": "the sale of controlled or illegal drugs",
    "sexual": "sexual or adult content",
    "hate": "hate speech",
    "gambling": "gambling",
    "tobacco": "tobacco or vaping products",
    "fraud": "a phishing or fraud pattern",
    "alcohol": "alcohol",
    "firearms": "firearms",
    "lending": "payday, high-interest or third-party lending",
    "crypto": "cryptocurrency or speculative trading",
    "debt": "debt relief, credit repair or third-party debt collection",
    "get_rich_quick": "a get-rich-quick or work-from-home scheme",
    "lead_gen": "third-party lead generation or affiliate marketing",
}


@dataclass(frozen=True, slots=True)
class ContentMatch:
    """One affirmed phrase of a content category."""

    category: str
    start: int
    end: int
    phrase: str


def _sentence_index(sentences: list[Sentence], pos: int) -> int:
    lo, hi = 0, len(sentences) - 1
    found = 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if sentences[mid].start <= pos:
            found = mid
            lo = mid + 1
        else:
            hi = mid - 1
    return found


def _has_cue(piece: str) -> bool:
    cleaned = pattern("content", "promo_negation").sub(" ", piece)
    return bool(
        pattern("content", "prohibition_cue").search(cleaned)
        or pattern("content", "prohibition_after").search(cleaned)
    )


def in_negative_scope(t: Text, start: int, end: int) -> bool:
    """True when the phrase at [start, end) is denied or listed as prohibited, not offered:
    "we never sell tobacco", "You may not send gambling, tobacco or cannabis content",
    "Prohibited: - gambling - tobacco", "Vapes are not allowed"."""
    raw = t.raw
    sentences = t.sentences
    if not sentences:
        return False
    idx = _sentence_index(sentences, start)
    sent = sentences[idx]
    lo = max(clause_start(raw, start, window=300), sent.start)
    if _has_cue(raw[lo:start]):
        return True
    # "The following are prohibited: gambling, tobacco" - the list follows a colon.
    colon = raw.rfind(":", sent.start, start)
    if colon != -1:
        intro = raw[max(sent.start, clause_start(raw, colon, window=300)) : colon]
        if _has_cue(intro):
            return True
    # "... is prohibited" after the phrase, in its clause.
    after = raw[end : sent.end]
    cut = re.search(r"[;.!?]|,\s*(?:but|however)\b", after)
    if cut:
        after = after[: cut.start()]
    if pattern("content", "prohibition_after").search(after):
        return True
    # A bulleted list under an intro line or heading: "You may not text about:\n- gambling".
    if _LIST_ITEM.match(sent.text):
        for back in range(idx - 1, max(-1, idx - _LIST_LOOKBACK), -1):
            prev = sentences[back]
            if _LIST_ITEM.match(prev.text):
                continue
            is_intro = (
                prev.text.rstrip().endswith(":") or len(_WORD.findall(prev.text)) <= _HEADING_WORDS
            )
            return is_intro and _has_cue(prev.text)
    return False


def _spans(p: re.Pattern[str] | None, raw: str) -> list[tuple[int, int]]:
    if p is None:
        return []
    return [(m.start(), m.end()) for m in p.finditer(raw)]


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _ends_a_brand(spans: list[tuple[int, int]], raw: str, end: int) -> bool:
    """True when a match ending at `end` is the last word of a brand span (possessive aside)."""
    return any(s < end and raw[end:e].lower() in ("", "'s", "’s") for s, e in spans)


def _sentence_text(t: Text, pos: int) -> str:
    sentences = t.sentences
    if not sentences:
        return t.raw
    return sentences[_sentence_index(sentences, pos)].text


def _context_allows(t: Text, category: str, start: int) -> bool:
    """Category-specific context that makes a phrase legitimate."""
    if category == "drugs_named":
        # A drug name is forbidden content only where it is sold, not in care or a pharmacy's
        # own prescriptions ("Your Adderall refill is ready for pickup").
        sentence = _sentence_text(t, start)
        return not pattern("content", "drugs_sale").search(sentence) or bool(
            pattern("content", "drugs_care").search(sentence)
        )
    if category == "hate":
        sentence = _sentence_text(t, start)
        cut = start - t.sentence_at(start).start
        return bool(pattern("content", "hate_opposed").search(sentence[: max(cut, 0)]))
    if category == "tobacco":
        # Quit-smoking programmes and screenings talk about tobacco to end its use.
        return bool(_tobacco_care(t))
    return False


def _tobacco_care(t: Text) -> bool:
    return bool(phrase_index("content", ("tobacco_care",)).scan(t))


def _scan(t: Text, ctx: Context) -> list[ContentMatch]:
    candidates = phrase_index("content", _CATEGORIES).scan(t)
    if not candidates:
        return []
    exempt = [(m.start(), m.end()) for _, m in phrase_index("content", _EXEMPT_KEYS).scan(t)]
    brands: list[tuple[int, int]] = []
    for name in ctx.brands:
        brands.extend(_spans(brand_pattern(name), t.raw))
    found: list[ContentMatch] = []
    for category, m in candidates:
        start, end = m.start(), m.end()
        if _overlaps(exempt, start, end):
            continue
        # A word inside the brand is a name, not content ("Casino Road Dental"), unless it is
        # the brand's last word: that names the trade itself ("Acme Dispensary", "Joe's Vape").
        if _overlaps(brands, start, end) and not (
            category in FORBIDDEN and _ends_a_brand(brands, t.raw, end)
        ):
            continue
        if _context_allows(t, category, start):
            continue
        if in_negative_scope(t, start, end):
            continue
        found.append(ContentMatch(category, start, end, t.raw[start:end]))
    return found


def content_matches(t: Text, ctx: Context) -> list[ContentMatch]:
    """Every affirmed phrase of every content category in the text (computed once per text)."""
    scratch = memo(t)
    key = "content:" + "\x00".join(ctx.brands)
    found = scratch.get(key)
    if not isinstance(found, list):
        found = _scan(t, ctx)
        scratch[key] = found
    return found


def _first_by_category(
    matches: list[ContentMatch], categories: tuple[str, ...]
) -> list[ContentMatch]:
    firsts: dict[str, ContentMatch] = {}
    for m in matches:
        if m.category in categories and m.category not in firsts:
            firsts[m.category] = m
    return sorted(firsts.values(), key=lambda m: m.start)


@rule("CT-FORBIDDEN")
def forbidden(t: Text, ctx: Context) -> Iterator[Hit]:
    """Not a forbidden category: cannabis/CBD, drugs, sexual content, hate, gambling, tobacco,
    phishing/fraud."""
    reported: set[str] = set()
    for m in _first_by_category(content_matches(t, ctx), FORBIDDEN):
        label = LABELS[m.category]
        if label in reported:
            continue
        reported.add(label)
        if m.category == "fraud":
            fix = (
                "Remove this wording: never ask for passwords, PINs, card or Social Security "
                "numbers by text, promise prizes, or threaten suspension to make people click."
            )
        else:
            fix = (
                f"Remove it: carriers block {label} on SMS/MMS in the US whatever the wording, "
                "and a business built on it cannot be registered."
            )
        yield Hit(
            message=f'"{m.phrase}" is {label}, a category US carriers forbid on SMS/MMS.',
            fix=fix,
            span=(m.start, m.end),
        )


def _has_dob_gate(t: Text, ctx: Context) -> bool:
    if t.find(pattern("content", "age_gate_dob")):
        return True
    html = ctx.form_html
    return bool(html) and _DOB_FIELD.search(html or "") is not None


# A date-of-birth field in the form markup: type="date" or a name/id/label that says birth.
_DOB_FIELD = re.compile(
    r"<input\b[^>]*(?:type\s*=\s*[\"']?date\b|(?:name|id)\s*=\s*[\"']?[\w\-]*(?:dob|birth)[\w\-]*)",
    re.I,
)

_GATED_KINDS = (Kind.OPT_IN, Kind.MESSAGE_FLOW)


@rule("CT-AGE-GATE")
def age_gate(t: Text, ctx: Context) -> Iterator[Hit]:
    """Age-restricted content (alcohol, firearms) needs a real age gate and the age-gated flag."""
    found = _first_by_category(content_matches(t, ctx), AGE_RESTRICTED)
    if not found:
        return
    first = found[0]
    label = " and ".join(LABELS[m.category] for m in found)
    if ctx.age_gated is None:
        yield context_missing("CT-AGE-GATE", "whether the campaign is age-gated (age_gated)")
        return
    if ctx.age_gated is False:
        yield Hit(
            message=(
                f'"{first.phrase}" is age-restricted content ({label}), but the campaign is not '
                "flagged age-gated."
            ),
            fix=(
                "Set the campaign's age-gated attribute and ask each subscriber's date of birth "
                "before opt-in (21 or older for alcohol), or remove the content."
            ),
            span=(first.start, first.end),
        )
        return
    if t.kind in _GATED_KINDS and not _has_dob_gate(t, ctx):
        claim = t.find(pattern("content", "age_gate_claim"))
        yield Hit(
            message=(
                f"The opt-in offers age-restricted content ({label}) but does not ask for a date "
                "of birth; an age statement or checkbox alone is not an age gate."
            ),
            fix=(
                'Add a date-of-birth field before consent and say so, e.g. "Enter your date of '
                'birth (you must be 21 or older)."'
            ),
            span=(claim.start(), claim.end()) if claim else None,
        )


@rule("CT-HIGH-RISK-FINANCIAL")
def high_risk_financial(t: Text, ctx: Context) -> Iterator[Hit]:
    """Not payday/high-interest or third-party loans, crypto, debt relief, credit repair,
    third-party debt collection or get-rich-quick schemes."""
    for m in _first_by_category(content_matches(t, ctx), FINANCIAL):
        if m.category == "crypto" and ctx.is_otp:
            continue  # an exchange may send one-time passcodes; only its marketing is barred
        label = LABELS[m.category]
        yield Hit(
            message=f'"{m.phrase}" is {label}, a high-risk financial service carriers forbid.',
            fix=(
                f"Remove {label} from the text; these services cannot be registered for SMS, "
                "and a lender may only text its own customers about loans it services."
            ),
            span=(m.start, m.end),
        )


@rule("CT-LEAD-GEN")
def lead_gen(t: Text, ctx: Context) -> Iterator[Hit]:
    """Not third-party lead generation or affiliate marketing."""
    found = _first_by_category(content_matches(t, ctx), LEAD_GEN)
    if not found:
        return
    m = found[0]
    sender = ctx.brands[0] if ctx.brands else "your business"
    yield Hit(
        message=(
            f'"{m.phrase}" describes {LABELS["lead_gen"]}: consent must be for one named sender, '
            "and numbers may not be shared with or sold to others."
        ),
        fix=(
            f"Remove partner, affiliate and lead wording; collect consent for {sender} only and "
            "do not share phone numbers or consent with anyone."
        ),
        span=(m.start, m.end),
    )
