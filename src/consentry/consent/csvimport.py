"""Reading a consent CSV (paper and verbal opt-ins entered later): one row, one result.

Columns: phone, method, disclosure_text, consented_at, and any number of source_* columns
(source_form_id, source_operator, source_document, ...) that become the record's source. Row
numbers are as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from consentry.consent.models import ConsentMethod
from consentry.kit.errors import Invalid
from consentry.kit.phone import normalize_us

__all__ = ["MAX_ROWS", "ParsedRow", "RowError", "parse_csv"]

MAX_ROWS = 10_000
REQUIRED = ("phone", "method", "disclosure_text", "consented_at")
SOURCE_PREFIX = "source_"
_METHODS = {m.value: m for m in ConsentMethod}


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row was not imported."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(slots=True)
class ParsedRow:
    """One data row: its values when valid, or the first error found."""

    row: int
    phone: str = ""
    method: ConsentMethod = ConsentMethod.IMPORT
    disclosure_text: str = ""
    consented_at: datetime | None = None
    source: dict[str, Any] = field(default_factory=dict)
    error: RowError | None = None


def _method(raw: str) -> ConsentMethod | None:
    key = raw.strip().upper().replace(" ", "_").replace("-", "_")
    return _METHODS.get(key) or _METHODS.get(f"{key}_FORM")


def _when(raw: str, now: datetime) -> datetime | RowError:
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            when = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
            when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except ValueError:
        return RowError(
            "CONSENTED_AT_INVALID",
            f"consented_at {text!r} is not a date (YYYY-MM-DD) or ISO 8601 date-time.",
        )
    if when > now:
        return RowError("CONSENTED_AT_FUTURE", f"consented_at {text} is in the future.")
    return when


def _row(number: int, values: dict[str, str], now: datetime) -> ParsedRow:
    out = ParsedRow(row=number)
    raw_phone = values.get("phone", "")
    phone = normalize_us(raw_phone)
    if phone is None:
        out.error = RowError("PHONE_INVALID", f"{raw_phone!r} is not a valid US phone number.")
        return out
    method = _method(values.get("method", ""))
    if method is None:
        out.error = RowError(
            "METHOD_INVALID",
            f"method {values.get('method', '')!r} is not one of "
            f"{', '.join(m.value for m in ConsentMethod)}.",
        )
        return out
    disclosure = values.get("disclosure_text", "")
    if not disclosure.strip():
        out.error = RowError(
            "DISCLOSURE_MISSING", "disclosure_text is empty: record the exact words shown or read."
        )
        return out
    raw_when = values.get("consented_at", "")
    if not raw_when.strip():
        out.error = RowError("CONSENTED_AT_MISSING", "consented_at is empty.")
        return out
    when = _when(raw_when, now)
    if isinstance(when, RowError):
        out.error = when
        return out
    out.phone, out.method, out.disclosure_text, out.consented_at = phone, method, disclosure, when
    out.source = {
        key[len(SOURCE_PREFIX) :]: value.strip()
        for key, value in values.items()
        if key.startswith(SOURCE_PREFIX) and value and value.strip()
    }
    return out


def parse_csv(text: str, *, now: datetime) -> Iterator[ParsedRow]:
    """Every data row of a consent CSV, validated; a bad header is an error for the whole file."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise Invalid(
            "The CSV is empty.",
            code="CSV_EMPTY",
            fix=f"Send a header row ({', '.join(REQUIRED)}, source_...) and one row per consent.",
        )
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [n for n in names if n not in REQUIRED and not n.startswith(SOURCE_PREFIX)]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        raise Invalid(
            f"The CSV header has {' and '.join(problems)}.",
            code="CSV_COLUMNS",
            fix=f"Use the columns {', '.join(REQUIRED)}; put anything else that documents the "
            "opt-in in columns named source_<name> (e.g. source_form_id, source_operator).",
            details={"missing": missing, "unknown": unknown},
        )
    count = 0
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines between rows are common in hand-made sheets
        count += 1
        if count > MAX_ROWS:
            raise Invalid(
                f"The CSV has more than {MAX_ROWS:,} rows.",
                code="CSV_TOO_MANY_ROWS",
                fix=f"Split it into files of at most {MAX_ROWS:,} rows.",
            )
        if len(cells) != len(names):
            yield ParsedRow(
                row=number,
                error=RowError(
                    "ROW_SHAPE",
                    f"The row has {len(cells)} cells; the header has {len(names)}.",
                ),
            )
            continue
        yield _row(number, dict(zip(names, cells, strict=True)), now)
