"""Recording message status changes: one MessageEvent per change, and the customer's status
callback when the message asked for one. Every transition of the delivery pipeline goes through
`record_changes`, in the same transaction as the status update itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from consentry.messaging import webhooks
from consentry.messaging.models import MessageEvent, MessageStatus

__all__ = ["Change", "record_changes"]


@dataclass(frozen=True, slots=True)
class Change:
    """A message moved to `status` at `at` (with the carrier's error code, when there is one)."""

    message_id: str
    account_id: str
    status: MessageStatus
    at: datetime
    error_code: str | None = None
    detail: str | None = None
    callback_url: str | None = None


def record_changes(session: Session, changes: Sequence[Change]) -> None:
    """Write the events of `changes` and queue their status callbacks (flushes only)."""
    if not changes:
        return
    session.execute(
        insert(MessageEvent),
        [
            {
                "message_id": c.message_id,
                "at": c.at,
                "status": c.status,
                "error_code": c.error_code,
                "detail": c.detail,
            }
            for c in changes
        ],
    )
    callbacks = [
        webhooks.Callback(
            message_id=c.message_id,
            account_id=c.account_id,
            url=c.callback_url,
            status=str(c.status),
            error_code=c.error_code,
            at=c.at,
        )
        for c in changes
        if c.callback_url
    ]
    if callbacks:
        webhooks.record(session, callbacks)
