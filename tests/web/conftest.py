from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.api.app import create_app
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from tests.support.builders import EXAMPLE_NUMBER
from tests.support.database import clock, database, database_template, session, settings
from tests.web.support import WebAccount, make_user

__all__ = ["clock", "database", "database_template", "session", "settings"]


@pytest.fixture
def web(settings: Settings, clock: FrozenClock, database: Database) -> Iterator[TestClient]:
    """The app over HTTPS (the session cookie is Secure outside development)."""
    app = create_app(settings, clock, database)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def customer(session: Session) -> WebAccount:
    return make_user(session, email="dana@northsidept.com", numbers=(EXAMPLE_NUMBER,))


@pytest.fixture
def other_customer(session: Session) -> WebAccount:
    return make_user(session, email="lee@elsewhere-dental.com", name="Elsewhere Dental")


@pytest.fixture
def reviewer(session: Session) -> WebAccount:
    return make_user(session, email="rev@provider.example", role=Role.REVIEWER, name="Provider")


@pytest.fixture
def second_client(
    settings: Settings, clock: FrozenClock, database: Database
) -> Iterator[TestClient]:
    """Another browser on the same app (the reviewer's, say)."""
    app = create_app(settings, clock, database)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c
