"""The web UI's Jinja2 environment (autoescaped templates shipped in the package)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from consentry.registration.calendar import REGISTRY_TZ

__all__ = ["templates", "when"]

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def when(value: datetime | None) -> str:
    """A time as the pages show it, in the registry's time zone."""
    if value is None:
        return ""
    return value.astimezone(REGISTRY_TZ).strftime("%b %-d, %Y %-I:%M %p ET")


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%a %b %-d, %Y")


def _money(cents: int | None) -> str:
    return f"${(cents or 0) / 100:,.2f}"


templates.env.filters["when"] = when
templates.env.filters["day"] = _day
templates.env.filters["money"] = _money
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
