"""The messaging pages over HTTP: numbers, inbox and thread (reply, refusals, live counter),
message log (filters, Older, CSV export) and consent evidence."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.consent.models import ConsentMethod
from consentry.consent.service import record_consent
from consentry.kit.clock import FrozenClock
from consentry.messaging.inbound import receive
from consentry.messaging.log_models import Conversation
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.registration.models import Application
from tests.messaging.builders import add_program, queue_message
from tests.support.builders import EXAMPLE_NUMBER
from tests.web.support import WebAccount, sign_in

HANDSET = "+15125559001"
DISCLOSURE = "Northside PT: appointment reminders. Msg & data rates may apply. Reply STOP to stop."


@pytest.fixture
def program(session: Session, customer: WebAccount) -> Application:
    return add_program(session, customer.account.id)


def _consent(session: Session, app: Application, clock: FrozenClock, phone: str = HANDSET) -> str:
    row = record_consent(
        session,
        account_id=app.account_id,
        application_id=app.id,
        phone=phone,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=DISCLOSURE,
        source={"ip": "203.0.113.9", "url": "https://northsidept.com/sms"},
        now=clock.now(),
    )
    session.commit()
    return row.id


def _inbound(session: Session, clock: FrozenClock, text: str, phone: str = HANDSET) -> Message:
    msg = receive(
        session,
        from_number=phone,
        to_number=EXAMPLE_NUMBER,
        text=text,
        carrier="loopback",
        carrier_message_id=None,
        now=clock.now(),
    )
    session.commit()
    return msg


def _thread_id(session: Session, phone: str = HANDSET) -> int:
    session.expire_all()
    row = session.scalar(select(Conversation).where(Conversation.remote_number == phone))
    assert row is not None
    return row.id


def test_customers_see_the_messaging_sections(web: TestClient, customer: WebAccount) -> None:
    sign_in(web, customer.email)
    page = web.get("/").text
    for label, href in [("Numbers", "/numbers"), ("Inbox", "/inbox"), ("Logs", "/logs")]:
        assert f'<a href="{href}">{label}</a>' in page
    assert '<a href="/consents">Consents</a>' in page


def test_numbers_say_whether_they_can_send_and_why(
    web: TestClient, session: Session, customer: WebAccount
) -> None:
    sign_in(web, customer.email)
    page = web.get("/numbers").text
    assert EXAMPLE_NUMBER in page and "Cannot send" in page
    app = add_program(session, customer.account.id)
    page = web.get("/numbers").text
    assert "Can send" in page and f"application {app.id}" in page and "approved" in page


def test_inbox_thread_marks_read_and_reply_is_sent(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    _consent(session, program, clock)
    _inbound(session, clock, "Can I move my appointment?")
    csrf = sign_in(web, customer.email)
    inbox = web.get("/inbox").text
    assert HANDSET in inbox and "1 unread" in inbox
    thread = _thread_id(session)
    page = web.get(f"/inbox/{thread}").text
    assert "Can I move my appointment?" in page and "Received" in page
    assert "1 unread" not in web.get("/inbox").text  # opening it read it
    sent = web.post(
        f"/inbox/{thread}/reply",
        data={"text": "Yes: call us at 512-555-0100.", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    session.expire_all()
    out = session.scalar(select(Message).where(Message.direction == Direction.OUTBOUND))
    assert out is not None and out.to_number == HANDSET and out.status is MessageStatus.QUEUED
    page = web.get(sent.headers["location"]).text
    assert "Yes: call us at 512-555-0100." in page and "queued" in page


def test_a_refused_reply_is_explained_and_keeps_the_text(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    _consent(session, program, clock)
    _inbound(session, clock, "STOP")
    csrf = sign_in(web, customer.email)
    thread = _thread_id(session)
    typed = "We miss you! Book again this week."
    refused = web.post(f"/inbox/{thread}/reply", data={"text": typed, "csrf_token": csrf})
    assert refused.status_code in (403, 409, 422)
    assert "RECIPIENT_OPTED_OUT" in refused.text and typed in refused.text
    assert 'role="alert"' in refused.text
    session.expire_all()
    outbound = session.scalars(
        select(Message).where(Message.direction == Direction.OUTBOUND, Message.text == typed)
    ).all()
    assert outbound == []


def test_reply_without_csrf_is_refused(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    _inbound(session, clock, "Hello")
    sign_in(web, customer.email)
    response = web.post(f"/inbox/{_thread_id(session)}/reply", data={"text": "hi"})
    assert response.status_code == 403


def test_another_tenants_thread_is_not_found(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    other_customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    _inbound(session, clock, "Hello")
    sign_in(web, other_customer.email)
    assert web.get(f"/inbox/{_thread_id(session)}").status_code == 404


def test_the_segment_counter(web: TestClient, customer: WebAccount) -> None:
    csrf = sign_in(web, customer.email)

    def counter(text: str) -> str:
        r = web.post("/messages/segments", data={"text": text}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200
        return r.text

    assert counter("x" * 40) == "GSM-7 · 1 segment · 120 left"
    assert counter("Hi 😀" + "x" * 70) == "UCS-2 because of ‘😀’ · 2 segments · 59 left"


def test_log_filters_older_and_csv(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    other_customer: WebAccount,
    clock: FrozenClock,
) -> None:
    for i in range(60):
        clock.advance(timedelta(seconds=1))
        queue_message(
            session,
            account_id=customer.account.id,
            to=HANDSET,
            now=clock.now(),
            text=f"Reminder number {i}",
        )
    queue_message(
        session, account_id=customer.account.id, to="+15125559002", now=clock.now(), text="Other"
    )
    sign_in(web, customer.email)
    page = web.get("/logs", params={"remote": HANDSET}).text
    assert "Reminder number 59" in page and "Other" not in page
    assert "Reminder number 9<" not in page and ">Older</a>" in page
    link = next(p for p in page.split('"') if p.startswith("/logs?") and "cursor=" in p)
    second = web.get(link.replace("&amp;", "&")).text
    assert "Reminder number 9<" in second and "Reminder number 59" not in second
    assert web.get("/logs", params={"q": "number 42"}).text.count("Reminder number") == 1
    bad = web.get("/logs", params={"direction": "sideways"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    export = web.get("/logs/export.csv", params={"remote": HANDSET})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert len(rows) == 61 and all(HANDSET in ",".join(r) for r in rows[1:])
    # The other tenant sees none of it, and the export needs a session.
    sign_in(web, other_customer.email)
    assert "Reminder number" not in web.get("/logs").text
    web.cookies.clear()
    assert web.get("/logs/export.csv", follow_redirects=False).status_code == 303


def test_consents_list_and_evidence(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    other_customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    consent_id = _consent(session, program, clock)
    sign_in(web, customer.email)
    page = web.get("/consents", params={"application_id": program.id}).text
    assert HANDSET in page and f'href="/consents/{consent_id}"' in page
    evidence = web.get(f"/consents/{consent_id}").text
    assert DISCLOSURE.replace("&", "&amp;") in evidence and "WEB_FORM" in evidence
    assert "203.0.113.9" in evidence
    from consentry.consent.service import disclosure_hash

    assert disclosure_hash(DISCLOSURE) in evidence
    sign_in(web, other_customer.email)
    assert web.get(f"/consents/{consent_id}").status_code == 404
