"""Text analysis shared by every rule: sentences with offsets, negation scope, brand matching.

All matching runs on the original text with case-insensitive patterns, so every span a rule
reports indexes exactly the text the user gave.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar, overload

from consentry.compliance.literals import FOLD_TRAPS, plan
from consentry.compliance.model import Kind

__all__ = [
    "MAX_TEXT_CHARS",
    "Sentence",
    "Text",
    "analysed",
    "analysis_scope",
    "ascii_findall",
    "brand_pattern",
    "brand_variants",
    "clause_end",
    "clause_start",
    "is_negated",
    "same_clause",
]

# The longest text one check accepts. A privacy policy runs 5–30 KB; 200,000 characters leaves
# room for the longest real documents while keeping a check bounded in time.
MAX_TEXT_CHARS = 200_000

_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9\[{(])|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)|\n"
)
# Where a sentence end may begin: after one of these marks, or at a newline.
_END_MARK = re.compile(r"[.!?\n]")
_CLAUSE_BREAK = re.compile(
    r"[.;:!?]|,\s*(?:but|however|except|unless|although|though)\b|\bbut\b|\bhowever\b|\bexcept\b|\bunless\b",
    re.I,
)
_PUNCT_BREAKS = ".;:!?"
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|neither|nor|without|cannot|n['’]t|won['’]t|don['’]t|doesn['’]t|"
    r"isn['’]t|aren['’]t|shan['’]t|shall\s+not|will\s+not|do\s+not|does\s+not|is\s+not|are\s+not|"
    r"under\s+no\s+circumstances|in\s+no\s+event|nothing|refrain\s+from)\b|n['’]t\b",
    re.I,
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
# Every ASCII character that is not a letter or digit, as a space (an apostrophe is kept).
_NOT_ALNUM = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum() and c != "'"})
# A clause whose subject opens with "No"/"None of" ("No mobile information ... will be shared");
# not "No, ...", "no longer", "no matter", "no later than".
_NEGATIVE_SUBJECT = re.compile(
    r"[\s\-*•]*(?:no|none\s+of)\s+(?!longer\b|matter\b|later\b|sooner\b|more\s+than\b)[a-z]",
    re.I,
)
# A clause that opens with a condition ("If you no longer wish to receive texts, ...").
_CONDITION = re.compile(r"\s*(?:if|when|whenever|once|should|in\s+case)\b", re.I)
# Characters that lower-case into ASCII letters ("K" Kelvin sign -> "k"; "İ" -> "i" + dot): a
# text holding one has its words found before lower-casing.
_LOWER_TO_ASCII = ("\u212a", "\u0130")
# Prose sentences: a sentence ends at terminal punctuation followed by a capitalised start.
_PROSE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9\[{(*])")
_LINE = re.compile(r"[^\n]+")
# A line that starts a new block: a bullet, a heading, a numbered item, a bold lead-in, a table row.
_BLOCK_LINE = re.compile(r"\s*(?:[-*•#>|]|\d+[.)]\s)")

# Corporate suffixes a brand name may carry or drop ("Northside PT LLC" ~ "Northside PT").
_SUFFIXES = (
    "llc",
    "l.l.c.",
    "inc",
    "inc.",
    "incorporated",
    "corp",
    "corp.",
    "corporation",
    "co",
    "co.",
    "company",
    "ltd",
    "ltd.",
    "limited",
    "lp",
    "l.p.",
    "llp",
    "pllc",
    "pc",
    "p.c.",
    "plc",
    "pa",
    "p.a.",
    "dba",
    "the",
    # A political sender is named by its candidate: "Dave Biggers' campaign" texts as "Dave
    # Biggers".
    "campaign",
    "committee",
)


class Sentence(NamedTuple):
    # A tuple: a policy has hundreds of sentences, and a tuple is built several times faster
    # than a frozen dataclass.
    start: int
    end: int
    text: str


_T = TypeVar("_T")


class _once(Generic[_T]):
    """An attribute computed on first read and then stored on the instance.

    functools.cached_property does the same but, before Python 3.12, takes a lock on every first
    read, which costs more than many of the analyses it guards. A Text is analysed by one thread.
    """

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _once[_T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> _T | _once[_T]:
        if obj is None:
            return self
        value = self.func(obj)
        obj.__dict__[self.name] = value
        return value


_EMPHASIS = re.compile(r"(?<=\w)[*`]{1,3}|[*`]{1,3}(?=\w)")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


class Text:
    """One text under check, analysed once and shared by every rule that reads it."""

    __slots__ = ("__dict__", "raw")

    def __init__(self, raw: str, kind: Kind | None = None) -> None:
        # Markdown emphasis and code marks around words ("reply **STOP**", "`HELP`") are read
        # as the words they mark: blanked to spaces, so every offset stays that of the text.
        if "*" in raw or "`" in raw:
            raw = _EMPHASIS.sub(_blank, raw)
        self.raw = raw
        # The kind of text under check, for rules that run on several kinds but read them
        # differently (None when a rule is called outside the engine).
        self.kind = kind

    def __len__(self) -> int:
        return len(self.raw)

    @_once
    def scratch(self) -> dict[str, object]:
        """A scratch dictionary for analyses several rules share, computed once per text."""
        return {}

    @_once
    def stripped(self) -> str:
        return self.raw.strip()

    @_once
    def is_blank(self) -> bool:
        return not self.raw.strip()

    @_once
    def sentences(self) -> list[Sentence]:
        """Sentences (or lines/bullets) with their offsets in the raw text."""
        out: list[Sentence] = []
        raw = self.raw
        # Pieces between sentence ends, trimmed of surrounding whitespace; blank ones dropped.
        ends = _sentence_ends(raw)
        ends.append((len(raw), len(raw)))
        pos = 0
        for start, after in ends:
            piece = raw[pos:start]
            trimmed = piece.strip()
            if trimmed:
                lead = pos + len(piece) - len(piece.lstrip())
                out.append(Sentence(lead, lead + len(trimmed), trimmed))
            pos = after
        return out

    def _add_sentence(self, out: list[Sentence], start: int, end: int) -> None:
        piece = self.raw[start:end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            out.append(Sentence(start + lead, start + trail, piece[lead:trail]))

    @_once
    def words(self) -> list[str]:
        """Lower-cased words, in order."""
        if any(c in self.raw for c in _LOWER_TO_ASCII):
            return [w.lower() for w in _WORD.findall(self.raw)]
        # Words are ASCII: finding them in the lower-cased text finds the same words.
        return ascii_findall(_WORD, _NOT_ALNUM, self.raw.lower())

    @_once
    def lower(self) -> str:
        """The text lower-cased with every offset kept, for fast case-sensitive scans that
        report spans into `raw` (a character whose lower case is longer stays as it is)."""
        low = self.raw.lower()
        if len(low) == len(self.raw):
            return low
        return "".join(c if len(c.lower()) != 1 else c.lower() for c in self.raw)

    @_once
    def prose_sentences(self) -> list[Sentence]:
        """Sentences of running prose: like `sentences`, but a hard line wrap inside a sentence
        (common in Markdown and plain-text policies) does not end it. Blank lines, bullets and
        headings still do."""
        raw = self.raw
        out: list[Sentence] = []
        block_start = -1
        block_end = -1
        prev = ""
        for m in _LINE.finditer(raw):
            line = m.group()
            if not line.strip():
                continue
            joined = (
                block_start >= 0
                and raw.count("\n", block_end, m.start()) == 1
                and _wraps(prev, line)
            )
            if joined:
                block_end = m.end()
            else:
                if block_start >= 0:
                    self._add_prose(out, block_start, block_end)
                block_start, block_end = m.start(), m.end()
            prev = line
        if block_start >= 0:
            self._add_prose(out, block_start, block_end)
        return out

    def _add_prose(self, out: list[Sentence], start: int, end: int) -> None:
        pos = start
        for m in _PROSE_END.finditer(self.raw, start, end):
            self._add_sentence(out, pos, m.start())
            pos = m.end()
        self._add_sentence(out, pos, end)

    @_once
    def _prose_starts(self) -> list[int]:
        return [s.start for s in self.prose_sentences]

    def prose_index(self, pos: int) -> int:
        """Index in `prose_sentences` of the sentence containing `pos` (0 when before all)."""
        return max(0, bisect_right(self._prose_starts, pos) - 1)

    def prose_sentence_at(self, pos: int) -> Sentence:
        """The prose sentence containing offset `pos` (see `prose_sentences`)."""
        if not self.prose_sentences:
            return Sentence(0, len(self.raw), self.raw)
        return self.prose_sentences[self.prose_index(pos)]

    def sentence_at(self, pos: int) -> Sentence:
        """The sentence containing offset `pos` (the last one before it if it falls between)."""
        found = self.sentences[0] if self.sentences else Sentence(0, len(self.raw), self.raw)
        for s in self.sentences:
            if s.start <= pos:
                found = s
            else:
                break
        return found

    @_once
    def _folded(self) -> str | None:
        # The lower-cased text literal pre-checks read; None when it holds a character that
        # only case-insensitive matching takes for an ASCII letter (then every search runs).
        if any(trap in self.raw for trap in FOLD_TRAPS):
            return None
        return self.lower

    def may_match(self, pattern: re.Pattern[str]) -> bool:
        """False when `pattern` cannot match: the text lacks every literal a match needs."""
        needs = plan(pattern)[0]
        if needs is None:
            return True
        folded = self._folded
        return folded is None or any(map(folded.__contains__, needs))

    def _matches(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Every match of `pattern`, exactly as `pattern.finditer(raw)` yields them: candidates
        come from the pattern's lower-case twin on the lower-cased text, and the pattern itself
        confirms each with an anchored match (see literals.twin)."""
        fast = plan(pattern)[1]
        folded = self._folded
        if fast is None or folded is None:
            yield from pattern.finditer(self.raw)
            return
        raw, pos = self.raw, 0
        confirm, candidate = pattern.match, fast.search
        while True:
            c = candidate(folded, pos)
            if c is None:
                return
            m = confirm(raw, c.start())
            if m is None:
                pos = c.start() + 1
                continue
            yield m
            pos = m.end()

    def find(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match anywhere in the text (what `pattern.search(raw)` returns)."""
        # The most frequent search of all: `_matches` written out, without a generator.
        needs, fast = plan(pattern)
        folded = self._folded
        if folded is None:
            return pattern.search(self.raw)
        if needs is not None and not any(map(folded.__contains__, needs)):
            return None
        if fast is None:
            return pattern.search(self.raw)
        raw, pos = self.raw, 0
        while True:
            c = fast.search(folded, pos)
            if c is None:
                return None
            m = pattern.match(raw, c.start())
            if m is not None:
                return m
            pos = c.start() + 1

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        if not self.may_match(pattern):
            return iter(())
        return self._matches(pattern)

    def find_affirmed(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match that is not negated in its clause ("will not share" is negated)."""
        if not self.may_match(pattern):
            return None
        for m in self._matches(pattern):
            if not is_negated(self.raw, m.start()):
                return m
        return None

    def find_negated(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match that is negated in its clause."""
        if not self.may_match(pattern):
            return None
        for m in self._matches(pattern):
            if is_negated(self.raw, m.start()):
                return m
        return None

    def mentions_brand(self, names: Sequence[str]) -> re.Match[str] | None:
        """Where the text names one of `names` (suffix-, case- and possessive-tolerant)."""
        for name in names:
            pattern = brand_pattern(name)
            if pattern is None:
                continue
            m = pattern.search(self.raw)
            if m:
                return m
        return None


# The texts analysed during the check under way, by their words: rules that read another text of
# the application (a sample from the description's rules, the description from a sample's)
# share its analysis instead of repeating it. Nothing outlives the check.
_ANALYSED: ContextVar[dict[str, Text] | None] = ContextVar("consentry_analysed", default=None)


@contextmanager
def analysis_scope() -> Iterator[None]:
    """The span of one check: texts analysed inside it are analysed once (see `analysed`)."""
    if _ANALYSED.get() is not None:
        yield
        return
    token = _ANALYSED.set({})
    try:
        yield
    finally:
        _ANALYSED.reset(token)


def analysed(raw: str, kind: Kind | None = None) -> Text:
    """The analysed text of `raw`: the one already analysed in this check, else a new one.

    Rules read a text's kind (the engine gives it); helpers never do, so a text first analysed
    by a helper takes the kind the engine checks it as.
    """
    texts = _ANALYSED.get()
    if texts is None:
        return Text(raw, kind)
    found = texts.get(raw)
    if found is None:
        found = texts[raw] = Text(raw, kind)
    elif kind is not None and found.kind is not kind:
        if found.kind is not None:
            return Text(raw, kind)  # the same words checked as another kind
        found.kind = kind
    return found


def ascii_findall(pattern: re.Pattern[str], table: dict[int, str], raw: str) -> list[str]:
    """`pattern.findall(raw)` for a word pattern of the shape "[chars]+(?:['’][letters]+)?",
    where `table` turns every ASCII character outside [chars] except the apostrophe into a space.

    On ASCII text the words are then the whitespace-separated tokens, found by str methods
    several times faster than by the regex engine; only a token holding an apostrophe is
    handed to the pattern ("don't", "'quoted'"). A match never holds a space, so matching
    token by token finds what matching the whole text finds. Other text goes to the pattern.
    """
    if not raw.isascii():
        return pattern.findall(raw)
    tokens = raw.translate(table).split()
    if "'" not in raw:
        return tokens
    out: list[str] = []
    for token in tokens:
        if "'" in token:
            out.extend(pattern.findall(token))
        else:
            out.append(token)
    return out


def _sentence_ends(raw: str) -> list[tuple[int, int]]:
    """(start, end) of every _SENTENCE_END match, as its finditer would give them.

    A sentence end can only start right after a terminal mark or at a newline, so the pattern
    is tried at those offsets alone instead of at every offset of the text.
    """
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _END_MARK.finditer(raw):
        at = m.start() if m.group() == "\n" else m.end()
        if at < pos:
            continue
        end = _SENTENCE_END.match(raw, at)
        if end is not None:
            out.append((end.start(), end.end()))
            pos = end.end()
    return out


def clause_start(raw: str, pos: int, *, window: int = 160) -> int:
    """Offset where the clause containing `pos` begins (bounded look-back)."""
    lo = max(0, pos - window)
    # The clause starts after the last break. A punctuation break is found from the right in
    # one pass per mark; the word breaks ("but", ", although") hold no punctuation, so only the
    # stretch after the last mark needs the pattern.
    start = max(lo, *(raw.rfind(mark, lo, pos) + 1 for mark in _PUNCT_BREAKS))
    for m in _CLAUSE_BREAK.finditer(raw, start, pos):
        start = m.end()
    return start


def clause_end(raw: str, pos: int, *, window: int = 160) -> int:
    """Offset where the clause containing `pos` ends (bounded look-ahead)."""
    hi = min(len(raw), pos + window)
    m = _CLAUSE_BREAK.search(raw, pos, hi)
    return m.start() if m else hi


def same_clause(raw: str, start: int, end: int) -> bool:
    """True when no clause break (punctuation, "but", "except"…) lies between two offsets."""
    return _CLAUSE_BREAK.search(raw, start, end) is None


def _wraps(prev: str, line: str) -> bool:
    """True when `line` continues the sentence of `prev` across a hard line wrap."""
    p = prev.rstrip()
    n = line.lstrip()
    if not p or not n or p.lstrip().startswith(("#", "|")) or _BLOCK_LINE.match(line):
        return False
    if p[-1] in ".!?:;" or n.startswith("**"):
        return False
    if n[0].islower():
        return True
    # A long line cut after a word or comma is wrapped prose; a short one is a heading or label.
    return len(p) >= 50 and (p[-1].isalnum() or p[-1] in ",&-/(") and not p.isupper()


def is_negated(raw: str, pos: int, *, max_words: int = 8) -> bool:
    """True when a negation cue governs the words at `pos` within its clause.

    Looks back from `pos` to the start of the clause, at most `max_words` words: "we will never
    share your number" and "we do not sell or share" are negated; "we do not sell data but may
    share it with partners" is not (the clause breaks at "but"). A negation inside a leading
    condition does not reach past its comma: in "if you no longer wish to receive texts, reply
    STOP" the instruction is affirmed.
    """
    start = clause_start(raw, pos)
    before = raw[start:pos]
    comma = before.rfind(",")
    if comma != -1 and _CONDITION.match(before):
        before = before[comma + 1 :]
    # A clause opened by a negative determiner negates its verb however long the subject is
    # ("No mobile information, phone numbers, or SMS consent will be shared ...").
    if _NEGATIVE_SUBJECT.match(before, before.rfind("\n") + 1):
        return True
    words = list(_WORD.finditer(before))
    if len(words) > max_words:
        before = before[words[-max_words].start() :]
    return _NEGATION.search(before) is not None


def _suffix_free(words: list[str]) -> list[str]:
    while words and words[-1].lower().rstrip(",") in _SUFFIXES:
        words = words[:-1]
    while words and words[0].lower() in ("the",):
        words = words[1:]
    return words


_BRAND_CACHE: dict[str, re.Pattern[str] | None] = {}
_APOSTROPHE = re.compile("['’]")


def brand_pattern(name: str) -> re.Pattern[str] | None:
    """A pattern that finds `name` in text: case-insensitive, with or without its corporate
    suffix, "&" ~ "and", flexible spacing and punctuation, possessive allowed."""
    cached = _BRAND_CACHE.get(name)
    if cached is not None or name in _BRAND_CACHE:
        return cached
    words = _suffix_free(name.replace(",", " ").split())
    if not words:
        _BRAND_CACHE[name] = None
        return None
    parts: list[str] = []
    for w in words:
        if w in ("&", "and", "And", "AND"):
            parts.append(r"(?:&|and)")
        else:
            core = re.escape(w.strip(".'’"))
            # A straight and a typographic apostrophe are the same letter to a reader.
            core = _APOSTROPHE.sub("['’]", core)
            parts.append(core + r"\.?" if w.endswith(".") else core)
    # "Dave Biggers' campaign": a possessive may end any word but the last.
    body = r"(?:['’]s?)?[\s\-.]*".join(parts)
    pattern = re.compile(r"(?<![A-Za-z0-9])" + body + r"(?:['’]s)?(?![A-Za-z0-9])", re.I)
    if len(_BRAND_CACHE) > 4096:
        _BRAND_CACHE.clear()
    _BRAND_CACHE[name] = pattern
    return pattern


# Words left out of initials: "Bank of America" is shortened "BofA"/"BA", never "BOAA".
_CONNECTORS = frozenset({"of", "and", "&", "the", "for", "at", "in", "on", "a", "an", "de"})


def brand_variants(names: Sequence[str]) -> tuple[str, ...]:
    """The names plus their obvious short forms, for tolerant brand matching.

    Senders shorten a long brand in 160-character texts: "Northside Physical Therapy" is
    written "Northside PT" (leading words kept, trailing words as initials) or "NPT" (all
    initials, used only when three letters or more, as two letters are too ambiguous).
    """
    return _brand_variants(tuple(names))


@lru_cache(maxsize=1024)
def _brand_variants(names: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []

    def add(variant: str) -> None:
        if variant and variant.lower() not in (v.lower() for v in out):
            out.append(variant)

    for name in names:
        add(name)
        words = [w for w in _suffix_free(name.replace(",", " ").split()) if w.strip(".'’")]
        if len(words) < 2:
            continue
        add(" ".join(words))
        for keep in range(1, len(words) - 1):
            tail = [w for w in words[keep:] if w.lower() not in _CONNECTORS]
            if len(tail) >= 2:
                add(" ".join(words[:keep]) + " " + "".join(w[0] for w in tail).upper())
        initials = "".join(w[0] for w in words if w.lower() not in _CONNECTORS and w[0].isalnum())
        if len(initials) >= 3:
            add(initials.upper())
    return tuple(out)
