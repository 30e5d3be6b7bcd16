from __future__ import annotations

from pathlib import Path

import pytest

from consentry.kit.settings import Settings
from tests.api.conftest import client, customer, other_customer, reviewer
from tests.support.database import clock, database, database_template, session, settings

__all__ = [
    "client",
    "clock",
    "customer",
    "database",
    "database_template",
    "other_customer",
    "reviewer",
    "session",
    "settings",
]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Settings, tmp_path: Path) -> None:
    """Uploaded media goes to the test's own directory."""
    settings.media_dir = str(tmp_path / "media")
