"""The message log query: one repository function behind every list of messages.

`search_messages` filters a tenant's messages (account number, remote number, direction,
statuses, error code, creation window, full text) and pages them newest first by keyset on
(created_at, id), so page 1,000 costs what page 1 costs. Full text is SQLite FTS5 (the
external-content table `messages_fts`, porter stemming) or PostgreSQL full-text search
(`to_tsvector('english', text)`, GIN-indexed); both are created by migration 0005. The query
language is the same on both: the words of `q` must all occur (stemmed, case-insensitive); a
word ending in `*` matches as a prefix; punctuation is never query syntax. One difference: SQLite
folds accents ("cafe" finds "Café"), PostgreSQL's `english` configuration does not.

`message_statement` is the same query without paging, for streaming exports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from consentry.kit.clock import as_utc
from consentry.kit.errors import Invalid
from consentry.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.messaging.us_numbers import us_e164

__all__ = [
    "MessageFilters",
    "message_statement",
    "search_messages",
    "text_query_terms",
]

# A word of the query, optionally followed by "*" (prefix match).
_TERM = re.compile(r"(\w+)(\*?)")
_MAX_TERMS = 16
# Up to this many tenant accounts are matched inside the SQLite full-text index.
_MAX_FTS_ACCOUNTS = 50


def _number(value: Any) -> Any:
    """US numbers in any usual form become E.164; anything else is kept as given."""
    if isinstance(value, str):
        value = value.strip()
        return us_e164(value) or value or None
    return value


def _aware(value: Any) -> Any:
    return as_utc(value) if isinstance(value, datetime) else value


PhoneFilter = Annotated[str | None, BeforeValidator(_number)]


class MessageFilters(BaseModel):
    """What to look for in the message log; every field narrows the result (all are optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    number: PhoneFilter = Field(None, description="The account's side of the exchange.")
    remote: PhoneFilter = Field(None, description="The other side of the exchange.")
    direction: Direction | None = None
    status: list[MessageStatus] = Field(
        default_factory=list, description="Any of these statuses (repeat or comma-separate)."
    )
    error_code: str | None = Field(None, max_length=40)
    created_from: datetime | None = Field(
        None, alias="from", description="Created at or after (ISO 8601; UTC when no zone)."
    )
    created_to: datetime | None = Field(
        None, alias="to", description="Created before (ISO 8601; UTC when no zone)."
    )
    q: str | None = Field(
        None, max_length=200, description="Words the text must contain; `word*` for a prefix."
    )

    @field_validator("status", mode="before")
    @classmethod
    def _split_statuses(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return [s.strip() for v in value for s in str(v).split(",") if s.strip()]
        return value

    @field_validator("created_from", "created_to", mode="after")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _aware(value) if value is not None else None


def text_query_terms(q: str) -> list[tuple[str, bool]]:
    """The words of a full-text query and whether each is a prefix (at most 16 words)."""
    return [(m.group(1).lower(), bool(m.group(2))) for m in _TERM.finditer(q)][:_MAX_TERMS]


def _text_match(dialect: str, q: str, account_ids: Sequence[str]) -> ColumnElement[bool]:
    terms = text_query_terms(q)
    if not terms:
        return false()
    if dialect == "postgresql":
        tsquery = " & ".join(f"{word}:*" if prefix else word for word, prefix in terms)
        # The config must be a literal, not a parameter, for the expression index to apply.
        english: ColumnElement[str] = literal_column("'english'")
        return func.to_tsvector(english, Message.text).op("@@")(func.to_tsquery(english, tsquery))
    words = " ".join(f'"{word}"*' if prefix else f'"{word}"' for word, prefix in terms)
    fts = f"text : ({words})"
    if 0 < len(account_ids) <= _MAX_FTS_ACCOUNTS:
        # The tenant narrows the match inside the index (account_id is an indexed column).
        tenants = " OR ".join('"' + a.replace('"', '""') + '"' for a in account_ids)
        fts = f"account_id : ({tenants}) AND {fts}"
    clause = text(
        "messages.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH :fts_query)"
    ).bindparams(fts_query=fts)
    return and_(clause)


def message_statement(
    dialect: str, *, account_ids: Sequence[str], filters: MessageFilters
) -> Select[Message]:
    """The filtered messages of these accounts, unordered and unpaged."""
    ids = list(account_ids)
    stmt = select(Message)
    if len(ids) == 1:
        stmt = stmt.where(Message.account_id == ids[0])
    else:
        stmt = stmt.where(Message.account_id.in_(ids) if ids else false())
    if filters.number is not None:
        stmt = stmt.where(Message.account_number == filters.number)
    if filters.remote is not None:
        stmt = stmt.where(Message.remote_number == filters.remote)
    if filters.direction is not None:
        stmt = stmt.where(Message.direction == filters.direction)
    if filters.status:
        stmt = stmt.where(Message.status.in_(filters.status))
    if filters.error_code is not None:
        stmt = stmt.where(Message.error_code == filters.error_code)
    if filters.created_from is not None:
        stmt = stmt.where(Message.created_at >= filters.created_from)
    if filters.created_to is not None:
        stmt = stmt.where(Message.created_at < filters.created_to)
    # A query without a single word (punctuation only) is no text filter at all.
    if filters.q is not None and text_query_terms(filters.q):
        stmt = stmt.where(_text_match(dialect, filters.q, ids))
    return stmt


def _after(cursor: str) -> tuple[datetime, str]:
    value = decode_cursor(cursor)
    try:
        created_at, message_id = value
        return as_utc(datetime.fromisoformat(created_at)), str(message_id)
    except (TypeError, ValueError):
        raise Invalid(
            "The cursor is not one this server issued.",
            code="INVALID_CURSOR",
            fix="Pass the next_cursor value of the previous page unchanged, or omit it.",
        ) from None


def search_messages(
    session: Session,
    *,
    account_ids: Sequence[str],
    filters: MessageFilters,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Message]:
    """One page of the matching messages of these accounts, newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(
            f"limit must be between 1 and {MAX_LIMIT}.",
            code="INVALID_LIMIT",
            details={"limit": limit},
        )
    dialect = session.get_bind().dialect.name
    stmt = message_statement(dialect, account_ids=account_ids, filters=filters)
    if cursor is not None:
        created_at, message_id = _after(cursor)
        # A plain tuple on the right takes the column types (UTC timestamps on SQLite).
        stmt = stmt.where(tuple_(Message.created_at, Message.id) < (created_at, message_id))
    stmt = stmt.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit + 1)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return Page(items=rows, next_cursor=next_cursor)
