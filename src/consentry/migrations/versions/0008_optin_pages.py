"""Hosted opt-in pages and their submissions (replay and rate limits).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "optin_pages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("application_id", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("double_opt_in", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_optin_pages_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_optin_pages_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optin_pages")),
        sa.UniqueConstraint("application_id", name=op.f("uq_optin_pages_application_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_optin_pages_slug")),
    )
    op.create_table(
        "optin_submissions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("token_id", sa.String(length=40), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optin_submissions")),
        sa.UniqueConstraint("token_id", name=op.f("uq_optin_submissions_token_id")),
    )
    with op.batch_alter_table("optin_submissions", schema=None) as batch_op:
        batch_op.create_index("ix_optin_submissions_ip", ["ip", "at"], unique=False)
        batch_op.create_index("ix_optin_submissions_phone", ["phone", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("optin_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_optin_submissions_phone")
        batch_op.drop_index("ix_optin_submissions_ip")
    op.drop_table("optin_submissions")
    op.drop_table("optin_pages")
