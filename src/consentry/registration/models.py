"""Registration tables.

The application lifecycle (one service function per arrow; every arrow writes an AuditEvent)::

    draft ──submit──▶ submitted ──start_review──▶ in_review ──approve──▶ approved
      ▲  │             │   ▲                         │
      │  │             │   └──submit (resubmission)──┼───────────┐
      │  │             └──────────reject─────────────┴─reject──▶ rejected
      │  │                                                       │  │
      │  └─update_draft (draft, rejected)◀───────────────────────┘  └─4th rejection or a
      │                                                                terminal reason─▶ ineligible
      └ withdraw: draft | submitted | in_review | rejected ──▶ withdrawn

`approved`, `ineligible` and `withdrawn` are final. An ineligible application can never be
edited or resubmitted: a new application is required.

The temporary registration lifecycle::

    requested ──issue──▶ active ──expires_at passes──▶ expired
        │                  │
        └──────────────────┴──approval / ineligible / withdrawn──▶ revoked

An active registration expires 30 days after issuance, or 5 days after a rejection unless the
application is resubmitted before then (resubmission restores issuance + 30 days).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consentry.kit.db import INT_PK, Base, TimestampMixin, append_only, str_enum
from consentry.kit.errors import DomainError

__all__ = [
    "FINAL_STATUSES",
    "Application",
    "ApplicationStatus",
    "AuditEvent",
    "Fine",
    "Rejection",
    "TemporaryRegistration",
    "TemporaryStatus",
]


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    INELIGIBLE = "ineligible"
    WITHDRAWN = "withdrawn"


FINAL_STATUSES = frozenset(
    {ApplicationStatus.APPROVED, ApplicationStatus.INELIGIBLE, ApplicationStatus.WITHDRAWN}
)


class TemporaryStatus(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Application(TimestampMixin, Base):
    """One registration application: the brand (`business`) and campaign as the file's JSON."""

    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.DRAFT, index=True
    )
    business: Mapped[dict[str, Any]]
    campaign: Mapped[dict[str, Any]]
    rejection_count: Mapped[int] = mapped_column(Integer, default=0)
    first_submitted_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    expected_earliest: Mapped[date | None] = mapped_column(Date)
    expected_latest: Mapped[date | None] = mapped_column(Date, index=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    # What was sent for review, frozen: the application JSON and hashes of the policy documents
    # (text and URL), so a later edit can be told apart from what the reviewer saw.
    submitted_snapshot: Mapped[dict[str, Any] | None]
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    privacy_policy_sha256: Mapped[str | None] = mapped_column(String(64))
    terms_sha256: Mapped[str | None] = mapped_column(String(64))


class Rejection(Base):
    """One reason of one rejection, with the normalized code of spec/rejections.md."""

    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    rejection_number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    terminal: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(default=list)
    registry_code: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]


class TemporaryRegistration(TimestampMixin, Base):
    """A temporary registration: lets the numbers send while the application is reviewed."""

    __tablename__ = "temporary_registrations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[TemporaryStatus] = mapped_column(str_enum(TemporaryStatus), index=True)
    requested_at: Mapped[datetime]
    issued_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]

    def effective_status(self, now: datetime) -> TemporaryStatus:
        """The status as of `now`: an active registration past its expiry reads expired."""
        if (
            self.status is TemporaryStatus.ACTIVE
            and self.expires_at is not None
            and self.expires_at <= now
        ):
            return TemporaryStatus.EXPIRED
        return self.status


class AuditEvent(Base):
    """An immutable record of one transition (or periodic action) on an application."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(60))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Fine(Base):
    """A charge for a rejection, per the configured schedule (amount by rejection number)."""

    __tablename__ = "fines"

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    rejection_number: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    at: Mapped[datetime]


class AuditEventImmutable(DomainError):
    """An attempt to change or delete an audit event."""

    status = 500
    default_code = "AUDIT_EVENT_IMMUTABLE"


append_only(
    AuditEvent,
    lambda row: AuditEventImmutable(f"Audit event {row.id} cannot be changed or deleted."),
)
