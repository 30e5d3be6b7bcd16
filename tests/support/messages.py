"""Builders for messaging test data: numbers, and messages written through the ORM or in bulk."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from consentry.accounts.models import Account
from consentry.kit.ids import new_id
from consentry.messaging.models import Direction, Message, MessageStatus, PhoneNumber

T0 = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
_seq = itertools.count()


def add_number(session: Session, account: Account, number: str) -> PhoneNumber:
    """A phone number owned by `account` (flushed)."""
    row = PhoneNumber(id=new_id("num"), account_id=account.id, number=number, settings={})
    session.add(row)
    session.flush()
    return row


def message_values(
    account: Account,
    *,
    number: str,
    remote: str,
    direction: Direction = Direction.OUTBOUND,
    text: str = "Hello from Northside",
    status: MessageStatus | None = None,
    at: datetime | None = None,
    error_code: str | None = None,
    media: list[dict[str, Any]] | None = None,
    read_at: datetime | None = None,
) -> dict[str, Any]:
    """Column values of one message (unique id; created one second after the previous one)."""
    n = next(_seq)
    created = at if at is not None else T0 + timedelta(seconds=n)
    inbound = direction is Direction.INBOUND
    return {
        "id": new_id("msg") + f"{n:06d}",
        "account_id": account.id,
        "direction": direction,
        "from_number": remote if inbound else number,
        "to_number": number if inbound else remote,
        "account_number": number,
        "remote_number": remote,
        "text": text,
        "media": media or [],
        "status": status or (MessageStatus.RECEIVED if inbound else MessageStatus.DELIVERED),
        "segments": 1,
        "encoding": "GSM-7",
        "error_code": error_code,
        "attempts": 0,
        "read_at": read_at,
        "created_at": created,
        "updated_at": created,
    }


def add_message(session: Session, account: Account, **kwargs: Any) -> Message:
    """One message written through the ORM (flushed)."""
    row = Message(**message_values(account, **kwargs))
    session.add(row)
    session.flush()
    return row


def bulk_insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Messages written with one Core executemany INSERT (no ORM objects, no events)."""
    session.execute(insert(Message.__table__), rows)
