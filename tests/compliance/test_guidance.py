"""The guidance corpus: real texts from public carrier and provider guidance, labelled.

Each line of tests/compliance/guidance/*.jsonl goes through `check_record`, the function behind
`consentry check-batch`. The verdict must be the labelled one, and a text labelled `fail` must
fail every rule its label lists (the element the source says is missing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from consentry.compliance.batch import RECORD_KEYS, check_record

CORPUS = Path(__file__).parent / "guidance"
LABEL_KEYS = frozenset({"expect", "rules", "source", "note"})


def load() -> list[dict[str, Any]]:
    """Every labelled line of the corpus, in file order."""
    cases = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if raw.strip():
                case = json.loads(raw)
                case["_where"] = f"{path.name}:{number}"
                cases.append(case)
    return cases


CASES = load()


def test_corpus_lines_are_well_formed() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), "ids must be unique"
    for case in CASES:
        keys = set(case) - {"_where"}
        assert keys <= RECORD_KEYS | LABEL_KEYS, case["_where"]
        assert case["expect"] in ("pass", "fail"), case["_where"]
        assert case["source"].startswith("http"), case["_where"]
        assert (case["expect"] == "fail") == bool(case["rules"]), case["_where"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_verdict_agrees_with_the_source(case: dict[str, Any]) -> None:
    record = {key: case[key] for key in RECORD_KEYS if key in case}
    result = check_record(record)
    assert "error" not in result, result
    failing = {f["rule"] for f in result["findings"] if f["severity"] == "error"}
    assert result["verdict"] == case["expect"], (case["_where"], sorted(failing))
    assert set(case["rules"]) <= failing, (case["_where"], sorted(failing))
