"""US business days and the expected decision window (15..20 business days after submission).

Weekends and US federal holidays (observed dates) are not business days. A submission is
dated in US Eastern time, where the registries work.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "REGISTRY_TZ",
    "DecisionWindow",
    "add_business_days",
    "decision_window",
    "is_business_day",
    "submission_date",
]

REGISTRY_TZ = ZoneInfo("America/New_York")


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year, observed=True).keys())


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a US federal holiday (observed)."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(start: date, count: int) -> date:
    """The `count`-th business day after `start` (start itself is not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    while count:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def submission_date(at: datetime) -> date:
    """The registry's calendar date of a submission instant."""
    return at.astimezone(REGISTRY_TZ).date()


class DecisionWindow(tuple[date, date]):
    """(earliest, latest) expected decision dates."""

    @property
    def earliest(self) -> date:
        return self[0]

    @property
    def latest(self) -> date:
        return self[1]

    def to_dict(self) -> dict[str, str]:
        """{"earliest": ISO date, "latest": ISO date}."""
        return {"earliest": self[0].isoformat(), "latest": self[1].isoformat()}


def decision_window(submitted: date, *, min_days: int = 15, max_days: int = 20) -> DecisionWindow:
    """The expected decision window for a submission on `submitted`."""
    earliest = add_business_days(submitted, min_days)
    latest = add_business_days(earliest, max_days - min_days)
    return DecisionWindow((earliest, latest))
