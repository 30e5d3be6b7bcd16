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
from tests.support.builders import Tenant, make_tenant, own_number
from tests.support.database import clock, database, database_template, session, settings

__all__ = ["clock", "database", "database_template", "session", "settings"]


@pytest.fixture
def client(settings: Settings, clock: FrozenClock, database: Database) -> Iterator[TestClient]:
    """The API on the test database; server errors come back as responses, not exceptions."""
    app = create_app(settings, clock, database)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def customer(session: Session) -> Tenant:
    """A customer owning the number the bundled example lists, so it can submit it."""
    tenant = make_tenant(session, name="Northside Physical Therapy")
    own_number(session, tenant)
    return tenant


@pytest.fixture
def other_customer(session: Session) -> Tenant:
    return make_tenant(session, name="Elsewhere Dental")


@pytest.fixture
def reviewer(session: Session) -> Tenant:
    return make_tenant(session, name="Provider Review Desk", role=Role.REVIEWER)
