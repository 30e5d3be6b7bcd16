"""Database plumbing: one typed declarative base, the engine and session factories, transactions.

SQLite (the default) runs with WAL, foreign keys ON and a busy timeout; PostgreSQL is reached
through psycopg 3 (`postgresql+psycopg://...`). Services only flush; the request or task wrapper
(`Database.transaction()` / the API's session dependency) commits or rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Engine,
    Enum,
    Integer,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

__all__ = [
    "INT_PK",
    "NAMING_CONVENTION",
    "Base",
    "Database",
    "JSONType",
    "TimestampMixin",
    "UTCDateTime",
    "append_only",
    "create_db_engine",
    "str_enum",
    "utcnow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000

# An auto-incrementing integer key: BIGINT on PostgreSQL; SQLite autoincrements INTEGER only.
INT_PK = BigInteger().with_variant(Integer(), "sqlite")

# JSON on SQLite, JSONB on PostgreSQL; the same Python values either way.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def str_enum(cls: type[StrEnum], length: int = 20) -> Enum:
    """A StrEnum stored as its value in a plain VARCHAR (same on SQLite and PostgreSQL)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    """Wall-clock fallback for row timestamps; lifecycle times come from the injected Clock."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The one declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[str]: JSONType,
    }


class TimestampMixin:
    """created_at / updated_at on a row."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def create_db_engine(url: str, *, echo: bool = False, sqlite_pool: bool = False) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    SQLite connections are opened per use unless `sqlite_pool` keeps a few open: a long-running
    process (the server, a worker) saves the open/close (and the WAL checkpoint a last close
    runs) on every transaction.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if parsed.database in (None, "", ":memory:"):
            raise ValueError("use a SQLite file, not an in-memory database (it is per connection)")
        if not sqlite_pool:
            kwargs["poolclass"] = NullPool
        else:
            kwargs.update(pool_size=8, max_overflow=16)
        engine = create_engine(url, echo=echo, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        # psycopg 3 is the project's driver; plain postgresql:// would try psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str, *, echo: bool = False, sqlite_pool: bool = False) -> None:
        self.url = url
        self.engine = create_db_engine(url, echo=echo, sqlite_pool=sqlite_pool)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def session(self) -> Session:
        """A new session; the caller owns its transaction."""
        return self.sessionmaker()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any exception."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def append_only(model: type[Any], refuse: Callable[[Any], Exception]) -> None:
    """Make rows of `model` immutable in the ORM: updating or deleting one raises
    `refuse(row)` (an audit trail is appended to, never rewritten)."""

    def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
        raise refuse(target)

    event.listen(model, "before_update", _refuse_change)
    event.listen(model, "before_delete", _refuse_change)
