"""The consent pages in a real browser: a pending double opt-in and an expired one, with the
YES request and its delivery status; filter the list by status, open each record. axe-core
runs on every page, on a phone-sized and a desktop screen.

Run: PYTHONPATH=src python -m pytest tests/web/test_browser_consent.py
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from consentry.consent.models import ConsentEventAction, ConsentMethod, ConsentStatus
from consentry.consent.service import expire_pending_consents, record_consent, record_event
from consentry.kit.clock import SystemClock
from consentry.messaging.models import MessageStatus
from tests.messaging.builders import add_program, queue_message
from tests.support.builders import EXAMPLE_NUMBER
from tests.web.live import chromium_path
from tests.web.support import make_user
from tests.web.test_browser import Visitor, browser, server

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="no system Chromium")

__all__ = ["browser", "server"]

DISCLOSURE = "Northside PT: appointment reminders. Msg & data rates may apply. Reply STOP to stop."
ASK = "Northside PT: reply YES to confirm appointment reminders. Msg & data rates may apply."


def _double_opt_in(session: Session, account_id: str, app_id: str, phone: str, hours: int) -> str:
    """A pending consent whose deadline is `hours` from now, with its YES request delivered."""
    now = SystemClock().now()
    consent = record_consent(
        session,
        account_id=account_id,
        application_id=app_id,
        phone=phone,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=DISCLOSURE,
        source={"form_id": "optin:northside", "url": "https://northsidept.com/sms"},
        now=now - timedelta(hours=1),
        status=ConsentStatus.PENDING,
        expires_at=now + timedelta(hours=hours),
    )
    ask = queue_message(
        session,
        account_id=account_id,
        to=phone,
        now=now,
        text=ASK,
        application_id=app_id,
        commit=False,
    )
    ask.status, ask.sent_at, ask.done_at = MessageStatus.DELIVERED, now, now
    record_event(
        session,
        consent,
        ConsentEventAction.CONFIRMATION_REQUESTED,
        at=now - timedelta(hours=1),
        message_id=ask.id,
        details={"text": ASK},
    )
    session.commit()
    return consent.id


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_pending_and_expired_consents(
    browser: Any, server: str, session: Session, size: tuple[int, int]
) -> None:
    customer = make_user(session, email="dana@northsidept.com", numbers=(EXAMPLE_NUMBER,))
    app = add_program(session, customer.account.id)
    waiting = _double_opt_in(session, app.account_id, app.id, "+15125559001", hours=72)
    lapsed = _double_opt_in(session, app.account_id, app.id, "+15125559002", hours=-1)
    assert expire_pending_consents(session, now=SystemClock().now()) == 1
    session.commit()

    v = Visitor(browser, server, *size)
    page = v.page
    try:
        v.sign_in(customer.email)
        v.goto("/consents")
        page.get_by_label("Status").select_option("expired")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"status=expired"))
        v.audit()
        expect(page.get_by_role("link", name=re.compile(r"\+15125559001"))).to_have_count(0)
        page.get_by_role("link", name=re.compile(r"\+15125559002")).click()
        page.wait_for_url(re.compile(rf"/consents/{lapsed}$"))
        v.audit()
        expect(page.get_by_role("heading", name="Status")).to_be_visible()
        expect(page.get_by_text("no YES reply by the deadline.")).to_be_visible()
        texts = page.get_by_role("table", name=re.compile("confirmation texts"))
        expect(texts.get_by_text("delivered")).to_be_visible()
        history = page.get_by_role("table", name=re.compile("What happened"))
        expect(history.get_by_role("cell", name=re.compile(r"(^|: )Expired$"))).to_be_visible()

        v.goto("/consents?status=pending")
        page.get_by_role("link", name=re.compile(r"\+15125559001")).click()
        page.wait_for_url(re.compile(rf"/consents/{waiting}$"))
        v.audit()
        expect(page.get_by_text("Waiting for the YES reply until")).to_be_visible()
        expect(page.get_by_text(ASK)).to_be_visible()
        assert v.violations == [], "\n".join(v.violations)
    finally:
        v.close()
