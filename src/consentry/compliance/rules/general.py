"""Rules GEN-*: every text is in English, has no unfilled template stand-ins, and reads clearly."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import cache
from typing import Any

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context, MessageRole
from consentry.compliance.lexicon import data, pattern, words
from consentry.compliance.model import Hit, Kind, Severity
from consentry.compliance.rules._scan import lowered, memo, phrase_index
from consentry.compliance.text import Text, ascii_findall, brand_pattern, brand_variants

__all__ = [
    "clarity",
    "english",
    "language_of",
    "placeholder",
    "readability",
]

# ---------------------------------------------------------------------------------------------
# GEN-ENGLISH

# The languages the identifier chooses among: English and the languages US businesses most often
# text in. A closed set keeps the identifier from naming an obscure language for terse English.
_LANGUAGE_CODES = "en es fr de pt it nl pl tl ht vi tr id zh ja ko ru uk ar hi"
LANGUAGES = tuple(_LANGUAGE_CODES.split())
_NON_LATIN = frozenset({"zh", "ja", "ko", "ru", "uk", "ar", "hi"})

# How much of a text the identifier reads: enough prose to be confident, bounded in time.
LANGUAGE_SAMPLE_CHARS = 1000
# Texts are scanned in blocks this long when looking for an English version beside another
# language; at most this many characters are scanned.
_BLOCK_CHARS = 1000
_SCAN_CHARS = 40_000
# Below this many letters of prose (after URLs, keywords and fields are removed) no identifier
# is reliable: such texts are not judged.
MIN_LETTERS = 15
# The identifier must be at least this sure before a text is called non-English.
MIN_CONFIDENCE = 0.9
# A block is English when this share of its Latin-script words are English function words
# (typical English prose: 35-50 %; Spanish, French or Dutch prose: under 10 %).
ENGLISH_SHARE = 0.2

_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|us|co|io|gov|edu|info|biz)\b(?:/\S*)?",
    re.I,
)
_FIELD = re.compile(r"\[[^\[\]\n]{0,60}\]|\{\{?[^{}\n]{0,60}\}?\}|<[^<>\n]{0,60}>")
_NUMBER = re.compile(r"[#$%+]?\d[\d,.:/\-]*(?:am|pm|st|nd|rd|th|x)?", re.I)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_LETTER = re.compile(r"[^\W\d_]")
_BLOCK_BREAK = re.compile(r"\n\s*\n")

# The fast path: a text whose first words are at least 25 % English function words is English
# (English prose runs 35-50 %), decided without stripping or identifying anything.
QUICK_WORDS = 400
QUICK_MIN_WORDS = 8
QUICK_MIN_HITS = 4
QUICK_SHARE = 0.25

_identifier: Any = None
_identifier_lock = threading.Lock()


def _get_identifier() -> Any:
    # The model takes ~0.7 s to load: once per process, on first need, never twice concurrently.
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                ident.set_languages(list(LANGUAGES))
                _identifier = ident
    return _identifier


@cache
def _keywords() -> re.Pattern[str]:
    # Keywords count only in capitals ("Reply STOP"); "stop" and "end" are ordinary English.
    frags = "|".join(f"(?:{f})" for f in data("general")["keywords"])
    return re.compile(rf"\b(?:{frags})\b")


def _prose(raw: str, ctx: Context) -> str:
    """The text without what reads the same in every language: links, fields, numbers,
    keywords, the sender's own name."""
    out = _URL.sub(" ", raw)
    out = _FIELD.sub(" ", out)
    for name in ctx.brands:
        brand = brand_pattern(name)
        if brand is not None:
            out = brand.sub(" ", out)
    out = _keywords().sub(" ", out)
    return _NUMBER.sub(" ", out)


def _quick_english(t: Text) -> bool:
    """Plain English prose, judged from the words alone (no identifier, no stripping)."""
    sample = t.words[:QUICK_WORDS]
    if len(sample) < QUICK_MIN_WORDS:
        return False
    english_words = words("general", "english")
    hits = sum(map(english_words.__contains__, sample))
    return hits >= QUICK_MIN_HITS and hits >= QUICK_SHARE * len(sample)


def _english_share(tokens: list[str]) -> tuple[int, int]:
    """(English function words, Latin-script words) among `tokens`."""
    english_words = words("general", "english")
    latin = [w for w in tokens if _LATIN.match(w)]
    return sum(1 for w in latin if w.lower() in english_words), len(latin)


def _is_english_block(prose: str) -> bool:
    tokens = _TOKEN.findall(prose)
    hits, latin = _english_share(tokens)
    if hits < 2 or latin == 0 or hits / latin < ENGLISH_SHARE:
        return False
    # English must be a real part of the block, not one sentence inside another language.
    letters = len(_LETTER.findall(prose))
    latin_letters = len(_LATIN.findall(prose))
    return latin_letters >= 0.3 * letters


def _has_english_version(prose: str) -> bool:
    """True when some block (paragraph or ~1,000 characters) of the text is English."""
    scanned = prose[:_SCAN_CHARS]
    for para in _BLOCK_BREAK.split(scanned):
        for i in range(0, len(para), _BLOCK_CHARS):
            if _is_english_block(para[i : i + _BLOCK_CHARS]):
                return True
    return False


def _foreign_words(lang: str) -> frozenset[str]:
    table = data("general")["foreign"]
    return frozenset(str(w).lower() for w in table.get(lang, ()))


def language_of(raw: str, ctx: Context | None = None) -> tuple[str, float] | None:
    """The confidently identified language of a non-English text, or None when the text is
    English, carries an English version, or is too short or mixed to tell."""
    ctx = ctx or Context()
    head = _prose(raw[: LANGUAGE_SAMPLE_CHARS * 2], ctx)
    sample = " ".join(head.split())[:LANGUAGE_SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    if _is_english_block(sample):
        return None
    if len(raw) > LANGUAGE_SAMPLE_CHARS * 2 and _has_english_version(
        _prose(raw[:_SCAN_CHARS], ctx)
    ):
        return None
    if _has_english_version(head):
        return None
    # Lone surrogates (undecodable input) carry no language; drop them before identifying.
    clean = sample.encode("utf-8", "ignore").decode("utf-8")
    ranked = _get_identifier().rank(clean)
    lang, confidence = ranked[0][0], float(ranked[0][1])
    if lang == "en":
        return None
    letters = len(_LETTER.findall(sample))
    if lang in _NON_LATIN:
        # Trust a non-Latin verdict only when that script dominates the prose. Languages that
        # share a script (Russian/Ukrainian, Chinese/Japanese) split the identifier's
        # confidence, so what must be sure is that the text is not English.
        if len(_LATIN.findall(sample)) > 0.5 * letters:
            return None
        english_p = next((float(p) for code, p in ranked if code == "en"), 0.0)
        not_english = 1.0 - english_p
        return (lang, not_english) if not_english >= MIN_CONFIDENCE else None
    if confidence < MIN_CONFIDENCE:
        return None
    # A Latin-script verdict must be borne out by that language's own function words.
    tokens = [w.lower() for w in _TOKEN.findall(sample)]
    foreign = _foreign_words(lang)
    foreign_hits = sum(1 for w in tokens if w in foreign)
    english_hits, _ = _english_share(tokens)
    if foreign_hits < 2 or foreign_hits <= english_hits:
        return None
    return lang, confidence


_LANGUAGE_NAMES = {
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "tl": "Tagalog",
    "ht": "Haitian Creole",
    "vi": "Vietnamese",
    "tr": "Turkish",
    "id": "Indonesian",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "hi": "Hindi",
}


@rule("GEN-ENGLISH")
def english(t: Text, ctx: Context) -> Iterator[Hit]:
    """Text submitted for review is in English, or carries an English version."""
    if t.is_blank or _quick_english(t):
        return
    found = language_of(t.raw, ctx)
    if found is None:
        return
    lang, confidence = found
    name = _LANGUAGE_NAMES.get(lang, lang)
    yield Hit(
        message=(
            f"The text is in {name} (identified with {confidence:.0%} confidence); reviewers "
            "only accept English."
        ),
        fix=(
            "Submit the text in English; if recipients see it in another language, add the "
            "English translation beside it."
        ),
    )


# ---------------------------------------------------------------------------------------------
# GEN-PLACEHOLDER

# A bracketed or templated slot: [x], {x}, {{ x }}, <x>, %X%, ${x}. Not followed by "(": a
# markdown link's label ("[Privacy Policy](https://...)") is text, not a slot.
_SLOT = re.compile(
    r"\{\{\s*(?P<mustache>[^{}\n]{1,60}?)\s*\}\}"
    r"|\[\s*(?P<square>[^\[\]\n]{1,60}?)\s*\](?!\()"
    r"|\{\s*(?P<brace>[^{}\n]{1,60}?)\s*\}"
    r"|<\s*(?P<angle>[^<>\n/=\"']{1,60}?)\s*>"
    r"|%(?P<percent>[A-Za-z][A-Za-z_]{2,40})%"
    r"|\$\{(?P<dollar>[^{}\n]{1,40})\}"
)
_SLOT_TRIM = re.compile(
    r"^(?:(?:your|the|our|insert|enter|add|fill\s+in|name\s+of(?:\s+the)?)\s+)+|['’]s\b|[^\w\s/\-]",
    re.I,
)
_SPACES = re.compile(r"[\s_]+")
# A camel-cased template variable reads as words: "{{ companyPhoneNumber }}" is "company phone
# number".
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# A lone letter in a slot is a count to fill in: "up to [X] messages per week".
_LETTER_SLOTS = frozenset({"x", "n"})
# HTML elements that read like slot words; "<address>" in a pasted page is markup.
_HTML_TAGS = frozenset({"address", "link", "time", "data", "form", "label", "span", "p", "b", "i"})
# Slot words that name the sender in a compound ("[Clinic Name]" is the sender's name field only
# when the head names an organisation, see slot_brand).
_NAME_SUFFIX = " name"


def _slot_core(content: str) -> str:
    core = _SPACES.sub(" ", _CAMEL.sub(" ", content).replace("-", " - ")).strip().lower()
    core = core.replace(" - ", "-")
    previous = None
    while previous != core:
        previous = core
        core = _SLOT_TRIM.sub("", core).strip()
    return core


@cache
def _contact_endings() -> tuple[str, ...]:
    # The contact details named in several words, as the end of a longer slot name.
    return tuple(sorted(" " + c for c in words("general", "slot_contact") if " " in c))


def _slot_category(content: str) -> str | None:
    """What a slot stands for: "brand", "contact", "date", "name", "insert", or None."""
    raw = content.strip()
    low = _SPACES.sub(" ", raw.lower())
    insert = bool(pattern("general", "slot_insert").search(low))
    core = _slot_core(raw)
    brand = words("general", "slot_brand")
    if core in brand or low in brand:
        return "brand"
    if (
        core.endswith(_NAME_SUFFIX)
        and core[: -len(_NAME_SUFFIX)].split()[-1:]
        and (core[: -len(_NAME_SUFFIX)].split()[-1] in brand)
    ):
        return "brand"
    contact = words("general", "slot_contact")
    if core in contact or low in contact:
        return "contact"
    # "[company phone number]": a detail named in several words ends in a known one; a lone
    # "number" ("[order number]") may be a sample's variable and is not read this way.
    if core.endswith(_contact_endings()):
        return "contact"
    if core in words("general", "slot_date") or "date" in core.split() or "updated" in core:
        return "date"
    if core == "name" or core.endswith(_NAME_SUFFIX):
        return "name"
    if insert or core in _LETTER_SLOTS:
        return "insert"
    # A slot describing the sender in several words ("[the HVAC business you contacted]").
    if len(core.split()) >= 3 and any(word in brand for word in core.split()):
        return "brand"
    # ... or a link or contact in several words ("[public URL of hosted screenshot]"), a noun
    # phrase rather than an aside ("[the box under the phone field is unchecked]").
    slot_words = core.split()
    if (
        3 <= len(slot_words) <= 6
        and not _ASIDE_WORDS.intersection(slot_words)
        and _LINK_WORDS.intersection(slot_words)
    ):
        return "contact"
    return None


_LINK_WORDS = frozenset({"url", "link", "website", "domain", "email", "phone"})
_ASIDE_WORDS = frozenset({"is", "are", "was", "were", "will", "has", "have", "be", "can", "may"})


# Which slot categories are stand-ins in which kinds. Sample messages bracket variable fields by
# design (spec/rules.md); only the sender's own name may never be one. Descriptions and flows
# quote samples, so personal fields and dates stay fine there too.
_FLAGGED: dict[Kind, frozenset[str]] = {
    Kind.SAMPLE_MESSAGE: frozenset({"brand"}),
    Kind.CAMPAIGN_DESCRIPTION: frozenset({"brand", "contact", "insert"}),
    Kind.MESSAGE_FLOW: frozenset({"brand", "contact", "insert"}),
    Kind.OPT_IN: frozenset({"brand", "contact", "date", "name", "insert"}),
    Kind.PRIVACY_POLICY: frozenset({"brand", "contact", "date", "name", "insert"}),
    Kind.TERMS: frozenset({"brand", "contact", "date", "name", "insert"}),
}
# Contact slots a quoted sample message may carry as variables in a description or a flow.
_QUOTED_VARIABLES = frozenset({"number", "address", "link", "url", "city", "state"})
_TO_THE_SENDER = re.compile(r"\b(?:to|at|call|text|visit)\s*$", re.I)

_MAX_PLACEHOLDERS = 10


def _kind_of(t: Text, ctx: Context) -> Kind:
    # The engine gives the kind; a rule called on a bare Text reads it as a sample message when
    # it has a message role, else as a description (the middle ground of strictness).
    if t.kind is not None and t.kind in _FLAGGED:
        return t.kind
    return Kind.SAMPLE_MESSAGE if ctx.message_role is not None else Kind.CAMPAIGN_DESCRIPTION


_SLOT_MESSAGES = {
    "brand": "a stand-in for the sender's name",
    "contact": "a stand-in for contact details or a fixed fact",
    "date": "a stand-in for a date",
    "name": "a stand-in for a name",
    "insert": "a template instruction",
}


_SLOT_OPENERS = ("[", "{", "<", "%", "$")
# A run of underscores written as a blank to fill in.
_BLANK_GATE = "____"
_BLANK = re.compile(r"_{4,}")


def _is_checkbox(raw: str, start: int, content: str) -> bool:
    """A "[x]" that opens a line is a ticked checkbox drawn in text, not a count to fill in."""
    line_start = start == 0 or raw[start - 1] == "\n"
    return line_start and raw[start] == "[" and content.strip().lower() in _LETTER_SLOTS


# Reserved documentation names: the host is read leftwards from "example.com" or ".test".
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")


@cache
def _reserved() -> re.Pattern[str]:
    hosts = "|".join(re.escape(h) for h in sorted(words("general", "reserved_hosts")))
    tlds = "|".join(re.escape(d) for d in sorted(words("general", "reserved_tlds")))
    return re.compile(rf"(?:{hosts})(?![a-z0-9\-])|\.(?:{tlds})(?![a-z0-9\-]|\.[a-z])")


@cache
def _caps() -> re.Pattern[str]:
    frags = "|".join(f"(?:{f})" for f in data("general")["placeholder_caps"])
    return re.compile(rf"\b(?:{frags})\b")


_CAPS_GATE = ("TBD", "TODO", "TKTK", " NAME")


def _placeholders(
    t: Text, kind: Kind, *, keyword_reply: bool = False
) -> Iterator[tuple[tuple[int, int], str, Severity | None]]:
    """(span, what, severity override) for every stand-in in the text. A keyword reply (HELP,
    STOP, the opt-in confirmation) is the same for every recipient: a contact slot in it is the
    sender's own support line or address left unfilled."""
    raw = t.raw
    if any(opener in raw for opener in _SLOT_OPENERS):
        flagged = _FLAGGED[kind] | ({"contact"} if keyword_reply else frozenset())
        for m in _SLOT.finditer(raw):
            group = m.lastgroup or ""
            content = m.group(group)
            if group == "angle" and content.strip().lower() in _HTML_TAGS:
                continue
            category = _slot_category(content)
            if category is None or category not in flagged:
                continue
            if _is_checkbox(raw, m.start(), content):
                continue
            if (
                category == "contact"
                and kind in (Kind.CAMPAIGN_DESCRIPTION, Kind.MESSAGE_FLOW)
                and _slot_core(content) in _QUOTED_VARIABLES
                # "Text START to [Number]": the program's own number, not a quoted variable.
                and not _TO_THE_SENDER.search(raw, max(0, m.start() - 12), m.start())
            ):
                continue
            yield (m.start(), m.end()), _SLOT_MESSAGES[category], None
    if _BLANK_GATE in raw and kind is not Kind.SAMPLE_MESSAGE:
        for m in _BLANK.finditer(raw):
            # "Name: ________" on a form is a field for the person; a blank inside a sentence
            # ("messages from ________?") is a value nobody filled in.
            if raw[: m.start()].rstrip()[-1:] != ":":
                yield (m.start(), m.end()), "a blank left to fill in", None
    for key, m in phrase_index("general", ("placeholder_phrases", "placeholder_phones")).scan(t):
        what = "template text" if key == "placeholder_phrases" else "a phone-number format"
        yield (m.start(), m.end()), what, None
    if any(gate in raw for gate in _CAPS_GATE):
        for m in _caps().finditer(raw):
            yield (m.start(), m.end()), "template text", None
    low = lowered(t)
    if "example" in low or ".test" in low or ".invalid" in low:
        bare_hosts = words("general", "reserved_hosts")
        for m in _reserved().finditer(low):
            start = m.start()
            while start > 0 and low[start - 1] in _HOST_CHARS:
                start -= 1
            host = low[start : m.end()].strip(".-")
            start = m.end() - len(host)
            bare = host in bare_hosts or host.removeprefix("www.") in bare_hosts
            if not bare and "." not in host.strip("."):
                continue  # ".test" alone, not a host
            # Bare example.com is always a stand-in; a name under a reserved suffix
            # (acme.example, shop.example.com) is a warning: documentation spells sites so.
            yield (start, m.end()), _RESERVED, None if bare else Severity.WARNING


_RESERVED = "a domain reserved for documentation, which nobody can visit"


_KEYWORD_REPLIES = frozenset(
    {MessageRole.HELP_REPLY, MessageRole.OPT_OUT_REPLY, MessageRole.OPT_IN_CONFIRMATION}
)


def check_placeholders(t: Text, ctx: Context, kind: Kind) -> Iterator[Hit]:
    """GEN-PLACEHOLDER on a text of a known kind.

    A sample message that names its sender may still bracket another business as a variable
    ("— Acme Ops: we'll run the report for {{company}}"): there a business slot is the
    recipient's, not the sender's own name left unfilled."""
    seen: set[str] = set()
    keyword_reply = kind is Kind.SAMPLE_MESSAGE and ctx.message_role in _KEYWORD_REPLIES
    found: list[tuple[tuple[int, int], str, Severity | None]] = sorted(
        _placeholders(t, kind, keyword_reply=keyword_reply),
        key=lambda item: (item[0][0], -item[0][1]),
    )
    if (
        kind is Kind.SAMPLE_MESSAGE
        and ctx.brands
        and any(what == _SLOT_MESSAGES["brand"] for _, what, _ in found)
        and t.mentions_brand(brand_variants(ctx.brands)) is not None
    ):
        found = [item for item in found if item[1] != _SLOT_MESSAGES["brand"]]
    last_end = -1
    for span, what, severity in found:
        if span[0] < last_end:
            continue  # a phrase inside a slot already reported
        last_end = span[1]
        key = t.raw[span[0] : span[1]].lower()
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > _MAX_PLACEHOLDERS:
            break
        piece = t.raw[span[0] : span[1]]
        count = t.raw.lower().count(key)
        times = f" ({count} times)" if count > 1 else ""
        yield Hit(
            message=f'"{piece}" is an unfilled template stand-in ({what}){times}.',
            fix=(
                f'Replace "{piece}" with the real value (your business name, number, site or '
                "date) everywhere it appears."
            ),
            span=span,
            severity=severity,
        )


@rule("GEN-PLACEHOLDER")
def placeholder(t: Text, ctx: Context) -> Iterator[Hit]:
    """No unfilled template stand-ins; sample messages may bracket variable fields, never the
    sender's own name."""
    if t.is_blank:
        return
    yield from check_placeholders(t, ctx, _kind_of(t, ctx))


# ---------------------------------------------------------------------------------------------
# GEN-CLARITY

# Texts shorter than this are not scored: readability formulas mean nothing on a few words.
MIN_WORDS = 15
# Readability is measured on at most this many words, drawn evenly from sentences in the first
# CLARITY_CHARS characters: the score of a sample is the score of the document within a point,
# and the rule stays well under a millisecond on any text.
SAMPLE_WORDS = 150
CLARITY_CHARS = 4000
# Sentences are measured for length in the first LENGTH_CHARS characters.
LENGTH_CHARS = 20_000
# Bounds: a Flesch-Kincaid grade above 16 (past a college degree) and sentences longer than the
# given number of words read as dense legal text; messages and consent lines should be shorter.
MAX_GRADE = 16.0
MAX_SENTENCE_WORDS = {Kind.PRIVACY_POLICY: 60, Kind.TERMS: 60}
MAX_SENTENCE_WORDS_DEFAULT = 50

_CLARITY_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_NOT_LETTER = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalpha() and c != "'"})


# Syllables per word as written, memoised as the same words recur; emptied when it grows past
# this many words (arbitrary input must not grow it without bound). A plain dictionary: a
# readability score looks up hundreds of words.
_SYLLABLES: dict[str, int] = {}
_SYLLABLES_MAX = 50_000


def _syllables(word: str) -> int:
    """Syllables in a word as written (any case)."""
    import textstat

    count = max(1, int(textstat.syllable_count(word.lower())))
    if len(_SYLLABLES) >= _SYLLABLES_MAX:
        _SYLLABLES.clear()
    _SYLLABLES[word] = count
    return count


def _syllables_in(words: list[str]) -> int:
    known = _SYLLABLES.get
    return sum(known(w) or _syllables(w) for w in words)


def _sentence_words(t: Text) -> list[tuple[int, int, list[str]]]:
    """(start, end, words) of the sentences in the first LENGTH_CHARS characters."""
    scratch = memo(t)
    cached = scratch.get("sentence_words")
    if isinstance(cached, list):
        return cached
    found: list[tuple[int, int, list[str]]] = []
    for s in t.sentences:
        if s.start >= LENGTH_CHARS:
            break
        found.append((s.start, s.end, ascii_findall(_CLARITY_WORD, _NOT_LETTER, s.text)))
    scratch["sentence_words"] = found
    return found


def readability(t: Text) -> tuple[float, float, int, int] | None:
    """(Flesch reading ease, Flesch-Kincaid grade, words measured, sentences measured) of a
    sample of the text's prose sentences, or None when there is too little prose."""
    prose = [w for start, _, w in _sentence_words(t) if start < CLARITY_CHARS and len(w) >= 3]
    total = sum(len(w) for w in prose)
    if total < MIN_WORDS:
        return None
    # Take every k-th sentence so the sample spans the text, not only its opening.
    step = max(1, round(total / SAMPLE_WORDS))
    picked = prose[::step]
    n_words = sum(len(w) for w in picked)
    n_syllables = sum(_syllables_in(sentence) for sentence in picked)
    per_sentence = n_words / len(picked)
    per_word = n_syllables / n_words
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    return ease, grade, n_words, len(picked)


@rule("GEN-CLARITY")
def clarity(t: Text, ctx: Context) -> Iterator[Hit]:
    """Clear and concise: readability grade and sentence length within bounds."""
    if len(t.words) < MIN_WORDS:
        return
    longest: tuple[int, int] | None = None
    longest_words = 0
    for start, end, sentence_words in _sentence_words(t):
        if len(sentence_words) > longest_words:
            longest, longest_words = (start, end), len(sentence_words)
    score = readability(t)
    limit = (
        MAX_SENTENCE_WORDS_DEFAULT
        if t.kind is None
        else MAX_SENTENCE_WORDS.get(t.kind, MAX_SENTENCE_WORDS_DEFAULT)
    )
    too_long = longest is not None and longest_words > limit
    too_hard = score is not None and score[1] > MAX_GRADE
    if not (too_long or too_hard):
        return
    measured = (
        f"Flesch reading ease {score[0]:.0f}, grade level {score[1]:.1f}"
        if score is not None
        else "too little prose to score"
    )
    problems = []
    if too_hard:
        problems.append(f"it reads above grade {MAX_GRADE:.0f}")
    if too_long:
        problems.append(f"its longest sentence runs {longest_words} words (aim for under {limit})")
    yield Hit(
        message=f"The text is hard to read: {' and '.join(problems)} ({measured}).",
        fix=(
            "Split long sentences, one requirement per sentence, and prefer short, common words "
            "(aim for grade 12 or below)."
        ),
        span=longest if too_long else None,
    )
