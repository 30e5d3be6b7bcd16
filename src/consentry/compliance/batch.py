"""Checking texts in bulk: JSON Lines in (one text per line), JSON Lines out, in the same order.

An input line is `{"id", "kind", "company", "text", "context"}` (only `kind` and `text` are
required). Each yields `{"id", "verdict", "findings"}`, or `{"id", "error": {...}}` when the line
cannot be checked (invalid JSON, a missing text, an unknown kind, a text too long); a bad line
never stops the batch. Lines are read one at a time with a length cap, so memory stays constant
whatever the size of the input. Blank lines are skipped.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

from consentry.compliance.context import Context
from consentry.compliance.engine import check_text, warm_up
from consentry.compliance.errors import CheckInputError
from consentry.compliance.text import MAX_TEXT_CHARS

__all__ = [
    "MAX_LINE_BYTES",
    "RECORD_KEYS",
    "BatchStats",
    "check_line",
    "check_record",
    "check_stream",
]

RECORD_KEYS = frozenset({"id", "kind", "company", "text", "context"})

# The longest text in UTF-8 (4 bytes a character at worst, 6 when JSON-escaped) plus its context.
MAX_LINE_BYTES = MAX_TEXT_CHARS * 6 + 1_000_000

# Progress is reported every this many lines: often enough for a bar, rarely enough to cost
# nothing measurable.
PROGRESS_EVERY = 256

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(slots=True)
class BatchStats:
    """What a batch did: lines read, texts checked (passed / failed) and bad lines."""

    lines: int = 0
    passed: int = 0
    failed: int = 0
    bad: int = 0

    @property
    def checked(self) -> int:
        """Texts that were checked (passed or failed)."""
        return self.passed + self.failed


def _error(record_id: Any, err: CheckInputError, line: int | None) -> dict[str, Any]:
    body = err.to_dict()
    if line is not None:
        body.setdefault("details", {})
        body["details"] = {**body["details"], "line": line}
    return {"id": record_id, "error": body}


def check_record(record: Any, *, line: int | None = None) -> dict[str, Any]:
    """The result for one decoded input object: a check result or an error object."""
    if not isinstance(record, dict):
        err = CheckInputError(
            "LINE_NOT_OBJECT",
            "The line is not a JSON object.",
            fix='Write one object per line: {"id": ..., "kind": ..., "text": ...}.',
        )
        return _error(None, err, line)
    record_id = record.get("id")
    try:
        unknown = sorted(set(record) - RECORD_KEYS)
        if unknown:
            raise CheckInputError(
                "LINE_UNKNOWN_KEY",
                f"Unknown key(s): {', '.join(unknown)}.",
                fix=f"Use only: {', '.join(sorted(RECORD_KEYS))}.",
            )
        kind = record.get("kind")
        if kind is None:
            raise CheckInputError(
                "KIND_MISSING", "The line has no kind.", fix='Add "kind", e.g. "sample_message".'
            )
        if not isinstance(kind, str):
            raise CheckInputError("UNKNOWN_KIND", "kind must be a string.", fix="Use a kind name.")
        text = record.get("text")
        if text is None:
            raise CheckInputError("TEXT_MISSING", "The line has no text.", fix='Add "text".')
        if not isinstance(text, str):
            raise CheckInputError("TEXT_INVALID", "text must be a string.", fix="Quote the text.")
        company = record.get("company")
        if company is not None and not isinstance(company, str):
            raise CheckInputError("COMPANY_INVALID", "company must be a string.")
        context = record.get("context")
        if context is not None and not isinstance(context, dict):
            raise CheckInputError(
                "CONTEXT_INVALID",
                "context must be a JSON object.",
                fix='Use e.g. {"use_case": "2FA"}.',
            )
        ctx = Context.from_mapping(context, company=company)
        report = check_text(kind, text, ctx)
    except CheckInputError as err:
        return _error(record_id, err, line)
    except Exception as exc:  # one text must not stop a batch of millions
        failure = CheckInputError(
            "CHECK_FAILED",
            f"The checker could not check this text ({type(exc).__name__}: {exc}).",
            fix="Report this line to the Consentry maintainers.",
        )
        return _error(record_id, failure, line)
    return {
        "id": record_id,
        "verdict": str(report.verdict),
        "findings": [f.to_dict() for f in report.findings],
    }


def check_line(raw: bytes, *, line: int | None = None) -> dict[str, Any]:
    """The result for one raw input line (UTF-8 JSON)."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        err = CheckInputError(
            "LINE_ENCODING",
            f"The line is not UTF-8 (byte {exc.start + 1}).",
            fix="Save the file as UTF-8.",
        )
        return _error(None, err, line)
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as exc:
        err = CheckInputError(
            "LINE_JSON_INVALID",
            f"The line is not valid JSON: {exc.msg} at column {exc.colno}.",
            fix="Write one complete JSON object per line.",
        )
        return _error(None, err, line)
    except RecursionError:
        err = CheckInputError(
            "LINE_JSON_INVALID", "The line nests JSON too deeply.", fix="Write one flat object."
        )
        return _error(None, err, line)
    return check_record(record, line=line)


def _lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; None instead of the bytes when a line exceeds limit."""
    number = 0
    while True:
        raw = stream.readline(limit)
        if not raw:
            return
        number += 1
        if len(raw) >= limit and not raw.endswith(b"\n"):
            # Too long: skip the rest of the line without holding it.
            while True:
                rest = stream.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        yield number, raw


def _result_for(number: int, raw: bytes | None, max_line_bytes: int) -> dict[str, Any] | None:
    """The result line for one input line (None for a blank line, which is skipped)."""
    if raw is None:
        err = CheckInputError(
            "LINE_TOO_LONG",
            f"The line is longer than {max_line_bytes:,} bytes.",
            fix=f"Check texts of at most {MAX_TEXT_CHARS:,} characters.",
        )
        return _error(None, err, number)
    if not raw.strip():
        return None
    return check_line(raw, line=number)


def _check_chunk(
    chunk: list[tuple[int, bytes | None]], max_line_bytes: int
) -> list[dict[str, Any] | None]:
    return [_result_for(number, raw, max_line_bytes) for number, raw in chunk]


def _chunks(
    lines: Iterator[tuple[int, bytes | None]], size: int
) -> Iterator[list[tuple[int, bytes | None]]]:
    chunk: list[tuple[int, bytes | None]] = []
    for item in lines:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Lines per task sent to a worker process, and tasks in flight per worker: enough to keep every
# core busy, few enough that memory stays bounded whatever the input's size.
CHUNK_LINES = 64
CHUNKS_IN_FLIGHT_PER_JOB = 4


def _parallel_results(
    lines: Iterator[tuple[int, bytes | None]], jobs: int, max_line_bytes: int
) -> Iterator[list[tuple[int, bytes | None, dict[str, Any] | None]]]:
    """Results chunk by chunk, in input order, computed by `jobs` forked worker processes."""
    warm_up()  # load the language model and dictionaries once, before the fork shares them
    context = multiprocessing.get_context("fork")
    in_flight: deque[tuple[list[tuple[int, bytes | None]], Future[list[Any]]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for chunk in _chunks(lines, CHUNK_LINES):
            in_flight.append((chunk, pool.submit(_check_chunk, chunk, max_line_bytes)))
            if len(in_flight) >= jobs * CHUNKS_IN_FLIGHT_PER_JOB:
                done, future = in_flight.popleft()
                yield [(n, raw, r) for (n, raw), r in zip(done, future.result(), strict=True)]
        while in_flight:
            done, future = in_flight.popleft()
            yield [(n, raw, r) for (n, raw), r in zip(done, future.result(), strict=True)]


def _serial_results(
    lines: Iterator[tuple[int, bytes | None]], max_line_bytes: int
) -> Iterator[list[tuple[int, bytes | None, dict[str, Any] | None]]]:
    for number, raw in lines:
        yield [(number, raw, _result_for(number, raw, max_line_bytes))]


def check_stream(
    source: IO[bytes],
    sink: IO[str],
    *,
    progress: Callable[[int, BatchStats], None] | None = None,
    max_line_bytes: int = MAX_LINE_BYTES,
    jobs: int = 1,
) -> BatchStats:
    """Check every line of `source` and write one result line to `sink` per input line.

    With `jobs` > 1 the lines are checked by that many worker processes; the output keeps the
    input's order either way.
    """
    stats = BatchStats()
    read = 0
    write = sink.write
    lines = _lines(source, max_line_bytes)
    batches = (
        _parallel_results(lines, jobs, max_line_bytes)
        if jobs > 1
        else _serial_results(lines, max_line_bytes)
    )
    for batch in batches:
        for _number, raw, result in batch:
            read += max_line_bytes if raw is None else len(raw)
            if result is None:
                continue
            stats.lines += 1
            if "error" in result:
                stats.bad += 1
            elif result["verdict"] == "pass":
                stats.passed += 1
            else:
                stats.failed += 1
            write(_dumps(result))
            write("\n")
            if progress is not None and stats.lines % PROGRESS_EVERY == 0:
                progress(read, stats)
    if progress is not None:
        progress(read, stats)
    return stats
