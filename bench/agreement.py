"""Verdict agreement on the guidance corpus (tests/compliance/guidance/*.jsonl).

    ./run bench agreement

Every labelled text goes through `check_record` (the function behind `consentry check-batch`).
Prints the agreement per kind and overall, the labelled-fail texts the checker passed (missed
errors), the labelled-pass texts it failed, and fails whose listed rules did not all fire.
Exits 1 when overall agreement is under 90 % or any error is missed.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from consentry.compliance.batch import RECORD_KEYS, check_record

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "compliance" / "guidance"
AGREEMENT_FLOOR = 0.90


def load() -> list[dict[str, Any]]:
    """Every labelled line of the corpus."""
    cases = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                cases.append(json.loads(raw))
    return cases


def main() -> int:
    cases = load()
    total: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    missed, false_fail, partial = [], [], []
    for case in cases:
        result = check_record({key: case[key] for key in RECORD_KEYS if key in case})
        failing = {f["rule"] for f in result.get("findings", []) if f["severity"] == "error"}
        verdict = result.get("verdict", "error")
        total[case["kind"]] += 1
        if verdict == case["expect"]:
            agreed[case["kind"]] += 1
        elif case["expect"] == "fail":
            missed.append((case["id"], case["rules"]))
        else:
            false_fail.append((case["id"], sorted(failing)))
        if case["expect"] == "fail" and verdict == "fail" and not set(case["rules"]) <= failing:
            partial.append((case["id"], sorted(set(case["rules"]) - failing)))
    print(f"guidance corpus: {len(cases)} labelled texts from {CORPUS.name}/")
    for kind in sorted(total):
        print(f"  {kind:22} {agreed[kind]:4}/{total[kind]:<4} {agreed[kind] / total[kind]:6.1%}")
    overall = sum(agreed.values()) / max(1, len(cases))
    print(f"  {'overall':22} {sum(agreed.values()):4}/{len(cases):<4} {overall:6.1%}")
    for title, rows in (
        ("missed errors (labelled fail, checker passed)", missed),
        ("false failures (labelled pass, checker failed)", false_fail),
        ("fails without every listed rule", partial),
    ):
        print(f"{title}: {len(rows)}")
        for case_id, rules in rows:
            print(f"  {case_id}: {', '.join(rules)}")
    ok = overall >= AGREEMENT_FLOOR and not missed
    status = "PASS" if ok else "FAIL"
    print(f"floor: agreement >= {AGREEMENT_FLOOR:.0%} and no missed error  {status}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
