"""Hosted opt-in tables: one public page per application, and each submission it received.

A submission row is written for every form post that carried a valid token: its `token_id` is
unique (a token works once, so a replayed post is refused) and the rows per IP and per phone
in a recent window are the page's abuse limit, shared by every server process.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.kit.db import INT_PK, Base, TimestampMixin

__all__ = ["OptinPage", "OptinSubmission"]


class OptinPage(TimestampMixin, Base):
    """The public opt-in page of one application, at /optin/{slug}."""

    __tablename__ = "optin_pages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    application_id: Mapped[str] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    # Random and stable: the public address says nothing about the account or application.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    double_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)


class OptinSubmission(Base):
    """One accepted-for-processing post of a hosted page (for replay and rate limits)."""

    __tablename__ = "optin_submissions"
    __table_args__ = (
        Index("ix_optin_submissions_ip", "ip", "at"),
        Index("ix_optin_submissions_phone", "phone", "at"),
    )

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(40))
    token_id: Mapped[str] = mapped_column(String(40), unique=True)
    ip: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime]
