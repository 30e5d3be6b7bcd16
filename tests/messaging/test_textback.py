"""Auto textback: the per-number rule, POST /api/v1/call-events and what each call leads to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.consent.service import record_opt_out
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.errors import DomainError
from consentry.kit.settings import Settings
from consentry.messaging import textback
from consentry.messaging.models import CallEvent, CallType, Message, MessageStatus
from consentry.registration.models import Application as ApplicationRow
from tests.messaging.builders import loopback_dispatcher, statuses
from tests.support.builders import EXAMPLE_NUMBER, Tenant, own_number
from tests.support.messaging import approved

CALLER = "+15125559001"
UNLISTED = "+15125550177"  # the customer's, but no application lists it
MESSAGE = (
    "Northside Physical Therapy: Sorry we missed your call. We will call you back shortly. "
    "Reply STOP to opt out."
)
# Monday 2026-01-05 15:00 UTC is 09:00 in Austin (America/Chicago, area code 512).
WEEKDAYS_9_TO_5 = {d: ["09:00", "17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def program(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> ApplicationRow:
    """An approved application listing the customer's number; no consent from CALLER."""
    return approved(session, customer, reviewer, clock, settings)


def _number_id(session: Session, tenant: Tenant, number: str = EXAMPLE_NUMBER) -> str:
    return own_number(session, tenant, number).id


def _put_rule(client: TestClient, tenant: Tenant, number_id: str, **rule: Any) -> Any:
    body: dict[str, Any] = {"enabled": True, "message": MESSAGE}
    body.update(rule)
    return client.put(f"/api/v1/numbers/{number_id}/textback", json=body, headers=tenant.headers)


def _call(
    client: TestClient,
    tenant: Tenant,
    *,
    kind: str = "missed",
    frm: str = CALLER,
    to: str = EXAMPLE_NUMBER,
    at: datetime | None = None,
) -> Any:
    body: dict[str, Any] = {"type": kind, "from": frm, "to": to}
    if at is not None:
        body["at"] = at.isoformat()
    return client.post("/api/v1/call-events", json=body, headers=tenant.headers)


def _outcome(response: Any) -> str:
    assert response.status_code == 202, response.text
    return str(response.json()["outcome"])


@pytest.fixture
def rule(client: TestClient, session: Session, customer: Tenant, program: ApplicationRow) -> str:
    """An enabled always-on rule on the customer's registered number; its id."""
    number_id = _number_id(session, customer)
    put = _put_rule(client, customer, number_id)
    assert put.status_code == 200, put.text
    return number_id


def test_rule_defaults_to_disabled_with_the_area_code_zone(
    client: TestClient, session: Session, customer: Tenant
) -> None:
    got = client.get(
        f"/api/v1/numbers/{_number_id(session, customer)}/textback", headers=customer.headers
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["rule"]["enabled"] is False and body["rule"]["cooldown_minutes"] == 1440
    assert body["effective_timezone"] == "America/Chicago"


def test_missed_call_is_texted_back_and_delivered_via_loopback(
    client: TestClient,
    session: Session,
    customer: Tenant,
    rule: str,
    database: Database,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    r = _call(client, customer)
    assert _outcome(r) == "sent"
    message_id = r.json()["message_id"]
    msg = session.get(Message, message_id)
    assert msg is not None and msg.origin == "textback" and msg.text == MESSAGE
    assert (msg.from_number, msg.to_number) == (EXAMPLE_NUMBER, CALLER)
    event = session.get(CallEvent, r.json()["call_event_id"])
    assert event is not None and event.textback_message_id == message_id
    assert event.type is CallType.MISSED

    dispatcher, carrier, reports = loopback_dispatcher(database, settings, clock)
    try:
        assert dispatcher.dispatch([message_id]).sent == [message_id]
        reports.wait_receipts(1)
        assert reports.apply(database, clock.now()) == 1
    finally:
        carrier.close()
    assert statuses(session, [message_id]) == {message_id: MessageStatus.DELIVERED}

    listed = client.get(
        "/api/v1/call-events", params={"number": EXAMPLE_NUMBER}, headers=customer.headers
    )
    assert listed.status_code == 200
    assert [(i["outcome"], i["textback_message_id"]) for i in listed.json()["items"]] == [
        ("sent", message_id)
    ]


def test_consent_exemption_is_only_for_a_textback_soon_after_the_call(
    client: TestClient, customer: Tenant, rule: str, clock: FrozenClock
) -> None:
    # The caller gave no consent: an ordinary send to them is refused ...
    plain = client.post(
        "/api/v1/messages",
        headers=customer.headers,
        json={"from": EXAMPLE_NUMBER, "to": CALLER, "text": MESSAGE},
    )
    assert plain.status_code == 403 and plain.json()["error"]["code"] == "CONSENT_MISSING"
    # ... and so is a textback for a call reported long after it happened.
    old = _call(client, customer, at=clock.now() - timedelta(hours=3))
    assert _outcome(old) == "refused:CONSENT_MISSING" and old.json()["message_id"] is None
    # The call itself does not open the door for the customer's own sends.
    assert _outcome(_call(client, customer, frm="+15125559002")) == "sent"
    other = client.post(
        "/api/v1/messages",
        headers=customer.headers,
        json={"from": EXAMPLE_NUMBER, "to": "+15125559002", "text": MESSAGE},
    )
    assert other.status_code == 403 and other.json()["error"]["code"] == "CONSENT_MISSING"


def test_business_hours_decide_when_a_textback_goes(
    client: TestClient,
    session: Session,
    customer: Tenant,
    program: ApplicationRow,
    clock: FrozenClock,
) -> None:
    number_id = _number_id(session, customer)
    hours = {"days": WEEKDAYS_9_TO_5}
    put = _put_rule(client, customer, number_id, when="outside_hours", business_hours=hours)
    assert put.status_code == 200, put.text
    # 09:00 Monday in Austin: open, so no textback.
    assert _outcome(_call(client, customer)) == "outside_rule_hours"
    # 18:00 Monday in Austin: closed.
    clock.advance(hours=9)
    assert _outcome(_call(client, customer)) == "sent"
    # The same hours read in New York: 19:00 there, still closed; 10:00 the next day, open.
    ny = {"timezone": "America/New_York", "days": WEEKDAYS_9_TO_5}
    put = _put_rule(
        client, customer, number_id, when="inside_hours", business_hours=ny, cooldown_minutes=0
    )
    assert put.status_code == 200
    assert _outcome(_call(client, customer)) == "outside_rule_hours"
    clock.advance(hours=15)
    assert _outcome(_call(client, customer)) == "sent"
    # Saturday is not in the rule: closed all day (Sat 2026-01-10 10:00 in New York).
    clock.advance(days=4)
    assert _outcome(_call(client, customer)) == "outside_rule_hours"


def test_cooldown_allows_one_textback_per_caller_per_window(
    client: TestClient,
    session: Session,
    customer: Tenant,
    program: ApplicationRow,
    clock: FrozenClock,
) -> None:
    number_id = _number_id(session, customer)
    assert _put_rule(client, customer, number_id, cooldown_minutes=60).status_code == 200
    assert _outcome(_call(client, customer)) == "sent"
    clock.advance(minutes=59)
    assert _outcome(_call(client, customer)) == "cooldown"
    # Another caller is not held back by the first one's cooldown.
    assert _outcome(_call(client, customer, frm="+15125559002")) == "sent"
    clock.advance(minutes=2)
    assert _outcome(_call(client, customer)) == "sent"


def test_disabled_rule_and_announcement_calls(
    client: TestClient, session: Session, customer: Tenant, program: ApplicationRow
) -> None:
    number_id = _number_id(session, customer)
    # No rule at all.
    assert _outcome(_call(client, customer)) == "disabled"
    assert _put_rule(client, customer, number_id, cooldown_minutes=0).status_code == 200
    # A call that ended after an announcement needs answered_announcement.
    assert _outcome(_call(client, customer, kind="announcement")) == "disabled"
    assert (
        _put_rule(
            client, customer, number_id, cooldown_minutes=0, answered_announcement=True
        ).status_code
        == 200
    )
    assert _outcome(_call(client, customer, kind="announcement")) == "sent"
    assert _put_rule(client, customer, number_id, enabled=False).status_code == 200
    assert _outcome(_call(client, customer)) == "disabled"
    assert session.scalars(select(Message).where(Message.origin == "textback")).all().__len__() == 1


def test_unregistered_number_is_refused_and_logged(
    client: TestClient, session: Session, customer: Tenant, program: ApplicationRow
) -> None:
    number_id = _number_id(session, customer, UNLISTED)
    assert _put_rule(client, customer, number_id).status_code == 200
    r = _call(client, customer, to=UNLISTED)
    assert _outcome(r) == "refused:SENDER_NOT_REGISTERED" and r.json()["message_id"] is None
    event = session.get(CallEvent, r.json()["call_event_id"])
    assert event is not None and event.outcome == "refused:SENDER_NOT_REGISTERED"


def test_opted_out_caller_is_refused(
    client: TestClient, session: Session, customer: Tenant, rule: str, clock: FrozenClock
) -> None:
    record_opt_out(
        session,
        account_id=customer.account.id,
        application_id=None,
        phone=CALLER,
        keyword="STOP",
        now=clock.now(),
    )
    session.commit()
    assert _outcome(_call(client, customer)) == "refused:RECIPIENT_OPTED_OUT"


@pytest.mark.parametrize(
    ("message", "rule_id"),
    [
        # No brand: the caller cannot tell who is texting.
        (
            "Sorry we missed your call. We will call you back shortly. Reply STOP to opt out.",
            "SM-BRAND",
        ),
        # No way to stop the texts.
        (
            "Northside Physical Therapy: Sorry we missed your call. We will call you back shortly.",
            "SM-OPT-OUT",
        ),
    ],
)
def test_rule_text_with_checker_errors_is_refused(
    client: TestClient,
    session: Session,
    customer: Tenant,
    program: ApplicationRow,
    message: str,
    rule_id: str,
) -> None:
    number_id = _number_id(session, customer)
    put = _put_rule(client, customer, number_id, message=message)
    assert put.status_code == 422, put.text
    error = put.json()["error"]
    assert error["code"] == "TEXTBACK_MESSAGE_INVALID"
    assert rule_id in {f["rule"] for f in error["details"]["findings"]}
    got = client.get(f"/api/v1/numbers/{number_id}/textback", headers=customer.headers)
    assert got.json()["rule"]["enabled"] is False  # nothing was stored


def test_rule_validation(client: TestClient, session: Session, customer: Tenant) -> None:
    number_id = _number_id(session, customer)
    for bad in (
        {"business_hours": {"timezone": "Mars/Olympus"}},
        {"business_hours": {"days": {"mon": ["17:00", "09:00"]}}},
        {"business_hours": {"days": {"funday": ["09:00", "17:00"]}}},
        {"when": "sometimes"},
        {"cooldown_minutes": -1},
    ):
        assert _put_rule(client, customer, number_id, **bad).status_code == 422, bad
    missing = _put_rule(client, customer, number_id, message="")
    assert missing.json()["error"]["code"] == "TEXTBACK_MESSAGE_MISSING"


def test_tenants_see_only_their_own_numbers_and_calls(
    client: TestClient, session: Session, customer: Tenant, other_customer: Tenant, rule: str
) -> None:
    assert _outcome(_call(client, customer)) == "sent"
    url = f"/api/v1/numbers/{rule}/textback"
    assert client.get(url, headers=other_customer.headers).status_code == 404
    assert _put_rule(client, other_customer, rule).status_code == 404
    # Reporting a call to another account's number: 404, and nothing is recorded or sent.
    r = _call(client, other_customer)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NUMBER_NOT_FOUND"
    listed = client.get("/api/v1/call-events", headers=other_customer.headers)
    assert listed.json()["items"] == []
    assert len(client.get("/api/v1/call-events", headers=customer.headers).json()["items"]) == 1


def test_call_events_are_paginated_newest_first(
    client: TestClient, customer: Tenant, rule: str
) -> None:
    ids = [_call(client, customer, frm=f"+1512555900{i}").json()["call_event_id"] for i in range(3)]
    first = client.get("/api/v1/call-events", params={"limit": 2}, headers=customer.headers)
    page = first.json()
    assert [i["id"] for i in page["items"]] == ids[::-1][:2] and page["next_cursor"]
    second = client.get(
        "/api/v1/call-events",
        params={"limit": 2, "cursor": page["next_cursor"]},
        headers=customer.headers,
    ).json()
    assert [i["id"] for i in second["items"]] == ids[:1] and second["next_cursor"] is None


@pytest.fixture
def threads() -> Iterator[list[threading.Thread]]:
    started: list[threading.Thread] = []
    yield started
    for t in started:
        t.join(30)


def test_two_calls_at_once_send_one_textback(
    database: Database,
    session: Session,
    customer: Tenant,
    rule: str,
    clock: FrozenClock,
    settings: Settings,
    threads: list[threading.Thread],
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            barrier.wait(5)
            with database.transaction() as s:
                event = textback.on_call(
                    s,
                    customer.principal,
                    kind=CallType.MISSED,
                    caller=CALLER,
                    to=EXAMPLE_NUMBER,
                    at=None,
                    now=clock.now(),
                    settings=settings,
                )
                outcomes.append(event.outcome)
        except (DomainError, Exception) as exc:  # surfaced by the assertion below
            errors.append(exc)

    for _ in range(2):
        t = threading.Thread(target=call)
        threads.append(t)
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(outcomes) == ["cooldown", "sent"]
    sent = session.scalars(select(Message).where(Message.origin == "textback")).all()
    assert len(sent) == 1
