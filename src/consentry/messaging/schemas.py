"""Messaging API shapes: one schema per direction ("from" is a Python keyword, hence aliases)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from consentry.messaging.models import Direction, Media, Message, MessageStatus
from consentry.messaging.service import ItemOutcome, SendRequest

__all__ = [
    "BatchCreate",
    "BatchItemRead",
    "BatchRead",
    "MediaRead",
    "MessageCreate",
    "MessageList",
    "MessageRead",
    "batch_item_read",
    "media_read",
    "message_read",
]


class MessageCreate(BaseModel):
    """One message to send."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", max_length=40, description="One of your numbers, E.164.")
    to: str = Field(max_length=40, description="The recipient, E.164.")
    text: str = Field("", max_length=100_000)
    media: list[str] = Field(default_factory=list, description="Ids from POST /api/v1/media.")
    idempotency_key: str | None = Field(None, min_length=1, max_length=200)
    marketing: bool = Field(
        False,
        description="A marketing message (quiet hours apply); implied by a MARKETING campaign.",
    )
    status_callback_url: str | None = Field(None, max_length=2000)

    def to_request(self, idempotency_key: str | None = None) -> SendRequest:
        """The service's request."""
        return SendRequest(
            from_=self.from_,
            to=self.to,
            text=self.text,
            media=tuple(self.media),
            idempotency_key=idempotency_key or self.idempotency_key,
            marketing=self.marketing,
            status_callback_url=self.status_callback_url,
        )


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[MessageCreate] = Field(min_length=1)


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


class ErrorRead(BaseModel):
    code: str
    message: str
    fix: str | None
    details: dict[str, Any]


class BatchItemRead(BaseModel):
    """One message of a batch: accepted with its id, or refused with the reason."""

    index: int
    result: Literal["accepted", "refused"]
    id: str | None = None
    status: MessageStatus | None = None
    segments: int | None = None
    encoding: str | None = None
    replayed: bool = False
    error: ErrorRead | None = None


class BatchRead(BaseModel):
    accepted: int
    refused: int
    items: list[BatchItemRead]


class MediaRead(BaseModel):
    id: str
    content_type: str
    size: int
    sha256: str
    filename: str | None
    created_at: datetime


def message_read(row: Message) -> MessageRead:
    """The read shape of a message row (every endpoint that returns messages uses it)."""
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


def batch_item_read(item: ItemOutcome) -> BatchItemRead:
    """The API shape of one batch item."""
    if item.error is not None:
        err = item.error
        return BatchItemRead(
            index=item.index,
            result="refused",
            error=ErrorRead(code=err.code, message=err.message, fix=err.fix, details=err.details),
        )
    return BatchItemRead(
        index=item.index,
        result="accepted",
        id=item.message_id,
        status=item.status,
        segments=item.segments,
        encoding=item.encoding,
        replayed=item.replayed,
    )


def media_read(row: Media) -> MediaRead:
    """The API shape of an uploaded media file."""
    return MediaRead(
        id=row.id,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        filename=row.filename,
        created_at=row.created_at,
    )
