"""The messaging end of the journey in a real browser: an approved application and a consent;
open the inbox, reply (the live counter follows the text), the message is delivered through the
loopback carrier, the recipient texts STOP, and the next reply is refused with its explanation
beside the box. axe-core runs on every page visited, on a phone-sized screen.

Run: PYTHONPATH=src python -m pytest tests/web/test_browser_messaging.py
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.consent.models import ConsentMethod
from consentry.consent.service import record_consent
from consentry.kit.clock import SystemClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.inbound import receive
from consentry.messaging.models import Direction, Message, MessageStatus
from tests.messaging.builders import add_program, loopback_dispatcher
from tests.support.builders import EXAMPLE_NUMBER
from tests.web.live import chromium_path
from tests.web.support import make_user
from tests.web.test_browser import Visitor, browser, server

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="no system Chromium")

__all__ = ["browser", "server"]

HANDSET = "+15125559001"
DISCLOSURE = "Northside PT: appointment reminders. Msg & data rates may apply. Reply STOP to stop."


def _receive(database: Database, text: str) -> None:
    with database.transaction() as s:
        receive(
            s,
            from_number=HANDSET,
            to_number=EXAMPLE_NUMBER,
            text=text,
            carrier="loopback",
            carrier_message_id=None,
            now=SystemClock().now(),
        )


def _queued(session: Session) -> list[str]:
    """The outbound messages waiting for the dispatcher."""
    session.expire_all()
    return list(
        session.scalars(
            select(Message.id).where(
                Message.direction == Direction.OUTBOUND, Message.status == MessageStatus.QUEUED
            )
        )
    )


def test_reply_deliver_stop_refuse(
    browser: Any, server: str, session: Session, database: Database, settings: Settings
) -> None:
    customer = make_user(session, email="dana@northsidept.com", numbers=(EXAMPLE_NUMBER,))
    app = add_program(session, customer.account.id)
    consent = record_consent(
        session,
        account_id=app.account_id,
        application_id=app.id,
        phone=HANDSET,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=DISCLOSURE,
        source={"url": "https://northsidept.com/sms"},
        now=SystemClock().now(),
    )
    session.commit()
    _receive(database, "Is my appointment on Tuesday?")
    clock = SystemClock()
    dispatcher, carrier, reports = loopback_dispatcher(database, settings, clock)
    v = Visitor(browser, server, width=390, height=844)
    page = v.page
    try:
        v.sign_in(customer.email)
        v.goto("/numbers")
        expect(page.get_by_text("Can send")).to_be_visible()
        v.goto("/inbox")
        expect(page.get_by_text("1 unread")).to_be_visible()
        page.get_by_role("link", name=HANDSET).click()
        page.wait_for_url(re.compile(r"/inbox/\d+$"))
        v.audit()
        expect(page.get_by_text("Is my appointment on Tuesday?")).to_be_visible()

        # The counter follows the text as it is typed.
        box = page.get_by_label(f"Reply to {HANDSET}")
        counter = page.locator("#reply-counter")
        expect(counter).to_have_text("GSM-7 · 1 segment · 160 left")
        box.press_sequentially("Yes, Tuesday 10:00 ", delay=10)
        expect(counter).to_have_text("GSM-7 · 1 segment · 141 left")
        box.press_sequentially("😀")
        expect(counter).to_contain_text("UCS-2 because of ‘😀’ · 1 segment")
        v.audit()
        box.fill("Yes, Tuesday at 10:00. See you then! Reply STOP to opt out.")
        expect(counter).to_contain_text("GSM-7 · 1 segment")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("status")).to_contain_text("Sent")
        v.audit()
        expect(page.get_by_text("Yes, Tuesday at 10:00.")).to_be_visible()

        # The pipeline, in process: dispatched to the loopback carrier, the receipt applied.
        ids = _queued(session)
        assert len(ids) == 1
        assert dispatcher.dispatch(ids).sent == ids
        reports.wait_receipts(1)
        assert reports.apply(database, clock.now()) == 1
        page.reload()
        v.audit()
        sent = page.locator(".msg-out").last
        expect(sent).to_contain_text("delivered")

        # The recipient opts out.
        _receive(database, "STOP")
        page.reload()
        stop = page.locator(".msg-in .msg-text").filter(has_text=re.compile(r"^STOP$"))
        expect(stop).to_have_count(1)
        v.audit()

        typed = "We have an opening Friday, want it?"
        page.get_by_label(f"Reply to {HANDSET}").fill(typed)
        page.get_by_role("button", name="Send").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("RECIPIENT_OPTED_OUT")
        expect(alert).to_contain_text("Fix:")
        expect(page.get_by_label(f"Reply to {HANDSET}")).to_have_value(typed)
        v.audit()
        session.expire_all()
        assert session.scalar(select(Message.id).where(Message.text == typed)) is None

        v.goto("/logs?remote=" + HANDSET.replace("+", "%2B"))
        expect(page.get_by_text("Yes, Tuesday at 10:00.")).to_be_visible()
        v.goto("/consents")
        page.get_by_role("link", name=re.compile(re.escape(HANDSET))).click()
        page.wait_for_url(re.compile(rf"/consents/{consent.id}$"))
        v.audit()
        expect(page.get_by_text(consent.disclosure_sha256)).to_be_visible()
        assert v.violations == [], "\n".join(v.violations)
    finally:
        v.close()
        carrier.close()
