"""Conversations: one thread per account number and remote number, newest activity first.

Rows are written by the database triggers of migration 0005 only; this module reads them and
marks a thread's inbound messages read (which the triggers turn into `unread_count = 0`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from consentry.accounts.models import Account
from consentry.accounts.scope import Principal
from consentry.kit.clock import as_utc
from consentry.kit.errors import Invalid, NotFound
from consentry.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from consentry.messaging.log_models import Conversation
from consentry.messaging.models import Direction, Message, PhoneNumber
from consentry.messaging.search import MessageFilters, search_messages

__all__ = [
    "conversation_messages",
    "get_conversation",
    "list_conversations",
    "mark_read",
    "owned_number",
    "tenant_account_ids",
]


def tenant_account_ids(session: Session, principal: Principal) -> list[str]:
    """The caller's account and every account below it (the messages it may read)."""
    stmt = select(Account.id).where(
        Account.path.startswith(principal.account_path, autoescape=True)
    )
    return list(session.scalars(stmt))


def owned_number(session: Session, *, account_ids: Sequence[str], number: str) -> PhoneNumber:
    """The phone number `number` when one of these accounts owns it, else NUMBER_NOT_FOUND."""
    row = session.scalar(
        select(PhoneNumber).where(
            PhoneNumber.number == number, PhoneNumber.account_id.in_(list(account_ids))
        )
    )
    if row is None:
        raise NotFound(
            f"{number} is not one of this account's numbers.",
            code="NUMBER_NOT_FOUND",
            fix="Pass a number listed by GET /api/v1/numbers, in E.164 form (+1...).",
        )
    return row


def _limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(
            f"limit must be between 1 and {MAX_LIMIT}.",
            code="INVALID_LIMIT",
            details={"limit": limit},
        )


def list_conversations(
    session: Session,
    *,
    account_id: str,
    number: str,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Conversation]:
    """The threads of one of the account's numbers, most recent activity first."""
    _limit(limit)
    stmt = select(Conversation).where(
        Conversation.account_number == number, Conversation.account_id == account_id
    )
    if cursor is not None:
        value = decode_cursor(cursor)
        try:
            at, conversation_id = as_utc(datetime.fromisoformat(value[0])), int(value[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise Invalid(
                "The cursor is not one this server issued.",
                code="INVALID_CURSOR",
                fix="Pass the next_cursor value of the previous page unchanged, or omit it.",
            ) from None
        stmt = stmt.where(
            tuple_(Conversation.last_message_at, Conversation.id) < (at, conversation_id)
        )
    stmt = stmt.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    rows = list(session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor([rows[-1].last_message_at.isoformat(), rows[-1].id]) if more else None
    )
    return Page(items=rows, next_cursor=next_cursor)


def get_conversation(
    session: Session, *, account_ids: Sequence[str], conversation_id: int
) -> Conversation:
    """A conversation of these accounts (foreign or unknown ids are CONVERSATION_NOT_FOUND)."""
    row = session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id, Conversation.account_id.in_(list(account_ids)))
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(f"No conversation {conversation_id}.", code="CONVERSATION_NOT_FOUND")
    return row


def conversation_messages(
    session: Session,
    conversation: Conversation,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Message]:
    """The messages of one thread, newest first (the message log, narrowed to the pair)."""
    filters = MessageFilters(number=conversation.account_number, remote=conversation.remote_number)
    return search_messages(
        session, account_ids=[conversation.account_id], filters=filters, cursor=cursor, limit=limit
    )


def mark_read(
    session: Session, *, account_ids: Sequence[str], conversation_id: int, now: datetime
) -> Conversation:
    """Mark every unread inbound message of a thread read; returns the updated thread."""
    conversation = get_conversation(
        session, account_ids=account_ids, conversation_id=conversation_id
    )
    session.execute(
        update(Message)
        .where(
            Message.account_id == conversation.account_id,
            Message.account_number == conversation.account_number,
            Message.remote_number == conversation.remote_number,
            Message.direction == Direction.INBOUND,
            Message.read_at.is_(None),
        )
        .values(read_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    # The trigger changed unread_count underneath the loaded row.
    session.refresh(conversation)
    return conversation
