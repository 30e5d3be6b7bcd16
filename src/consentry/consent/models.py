"""Consent tables: the proof of each opt-in, and each opt-out.

A consent record is evidence: who (phone), for what (the application/campaign), how (method,
source such as IP/user agent/form id), when, and the exact disclosure text shown (with its
SHA-256). Records are never deleted; an opt-out is its own row, and a later opt-in (START or a
new consent) ends it.

    consent active ──STOP (opt-out row)──▶ opted out ──START/UNSTOP/new consent──▶ active

A double opt-in consent starts `pending` and waits for the YES reply until its `expires_at`:

    pending ──YES before expires_at──▶ active
       └──── expires_at passed (periodic task, or a late YES) / a newer submission ──▶ expired

An expired consent never becomes active; the person signs up again, which records a new one.
Each step a consent goes through (the confirmation texts sent for it, the YES, the expiry) is a
ConsentEvent: append-only, like the consent itself.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consentry.kit.db import INT_PK, Base, TimestampMixin, append_only, str_enum
from consentry.kit.errors import DomainError

__all__ = [
    "Consent",
    "ConsentEvent",
    "ConsentEventAction",
    "ConsentEventImmutable",
    "ConsentMethod",
    "ConsentStatus",
    "OptOut",
]


class ConsentMethod(StrEnum):
    WEB_FORM = "WEB_FORM"
    PAPER_FORM = "PAPER_FORM"
    VERBAL = "VERBAL"
    KEYWORD = "KEYWORD"
    QR_CODE = "QR_CODE"
    IMPORT = "IMPORT"


class ConsentStatus(StrEnum):
    PENDING = "pending"  # double opt-in: waiting for the YES reply
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"  # double opt-in: no YES before expires_at, or a newer sign-up


class Consent(TimestampMixin, Base):
    """Proof that `phone` agreed to receive the messages of one application (campaign)."""

    __tablename__ = "consents"
    __table_args__ = (
        Index("ix_consents_lookup", "account_id", "application_id", "phone"),
        Index("ix_consents_pending", "status", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    phone: Mapped[str] = mapped_column(String(20))
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod))
    status: Mapped[ConsentStatus] = mapped_column(
        str_enum(ConsentStatus), default=ConsentStatus.ACTIVE
    )
    consented_at: Mapped[datetime]
    disclosure_text: Mapped[str] = mapped_column(Text)
    disclosure_sha256: Mapped[str] = mapped_column(String(64))
    # Where the opt-in came from: {"ip", "user_agent", "form_id", "url", "keyword", "operator",
    # "document", ...} as the method provides.
    source: Mapped[dict[str, Any]]
    revoked_at: Mapped[datetime | None]
    # A pending consent's deadline for the YES reply (fixed when the request is sent).
    expires_at: Mapped[datetime | None]


class ConsentEventAction(StrEnum):
    CONFIRMATION_REQUESTED = "confirmation_requested"  # the double opt-in request was queued
    CONFIRMATION_SENT = "confirmation_sent"  # the opt-in confirmation was queued
    CONFIRMED = "confirmed"  # the YES reply activated the pending consent
    EXPIRED = "expired"  # pending without a YES past its deadline, or superseded
    EXPIRED_REPLY = "expired_reply"  # a YES arrived after the expiry


class ConsentEvent(Base):
    """One step in a consent's life, with the message it sent or received when there is one.
    The text of a sent message is copied into `details`, so the evidence keeps it even after the
    message itself is purged by retention."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    consent_id: Mapped[str] = mapped_column(
        ForeignKey("consents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    action: Mapped[ConsentEventAction] = mapped_column(str_enum(ConsentEventAction, 40))
    message_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ConsentEventImmutable(DomainError):
    """An attempt to change or delete a consent event."""

    status = 500
    default_code = "CONSENT_EVENT_IMMUTABLE"


append_only(
    ConsentEvent,
    lambda row: ConsentEventImmutable(f"Consent event {row.id} cannot be changed or deleted."),
)


class OptOut(TimestampMixin, Base):
    """A recipient's opt-out from one application's messages (or all of an account's, when
    `application_id` is None). Active while `ended_at` is None."""

    __tablename__ = "opt_outs"
    __table_args__ = (Index("ix_opt_outs_lookup", "account_id", "phone", "application_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    application_id: Mapped[str | None] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE")
    )
    phone: Mapped[str] = mapped_column(String(20))
    keyword: Mapped[str | None] = mapped_column(String(40))
    # The message that carried the opt-out (inbound STOP), when there is one.
    message_id: Mapped[str | None] = mapped_column(String(40))
    opted_out_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
