"""The loopback carrier's own record: what it was handed, and the failures it was told to fake.

`loopback_submissions` is the carrier's side of the story, kept apart from `messages` on purpose:
a test (or a person) can compare the two. `message_id` is deliberately not unique, so a double
send by the pipeline would show as two rows; the carrier itself answers a repeated submit of a
recorded message id with the original carrier id instead of recording it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from consentry.kit.db import INT_PK, Base, JSONType

__all__ = ["LoopbackFailureRule", "LoopbackSubmission"]


class LoopbackSubmission(Base):
    """One message the loopback carrier accepted, with the receipt it will report."""

    __tablename__ = "loopback_submissions"

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(40), index=True)
    carrier_message_id: Mapped[str] = mapped_column(String(80), unique=True)
    from_number: Mapped[str] = mapped_column(String(20))
    to_number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # The MMS media links the carrier was handed, in order (the carrier would fetch each one).
    media_urls: Mapped[list[str]] = mapped_column(
        JSONType, default=list, server_default=sql_text("'[]'")
    )
    submitted_at: Mapped[datetime]
    # The outcome the receipt reports: delivered, undelivered or failed, and its error code.
    receipt_status: Mapped[str] = mapped_column(String(20))
    receipt_error_code: Mapped[str | None] = mapped_column(String(40))


class LoopbackFailureRule(Base):
    """Make the loopback carrier fail messages to one destination (set through the API)."""

    __tablename__ = "loopback_failure_rules"

    to_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    error_code: Mapped[str] = mapped_column(String(40))
    # True: refused at submit and never retried; False: refused at submit, retried later.
    permanent: Mapped[bool] = mapped_column(Boolean, default=True)
    # "submit": the submit is refused; "receipt": accepted, then reported undelivered.
    stage: Mapped[str] = mapped_column(String(10), default="submit")
    # How many more submits to refuse; None refuses every one.
    remaining: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
