"""Literal pre-checks: a cheap substring test that tells when a pattern cannot match a text.

Most rule patterns are long case-insensitive alternations behind a look-behind, which the regex
engine tries at every position of the text. Yet every match of such a pattern contains one of a
few literal words: `(?:msg|message)\\s+(?:and|&)\\s+data\\s+rates` needs "data". Those literals
are read once from the pattern's parse tree; a text (lower-cased) that holds none of them is
known not to match, and the search is skipped. The test never skips a search that could match:
it only speeds up the texts that lack what a pattern needs.

A text that does hold a literal is searched by the pattern's lower-case twin: the same pattern
with its letters lower-cased, compiled case-sensitively and run on the lower-cased text. The
engine skips a case-sensitive alternative on its first letter, where a case-insensitive one is
entered and tried letter by letter, so the twin finds a candidate about twice as fast; the
original pattern then confirms it with one anchored match, so callers get exactly the match the
original search would have returned.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["FOLD_TRAPS", "needed", "twin"]

# The regex parser of the standard library (the same one `re.compile` uses); it has no public
# name, and `sre_parse` is its deprecated alias.
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

# Case-insensitive matching treats these as ASCII letters, but lower() does not turn them into
# one ("İ" -> "i̇", "ı" and "ſ" stay). A text holding any of them is always searched.
FOLD_TRAPS = ("İ", "ı", "ſ")

# Shorter literals occur in almost every text, and testing very many costs more than it saves.
_MIN_LITERAL = 3
_MAX_LITERALS = 64

_REPEATS = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT})

Needs = frozenset[str] | None
T = TypeVar("T")


def _better(a: Needs, b: Needs) -> Needs:
    """The more selective of two alternatives: longer shortest literal, then fewer literals."""
    if a is None:
        return b
    if b is None:
        return a
    key_a = (min(map(len, a)), -len(a))
    key_b = (min(map(len, b)), -len(b))
    return b if key_b > key_a else a


def _needs(items: Any) -> Needs:
    """Literals (lower-cased) one of which every match of the parsed sequence contains."""
    best: Needs = None
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []
        if op is _c.SUBPATTERN:
            best = _better(best, _needs(av[3]))
        elif op is _c.ATOMIC_GROUP:
            best = _better(best, _needs(av))
        elif op is _c.BRANCH:
            alternatives = [_needs(branch) for branch in av[1]]
            if all(alt is not None for alt in alternatives):
                best = _better(best, frozenset().union(*(a for a in alternatives if a)))
        elif op in _REPEATS and av[0] >= 1:
            best = _better(best, _needs(av[2]))
        # Anything else (classes, look-arounds, anchors, optional parts) needs no literal.
    if run:
        best = _better(best, frozenset({"".join(run)}))
    return best


def _literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    try:
        found = _needs(_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # a pattern the parser cannot read: always search
        return None
    if not found or min(map(len, found)) < _MIN_LITERAL or len(found) > _MAX_LITERALS:
        return None
    # Longest first: a long literal is the likelier to decide on its own.
    return tuple(sorted(found, key=lambda s: (-len(s), s)))


# By id(pattern): hashing a compiled pattern hashes its whole program, every time.
_NEEDED: dict[int, tuple[re.Pattern[str], tuple[str, ...] | None]] = {}
_MAX_CACHED = 8192


def _cached(
    cache: dict[int, tuple[re.Pattern[str], T]],
    pattern: re.Pattern[str],
    make: Callable[[re.Pattern[str]], T],
) -> T:
    """`make(pattern)`, computed once per pattern object."""
    entry = cache.get(id(pattern))
    if entry is not None and entry[0] is pattern:
        return entry[1]
    found = make(pattern)
    if len(cache) >= _MAX_CACHED:
        cache.clear()
    cache[id(pattern)] = (pattern, found)
    return found


def needed(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Literals, lower-cased, one of which every match of `pattern` contains (None: no such
    short list). A text whose lower-cased form holds none of them, and no FOLD_TRAPS
    character, cannot match."""
    return _cached(_NEEDED, pattern, _literals)


# Inline flags change how the rest of the pattern reads (a case-sensitive group, "(?-i:STOP)",
# is the exception: lower-cased, it matches more, never less); \N{NAME} and \p spell letters by
# name; a range between letters of different case (A-z) spans more than its lower-case form.
_NO_TWIN = re.compile(r"\(\?(?:[aiLmsux]|-(?!i:))|\\[Np]|[A-Z]-[a-z]|[a-z]-[A-Z]")
_CASE_SENSITIVE_GROUP = "(?-i:"
_TWINS: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def _lower_source(src: str) -> str:
    """The pattern source with letters lower-cased, escapes (\\S, \\W, \\B...) kept, and
    case-sensitive groups made plain groups."""
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch == "\\":
            out.append(src[i : i + 2])
            i += 2
            continue
        if src.startswith(_CASE_SENSITIVE_GROUP, i):
            out.append("(?:")
            i += len(_CASE_SENSITIVE_GROUP)
            continue
        out.append(ch.lower())
        i += 1
    return "".join(out)


def _make_twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    src = pattern.pattern
    if not isinstance(src, str) or not pattern.flags & re.IGNORECASE:
        return None
    # Only ASCII letters lower-case the same way in the pattern and in the text; a pattern
    # that can match the empty string would iterate differently.
    if _NO_TWIN.search(src) or any(ch.isalpha() and not ch.isascii() for ch in src):
        return None
    try:
        if _parser.parse(src, pattern.flags).getwidth()[0] == 0:
            return None
        return re.compile(_lower_source(src), pattern.flags & ~re.IGNORECASE)
    except Exception:  # a pattern the twin cannot be built for: search with the original
        return None


def twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The case-sensitive lower-case twin of a case-insensitive pattern, for searching the
    lower-cased text (None: search with the pattern itself). Every position where the pattern
    matches a text, the twin matches the text lower-cased (FOLD_TRAPS aside)."""
    return _cached(_TWINS, pattern, _make_twin)
