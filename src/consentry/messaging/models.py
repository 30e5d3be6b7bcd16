"""Messaging tables: the account's phone numbers, messages and their status history.

The outbound message lifecycle (a row exists before any queue hears of it; queues carry ids)::

    accepted ─▶ queued ─▶ sending ─▶ sent ─▶ delivered
       │          │          │         └───▶ undelivered
       │          │          └─▶ failed (permanent carrier error, or retries exhausted)
       │          └─▶ canceled (recipient opted out while it waited)
       └─▶ (refused sends never become rows: the API answers with the reason)

Inbound messages are `received`. A retried dispatch never sends a message that is already
`sent` or beyond: the worker claims a row by moving it `queued → sending` in one conditional
UPDATE, and the carrier call is keyed by the message id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentry.kit.db import INT_PK, Base, JSONType, TimestampMixin, str_enum

__all__ = [
    "FINAL_MESSAGE_STATUSES",
    "CallEvent",
    "CallType",
    "Direction",
    "Media",
    "Message",
    "MessageEvent",
    "MessageStatus",
    "PhoneNumber",
]


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class CallType(StrEnum):
    MISSED = "missed"
    ANNOUNCEMENT = "announcement"  # the call ended after an announcement (voicemail greeting)
    ANSWERED = "answered"


class MessageStatus(StrEnum):
    ACCEPTED = "accepted"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    RECEIVED = "received"
    CANCELED = "canceled"


FINAL_MESSAGE_STATUSES = frozenset(
    {
        MessageStatus.DELIVERED,
        MessageStatus.UNDELIVERED,
        MessageStatus.FAILED,
        MessageStatus.RECEIVED,
        MessageStatus.CANCELED,
    }
)


class PhoneNumber(TimestampMixin, Base):
    """A number the account owns. It can send once an application that lists it (in
    campaign.phone_numbers) is approved or holds an active temporary registration."""

    __tablename__ = "phone_numbers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    # Per-number settings (auto textback, quiet hours, ...), owned by the features that use them.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Message(TimestampMixin, Base):
    """One SMS/MMS, outbound or inbound. Bodies are never logged at info level."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("account_id", "idempotency_key"),
        Index("ix_messages_status_next", "status", "next_attempt_at"),
        Index("ix_messages_number_created", "account_number", "created_at"),
        Index("ix_messages_pair", "account_number", "remote_number", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[str | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), index=True
    )
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, 10))
    from_number: Mapped[str] = mapped_column(String(20))
    to_number: Mapped[str] = mapped_column(String(20))
    # The account's side and the other side of the exchange, whichever the direction: the
    # conversation key and the log filters read these.
    account_number: Mapped[str] = mapped_column(String(20))
    remote_number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus))
    segments: Mapped[int] = mapped_column(Integer, default=1)
    encoding: Mapped[str] = mapped_column(String(10), default="GSM-7")
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    carrier: Mapped[str | None] = mapped_column(String(40))
    carrier_message_id: Mapped[str | None] = mapped_column(String(80), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # Why this message exists when the system sent it itself: "opt_out_confirmation",
    # "help_reply", "opt_in_confirmation", "textback", ...; None for a customer's send.
    origin: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    status_callback_url: Mapped[str | None] = mapped_column(Text)


class MessageEvent(Base):
    """One status change of a message (the delivery history), with the carrier's code."""

    __tablename__ = "message_events"

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus))
    error_code: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)


class Media(TimestampMixin, Base):
    """An uploaded MMS attachment; the bytes live in the media directory, the row says what
    they are. Messages name media by id."""

    __tablename__ = "media"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))
    # Relative to the media directory setting, so the directory can move.
    storage_key: Mapped[str] = mapped_column(String(200))


class CallEvent(Base):
    """A call to one of the account's numbers, and what the auto textback did about it.

    `outcome` is "sent", "cooldown", "disabled", "outside_rule_hours" or "refused:<CODE>" (the
    send pipeline's refusal code); `textback_message_id` names the textback when one was queued.
    """

    __tablename__ = "call_events"
    __table_args__ = (
        # The cooldown question: the latest textbacks from one number to one caller.
        Index("ix_call_events_pair", "account_id", "number", "caller", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20))  # ours
    caller: Mapped[str] = mapped_column(String(20))
    type: Mapped[CallType] = mapped_column(str_enum(CallType))
    occurred_at: Mapped[datetime]
    # Kept when retention purges the message: the log then says a textback went, not its text.
    textback_message_id: Mapped[str | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    outcome: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
