"""The loopback carrier records the media links of each message it accepts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 10:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSON on SQLite, JSONB on PostgreSQL (as consentry.kit.db.JSONType); frozen here on purpose.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("loopback_submissions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("media_urls", JSON, nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("loopback_submissions", schema=None) as batch_op:
        batch_op.drop_column("media_urls")
