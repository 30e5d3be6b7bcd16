"""Conversations, account settings, message full-text search, and the triggers that keep them.

`conversations` (one row per account, account number and remote number) and the full-text index
over `messages.text` are maintained by database triggers on `messages`, so every way of writing
a message (ORM, Core bulk insert, raw SQL, cascades) keeps them right:

- SQLite: triggers AFTER INSERT / AFTER DELETE / AFTER UPDATE OF read_at, direction (counters)
  and AFTER INSERT / DELETE / UPDATE OF text, account_id (an external-content FTS5 table
  `messages_fts` whose rowids are the rowids of `messages`). It indexes `account_id` too (one
  token, "_" being a token character), so a tenant's search intersects two posting lists in the
  index instead of sorting every match of a common word across all tenants.
- PostgreSQL: one plpgsql function `messages_conversation_sync()` fired FOR EACH ROW AFTER
  INSERT OR DELETE OR UPDATE OF read_at, direction; full text is an expression GIN index on
  to_tsvector('english', text), so it needs no trigger.

A later migration that rebuilds `messages` in SQLite batch mode (copy and rename) drops the
table's triggers and renumbers its rowids: it must run this module's SQLITE_CREATE statements
again (the last one rebuilds the FTS index).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Integer ids: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite; frozen here on purpose.
INT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_KEY = (
    "account_id = {r}.account_id AND account_number = {r}.account_number "
    "AND remote_number = {r}.remote_number"
)

_SQLITE_UNREAD_NEW = "(NEW.direction = 'inbound' AND NEW.read_at IS NULL)"
_SQLITE_UNREAD_OLD = "(OLD.direction = 'inbound' AND OLD.read_at IS NULL)"

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER messages_conversation_ai AFTER INSERT ON messages BEGIN
      INSERT INTO conversations (account_id, account_number, remote_number, last_message_at,
                                 last_message_id, unread_count, message_count, created_at)
      VALUES (NEW.account_id, NEW.account_number, NEW.remote_number, NEW.created_at, NEW.id,
              {_SQLITE_UNREAD_NEW}, 1, NEW.created_at)
      ON CONFLICT (account_id, account_number, remote_number) DO UPDATE SET
        message_count = conversations.message_count + 1,
        unread_count = conversations.unread_count + excluded.unread_count,
        last_message_at = CASE
          WHEN (excluded.last_message_at, excluded.last_message_id)
               > (conversations.last_message_at, conversations.last_message_id)
          THEN excluded.last_message_at ELSE conversations.last_message_at END,
        last_message_id = CASE
          WHEN (excluded.last_message_at, excluded.last_message_id)
               > (conversations.last_message_at, conversations.last_message_id)
          THEN excluded.last_message_id ELSE conversations.last_message_id END;
    END
    """,
    f"""
    CREATE TRIGGER messages_conversation_au AFTER UPDATE OF read_at, direction ON messages
    WHEN {_SQLITE_UNREAD_NEW} <> {_SQLITE_UNREAD_OLD}
    BEGIN
      UPDATE conversations
      SET unread_count = unread_count + {_SQLITE_UNREAD_NEW} - {_SQLITE_UNREAD_OLD}
      WHERE {_KEY.format(r="NEW")};
    END
    """,
    f"""
    CREATE TRIGGER messages_conversation_ad AFTER DELETE ON messages BEGIN
      UPDATE conversations
      SET message_count = message_count - 1, unread_count = unread_count - {_SQLITE_UNREAD_OLD}
      WHERE {_KEY.format(r="OLD")};
      DELETE FROM conversations WHERE {_KEY.format(r="OLD")} AND message_count <= 0;
      UPDATE conversations SET (last_message_at, last_message_id) = (
          SELECT m.created_at, m.id FROM messages AS m
          WHERE m.account_id = OLD.account_id AND m.account_number = OLD.account_number
            AND m.remote_number = OLD.remote_number
          ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
      WHERE {_KEY.format(r="OLD")} AND last_message_id = OLD.id;
    END
    """,
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5(
      text, account_id, content='messages', content_rowid='rowid',
      tokenize="porter unicode61 remove_diacritics 2 tokenchars '_'"
    )
    """,
    """
    CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, text, account_id)
      VALUES (NEW.rowid, NEW.text, NEW.account_id);
    END
    """,
    """
    CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text, account_id)
      VALUES ('delete', OLD.rowid, OLD.text, OLD.account_id);
    END
    """,
    """
    CREATE TRIGGER messages_fts_au AFTER UPDATE OF text, account_id ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text, account_id)
      VALUES ('delete', OLD.rowid, OLD.text, OLD.account_id);
      INSERT INTO messages_fts (rowid, text, account_id)
      VALUES (NEW.rowid, NEW.text, NEW.account_id);
    END
    """,
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS messages_fts_au",
    "DROP TRIGGER IF EXISTS messages_fts_ad",
    "DROP TRIGGER IF EXISTS messages_fts_ai",
    "DROP TABLE IF EXISTS messages_fts",
    "DROP TRIGGER IF EXISTS messages_conversation_ad",
    "DROP TRIGGER IF EXISTS messages_conversation_au",
    "DROP TRIGGER IF EXISTS messages_conversation_ai",
]

_PG_UNREAD_NEW = "CASE WHEN NEW.direction = 'inbound' AND NEW.read_at IS NULL THEN 1 ELSE 0 END"
_PG_UNREAD_OLD = "CASE WHEN OLD.direction = 'inbound' AND OLD.read_at IS NULL THEN 1 ELSE 0 END"
_PG_KEY = (
    "c.account_id = {r}.account_id AND c.account_number = {r}.account_number "
    "AND c.remote_number = {r}.remote_number"
)

POSTGRES_CREATE = [
    f"""
    CREATE FUNCTION messages_conversation_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      delta integer;
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO conversations AS c (account_id, account_number, remote_number,
            last_message_at, last_message_id, unread_count, message_count, created_at)
        VALUES (NEW.account_id, NEW.account_number, NEW.remote_number, NEW.created_at, NEW.id,
                {_PG_UNREAD_NEW}, 1, NEW.created_at)
        ON CONFLICT (account_id, account_number, remote_number) DO UPDATE SET
          message_count = c.message_count + 1,
          unread_count = c.unread_count + EXCLUDED.unread_count,
          last_message_at = CASE
            WHEN (EXCLUDED.last_message_at, EXCLUDED.last_message_id)
                 > (c.last_message_at, c.last_message_id)
            THEN EXCLUDED.last_message_at ELSE c.last_message_at END,
          last_message_id = CASE
            WHEN (EXCLUDED.last_message_at, EXCLUDED.last_message_id)
                 > (c.last_message_at, c.last_message_id)
            THEN EXCLUDED.last_message_id ELSE c.last_message_id END;
      ELSIF TG_OP = 'UPDATE' THEN
        delta := ({_PG_UNREAD_NEW}) - ({_PG_UNREAD_OLD});
        IF delta <> 0 THEN
          UPDATE conversations AS c SET unread_count = c.unread_count + delta
          WHERE {_PG_KEY.format(r="NEW")};
        END IF;
      ELSE
        UPDATE conversations AS c
        SET message_count = c.message_count - 1, unread_count = c.unread_count - {_PG_UNREAD_OLD}
        WHERE {_PG_KEY.format(r="OLD")};
        DELETE FROM conversations AS c WHERE {_PG_KEY.format(r="OLD")} AND c.message_count <= 0;
        UPDATE conversations AS c SET (last_message_at, last_message_id) = (
            SELECT m.created_at, m.id FROM messages AS m
            WHERE m.account_id = OLD.account_id AND m.account_number = OLD.account_number
              AND m.remote_number = OLD.remote_number
            ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
        WHERE {_PG_KEY.format(r="OLD")} AND c.last_message_id = OLD.id;
      END IF;
      RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER messages_conversation_sync
    AFTER INSERT OR DELETE OR UPDATE OF read_at, direction ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_conversation_sync()
    """,
    # A small pending list: new rows wait there until merged, and every search scans it
    # linearly; with the default 4 MB, search latency grew tenfold between (auto)vacuums.
    "CREATE INDEX ix_messages_text_fts ON messages USING gin (to_tsvector('english', text)) "
    "WITH (gin_pending_list_limit = 256)",
]

POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_messages_text_fts",
    "DROP TRIGGER IF EXISTS messages_conversation_sync ON messages",
    "DROP FUNCTION IF EXISTS messages_conversation_sync()",
]

# Conversations of the messages that exist before the triggers do.
BACKFILL = """
INSERT INTO conversations (account_id, account_number, remote_number, last_message_at,
                           last_message_id, unread_count, message_count, created_at)
SELECT account_id, account_number, remote_number, created_at, id, unread, total, first_at
FROM (
  SELECT account_id, account_number, remote_number, created_at, id,
    ROW_NUMBER() OVER w_desc AS rn,
    COUNT(*) OVER w AS total,
    SUM(CASE WHEN direction = 'inbound' AND read_at IS NULL THEN 1 ELSE 0 END) OVER w AS unread,
    MIN(created_at) OVER w AS first_at
  FROM messages
  WINDOW w AS (PARTITION BY account_id, account_number, remote_number),
         w_desc AS (PARTITION BY account_id, account_number, remote_number
                    ORDER BY created_at DESC, id DESC)
) AS ranked
WHERE rn = 1
"""


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", INT_PK, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("remote_number", sa.String(length=20), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_id", sa.String(length=40), nullable=False),
        sa.Column("unread_count", sa.Integer(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_conversations_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint(
            "account_id",
            "account_number",
            "remote_number",
            name=op.f("uq_conversations_account_id"),
        ),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            "ix_conversations_inbox", ["account_number", "last_message_at", "id"], unique=False
        )

    op.create_table(
        "account_settings",
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_settings_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_settings")),
    )

    # Not batch mode: a batch rebuild of `messages` would renumber the rowids FTS5 points at.
    op.create_index(
        "ix_messages_account_created", "messages", ["account_id", "created_at", "id"], unique=False
    )

    op.execute(BACKFILL)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_CREATE if dialect == "sqlite" else POSTGRES_CREATE:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DROP if dialect == "sqlite" else POSTGRES_DROP:
        op.execute(statement)
    op.drop_index("ix_messages_account_created", table_name="messages")
    op.drop_table("account_settings")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_inbox")
        batch_op.drop_index(batch_op.f("ix_conversations_account_id"))
    op.drop_table("conversations")
