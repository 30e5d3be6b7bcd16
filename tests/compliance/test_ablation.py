"""Take a required element out of a compliant real text: the checker must notice it is gone.

Every text the guidance corpus labels `pass` (opt-ins, message flows, terms, privacy policies,
opt-in confirmations) is cut sentence by sentence. When the sentence taken out was the only one
that could state an element (by a deliberately broad pattern of this file's own: any sentence
mentioning "rates" might be the rates disclosure), the rule for that element must now fail. This
is how a missed error would show on texts written by real businesses, not by the team.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from consentry.compliance.batch import RECORD_KEYS, check_record
from tests.compliance.test_guidance import CASES

# Broad on purpose: a sentence that might state the element counts as stating it, so an element
# counts as removed only when no sentence left could state it.
_FREQUENCY = (
    r"frequen|/\s*(?:day|wk|week|mo|month)\b|\bper\s+(?:day|week|month|request|order|visit)"
    r"|\brecurring|\b\d+\s*(?:msgs?|messages|texts)\b|\bone[- ]time\b|\bvar(?:y|ies)\b"
    r"|\b(?:daily|weekly|monthly)\b"
)
_OPT_IN = {
    "OI-RATES": r"\brates?\b|\bcharges?\b|\bfees?\b",
    "OI-FREQUENCY": _FREQUENCY,
    "OI-STOP": r"\bstop\b|unsubscribe|opt[- ]?out|\bcancel\b|\bend\b|\bquit\b",
    "OI-HELP": r"\bhelp\b|support|contact|\bcall\b|@|\(\d{3}\)|\d{3}[-.]\d{4}",
    "OI-POLICY-LINKS": r"privacy|terms",
}
ELEMENTS: dict[str, dict[str, str]] = {
    "opt_in": _OPT_IN,
    "message_flow": _OPT_IN,
    "terms": {
        "TS-RATES": r"\brates?\b|\bcharges?\b|\bfees?\b",
        "TS-FREQUENCY": _FREQUENCY,
        "TS-STOP": r"\bstop\b|unsubscribe|opt[- ]?out|\bcancel\b",
        "TS-HELP": r"\bhelp\b|support|contact|@|\(\d{3}\)|\d{3}[-.]\d{4}",
        "TS-PRIVACY-LINK": r"privacy",
    },
    "privacy_policy": {"PP-NON-SHARING-STATEMENT": r"shar|sold|sell|rent|third|disclos"},
    "opt_in_confirmation": {
        "KW-CONFIRMATION": _FREQUENCY + r"|\brates?\b|\bstop\b|\bhelp\b",
    },
}


def _kind_of(case: dict[str, Any]) -> str:
    role = (case.get("context") or {}).get("message_role")
    if case["kind"] == "sample_message" and role == "opt_in_confirmation":
        return "opt_in_confirmation"
    return str(case["kind"])


def _sentences(text: str) -> list[tuple[int, int]]:
    """Naive sentence and line spans: enough to take one statement out."""
    spans, start = [], 0
    for m in re.finditer(r"(?<=[.!?])\s+(?=\S)|\n+", text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


COMPLIANT = [
    case
    for case in CASES
    if case["expect"] == "pass" and _kind_of(case) in ELEMENTS and "<" not in case["text"]
]


def test_the_corpus_offers_compliant_texts_of_every_kind_cut() -> None:
    kinds = {_kind_of(case) for case in COMPLIANT}
    assert {"opt_in", "terms", "privacy_policy", "opt_in_confirmation"} <= kinds


@pytest.mark.parametrize("case", COMPLIANT, ids=[case["id"] for case in COMPLIANT])
def test_taking_an_element_out_fails_its_rule(case: dict[str, Any]) -> None:
    elements = ELEMENTS[_kind_of(case)]
    text = case["text"]
    misses = []
    for a, b in _sentences(text):
        rest = text[:a] + text[b:]
        gone = [
            rule
            for rule, pattern in elements.items()
            if re.search(pattern, text[a:b], re.I) and not re.search(pattern, rest, re.I)
        ]
        if not gone:
            continue
        record = {key: case[key] for key in RECORD_KEYS if key in case}
        record["text"] = rest
        result = check_record(record)
        failing = {f["rule"] for f in result["findings"] if f["severity"] == "error"}
        misses += [(text[a:b].strip(), rule) for rule in gone if rule not in failing]
    assert not misses, misses
