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

__all__ = ["FOLD_TRAPS", "expand", "needed", "plan", "register_twin", "twin"]

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


Plan = tuple[tuple[str, ...] | None, re.Pattern[str] | None]
_PLANS: dict[int, tuple[re.Pattern[str], Plan]] = {}


def _make_plan(pattern: re.Pattern[str]) -> Plan:
    return needed(pattern), twin(pattern)


def plan(pattern: re.Pattern[str]) -> Plan:
    """(`needed(pattern)`, `twin(pattern)`) in one look-up: a search reads both."""
    return _cached(_PLANS, pattern, _make_plan)


def _group(src: str) -> tuple[list[str], str] | None:
    """For a fragment opening with "(?:", its top-level alternatives and what follows."""
    if not src.startswith("(?:"):
        return None
    depth, last, j = 0, 3, 3
    alts: list[str] = []
    while j < len(src):
        ch = src[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":
            close = src.find("]", j + 2)
            j = close + 1 if close != -1 else len(src)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                alts.append(src[last:j])
                return alts, src[j + 1 :]
            depth -= 1
        elif ch == "|" and depth == 0:
            alts.append(src[last:j])
            last = j + 1
        j += 1
    return None


def expand(src: str, budget: int = 64) -> list[str]:
    """A fragment opening with a group of alternatives as one fragment per alternative
    ("(?:glue|nail)\\s+guns?" -> "glue\\s+guns?", "nail\\s+guns?")."""
    parsed = _group(src)
    if parsed is None:
        return [src]
    alts, rest = parsed
    if rest[:1] in ("?", "*"):
        rest = rest[1:]
        heads = [*alts, ""]
    elif rest[:1] in ("+", "{"):
        return [src]
    else:
        heads = alts
    out: list[str] = []
    for head in heads:
        out.extend(expand(head + rest, budget))
        if len(out) > budget:
            return [src]
    return out


# Characters that stand for themselves in a pattern; a fragment opening with one (not followed
# by a quantifier) can be filed under it in a first-letter dispatch.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 &-/")
_QUANTIFIERS = frozenset("?*+{")
_TRIE_DEPTH = 3


def _alternatives(src: str) -> list[str]:
    """The top-level alternatives of a pattern source ("a|b(?:c|d)" -> "a", "b(?:c|d)")."""
    parsed = _group(f"(?:{src})")
    return parsed[0] if parsed is not None and not parsed[1] else [src]


def _dispatch(pieces: list[str], depth: int) -> str:
    """An alternation matching where any of `pieces` matches, with the pieces that open with
    the same plain character merged under it ("order x|offer y" -> "o(?:rder x|ffer y)"), so
    the engine tries one branch per first character instead of every piece."""
    by_first: dict[str, list[str]] = {}
    other: list[str] = []
    for piece in pieces:
        head = piece[:1]
        if depth > 0 and head in _PLAIN and piece[1:2] not in _QUANTIFIERS:
            by_first.setdefault(head, []).append(piece[1:])
        else:
            other.append(piece)
    branches = [
        f"{head}(?:{_dispatch(rests, depth - 1)})" if len(rests) > 1 else head + rests[0]
        for head, rests in by_first.items()
    ]
    branches.extend(f"(?:{piece})" for piece in other)
    return "|".join(branches)


def _word_start(body: str) -> str:
    """`body` bounded at its start like `(?<![a-z0-9])(?:body)`.

    When every top-level branch opens with one plain character, the look-behind moves behind
    that character, `x(?<![a-z0-9].)...`: the pattern then opens with a literal in every
    branch, so the engine skips every position whose character opens no branch instead of
    entering the pattern at each one. The look-behind still tests the character before the
    match; at the start of the text it has nothing to test and holds, as the original does.
    """
    branches = _alternatives(body)
    if all(b[:1] in _PLAIN and b[1:2] not in _QUANTIFIERS for b in branches):
        return "(?:" + "|".join(f"{b[0]}(?<![a-z0-9].){b[1:]}" for b in branches) + ")"
    return rf"(?<![a-z0-9])(?:{body})"


def register_twin(pattern: re.Pattern[str], fragments: list[str], *, bounded: bool) -> None:
    """Give a lexicon pattern (an alternation of `fragments`, word-bounded or not) a twin that
    dispatches on first characters. The plain twin tries every fragment at every word start;
    this one matches at exactly the same places (alternation order changes which fragment
    matches, never whether one does), and the pattern itself still confirms each match."""
    if _make_twin(pattern) is None:
        return
    pieces = [
        piece
        for fragment in fragments
        for alternative in _alternatives(_lower_source(fragment))
        for piece in expand(alternative)
    ]
    body = _dispatch(pieces, _TRIE_DEPTH)
    if bounded:
        body = _word_start(body) + r"(?![a-z0-9])"
    try:
        fast = re.compile(body, pattern.flags & ~re.IGNORECASE)
    except re.error:  # a fragment the dispatch cut wrongly: keep the plain twin
        return
    if len(_TWINS) >= _MAX_CACHED:
        _TWINS.clear()
    _TWINS[id(pattern)] = (pattern, fast)
