"""Message retention: each account may keep its messages for a number of days, or forever.

`purge_expired_messages` deletes the messages older than their account's retention (their
delivery events go with them by cascade). The triggers of migration 0005 keep conversations and
the full-text index right: a thread loses the purged messages from its counters, points at its
newest remaining message, and disappears when none is left. The worker's ticker runs the purge
every settings.retention_purge_interval_seconds (hourly by default).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consentry.kit.errors import Invalid
from consentry.kit.logging import get_logger
from consentry.messaging.log_models import AccountSettings
from consentry.messaging.models import Message

__all__ = [
    "MAX_RETENTION_DAYS",
    "get_retention_days",
    "purge_expired_messages",
    "set_retention_days",
]

log = get_logger(__name__)

MAX_RETENTION_DAYS = 36_500


def get_retention_days(session: Session, *, account_id: str) -> int | None:
    """How many days an account keeps its messages (None: forever)."""
    row = session.get(AccountSettings, account_id)
    return row.retention_days if row is not None else None


def set_retention_days(session: Session, *, account_id: str, days: int | None) -> AccountSettings:
    """Keep an account's messages `days` days (None: forever)."""
    if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
        raise Invalid(
            f"Retention must be between 1 and {MAX_RETENTION_DAYS} days, or none.",
            code="RETENTION_INVALID",
            details={"retention_days": days},
        )
    row = session.get(AccountSettings, account_id)
    if row is None:
        row = AccountSettings(account_id=account_id)
        session.add(row)
    row.retention_days = days
    session.flush()
    return row


def purge_expired_messages(session: Session, now: datetime) -> int:
    """Delete every message older than its account's retention; returns how many went."""
    policies = session.execute(
        select(AccountSettings.account_id, AccountSettings.retention_days).where(
            AccountSettings.retention_days.is_not(None)
        )
    ).all()
    total = 0
    for account_id, days in policies:
        cutoff = now - timedelta(days=days or 0)
        result = session.execute(
            delete(Message)
            .where(Message.account_id == account_id, Message.created_at < cutoff)
            .execution_options(synchronize_session=False)
        )
        deleted = int(getattr(result, "rowcount", 0) or 0)
        if deleted:
            log.info("messaging.retention.purged", account_id=account_id, messages=deleted)
        total += deleted
    session.flush()
    return total
