"""The expected decision window: 15..20 US business days, federal holidays excluded."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from consentry.cli import main
from consentry.registration.calendar import (
    add_business_days,
    decision_window,
    is_business_day,
    submission_date,
)


@pytest.mark.parametrize(
    ("submitted", "earliest", "latest"),
    [
        # Thanksgiving (Thu 2026-11-26) is excluded; the Friday after is a business day.
        ("2026-11-20", "2026-12-14", "2026-12-21"),
        # Christmas (Fri 2026-12-25) and New Year's Day (Fri 2027-01-01) are both excluded.
        ("2026-12-10", "2027-01-04", "2027-01-11"),
        # Independence Day falls on a Saturday in 2026: the observed Friday 07-03 is excluded.
        ("2026-06-26", "2026-07-20", "2026-07-27"),
        # A weekend submission counts from the Monday.
        ("2026-03-07", "2026-03-27", "2026-04-03"),
    ],
)
def test_decision_window(submitted: str, earliest: str, latest: str) -> None:
    window = decision_window(date.fromisoformat(submitted))
    assert window.to_dict() == {"earliest": earliest, "latest": latest}


def test_holidays_and_weekends_are_not_business_days() -> None:
    assert not is_business_day(date(2026, 11, 26))  # Thanksgiving
    assert is_business_day(date(2026, 11, 27))
    assert not is_business_day(date(2026, 12, 25))
    assert not is_business_day(date(2027, 1, 1))
    assert not is_business_day(date(2026, 7, 3))  # Independence Day observed
    assert not is_business_day(date(2026, 11, 21))  # Saturday
    assert add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)


def test_a_late_evening_submission_is_dated_in_eastern_time() -> None:
    assert submission_date(datetime(2026, 11, 21, 2, 0, tzinfo=UTC)) == date(2026, 11, 20)


def test_cli_timeline() -> None:
    result = CliRunner().invoke(main, ["timeline", "--submitted", "2026-11-20"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"earliest": "2026-12-14", "latest": "2026-12-21"}


@pytest.mark.parametrize("bad", ["2026-13-01", "20/11/2026", "tomorrow"])
def test_cli_timeline_refuses_a_bad_date(bad: str) -> None:
    result = CliRunner().invoke(main, ["timeline", "--submitted", bad])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr
