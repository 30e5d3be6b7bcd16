"""Read shapes of conversations and per-number statistics (a message: messaging.schemas)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from consentry.messaging.log_models import Conversation

__all__ = [
    "ConversationList",
    "ConversationRead",
    "ErrorCodeCount",
    "NumberStats",
    "conversation_read",
]


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
