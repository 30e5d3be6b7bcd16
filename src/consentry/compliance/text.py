"""Text analysis shared by every rule: sentences with offsets, negation scope, brand matching.

All matching runs on the original text with case-insensitive patterns, so every span a rule
reports indexes exactly the text the user gave.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from consentry.compliance.model import Kind

__all__ = [
    "MAX_TEXT_CHARS",
    "Sentence",
    "Text",
    "brand_pattern",
    "is_negated",
]

# The longest text one check accepts. A privacy policy runs 5–30 KB; 200,000 characters leaves
# room for the longest real documents while keeping a check bounded in time.
MAX_TEXT_CHARS = 200_000

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9\[{(])|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)|\n")
_CLAUSE_BREAK = re.compile(r"[.;:!?]|,\s*(?:but|however|except|unless|although|though)\b|\bbut\b|\bhowever\b|\bexcept\b|\bunless\b", re.I)
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|neither|nor|without|cannot|n['’]t|won['’]t|don['’]t|doesn['’]t|"
    r"isn['’]t|aren['’]t|shan['’]t|shall\s+not|will\s+not|do\s+not|does\s+not|is\s+not|are\s+not|"
    r"under\s+no\s+circumstances|in\s+no\s+event|nothing|refrain\s+from)\b|n['’]t\b",
    re.I,
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

# Corporate suffixes a brand name may carry or drop ("Northside PT LLC" ~ "Northside PT").
_SUFFIXES = (
    "llc", "l.l.c.", "inc", "inc.", "incorporated", "corp", "corp.", "corporation", "co", "co.",
    "company", "ltd", "ltd.", "limited", "lp", "l.p.", "llp", "pllc", "pc", "p.c.", "plc", "pa",
    "p.a.", "dba", "the",
)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


class Text:
    """One text under check, analysed once and shared by every rule that reads it."""

    __slots__ = ("__dict__", "raw")

    def __init__(self, raw: str, kind: Kind | None = None) -> None:
        self.raw = raw
        # The kind of text under check, for rules that run on several kinds but read them
        # differently (None when a rule is called outside the engine).
        self.kind = kind

    def __len__(self) -> int:
        return len(self.raw)

    @cached_property
    def stripped(self) -> str:
        return self.raw.strip()

    @cached_property
    def is_blank(self) -> bool:
        return not self.raw.strip()

    @cached_property
    def sentences(self) -> list[Sentence]:
        """Sentences (or lines/bullets) with their offsets in the raw text."""
        out: list[Sentence] = []
        pos = 0
        raw = self.raw
        for m in _SENTENCE_END.finditer(raw):
            self._add_sentence(out, pos, m.start())
            pos = m.end()
        self._add_sentence(out, pos, len(raw))
        return out

    def _add_sentence(self, out: list[Sentence], start: int, end: int) -> None:
        piece = self.raw[start:end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            out.append(Sentence(start + lead, start + trail, piece[lead:trail]))

    @cached_property
    def words(self) -> list[str]:
        """Lower-cased words, in order."""
        return [w.lower() for w in _WORD.findall(self.raw)]

    def sentence_at(self, pos: int) -> Sentence:
        """The sentence containing offset `pos` (the last one before it if it falls between)."""
        found = self.sentences[0] if self.sentences else Sentence(0, len(self.raw), self.raw)
        for s in self.sentences:
            if s.start <= pos:
                found = s
            else:
                break
        return found

    def find(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match anywhere in the text."""
        return pattern.search(self.raw)

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        return pattern.finditer(self.raw)

    def find_affirmed(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match that is not negated in its clause ("will not share" is negated)."""
        for m in pattern.finditer(self.raw):
            if not is_negated(self.raw, m.start()):
                return m
        return None

    def find_negated(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match that is negated in its clause."""
        for m in pattern.finditer(self.raw):
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


def clause_start(raw: str, pos: int, *, window: int = 160) -> int:
    """Offset where the clause containing `pos` begins (bounded look-back)."""
    lo = max(0, pos - window)
    start = lo
    for m in _CLAUSE_BREAK.finditer(raw, lo, pos):
        start = m.end()
    return start


def is_negated(raw: str, pos: int, *, max_words: int = 8) -> bool:
    """True when a negation cue governs the words at `pos` within its clause.

    Looks back from `pos` to the start of the clause, at most `max_words` words: "we will never
    share your number" and "we do not sell or share" are negated; "we do not sell data but may
    share it with partners" is not (the clause breaks at "but").
    """
    start = clause_start(raw, pos)
    before = raw[start:pos]
    words = list(_WORD.finditer(before))
    if len(words) > max_words:
        before = before[words[-max_words].start():]
    return _NEGATION.search(before) is not None


def _suffix_free(words: list[str]) -> list[str]:
    while words and words[-1].lower().rstrip(",") in _SUFFIXES:
        words = words[:-1]
    while words and words[0].lower() in ("the",):
        words = words[1:]
    return words


_BRAND_CACHE: dict[str, re.Pattern[str] | None] = {}


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
            parts.append(core + r"\.?" if w.endswith(".") else core)
    body = r"[\s\-.]*".join(parts)
    pattern = re.compile(r"(?<![A-Za-z0-9])" + body + r"(?:['’]s)?(?![A-Za-z0-9])", re.I)
    if len(_BRAND_CACHE) > 4096:
        _BRAND_CACHE.clear()
    _BRAND_CACHE[name] = pattern
    return pattern
