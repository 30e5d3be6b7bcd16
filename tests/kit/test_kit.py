"""Settings, clock, database plumbing, pagination cursors and log masking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from consentry.kit.clock import Clock, FrozenClock, SystemClock
from consentry.kit.db import Database
from consentry.kit.errors import Invalid
from consentry.kit.logging import mask_phone_numbers
from consentry.kit.pagination import decode_cursor, encode_cursor
from consentry.kit.settings import Environment, Settings


def test_placeholder_secret_is_refused_outside_dev() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment=Environment.PROD, secret_key="change-me")
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment=Environment.TEST)


def test_dev_runs_with_the_default_secret_and_sqlite() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.environment is Environment.DEV
    assert settings.database_url.startswith("sqlite:///")


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_FINE_SCHEDULE", '{"3": 2500}')
    monkeypatch.setenv("CONSENTRY_ENVIRONMENT", "prod")
    monkeypatch.setenv("CONSENTRY_SECRET_KEY", "a-long-random-value-0123456789")
    settings = Settings()
    assert settings.fine_schedule == {3: 2500}
    assert settings.environment is Environment.PROD


def test_clocks_tell_aware_utc_time() -> None:
    assert isinstance(SystemClock(), Clock)
    assert SystemClock().now().tzinfo is not None
    frozen = FrozenClock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    assert frozen.now() == frozen.now()
    assert frozen.advance(days=5) == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        frozen.advance(timedelta(seconds=-1))


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(database: Database) -> None:
    if database.dialect != "sqlite":
        pytest.skip("SQLite pragmas")
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        Database("sqlite:///:memory:")


def test_plain_postgresql_urls_use_psycopg3() -> None:
    db = Database("postgresql://postgres@127.0.0.1:5432/test")
    assert db.engine.url.drivername == "postgresql+psycopg"
    db.dispose()


def test_timestamps_come_back_aware(database: Database) -> None:
    from consentry.accounts.models import Account, AccountKind

    when = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    with database.transaction() as s:
        s.add(
            Account(
                id="acc_t",
                name="T",
                kind=AccountKind.PROVIDER,
                path="/acc_t/",
                created_at=when,
                updated_at=when,
            )
        )
    with database.transaction() as s:
        account = s.get(Account, "acc_t")
        assert account is not None
        assert account.created_at == when and account.created_at.tzinfo is not None
        assert account.kind is AccountKind.PROVIDER


def test_transaction_rolls_back_on_error(database: Database) -> None:
    from consentry.accounts.models import Account, AccountKind

    with pytest.raises(RuntimeError), database.transaction() as s:
        s.add(Account(id="acc_r", name="R", kind=AccountKind.PROVIDER, path="/acc_r/"))
        s.flush()
        raise RuntimeError("boom")
    with database.transaction() as s:
        assert s.get(Account, "acc_r") is None


def test_cursor_round_trip_and_damaged_cursor() -> None:
    assert decode_cursor(encode_cursor(42)) == 42
    assert decode_cursor(encode_cursor("app_x")) == "app_x"
    with pytest.raises(Invalid) as err:
        decode_cursor("not-a-cursor!!")
    assert err.value.code == "INVALID_CURSOR"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("call +15125550123 now", "call +1***0123 now"),
        ("from (512) 555-0100", "from ***0100"),
        ("order 12345 shipped", "order 12345 shipped"),
    ],
)
def test_phone_numbers_are_masked_in_logs(raw: str, masked: str) -> None:
    assert mask_phone_numbers(raw) == masked
