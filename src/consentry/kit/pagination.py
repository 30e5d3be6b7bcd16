"""Cursor pagination: lists are {"items": [...], "next_cursor": "..." | null}."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from consentry.kit.errors import Invalid

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "decode_cursor", "encode_cursor", "paginate"]

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of rows and the cursor of the next page (None on the last)."""

    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(value: Any) -> str:
    """An opaque cursor for a sort key."""
    raw = json.dumps({"k": value}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """The sort key inside a cursor; a damaged cursor is an INVALID_CURSOR error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise Invalid(
            "The cursor is not one this server issued.",
            code="INVALID_CURSOR",
            fix="Pass the next_cursor value of the previous page unchanged, or omit it.",
        ) from None


def paginate(
    session: Session,
    stmt: Select[T],
    key: InstrumentedAttribute[Any],
    *,
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
    descending: bool = False,
) -> Page[T]:
    """Keyset pagination over one unique sortable column `key` (ids)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(
            f"limit must be between 1 and {MAX_LIMIT}.",
            code="INVALID_LIMIT",
            details={"limit": limit},
        )
    if cursor is not None:
        after = decode_cursor(cursor)
        stmt = stmt.where(key < after if descending else key > after)
    stmt = stmt.order_by(key.desc() if descending else key.asc()).limit(limit + 1)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(getattr(rows[-1], key.key)) if more and rows else None
    return Page(items=rows, next_cursor=next_cursor)
