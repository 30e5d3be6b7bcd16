"""Delivery pipeline: the loopback carrier's record, rate-limit counters, status callbacks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 07:42:35.005246
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSON on SQLite, JSONB on PostgreSQL (as consentry.kit.db.JSONType); frozen here on purpose.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "loopback_failure_rules",
        sa.Column("to_number", sa.String(length=20), nullable=False),
        sa.Column("error_code", sa.String(length=40), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("to_number", name=op.f("pk_loopback_failure_rules")),
    )
    op.create_table(
        "loopback_submissions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("carrier_message_id", sa.String(length=80), nullable=False),
        sa.Column("from_number", sa.String(length=20), nullable=False),
        sa.Column("to_number", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receipt_status", sa.String(length=20), nullable=False),
        sa.Column("receipt_error_code", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loopback_submissions")),
        sa.UniqueConstraint(
            "carrier_message_id", name=op.f("uq_loopback_submissions_carrier_message_id")
        ),
    )
    with op.batch_alter_table("loopback_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_loopback_submissions_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("window_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_counters")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "delivered", "failed", name="webhookstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_webhook_deliveries_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_message_id"))
        batch_op.drop_index("ix_webhook_deliveries_due")

    op.drop_table("webhook_deliveries")
    op.drop_table("rate_counters")
    with op.batch_alter_table("loopback_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loopback_submissions_message_id"))

    op.drop_table("loopback_submissions")
    op.drop_table("loopback_failure_rules")
