"""The opt-in hints (data/optin.yaml `hints`) never skip a text its pattern would match.

A rule skips a pattern's scan when the text holds none of the key's hints, so a hint list that
misses a way the pattern can match would hide a problem. Every fragment of every hinted key is
sampled with hypothesis (strings the fragment matches in full, in realistic characters) and each
sample must pass the hint gate.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentry.compliance.lexicon import data
from consentry.compliance.optin_language import may_match

TABLE = data("optin")
# Letters, digits, punctuation, plain spaces and newlines, and the typographic quotes and
# check marks the patterns name.
ALPHABET = st.sampled_from(
    string.ascii_letters + string.digits + string.punctuation + " \n\t“”‘’✓✔☑☒✅☐"
)
FRAGMENTS = [
    (key, fragment)
    for key in TABLE["hints"]
    for fragment in TABLE[key]
    # A look-ahead on what follows the marker cannot be sampled in full.
    if "(?=" not in fragment
]


def test_every_hinted_key_has_fragments() -> None:
    assert FRAGMENTS
    assert {key for key, _ in FRAGMENTS} >= set(TABLE["hints"]) - {"prechecked_box"}


@pytest.mark.parametrize(
    ("key", "fragment"), FRAGMENTS, ids=[f"{k}:{i}" for i, (k, _) in enumerate(FRAGMENTS)]
)
def test_hints_admit_every_match(key: str, fragment: str) -> None:
    strategy = st.from_regex(re.compile(fragment, re.I), fullmatch=True, alphabet=ALPHABET)

    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(strategy)
    def admitted(sample: str) -> None:
        assert may_match(sample, key), sample

    admitted()
