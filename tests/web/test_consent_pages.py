"""The consent pages over HTTP: a double opt-in's status (pending with its deadline, expired and
why), its history and the texts sent for it with their delivery status, and the status filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.consent.models import Consent, ConsentEventAction, ConsentMethod, ConsentStatus
from consentry.consent.service import (
    expire_consent,
    expire_pending_consents,
    record_consent,
    record_event,
)
from consentry.kit.clock import FrozenClock
from consentry.messaging.models import Message, MessageStatus
from consentry.registration.models import Application
from consentry.web.templating import when
from tests.messaging.builders import add_program, queue_message
from tests.web.support import WebAccount, sign_in

HANDSET = "+15125559001"
DISCLOSURE = "Northside PT: appointment reminders. Msg & data rates may apply. Reply STOP to stop."
ASK = "Northside PT: reply YES to confirm appointment reminders. Msg & data rates may apply."


@pytest.fixture
def program(session: Session, customer: WebAccount) -> Application:
    return add_program(session, customer.account.id)


def _double_opt_in(
    session: Session, app: Application, clock: FrozenClock, phone: str = HANDSET
) -> tuple[Consent, Message]:
    """A pending consent with its 72-hour deadline and the YES request queued for it, as the
    hosted opt-in page leaves them."""
    consent = record_consent(
        session,
        account_id=app.account_id,
        application_id=app.id,
        phone=phone,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=DISCLOSURE,
        source={"form_id": "optin:northside", "ip": "203.0.113.9"},
        now=clock.now(),
        status=ConsentStatus.PENDING,
        expires_at=clock.now() + timedelta(hours=72),
    )
    ask = queue_message(
        session,
        account_id=app.account_id,
        to=phone,
        now=clock.now(),
        text=ASK,
        application_id=app.id,
        commit=False,
    )
    record_event(
        session,
        consent,
        ConsentEventAction.CONFIRMATION_REQUESTED,
        at=clock.now(),
        message_id=ask.id,
        details={"text": ASK},
    )
    session.commit()
    return consent, ask


def test_pending_consent_shows_its_deadline_and_the_request_with_its_delivery(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    consent, ask = _double_opt_in(session, program, clock)
    ask.status, ask.sent_at, ask.done_at = MessageStatus.DELIVERED, clock.now(), clock.now()
    session.commit()
    deadline = consent.expires_at
    assert deadline is not None
    sign_in(web, customer.email)

    page = web.get(f"/consents/{consent.id}")
    assert page.status_code == 200
    html = page.text
    assert 'class="badge badge-pending">Pending<' in html
    assert f"Waiting for the YES reply until {when(deadline)}." in html
    assert "Awaiting the reply until" in html
    # The request: its text, message id and delivery status as it stands now.
    assert '<h2 id="texts-h">Texts sent for this consent</h2>' in html
    assert ASK.replace("&", "&amp;") in html and ask.id in html
    assert "Double opt-in request" in html
    assert '<span class="msg-status status-delivered">delivered</span>' in html
    # The history, with the message that carried each step.
    assert '<h2 id="history-h">History</h2>' in html
    assert "Double opt-in request queued" in html
    assert '<th scope="col">Delivery status</th>' in html

    # Past the deadline but before the periodic task runs, the page says what comes next.
    clock.advance(hours=73)
    html = web.get(f"/consents/{consent.id}").text
    assert f"The YES reply did not come by {when(deadline)}" in html


def test_expired_consent_shows_when_and_why(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    consent, ask = _double_opt_in(session, program, clock)
    ask.status, ask.error_code = MessageStatus.FAILED, "30006"
    session.commit()
    deadline = consent.expires_at
    assert deadline is not None
    clock.advance(hours=73)
    assert expire_pending_consents(session, now=clock.now()) == 1
    session.commit()
    sign_in(web, customer.email)

    html = web.get(f"/consents/{consent.id}").text
    assert 'class="badge badge-expired">Expired<' in html
    assert f"Expired {when(clock.now())}: no YES reply by the deadline." in html
    assert f"The deadline was {when(deadline)}." in html
    assert "Reply deadline" in html and "Awaiting the reply until" not in html
    assert '<span class="msg-status status-failed">failed</span>' in html and "30006" in html
    history = html[html.index('id="history-h"') :]
    assert history.index("Double opt-in request queued") < history.index('event-expired"')
    assert f"no YES reply by the deadline; deadline {when(deadline)}" in history

    # The printable evidence is one click away for the signed-in user.
    printable = web.get(f"/consents/{consent.id}/evidence.html")
    assert printable.status_code == 200 and "Consent evidence" in printable.text


def test_superseded_request_says_a_newer_sign_up_replaced_it(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    first, _ = _double_opt_in(session, program, clock)
    clock.advance(hours=1)
    expire_consent(session, first, now=clock.now(), reason="superseded")
    session.commit()
    sign_in(web, customer.email)
    html = web.get(f"/consents/{first.id}").text
    assert f"Expired {when(clock.now())}: a newer sign-up replaced it." in html
    assert "The deadline was" not in html


def test_consent_list_shows_and_filters_pending_and_expired(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    other_customer: WebAccount,
    program: Application,
    clock: FrozenClock,
) -> None:
    lapsed, _ = _double_opt_in(session, program, clock, phone="+15125559002")
    clock.advance(hours=73)
    expire_pending_consents(session, now=clock.now())
    expired_at = clock.now()
    waiting, _ = _double_opt_in(session, program, clock, phone="+15125559003")
    active = record_consent(
        session,
        account_id=program.account_id,
        application_id=program.id,
        phone=HANDSET,
        method=ConsentMethod.PAPER_FORM,
        disclosure_text=DISCLOSURE,
        source={},
        now=clock.now(),
    )
    session.commit()
    assert waiting.expires_at is not None
    sign_in(web, customer.email)

    everything = web.get("/consents").text
    for row in (lapsed, waiting, active):
        assert f'href="/consents/{row.id}"' in everything
    assert f"until {when(waiting.expires_at)}" in everything
    assert when(expired_at) in everything
    assert '<label for="c-status">Status</label>' in everything
    assert '<option value="expired">expired</option>' in everything

    pending = web.get("/consents", params={"status": "pending"}).text
    assert f'href="/consents/{waiting.id}"' in pending
    assert lapsed.id not in pending and active.id not in pending
    assert '<option value="pending" selected>' in pending

    expired = web.get("/consents", params={"status": "expired", "application_id": program.id})
    assert f'href="/consents/{lapsed.id}"' in expired.text
    assert waiting.id not in expired.text and active.id not in expired.text

    unknown = web.get("/consents", params={"status": "lapsed"})
    assert unknown.status_code == 200 and 'role="alert"' in unknown.text
    assert all(f'href="/consents/{r.id}"' in unknown.text for r in (lapsed, waiting, active))

    sign_in(web, other_customer.email)
    assert lapsed.id not in web.get("/consents", params={"status": "expired"}).text
    assert web.get(f"/consents/{lapsed.id}").status_code == 404
    assert web.get(f"/consents/{lapsed.id}/evidence.html").status_code == 404
