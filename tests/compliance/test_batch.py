"""Batch checking: JSON Lines in, one result per line out, bad lines explained."""

from __future__ import annotations

import io
import json

from consentry.compliance.batch import BatchStats, check_line, check_record, check_stream


def results(data: bytes, **kwargs: int) -> tuple[list[dict[str, object]], BatchStats]:
    out = io.StringIO()
    stats = check_stream(io.BytesIO(data), out, **kwargs)  # type: ignore[arg-type]
    return [json.loads(line) for line in out.getvalue().splitlines()], stats


def test_an_over_long_line_is_skipped_without_being_held() -> None:
    long_text = "x" * 50_000
    data = (
        json.dumps({"id": 1, "kind": "opt_in", "text": long_text}).encode()
        + b"\n"
        + json.dumps({"id": 2, "kind": "opt_in", "text": "Msg & data rates may apply."}).encode()
        + b"\n"
    )
    rows, stats = results(data, max_line_bytes=1_000)
    assert rows[0]["error"]["code"] == "LINE_TOO_LONG"  # type: ignore[index]
    assert rows[1]["id"] == 2 and rows[1]["verdict"] in {"pass", "fail"}
    assert (stats.lines, stats.bad, stats.checked) == (2, 1, 1)


def test_last_line_without_newline_and_a_byte_order_mark() -> None:
    data = b"\xef\xbb\xbf" + json.dumps({"id": "x", "kind": "terms", "text": "Terms."}).encode()
    rows, stats = results(data)
    assert [r["id"] for r in rows] == ["x"]
    assert "verdict" in rows[0]
    assert stats.lines == 1


def test_progress_is_reported_with_bytes_read() -> None:
    line = json.dumps({"id": 1, "kind": "sample_message", "text": "Acme: hi. Reply STOP."}) + "\n"
    data = (line * 600).encode()
    seen: list[tuple[int, int]] = []
    stats = check_stream(
        io.BytesIO(data), io.StringIO(), progress=lambda read, s: seen.append((read, s.lines))
    )
    assert stats.lines == 600
    assert seen[-1] == (len(data), 600)
    assert [n for _, n in seen[:-1]] == [256, 512]


def test_record_errors_carry_the_id_and_the_line() -> None:
    err = check_record({"id": 7, "kind": "opt_in", "text": 12}, line=4)
    assert err == {
        "id": 7,
        "error": {
            "code": "TEXT_INVALID",
            "message": "text must be a string.",
            "fix": "Quote the text.",
            "details": {"line": 4},
        },
    }
    assert check_record({"id": 1, "kind": 3, "text": "x"})["error"]["code"] == "UNKNOWN_KIND"
    assert check_record({"id": 1, "kind": "opt_in"})["error"]["code"] == "TEXT_MISSING"
    assert check_record({"text": "x"})["error"]["code"] == "KIND_MISSING"
    bad_context = check_record({"kind": "opt_in", "text": "x", "context": "2FA"})
    assert bad_context["error"]["code"] == "CONTEXT_INVALID"
    assert check_line(b"[" * 100_000)["error"]["code"] == "LINE_JSON_INVALID"


def test_a_well_formed_record_is_checked() -> None:
    result = check_record(
        {"id": 1, "kind": "opt_in", "company": "Acme", "text": "I agree.", "context": {}}
    )
    assert set(result) == {"id", "verdict", "findings"}
    assert result["verdict"] == "fail"
    assert "OI-RATES" in {f["rule"] for f in result["findings"]}
