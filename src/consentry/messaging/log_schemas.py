"""Read shapes of the message log, conversations and per-number statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from consentry.messaging.log_models import Conversation
from consentry.messaging.models import Direction, Message, MessageStatus

__all__ = [
    "ConversationList",
    "ConversationRead",
    "ErrorCodeCount",
    "MessageList",
    "MessageRead",
    "NumberStats",
    "conversation_read",
    "message_read",
]


class MessageRead(BaseModel):
    """A message as read (spec/interfaces.md)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    direction: Direction
    from_: str = Field(alias="from")
    to: str
    text: str
    media: list[dict[str, Any]]
    status: MessageStatus
    segments: int
    encoding: str
    error_code: str | None
    created_at: datetime
    updated_at: datetime


class MessageList(BaseModel):
    """A page of messages."""

    items: list[MessageRead]
    next_cursor: str | None


class ConversationRead(BaseModel):
    """A thread: the account's number, the other party, its last activity and unread count."""

    id: int
    number: str
    remote_number: str
    last_message_at: datetime
    unread: int
    message_count: int


class ConversationList(BaseModel):
    """A page of conversations."""

    items: list[ConversationRead]
    next_cursor: str | None


class ErrorCodeCount(BaseModel):
    code: str
    count: int


class NumberStats(BaseModel):
    """Delivery statistics of one number over a window."""

    number: str
    from_: datetime | None = Field(alias="from")
    to: datetime | None
    total: int
    by_direction: dict[str, int]
    by_status: dict[str, int]
    delivery_rate: float | None = Field(
        description="delivered / (delivered + undelivered + failed) of outbound messages; "
        "null when none has a final delivery outcome yet."
    )
    top_error_codes: list[ErrorCodeCount]

    model_config = ConfigDict(populate_by_name=True)


def message_read(row: Message) -> MessageRead:
    """The read shape of a message row."""
    return MessageRead(
        id=row.id,
        direction=row.direction,
        from_=row.from_number,
        to=row.to_number,
        text=row.text,
        media=list(row.media or []),
        status=row.status,
        segments=row.segments,
        encoding=row.encoding,
        error_code=row.error_code,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def conversation_read(row: Conversation) -> ConversationRead:
    """The read shape of a conversation row."""
    return ConversationRead(
        id=row.id,
        number=row.account_number,
        remote_number=row.remote_number,
        last_message_at=row.last_message_at,
        unread=row.unread_count,
        message_count=row.message_count,
    )
