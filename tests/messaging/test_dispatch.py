"""Dispatch through the loopback carrier: claim, submit, settle, receipts, retries, recovery."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consentry.carriers.smpp import SmppCarrier
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.dispatch import Dispatcher
from consentry.messaging.models import Message, MessageStatus
from consentry.messaging.ratelimit import DatabaseRateLimiter
from tests.messaging.builders import (
    Reports,
    events_of,
    loopback_dispatcher,
    queue_message,
    statuses,
    submissions,
)
from tests.support.builders import Tenant

S = MessageStatus
HANDSET = "+15125559001"


@pytest.fixture
def pipe(
    database: Database, settings: Settings, clock: FrozenClock
) -> Iterator[tuple[Dispatcher, Reports, list[tuple[list[str], datetime]]]]:
    scheduled: list[tuple[list[str], datetime]] = []

    def schedule(ids: Sequence[str], at: datetime) -> None:
        scheduled.append((list(ids), at))

    dispatcher, carrier, reports = loopback_dispatcher(database, settings, clock, schedule=schedule)
    yield dispatcher, reports, scheduled
    carrier.close()


def _get(session: Session, message_id: str) -> Message:
    session.expire_all()
    msg = session.get(Message, message_id)
    assert msg is not None
    return msg


def test_queued_message_is_sent_once_and_delivered(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    database: Database,
) -> None:
    dispatcher, reports, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())

    result = dispatcher.dispatch([msg.id, msg.id])

    assert result.sent == [msg.id]
    sent = _get(session, msg.id)
    assert sent.status is S.SENT and sent.carrier == "loopback" and sent.attempts == 1
    assert sent.carrier_message_id and sent.sent_at == clock.now()
    reports.wait_receipts(1)
    assert reports.apply(database, clock.now()) == 1
    delivered = _get(session, msg.id)
    assert delivered.status is S.DELIVERED and delivered.done_at is not None
    assert [e[0] for e in events_of(session, msg.id)] == [S.SENDING, S.SENT, S.DELIVERED]
    assert submissions(session, msg.id) == 1


def test_a_second_dispatch_of_the_same_ids_sends_nothing(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
) -> None:
    dispatcher, _, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    dispatcher.dispatch([msg.id])
    again = dispatcher.dispatch([msg.id])
    assert again.sent == [] and again.skipped == 1
    assert submissions(session, msg.id) == 1


def test_the_carrier_answers_a_repeated_submit_with_the_original_id(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
) -> None:
    dispatcher, _, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    dispatcher.dispatch([msg.id])
    first = _get(session, msg.id).carrier_message_id
    # As if the row had been put back in the queue after the carrier accepted it.
    session.execute(update(Message).where(Message.id == msg.id).values(status=S.QUEUED))
    session.commit()
    dispatcher.dispatch([msg.id])
    assert _get(session, msg.id).carrier_message_id == first
    assert submissions(session, msg.id) == 1


def test_permanent_refusal_fails_with_the_carrier_code(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
) -> None:
    dispatcher, _, scheduled = pipe
    msg = queue_message(session, account_id=customer.account.id, to="+15550100001", now=clock.now())
    result = dispatcher.dispatch([msg.id])
    assert result.failed == [msg.id]
    failed = _get(session, msg.id)
    assert failed.status is S.FAILED and failed.error_code == "LOOPBACK_INVALID_DESTINATION"
    assert failed.done_at == clock.now() and failed.attempts == 1
    assert events_of(session, msg.id)[-1] == (S.FAILED, "LOOPBACK_INVALID_DESTINATION")
    assert scheduled == [] and submissions(session, msg.id) == 0


def test_retryable_refusal_backs_off_then_sends(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    dispatcher, _, scheduled = pipe
    msg = queue_message(session, account_id=customer.account.id, to="+15550100002", now=clock.now())

    assert dispatcher.dispatch([msg.id]).retrying == [msg.id]
    waiting = _get(session, msg.id)
    assert waiting.status is S.QUEUED and waiting.attempts == 1
    assert waiting.error_code == "LOOPBACK_THROTTLED"
    assert waiting.next_attempt_at is not None
    delay = (waiting.next_attempt_at - clock.now()).total_seconds()
    assert 0.8 * settings.retry_base_seconds <= delay <= 1.2 * settings.retry_base_seconds
    assert scheduled == [([msg.id], waiting.next_attempt_at)]

    assert dispatcher.dispatch([msg.id]).skipped == 1  # not due yet
    clock.advance(seconds=settings.retry_base_seconds * 1.3)
    assert dispatcher.dispatch([msg.id]).sent == [msg.id]
    sent = _get(session, msg.id)
    assert sent.status is S.SENT and sent.attempts == 2 and sent.error_code is None
    assert [e[0] for e in events_of(session, msg.id)] == [S.SENDING, S.QUEUED, S.SENDING, S.SENT]


def test_retries_double_and_end_in_failed(
    database: Database,
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    tight = settings.model_copy(update={"dispatch_max_attempts": 3})
    dispatcher, carrier, _ = loopback_dispatcher(database, tight, clock)
    try:
        msg = queue_message(
            session, account_id=customer.account.id, to="+15550100003", now=clock.now()
        )
        delays = []
        for _ in range(2):
            dispatcher.dispatch([msg.id])
            row = _get(session, msg.id)
            assert row.status is S.QUEUED and row.next_attempt_at is not None
            delays.append((row.next_attempt_at - clock.now()).total_seconds())
            clock.set(row.next_attempt_at)
        assert delays[1] > delays[0] * 1.3  # exponential (with +-20 % jitter)
        assert dispatcher.dispatch([msg.id]).failed == [msg.id]
        row = _get(session, msg.id)
        assert row.status is S.FAILED and row.attempts == 3
        assert row.error_code == "LOOPBACK_UNAVAILABLE"
    finally:
        carrier.close()


@pytest.mark.parametrize(
    ("to", "status", "code"),
    [
        ("+15550100004", S.UNDELIVERED, "LOOPBACK_UNREACHABLE"),
        ("+15550100005", S.FAILED, "LOOPBACK_REJECTED"),
    ],
)
def test_negative_receipts_keep_the_carrier_code(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    database: Database,
    to: str,
    status: MessageStatus,
    code: str,
) -> None:
    dispatcher, reports, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to=to, now=clock.now())
    assert dispatcher.dispatch([msg.id]).sent == [msg.id]
    reports.wait_receipts(1)
    reports.apply(database, clock.now())
    row = _get(session, msg.id)
    assert (row.status, row.error_code) == (status, code)
    assert events_of(session, msg.id)[-1] == (status, code)


def test_a_repeated_receipt_changes_nothing(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    database: Database,
) -> None:
    dispatcher, reports, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    dispatcher.dispatch([msg.id])
    receipt = reports.wait_receipts(1)[0]
    assert reports.apply(database, clock.now()) == 1
    reports.on_receipt(receipt)
    assert reports.apply(database, clock.now()) == 0
    assert len(events_of(session, msg.id)) == 3


def test_failure_rule_set_through_the_api(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    client: object,
) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    dispatcher, _, _ = pipe
    r = client.post(
        "/api/v1/carriers/loopback/failures",
        json={"to": HANDSET, "error_code": "X_BLOCKED", "permanent": True, "count": 1},
        headers=customer.headers,
    )
    assert r.status_code == 201, r.text
    first = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    second = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    result = dispatcher.dispatch([first.id, second.id])
    assert result.failed == [first.id] and result.sent == [second.id]
    assert _get(session, first.id).error_code == "X_BLOCKED"
    listed = client.get("/api/v1/carriers/loopback/failures", headers=customer.headers).json()
    assert listed["items"][0]["remaining"] == 0
    gone = client.delete(f"/api/v1/carriers/loopback/failures/{HANDSET}", headers=customer.headers)
    assert gone.status_code == 204


# ---- recovery -----------------------------------------------------------------------------------


def _stuck_sending(session: Session, msg: Message, at: datetime) -> None:
    session.execute(
        update(Message).where(Message.id == msg.id).values(status=S.SENDING, updated_at=at)
    )
    session.commit()


def test_sweeper_settles_a_submitted_sending_message_without_sending_again(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    dispatcher, _, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    dispatcher.dispatch([msg.id])
    carrier_id = _get(session, msg.id).carrier_message_id
    # A crash between the carrier's acceptance and the commit of `sent`:
    session.execute(
        update(Message)
        .where(Message.id == msg.id)
        .values(status=S.SENDING, carrier_message_id=None, updated_at=clock.now())
    )
    session.commit()
    enqueued: list[str] = []
    assert dispatcher.sweep(enqueued.extend).recovered_sent == 0  # not stale yet
    clock.advance(seconds=settings.stale_after_seconds + 1)
    out = dispatcher.sweep(enqueued.extend)
    assert out.recovered_sent == 1 and enqueued == []
    row = _get(session, msg.id)
    assert row.status is S.SENT and row.carrier_message_id == carrier_id
    assert submissions(session, msg.id) == 1


def test_sweeper_requeues_a_sending_message_the_carrier_never_got(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    dispatcher, _, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    _stuck_sending(session, msg, clock.now())
    clock.advance(seconds=settings.stale_after_seconds + 1)
    enqueued: list[str] = []
    assert dispatcher.sweep(enqueued.extend).reset == 1
    assert enqueued == [msg.id]
    assert dispatcher.dispatch(enqueued).sent == [msg.id]
    assert submissions(session, msg.id) == 1


def test_sweeper_requeues_stale_queued_messages(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    dispatcher, _, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    enqueued: list[str] = []
    dispatcher.sweep(enqueued.extend)
    assert enqueued == []
    clock.advance(seconds=settings.stale_after_seconds + 1)
    dispatcher.sweep(enqueued.extend)
    assert enqueued == [msg.id]


@pytest.mark.parametrize("resend", [False, True])
def test_without_a_ledger_recovery_is_at_most_once_unless_configured(
    database: Database,
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
    resend: bool,
) -> None:
    # An SMPP carrier cannot be asked whether it accepted a message (never started here).
    carrier = SmppCarrier(host="127.0.0.1", system_id="x", password="y")
    dispatcher = Dispatcher(
        db=database,
        carrier=carrier,
        limiter=DatabaseRateLimiter(),
        settings=settings.model_copy(update={"resend_unconfirmed": resend}),
        clock=clock,
    )
    msg = queue_message(session, account_id=customer.account.id, to=HANDSET, now=clock.now())
    _stuck_sending(session, msg, clock.now())
    clock.advance(seconds=settings.stale_after_seconds + 1)
    enqueued: list[str] = []
    out = dispatcher.sweep(enqueued.extend)
    row = _get(session, msg.id)
    if resend:
        assert out.reset == 1 and enqueued == [msg.id] and row.status is S.QUEUED
    else:
        assert out.unconfirmed == 1 and enqueued == []
        assert row.status is S.FAILED and row.error_code == "SUBMIT_UNCONFIRMED"


def test_sweeper_asks_the_carrier_for_a_receipt_that_never_came(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    dispatcher, reports, _ = pipe
    msg = queue_message(session, account_id=customer.account.id, to="+15550100004", now=clock.now())
    dispatcher.dispatch([msg.id])
    reports.wait_receipts(1)  # reported, but never applied: lost with a crashed process
    clock.advance(seconds=settings.receipt_wait_seconds + 1)
    assert dispatcher.sweep(lambda ids: None).receipts == 1
    row = _get(session, msg.id)
    assert (row.status, row.error_code) == (S.UNDELIVERED, "LOOPBACK_UNREACHABLE")


def test_every_status_change_has_one_event(
    pipe: tuple[Dispatcher, Reports, list],
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    database: Database,
) -> None:
    dispatcher, reports, _ = pipe
    ids = [
        queue_message(
            session,
            account_id=customer.account.id,
            to=f"+1512555{i:04d}",
            now=clock.now(),
            commit=False,
        ).id
        for i in range(30)
    ]
    session.commit()
    assert len(dispatcher.dispatch(ids).sent) == 30
    reports.wait_receipts(30)
    assert reports.apply(database, clock.now()) == 30
    assert set(statuses(session, ids).values()) == {S.DELIVERED}
    counts = {mid: len(events_of(session, mid)) for mid in ids}
    assert set(counts.values()) == {3}
    assert session.scalar(select(Message.attempts).where(Message.id == ids[0])) == 1
