"""`consentry serve` seeds a demo on an empty database, once."""

from __future__ import annotations

from consentry.accounts.service import authenticate
from consentry.cli.server import _seed_demo
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.registration.models import ApplicationStatus
from consentry.registration.service import get_application


def test_seed_demo_once(database: Database) -> None:
    seed = _seed_demo(database)
    assert seed is not None
    assert _seed_demo(database) is None
    with database.transaction() as s:
        customer = authenticate(s, token=seed["customer_key"], clock=FrozenClock())
        reviewer = authenticate(s, token=seed["reviewer_key"], clock=FrozenClock())
        assert reviewer.is_staff and not customer.is_staff
        app = get_application(s, customer, seed["application_id"])
        assert app.status is ApplicationStatus.DRAFT
        assert app.business["legal_name"] == "Northside Physical Therapy LLC"
