"""Alembic environment: every table of Consentry on one metadata, batch mode for SQLite."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

import consentry.accounts.models
import consentry.carriers.loopback.models
import consentry.consent.hosted.models
import consentry.consent.models
import consentry.messaging.delivery_models
import consentry.messaging.models
import consentry.registration.models  # noqa: F401  (registers the tables)
from consentry.kit.db import Base, create_db_engine
from consentry.messaging.log_models import SEARCH_OBJECTS

config = context.config
target_metadata = Base.metadata


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    # Full-text objects are raw SQL in their migration; no model describes them.
    return not (type_ in ("table", "index") and name in SEARCH_OBJECTS)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the connection handed over by consentry.migrations.upgrade, or a new one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
