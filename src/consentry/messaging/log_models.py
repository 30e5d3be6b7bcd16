"""Tables of the conversation and message-log features: conversations and per-account settings.

`conversations` is a summary of `messages`, one row per (account, account number, remote number).
Database triggers (migration 0005) keep it right on every INSERT, DELETE and read-mark UPDATE of
`messages`, however the rows are written (ORM, Core bulk insert, raw SQL, a cascade). Code never
writes counters itself; it only reads them, and marks messages read.

The full-text index over `messages.text` is not a table here: SQLite keeps an external-content
FTS5 table `messages_fts` in step by triggers, PostgreSQL an expression GIN index on
`to_tsvector('english', text)` (both created in migration 0005). `SEARCH_OBJECTS` names them so
schema comparison leaves them alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentry.kit.db import INT_PK, Base, TimestampMixin
from consentry.messaging.models import Message

__all__ = ["SEARCH_OBJECTS", "AccountSettings", "Conversation"]

# Objects created by raw SQL in migration 0005 that no model describes (FTS5 and its shadow
# tables on SQLite, the expression index on PostgreSQL).
SEARCH_OBJECTS = frozenset(
    {
        "messages_fts",
        "messages_fts_data",
        "messages_fts_idx",
        "messages_fts_docsize",
        "messages_fts_config",
        "messages_fts_content",
        "ix_messages_text_fts",
    }
)


class Conversation(Base):
    """One thread: every message between one of the account's numbers and one remote number.

    `id` is a small integer so the provider-compatible API can use it as its conversationId.
    `unread_count` counts inbound messages whose `read_at` is null. Maintained by triggers only.
    """

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("account_id", "account_number", "remote_number"),
        # The inbox of one number, newest first.
        Index("ix_conversations_inbox", "account_number", "last_message_at", "id"),
    )

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    account_number: Mapped[str] = mapped_column(String(20))
    remote_number: Mapped[str] = mapped_column(String(20))
    last_message_at: Mapped[datetime]
    last_message_id: Mapped[str] = mapped_column(String(40))
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class AccountSettings(TimestampMixin, Base):
    """Per-account settings of the message log. `retention_days` None keeps messages forever."""

    __tablename__ = "account_settings"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    retention_days: Mapped[int | None] = mapped_column(Integer)


# The message log's keyset order within a tenant: (created_at, id) newest first. Declared here,
# on the messages table, because the log owns this access path.
Index("ix_messages_account_created", Message.account_id, Message.created_at, Message.id)
