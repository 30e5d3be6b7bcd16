"""The hosted opt-in page in a real browser (Playwright driving the system Chromium against
uvicorn): a submission without the box records nothing, with it records the consent, and the
confirmation goes out through the loopback carrier. axe-core runs on every page.

Run: PYTHONPATH=src python -m pytest tests/web/test_optin_browser.py (skipped without Playwright
or Chromium; PostgreSQL when CONSENTRY_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.carriers.loopback.models import LoopbackSubmission
from consentry.consent.hosted import service as hosted
from consentry.consent.models import Consent, ConsentMethod, ConsentStatus
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.models import Message
from tests.messaging.builders import loopback_dispatcher
from tests.support.builders import EXAMPLE_NUMBER, make_tenant, own_number
from tests.support.messaging import approved
from tests.web.live import CHROMIUM_ARGS, axe_violations, chromium_path, live_server

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="no system Chromium")

PHONE = "+15125550177"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def server(database: Database, clock: FrozenClock) -> Iterator[str]:
    with live_server(database, clock) as url:
        yield url


def _consents(session: Session) -> list[Consent]:
    session.expire_all()
    return list(session.scalars(select(Consent)))


def _audit(page: Any, found: list[str]) -> None:
    page.wait_for_load_state("load")
    found.extend(axe_violations(page))
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if wide > 0:
        found.append(f"{page.url}: {wide}px wider than the viewport")


def test_opt_in_on_the_hosted_page(
    browser: Any,
    server: str,
    session: Session,
    database: Database,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    customer = make_tenant(session, name="Northside Physical Therapy")
    own_number(session, customer, EXAMPLE_NUMBER)
    reviewer = make_tenant(session, name="Provider Review Desk", role=Role.REVIEWER)
    program = approved(session, customer, reviewer, clock, settings)
    page_row = hosted.enable_page(session, customer.principal, program.id, double_opt_in=False)
    session.commit()

    violations: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{server}/optin/{page_row.slug}")
        _audit(page, violations)
        box = page.get_by_role("checkbox")
        expect(box).not_to_be_checked()
        expect(page.get_by_role("link", name="Privacy Policy")).to_be_visible()

        # Without the box: refused, nothing recorded.
        page.get_by_label("Mobile number", exact=True).fill("(512) 555-0177")
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_role("alert")).to_contain_text("Check the box")
        _audit(page, violations)
        assert _consents(session) == []

        # With it: recorded, confirmed.
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_role("status")).to_contain_text("You are signed up")
        _audit(page, violations)
        assert violations == []
    finally:
        context.close()

    [consent] = _consents(session)
    assert consent.phone == PHONE and consent.method is ConsentMethod.WEB_FORM
    assert consent.status is ConsentStatus.ACTIVE
    assert "Chrome" in consent.source["user_agent"] and consent.source["ip"] == "127.0.0.1"
    [sms] = session.scalars(select(Message).where(Message.origin == hosted.ORIGIN)).all()

    dispatcher, carrier, _reports = loopback_dispatcher(database, settings, clock)
    try:
        result = dispatcher.dispatch([sms.id])
    finally:
        carrier.close()
    assert result.sent == [sms.id]
    session.expire_all()
    [record] = session.scalars(
        select(LoopbackSubmission).where(LoopbackSubmission.message_id == sms.id)
    ).all()
    assert record.to_number == PHONE and record.from_number == EXAMPLE_NUMBER
    assert record.text == sms.text and "STOP" in record.text
