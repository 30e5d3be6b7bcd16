"""Database fixtures: the schema comes from the migrations, once per session; each test gets a
clean database (a fresh SQLite file, or truncated PostgreSQL tables).

CONSENTRY_TEST_DATABASE_URL selects PostgreSQL (postgresql+psycopg://...); without it a temporary
SQLite file is used. With CONSENTRY_TEST_REQUIRE_SERVICES=1 an unreachable database fails the
run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from consentry.kit.clock import FrozenClock
from consentry.kit.db import Base, Database
from consentry.kit.settings import Environment, Settings
from consentry.migrations import upgrade

TEST_SECRET = "test-secret-key-not-a-placeholder-0123456789"


def _require_services() -> bool:
    return os.environ.get("CONSENTRY_TEST_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a PostgreSQL URL, or the path of a migrated SQLite template file."""
    url = os.environ.get("CONSENTRY_TEST_DATABASE_URL")
    if url:
        db = Database(url)
        try:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        except OperationalError as exc:
            db.dispose()
            message = f"test database {url} is unreachable: {exc.orig}"
            if _require_services():
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        upgrade(db.engine)
        db.dispose()
        yield url
        return
    template = tmp_path_factory.mktemp("db") / "template.db"
    db = Database(f"sqlite:///{template}")
    upgrade(db.engine)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    yield str(template)


@pytest.fixture
def database(database_template: str, tmp_path: Path) -> Iterator[Database]:
    """A clean, migrated database for one test."""
    if database_template.startswith("postgresql"):
        db = Database(database_template)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    else:
        path = tmp_path / "consentry.db"
        shutil.copyfile(database_template, path)
        db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session on the test database; the test commits what it wants visible to others."""
    s = database.session()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def clock() -> FrozenClock:
    """A clock standing on a Monday morning (2026-01-05 15:00 UTC) until a test moves it."""
    return FrozenClock()


@pytest.fixture
def settings(database: Database) -> Settings:
    """Test settings on the test database."""
    return Settings(
        environment=Environment.TEST,
        secret_key=TEST_SECRET,
        database_url=database.url,
        seed_demo=False,
    )
