"""Fast searches must find exactly what the plain pattern finds.

`Text.find`/`finditer` skip texts that lack a pattern's literals and search with the pattern's
lower-case twin on the lower-cased text, confirming each candidate with the pattern itself;
the matches (spans and groups) must be those of `pattern.finditer(text)` on any text.
"""

from __future__ import annotations

import importlib
import re
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.compliance.lexicon import data, pattern
from consentry.compliance.literals import needed, twin
from consentry.compliance.text import Text, ascii_findall

# Every list in the reference data, compiled as the rules compile a lexicon key (some lists
# are read as plain words; as patterns they exercise the search all the same).
DATA_FILES = (
    "optin",
    "keywords",
    "privacy",
    "terms",
    "samples",
    "description",
    "content",
    "usecases",
    "application",
    "general",
    "flow",
)


def _compiled(name: str, key: str) -> re.Pattern[str] | None:
    try:
        return pattern(name, key)
    except (re.error, ValueError):
        return None


PATTERNS = [
    compiled
    for name in DATA_FILES
    for key, value in data(name).items()
    if isinstance(value, list) and value and (compiled := _compiled(name, key)) is not None
]
WORDS = [
    "Reply",
    "STOP",
    "stop",
    "HELP",
    "Msg",
    "&",
    "data",
    "rates",
    "may",
    "apply",
    "frequency",
    "varies",
    "4",
    "msgs/month",
    "text",
    "messages",
    "not",
    "share",
    "mobile",
    "information",
    "third",
    "parties",
    "İ",
    "ſ",
    "K",
    "reminders",
    "order",
    "updates",
    "agree",
    "by",
    "checking",
    "the",
    "box",
    ",",
    ".",
    "\n",
    "Txt",
    "END",
    "opt-out",
    "consent",
    "marketing",
    "purposes",
    # Whole phrases, so that matches are common.
    "Msg & data rates may apply.",
    "MSG FREQ VARIES",
    "Reply STOP to opt out.",
    "Text HELP for help",
    "We will not share your mobile information with third parties",
    "up to 4 msgs/month",
    "appointment reminders",
    "I agree to receive text messages",
    "Terms: https://acme.com/terms",
    "Privacy Policy",
    "order updates",
    "shipping alerts",
    "20% off",
    "cannabis",
    "loan",
    "debt relief",
    "[Company Name]",
    "xxx-xxx-xxxx",
    "one-time passcode",
    "customer care",
    "account notifications",
    "payday",
    "CBD",
]


def spans(matches: object) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group()) for m in matches]  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join))
def test_text_search_finds_what_the_pattern_finds(text: str) -> None:
    for compiled in PATTERNS:
        expected = spans(compiled.finditer(text))
        assert spans(Text(text).finditer(compiled)) == expected, compiled.pattern
        first = Text(text).find(compiled)
        assert (first.span() if first else None) == (expected[0][0] if expected else None)


def test_lexicon_patterns_parse_without_warnings() -> None:
    # An apostrophe already becomes "['’]", so a fragment that writes "['’]" itself nests one
    # set in another: Python warns, and a later version will read it differently.
    parser = importlib.import_module("re._parser")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for compiled in PATTERNS:
            parser.parse(compiled.pattern, compiled.flags)


def test_every_lexicon_pattern_has_a_twin() -> None:
    # A key without one is searched letter by letter at every word start, several times
    # slower; an inline flag such as "(?m:^)" in one fragment is enough to lose it (write
    # "(?:^|(?<=\\n))" instead).
    assert [p.pattern[:60] for p in PATTERNS if twin(p) is None] == []
    assert sum(needed(p) is not None for p in PATTERNS) >= 0.5 * len(PATTERNS)


@pytest.mark.parametrize(
    "source",
    [
        r"(?i:stop)x",  # inline flags
        r"[A-z]+",  # a range spanning more than its lower-case form
        r"caf\u00e9|café",  # a non-ASCII letter
        r"x*",  # can match the empty string
    ],
)
def test_no_twin_where_lower_casing_would_change_the_pattern(source: str) -> None:
    assert twin(re.compile(source, re.I)) is None


def test_case_sensitive_group_twin_matches_more_and_the_pattern_confirms() -> None:
    compiled = re.compile(r"(?<![A-Za-z0-9])reply\s+(?-i:STOP)(?![A-Za-z0-9])", re.I)
    assert twin(compiled) is not None
    text = "reply stop, or Reply STOP"
    assert spans(Text(text).finditer(compiled)) == spans(compiled.finditer(text))
    assert Text(text).find(compiled).start() == text.index("Reply STOP")  # type: ignore[union-attr]


# Word lists found by str methods must be the regex's, on any text: ASCII text with
# apostrophes, digits, punctuation and control characters, and text beyond ASCII.
_WORD_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 '’\t\n\x1c.,-_/é")) | st.characters(codec="ascii"),
    max_size=80,
)


@settings(max_examples=400, deadline=None)
@given(_WORD_TEXT)
def test_text_words_are_the_regex_words(raw: str) -> None:
    regex = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
    if any(c in raw for c in ("\u212a", "\u0130")):
        return
    assert Text(raw).words == regex.findall(raw.lower())


@settings(max_examples=400, deadline=None)
@given(_WORD_TEXT)
def test_clarity_words_are_the_regex_words(raw: str) -> None:
    from consentry.compliance.rules.general import _CLARITY_WORD, _NOT_LETTER

    assert ascii_findall(_CLARITY_WORD, _NOT_LETTER, raw) == _CLARITY_WORD.findall(raw)


def test_word_lists_split_at_apostrophes_like_the_regex() -> None:
    raw = "Don't 'quote' rock'n'roll o'' 24/7 B2B"
    assert Text(raw).words == ["don't", "quote", "rock'n", "roll", "o", "24", "7", "b2b"]
