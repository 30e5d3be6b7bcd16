"""Fast phrase scanning for rules with long lexicons (content categories, template stand-ins).

A case-insensitive alternation of hundreds of phrases is tried at every position of a text,
which costs milliseconds on a policy. Instead each phrase compiles on its own, case-sensitively,
against an ASCII-lower-cased copy of the text (same length, so offsets stay valid); a phrase that
opens with a literal then runs as a fast substring search. Phrases that open with a group of
alternatives are split into one phrase per alternative, and a phrase only runs when the text
holds the words it needs (an index on their first four letters), so a scan costs a handful of
searches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from consentry.compliance.lexicon import data
from consentry.compliance.literals import expand, needed
from consentry.compliance.text import Text

__all__ = ["PhraseIndex", "lowered", "memo", "phrase_index"]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_STEM = 4


def memo(t: Text) -> dict[str, object]:
    """A per-text scratch dictionary shared by the rules that scan the same text."""
    return t.scratch


def lowered(t: Text) -> str:
    """The text with ASCII letters lower-cased: same length, so offsets stay valid."""
    scratch = memo(t)
    low = scratch.get("lowered")
    if not isinstance(low, str):
        low = t.raw.lower()
        if len(low) != len(t.raw):
            # A few letters lower-case to two characters ("İ"): keep offsets exact.
            low = t.raw.translate(_ASCII_LOWER)
        scratch["lowered"] = low
    return low


def _stems(t: Text) -> frozenset[str]:
    """The text's words cut to 4 characters ("replying" -> repl, "you've" -> you've, you)."""
    scratch = memo(t)
    stems = scratch.get("stems")
    if not isinstance(stems, frozenset):
        unique = set(t.words)
        cut = {w[:_STEM] for w in unique}
        # "don't" is one word to the text, "don" to a phrase that spells the apostrophe apart.
        if "'" in t.raw or "’" in t.raw:
            cut.update(
                w.replace("’", "'").split("'")[0][:_STEM] for w in unique if "'" in w or "’" in w
            )
        stems = frozenset(cut)
        scratch["stems"] = stems
    return stems


def required_words(src: str) -> tuple[str, ...]:
    """Words (cut to 4 characters) every match of a fragment contains: its literal words
    outside any group, where each starts a word ("your\\s+social" -> your, soci).
    Empty when the fragment has a top-level alternation or opens with no literal word."""
    out: list[str] = []
    i, n, depth, word_start = 0, len(src), 0, True
    while i < n:
        ch = src[i]
        if ch == "\\":
            escape = src[i : i + 2]
            i += 2
            if i < n and src[i] in "+*?":
                i += 1
            word_start = depth == 0 and escape == "\\s"
            continue
        if ch == "[":
            close = src.find("]", i + 2)
            i = close + 1 if close != -1 else n
            if i < n and src[i] in "+*?":
                i += 1
            word_start = False
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return ()
        elif ch.isalnum():
            j = i
            while j < n and src[j].isalnum():
                j += 1
            word = src[i:j]
            if j < n and src[j] in "?*{":
                word = word[:-1]
            # A short literal that runs on into a class or group ("pre[\\s\\-]?rolls") may
            # begin a longer word ("prerolls"); only whole words or 4-letter stems gate.
            runs_on = j < n and src[j] in "[(" and len(word) < _STEM
            if depth == 0 and word_start and word and not runs_on:
                out.append(word[:_STEM].lower())
            i = j
            word_start = False
            continue
        word_start = ch == " " and depth == 0
        i += 1
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Phrase:
    key: str
    pattern: re.Pattern[str]
    required: tuple[str, ...]
    # The required words after the first (the first is the index key), as a set.
    rest: frozenset[str]
    # Literals one of which every match holds (None: no short list); a text holding none of
    # them is not searched.
    needs: tuple[str, ...] | None


def _compile(fragment: str) -> re.Pattern[str]:
    body = fragment.lower().replace("'", "['’]")
    return re.compile(rf"(?:{body})(?![a-z0-9])")


def _literals_of(compiled: re.Pattern[str]) -> tuple[str, ...] | None:
    """The literals a phrase's every match holds, as they appear in the lower-cased text.

    `needed` lower-cases what it reads; a phrase is compiled from lower-cased source, so its
    literals are already lower case, unless an escape spells a letter ("\\x41").
    """
    if re.search(r"\\[xuUN0-7]", compiled.pattern):
        return None
    return needed(compiled)


class PhraseIndex:
    """The fragments under some keys of a data file, ready to scan texts quickly."""

    def __init__(self, name: str, keys: Iterable[str]) -> None:
        self.keys = tuple(keys)
        self._always: list[_Phrase] = []
        # By the first word a phrase needs: the phrases it opens.
        self._by_stem: dict[str, list[_Phrase]] = {}
        table = data(name)
        for key in self.keys:
            for fragment in table[key]:
                for piece in expand(str(fragment)):
                    needs = required_words(piece)
                    compiled = _compile(piece)
                    phrase = _Phrase(
                        key, compiled, needs, frozenset(needs[1:]), _literals_of(compiled)
                    )
                    if phrase.required:
                        first = phrase.required[0]
                        self._by_stem.setdefault(first, []).append(phrase)
                    else:
                        self._always.append(phrase)
        self._stem_keys = frozenset(self._by_stem)

    def scan(self, t: Text) -> list[tuple[str, re.Match[str]]]:
        """(key, match) of every phrase found at a word start, in text order."""
        stems = _stems(t)
        low = lowered(t)
        phrases: list[_Phrase] = list(self._always)
        for stem in self._stem_keys & stems:
            for phrase in self._by_stem[stem]:
                if phrase.rest <= stems:
                    phrases.append(phrase)
        found: list[tuple[str, re.Match[str]]] = []
        for phrase in phrases:
            if phrase.needs is not None and not any(map(low.__contains__, phrase.needs)):
                continue
            for m in phrase.pattern.finditer(low):
                if m.start() == 0 or low[m.start() - 1] not in _ALNUM:
                    found.append((phrase.key, m))
        found.sort(key=lambda item: item[1].start())
        return found


@cache
def phrase_index(name: str, keys: tuple[str, ...]) -> PhraseIndex:
    """The (cached) index of `keys` in `data/{name}.yaml`."""
    return PhraseIndex(name, keys)
