"""Messaging queries. Reads on behalf of a caller are scoped by its tenant; the send checks
ask set-based questions (one query for a whole batch, never one per message)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Account
from consentry.accounts.repository import visible_accounts_clause
from consentry.accounts.scope import Principal
from consentry.consent.models import Consent, ConsentStatus, OptOut
from consentry.messaging.models import CallEvent, Direction, Media, Message

__all__ = [
    "active_consent_pairs",
    "media_by_ids",
    "messages_by_idempotency_key",
    "open_opt_outs",
    "recent_call_pairs",
    "recent_inbound_pairs",
    "visible_media",
    "visible_message",
]


def _chunks(values: Iterable[str], size: int = 900) -> Iterable[list[str]]:
    # Keeps IN lists under SQLite's bound-parameter limit on old builds.
    items = sorted(set(values))
    for i in range(0, len(items), size):
        yield items[i : i + size]


def messages_by_idempotency_key(
    session: Session, account_id: str, keys: Iterable[str]
) -> dict[str, Message]:
    """The account's messages created with any of `keys`, by key."""
    out: dict[str, Message] = {}
    for chunk in _chunks(keys):
        stmt = select(Message).where(
            Message.account_id == account_id, Message.idempotency_key.in_(chunk)
        )
        for row in session.scalars(stmt):
            if row.idempotency_key is not None:
                out[row.idempotency_key] = row
    return out


def open_opt_outs(
    session: Session, account_id: str, phones: Iterable[str]
) -> set[tuple[str, str | None]]:
    """(phone, application_id or None for account-wide) of every open opt-out of `phones`."""
    out: set[tuple[str, str | None]] = set()
    for chunk in _chunks(phones):
        stmt = select(OptOut.phone, OptOut.application_id).where(
            OptOut.account_id == account_id, OptOut.phone.in_(chunk), OptOut.ended_at.is_(None)
        )
        out.update((phone, app_id) for phone, app_id in session.execute(stmt))
    return out


def active_consent_pairs(
    session: Session, account_id: str, application_ids: Iterable[str], phones: Iterable[str]
) -> set[tuple[str, str]]:
    """(application_id, phone) pairs that have an active consent record."""
    apps = sorted(set(application_ids))
    if not apps:
        return set()
    out: set[tuple[str, str]] = set()
    for chunk in _chunks(phones):
        stmt = (
            select(Consent.application_id, Consent.phone)
            .where(
                Consent.account_id == account_id,
                Consent.application_id.in_(apps),
                Consent.phone.in_(chunk),
                Consent.status == ConsentStatus.ACTIVE,
            )
            .distinct()
        )
        out.update((app_id, phone) for app_id, phone in session.execute(stmt))
    return out


def recent_inbound_pairs(
    session: Session, account_id: str, phones: Iterable[str], since: datetime
) -> set[tuple[str, str]]:
    """(account_number, remote_number) pairs where `remote` texted the account since `since`."""
    out: set[tuple[str, str]] = set()
    for chunk in _chunks(phones):
        stmt = (
            select(Message.account_number, Message.remote_number)
            .where(
                Message.account_id == account_id,
                Message.direction == Direction.INBOUND,
                Message.remote_number.in_(chunk),
                Message.created_at >= since,
            )
            .distinct()
        )
        out.update((ours, theirs) for ours, theirs in session.execute(stmt))
    return out


def recent_call_pairs(
    session: Session, account_id: str, phones: Iterable[str], since: datetime
) -> set[tuple[str, str]]:
    """(account_number, caller) pairs where `caller` called the account's number since `since`."""
    out: set[tuple[str, str]] = set()
    for chunk in _chunks(phones):
        stmt = (
            select(CallEvent.number, CallEvent.caller)
            .where(
                CallEvent.account_id == account_id,
                CallEvent.caller.in_(chunk),
                CallEvent.occurred_at >= since,
            )
            .distinct()
        )
        out.update((ours, theirs) for ours, theirs in session.execute(stmt))
    return out


def media_by_ids(session: Session, account_id: str, ids: Iterable[str]) -> dict[str, Media]:
    """The account's media rows among `ids`, by id (another account's ids are absent)."""
    out: dict[str, Media] = {}
    for chunk in _chunks(ids):
        stmt = select(Media).where(Media.account_id == account_id, Media.id.in_(chunk))
        out.update((m.id, m) for m in session.scalars(stmt))
    return out


def visible_media(session: Session, principal: Principal, media_id: str) -> Media | None:
    """One media row of the caller's tenant, else None."""
    stmt = (
        select(Media)
        .join(Account, Account.id == Media.account_id)
        .where(Media.id == media_id, visible_accounts_clause(principal))
    )
    return session.scalar(stmt)


def visible_message(session: Session, principal: Principal, message_id: str) -> Message | None:
    """One message of the caller's tenant, else None."""
    stmt = (
        select(Message)
        .join(Account, Account.id == Message.account_id)
        .where(Message.id == message_id, visible_accounts_clause(principal))
    )
    return session.scalar(stmt)
