"""The message log beyond paging: per-number delivery statistics and streaming CSV export.

The export reads the rows through a server-side cursor (`yield_per`) in its own session and
writes CSV in chunks, so memory stays flat whatever the number of rows. Cells a spreadsheet
would run as a formula (starting with = + - @, tab or carriage return) are prefixed with a
single quote; E.164 numbers ("+15551234567") are left as they are, digits cannot form a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.kit.db import Database
from consentry.messaging.log_schemas import ErrorCodeCount, NumberStats
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.messaging.search import MessageFilters, message_statement

__all__ = ["CSV_COLUMNS", "csv_cell", "export_csv", "number_stats"]

CSV_COLUMNS = (
    "id",
    "created_at",
    "direction",
    "from",
    "to",
    "status",
    "error_code",
    "segments",
    "encoding",
    "text",
    "media",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"\+\d{8,15}")
_ROWS_PER_CHUNK = 500
_TOP_ERRORS = 5


def csv_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet evaluates as a formula."""
    if value is None:
        return ""
    cell = value.isoformat() if isinstance(value, datetime) else str(value)
    if cell.startswith(_FORMULA_START) and not _E164.fullmatch(cell):
        return "'" + cell
    return cell


def export_csv(
    database: Database,
    *,
    account_ids: Sequence[str],
    filters: MessageFilters,
    batch_size: int = 1000,
) -> Iterator[str]:
    """CSV text of the matching messages, newest first, header row first, in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    filtered = message_statement(database.dialect, account_ids=account_ids, filters=filters)
    stmt = filtered.with_only_columns(
        Message.id,
        Message.created_at,
        Message.direction,
        Message.from_number,
        Message.to_number,
        Message.status,
        Message.error_code,
        Message.segments,
        Message.encoding,
        Message.text,
        Message.media,
    ).order_by(Message.created_at.desc(), Message.id.desc())
    with database.session() as session:
        result = session.execute(stmt.execution_options(yield_per=batch_size))
        for partition in result.partitions(_ROWS_PER_CHUNK):
            buffer.seek(0)
            buffer.truncate()
            for row in partition:
                values: list[Any] = list(row)
                media = values.pop()
                media_cell = json.dumps(media, separators=(",", ":")) if media else ""
                writer.writerow([csv_cell(v) for v in values] + [csv_cell(media_cell)])
            yield buffer.getvalue()
        session.rollback()


def number_stats(
    session: Session,
    *,
    account_id: str,
    number: str,
    created_from: datetime | None,
    created_to: datetime | None,
) -> NumberStats:
    """Counts by direction and status, the delivery rate and the top error codes of a number."""
    filters = MessageFilters(number=number, created_from=created_from, created_to=created_to)
    dialect = session.get_bind().dialect.name
    base = message_statement(dialect, account_ids=[account_id], filters=filters).subquery()
    counts = session.execute(
        select(base.c.direction, base.c.status, func.count()).group_by(
            base.c.direction, base.c.status
        )
    ).all()
    by_direction = {str(d): 0 for d in Direction}
    by_status: dict[str, int] = {}
    for direction, status, count in counts:
        by_direction[str(direction)] = by_direction.get(str(direction), 0) + count
        by_status[str(status)] = by_status.get(str(status), 0) + count
    delivered = by_status.get(MessageStatus.DELIVERED, 0)
    finished = (
        delivered
        + by_status.get(MessageStatus.UNDELIVERED, 0)
        + by_status.get(MessageStatus.FAILED, 0)
    )
    errors = session.execute(
        select(base.c.error_code, func.count().label("n"))
        .where(base.c.error_code.is_not(None))
        .group_by(base.c.error_code)
        .order_by(func.count().desc(), base.c.error_code)
        .limit(_TOP_ERRORS)
    ).all()
    return NumberStats(
        number=number,
        from_=created_from,
        to=created_to,
        total=sum(by_status.values()),
        by_direction=by_direction,
        by_status=by_status,
        delivery_rate=round(delivered / finished, 4) if finished else None,
        top_error_codes=[ErrorCodeCount(code=code, count=n) for code, n in errors],
    )
