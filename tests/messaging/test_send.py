"""POST /api/v1/messages: every refusal code, both ways, and what an accepted message carries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.consent.service import end_opt_outs, record_opt_out
from consentry.kit.clock import FrozenClock
from consentry.kit.settings import Settings
from consentry.messaging import outbox
from consentry.messaging.delivery_models import WebhookDelivery
from consentry.messaging.models import Message, MessageEvent
from consentry.registration.models import Application as ApplicationRow
from tests.support.builders import EXAMPLE_NUMBER, Tenant, make_tenant, own_number
from tests.support.messaging import (
    RECIPIENT,
    approved,
    consent,
    inbound,
    submitted,
    with_temporary_registration,
)

GREETING = "Northside PT: your appointment is Tue 3pm. Reply STOP to opt out."


@pytest.fixture
def app_row(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> ApplicationRow:
    """An approved application listing the customer's number, and consent from RECIPIENT."""
    row = approved(session, customer, reviewer, clock, settings)
    consent(session, row, now=clock.now())
    return row


def _send(client: TestClient, tenant: Tenant, **body: Any) -> Any:
    payload: dict[str, Any] = {"from": EXAMPLE_NUMBER, "to": RECIPIENT, "text": GREETING}
    payload.update(body)
    headers = dict(tenant.headers)
    key = payload.pop("_key", None)
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/messages", json=payload, headers=headers)


def _code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_accepted_message_is_queued_with_segments_and_encoding(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, session: Session
) -> None:
    sent = _send(client, customer)
    assert sent.status_code == 202, sent.text
    body = sent.json()
    assert body["status"] == "queued"
    assert (body["from"], body["to"], body["direction"]) == (EXAMPLE_NUMBER, RECIPIENT, "outbound")
    assert (body["segments"], body["encoding"]) == (1, "GSM-7")
    stored = session.get(Message, body["id"])
    assert stored is not None and stored.application_id == app_row.id
    assert "application_id" not in body  # the read shape is spec/interfaces.md's, exactly
    read = client.get(f"/api/v1/messages/{body['id']}", headers=customer.headers)
    assert read.status_code == 200
    assert set(read.json()) >= {
        "id", "direction", "from", "to", "text", "media", "status", "segments", "encoding",
        "error_code", "created_at", "updated_at",
    }  # fmt: skip
    events = session.scalars(select(MessageEvent).where(MessageEvent.message_id == body["id"]))
    assert [e.status for e in events] == ["queued"]


@pytest.mark.parametrize(
    ("text", "segments", "encoding"),
    [
        ("a" * 160, 1, "GSM-7"),
        ("a" * 161, 2, "GSM-7"),
        ("{" * 80, 1, "GSM-7"),  # extension table: two septets each
        ("{" * 81, 2, "GSM-7"),
        ("é" * 160, 1, "GSM-7"),  # é is in the basic table
        ("ê" + "a" * 69, 1, "UCS-2"),
        ("ê" + "a" * 70, 2, "UCS-2"),
        ("a" * 153 * 3, 3, "GSM-7"),
    ],
)
def test_segments_and_encoding_in_the_response(
    client: TestClient,
    customer: Tenant,
    app_row: ApplicationRow,
    text: str,
    segments: int,
    encoding: str,
) -> None:
    sent = _send(client, customer, text=text)
    assert sent.status_code == 202, sent.text
    assert (sent.json()["segments"], sent.json()["encoding"]) == (segments, encoding)


@pytest.fixture
def dispatched() -> Iterator[list[str]]:
    ids: list[str] = []
    outbox.set_dispatcher(ids.extend)
    yield ids
    outbox.set_dispatcher(None)


def test_the_queue_hears_of_a_message_only_after_commit(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, dispatched: list[str]
) -> None:
    sent = _send(client, customer)
    assert dispatched == [sent.json()["id"]]
    refused = _send(client, customer, to="+15125550188")  # no consent: nothing enqueued
    assert refused.status_code == 403
    assert dispatched == [sent.json()["id"]]


# -- the sender ----------------------------------------------------------------------------------


def test_a_number_of_another_account_is_not_found(
    client: TestClient, customer: Tenant, other_customer: Tenant, app_row: ApplicationRow
) -> None:
    refused = _send(client, other_customer)
    assert refused.status_code == 404
    assert _code(refused) == "NUMBER_NOT_FOUND"
    assert _send(client, customer).status_code == 202


def test_an_invalid_sender_number(
    client: TestClient, customer: Tenant, app_row: ApplicationRow
) -> None:
    refused = _send(client, customer, **{"from": "12345"})
    assert (refused.status_code, _code(refused)) == (422, "NUMBER_INVALID")


def test_sender_not_registered_until_approved_or_temporary(
    client: TestClient,
    session: Session,
    customer: Tenant,
    reviewer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    row = submitted(session, customer, clock, settings)
    consent(session, row, now=clock.now())
    refused = _send(client, customer)
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "SENDER_NOT_REGISTERED"
    assert row.id in error["message"] and "temporary-registration" in error["fix"]

    with_temporary_registration(session, customer, reviewer, clock, settings, row)
    assert _send(client, customer).status_code == 202

    clock.advance(days=31)  # the temporary registration has expired
    again = _send(client, customer)
    assert (again.status_code, _code(again)) == (403, "SENDER_NOT_REGISTERED")


def test_an_owned_number_no_application_lists(
    client: TestClient, session: Session, customer: Tenant, app_row: ApplicationRow
) -> None:
    own_number(session, customer, "+12125550123")
    refused = _send(client, customer, **{"from": "+12125550123"})
    assert _code(refused) == "SENDER_NOT_REGISTERED"
    assert "no application lists" in refused.json()["error"]["message"]


# -- the recipient -------------------------------------------------------------------------------


def test_recipient_invalid(client: TestClient, customer: Tenant, app_row: ApplicationRow) -> None:
    for bad in ("+1555", "not a number", "+442071838750"):
        refused = _send(client, customer, to=bad)
        assert (refused.status_code, _code(refused)) == (422, "RECIPIENT_INVALID"), bad
    assert _send(client, customer, to="(512) 555-0199").json()["to"] == RECIPIENT


@pytest.mark.parametrize("scope", ["program", "account"])
def test_recipient_opted_out_and_back_in(
    client: TestClient,
    session: Session,
    customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
    scope: str,
) -> None:
    app_id = app_row.id if scope == "program" else None
    record_opt_out(
        session,
        account_id=customer.account.id,
        application_id=app_id,
        phone=RECIPIENT,
        keyword="STOP",
        now=clock.now(),
    )
    session.commit()
    refused = _send(client, customer)
    assert (refused.status_code, _code(refused)) == (403, "RECIPIENT_OPTED_OUT")
    end_opt_outs(
        session,
        account_id=customer.account.id,
        application_id=app_row.id,
        phone=RECIPIENT,
        now=clock.now(),
    )
    session.commit()
    assert _send(client, customer).status_code == 202


def test_another_programs_opt_out_does_not_block(
    client: TestClient,
    session: Session,
    customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    other = submitted(session, customer, clock, settings, number="+12125550123")
    record_opt_out(
        session,
        account_id=customer.account.id,
        application_id=other.id,
        phone=RECIPIENT,
        keyword="STOP",
        now=clock.now(),
    )
    session.commit()
    assert _send(client, customer).status_code == 202


def test_consent_missing_unless_the_recipient_started_a_conversation(
    client: TestClient,
    session: Session,
    customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
) -> None:
    stranger = "+15125550177"
    refused = _send(client, customer, to=stranger)
    assert (refused.status_code, _code(refused)) == (403, "CONSENT_MISSING")
    assert "/api/v1/consents" in refused.json()["error"]["fix"]

    inbound(session, customer, from_=stranger, at=clock.now() - timedelta(hours=2))
    assert _send(client, customer, to=stranger, text="Yes, 4pm works.").status_code == 202

    clock.advance(hours=23)  # 25 hours after the recipient's text: the window has closed
    late = _send(client, customer, to=stranger, text="Following up.")
    assert _code(late) == "CONSENT_MISSING"


def test_consent_to_another_application_does_not_count(
    client: TestClient,
    session: Session,
    customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    other = submitted(session, customer, clock, settings, number="+12125550123")
    consent(session, other, "+15125550166", now=clock.now())
    assert _code(_send(client, customer, to="+15125550166")) == "CONSENT_MISSING"


# -- the message ---------------------------------------------------------------------------------


def test_empty_and_too_long(client: TestClient, customer: Tenant, app_row: ApplicationRow) -> None:
    empty = _send(client, customer, text="   ")
    assert (empty.status_code, _code(empty)) == (422, "MESSAGE_EMPTY")
    long = _send(client, customer, text="a" * 1601)
    assert (long.status_code, _code(long)) == (422, "MESSAGE_TOO_LONG")
    longest = _send(client, customer, text="a" * 1600)
    assert longest.status_code == 202
    assert longest.json()["segments"] == 11


@pytest.mark.parametrize(
    "text",
    [
        "Northside PT: 20% off CBD gummies this week!",
        "Northside PT: need cash fast? Get a payday loan today.",
        "Northside PT: we share your info with our partners who will contact you with offers.",
        "Northside PT: cold beer and wine 50% off tonight!",
    ],
)
def test_content_prohibited(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, text: str
) -> None:
    refused = _send(client, customer, text=text)
    assert (refused.status_code, _code(refused)) == (422, "CONTENT_PROHIBITED"), refused.text
    findings = refused.json()["error"]["details"]["findings"]
    assert findings and findings[0]["rule"].startswith("CT-")


def test_public_url_shortener(
    client: TestClient, customer: Tenant, app_row: ApplicationRow
) -> None:
    refused = _send(client, customer, text="Northside PT: book at https://bit.ly/3xYz12 today.")
    assert (refused.status_code, _code(refused)) == (422, "CONTENT_URL_SHORTENER")
    own = _send(client, customer, text="Northside PT: book at https://northsidept.com/book today.")
    assert own.status_code == 202, own.text


@pytest.mark.parametrize(
    ("utc", "allowed"),
    [
        (datetime(2026, 1, 5, 13, 59, tzinfo=UTC), False),  # 07:59 in Austin (UTC-6)
        (datetime(2026, 1, 5, 14, 0, tzinfo=UTC), True),  # 08:00
        (datetime(2026, 1, 6, 2, 59, tzinfo=UTC), True),  # 20:59
        (datetime(2026, 1, 6, 3, 0, tzinfo=UTC), False),  # 21:00
    ],
)
def test_quiet_hours_for_marketing_in_the_recipients_time(
    client: TestClient,
    customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
    utc: datetime,
    allowed: bool,
) -> None:
    clock.set(utc)
    marketing = _send(client, customer, marketing=True)
    if allowed:
        assert marketing.status_code == 202, marketing.text
        return
    assert (marketing.status_code, _code(marketing)) == (403, "QUIET_HOURS")
    details = marketing.json()["error"]["details"]
    assert details["time_zone"] == "America/Chicago"
    resume = datetime.fromisoformat(details["resume_at"])
    assert resume > utc and resume.astimezone(UTC).hour == 14  # 08:00 in Austin
    # A reminder (not marketing) from a customer-care campaign is not held.
    assert _send(client, customer).status_code == 202


def test_quiet_hours_follow_the_campaign_use_case_and_the_setting(
    client: TestClient,
    session: Session,
    customer: Tenant,
    reviewer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    row = approved(session, customer, reviewer, clock, settings)
    # A marketing campaign (its opt-in wording is not what this test is about).
    row.campaign = {**row.campaign, "use_case": "MARKETING"}
    session.commit()
    consent(session, row, now=clock.now())
    clock.set(datetime(2026, 1, 6, 4, 0, tzinfo=UTC))  # 22:00 in Austin
    assert _code(_send(client, customer)) == "QUIET_HOURS"
    settings.quiet_hours = False
    assert _send(client, customer).status_code == 202


# -- idempotency ---------------------------------------------------------------------------------


def test_idempotency_key_returns_the_original(
    client: TestClient, session: Session, customer: Tenant, app_row: ApplicationRow
) -> None:
    first = _send(client, customer, _key="order-1")
    again = _send(client, customer, _key="order-1")
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    count = session.scalar(select(func.count()).select_from(Message))
    assert count == 1
    other = _send(client, customer, _key="order-1", text="Something else entirely.")
    assert (other.status_code, _code(other)) == (409, "IDEMPOTENCY_CONFLICT")
    by_field = _send(client, customer, idempotency_key="order-2")
    assert _send(client, customer, idempotency_key="order-2").json()["id"] == by_field.json()["id"]
    assert _send(client, customer, _key="order-3").json()["id"] != first.json()["id"]


def test_idempotency_keys_are_per_account(
    client: TestClient,
    session: Session,
    customer: Tenant,
    app_row: ApplicationRow,
    reviewer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    other = make_tenant(session, name="Eastside Clinic")
    row = approved(session, other, reviewer, clock, settings, number="+12125550123")
    consent(session, row, now=clock.now())
    mine = _send(client, customer, _key="k")
    theirs = _send(client, other, _key="k", **{"from": "+12125550123"})
    assert theirs.status_code == 202, theirs.text
    assert theirs.json()["id"] != mine.json()["id"]


def test_acceptance_records_queued_with_its_status_callback(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, session: Session
) -> None:
    """The customer's first callback is "queued", recorded at acceptance (single and batch)."""
    hook = "https://hooks.example.com/status"
    one = _send(client, customer, status_callback_url=hook).json()["id"]
    batch = client.post(
        "/api/v1/messages/batch",
        json={
            "messages": [
                {"from": EXAMPLE_NUMBER, "to": RECIPIENT, "text": GREETING,
                 "status_callback_url": hook},
                {"from": EXAMPLE_NUMBER, "to": RECIPIENT, "text": GREETING},
            ]
        },
        headers=customer.headers,
    ).json()  # fmt: skip
    with_hook, without = (i["id"] for i in batch["items"])
    session.expire_all()
    deliveries = session.scalars(select(WebhookDelivery)).all()
    assert sorted((d.message_id, d.url, d.payload["status"]) for d in deliveries) == sorted(
        [(one, hook, "queued"), (with_hook, hook, "queued")]
    )
    assert all(d.account_id == customer.account.id for d in deliveries)
    events = session.scalars(select(MessageEvent.message_id).where(MessageEvent.status == "queued"))
    assert sorted(events) == sorted([one, with_hook, without])
