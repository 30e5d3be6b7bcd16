"""Status callbacks: signed with the account's secret, retried with backoff, never blocking."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.delivery_models import WebhookDelivery, WebhookStatus
from consentry.messaging.webhooks import deliver_due, signing_secret
from tests.messaging.builders import loopback_dispatcher, queue_message
from tests.support.builders import Tenant


class Receiver:
    """A customer's callback endpoint on 127.0.0.1 that answers with `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/status"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict[str, object]]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _deliveries(session: Session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_each_status_change_is_posted_signed(
    database: Database,
    settings: Settings,
    clock: FrozenClock,
    session: Session,
    customer: Tenant,
    receiver: Receiver,
) -> None:
    dispatcher, carrier, reports = loopback_dispatcher(database, settings, clock)
    try:
        msg = queue_message(
            session,
            account_id=customer.account.id,
            to="+15125559001",
            now=clock.now(),
            callback_url=receiver.url,
        )
        dispatcher.dispatch([msg.id])
        reports.wait_receipts(1)
        reports.apply(database, clock.now())
    finally:
        carrier.close()
    assert deliver_due(database, settings=settings, clock=clock) == 3
    assert [b["status"] for b in receiver.bodies()] == ["sending", "sent", "delivered"]
    assert receiver.bodies()[0] == {
        "id": msg.id,
        "status": "sending",
        "error_code": None,
        "at": clock.now().isoformat(),
    }
    secret = signing_secret(settings, customer.account.id)
    for headers, body in receiver.requests:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Consentry-Signature"] == expected
    assert {d.status for d in _deliveries(session)} == {WebhookStatus.DELIVERED}
    # Nothing is posted twice.
    assert deliver_due(database, settings=settings, clock=clock) == 0
    assert len(receiver.requests) == 3


def test_secrets_differ_per_account_and_are_shown_to_the_account(
    client: TestClient, settings: Settings, customer: Tenant, session: Session
) -> None:
    from tests.support.builders import make_tenant

    other = make_tenant(session, name="Elsewhere Dental")
    body = client.get("/api/v1/webhooks/signing-secret", headers=customer.headers).json()
    assert body["secret"] == signing_secret(settings, customer.account.id)
    assert body["header"] == "X-Consentry-Signature"
    assert body["secret"] != signing_secret(settings, other.account.id)


def test_failed_callbacks_are_retried_with_backoff_then_given_up(
    database: Database,
    settings: Settings,
    clock: FrozenClock,
    session: Session,
    customer: Tenant,
    receiver: Receiver,
) -> None:
    tuned = settings.model_copy(update={"webhook_max_attempts": 3})
    receiver.status = 500
    dispatcher, carrier, _ = loopback_dispatcher(database, tuned, clock)
    try:
        msg = queue_message(
            session,
            account_id=customer.account.id,
            to="+15550100001",
            now=clock.now(),
            callback_url=receiver.url,
        )
        dispatcher.dispatch([msg.id])  # sending, then failed: two callbacks
    finally:
        carrier.close()
    assert deliver_due(database, settings=tuned, clock=clock) == 0
    first = _deliveries(session)[0]
    assert first.attempts == 1 and first.status is WebhookStatus.PENDING
    assert first.last_status_code == 500 and first.next_attempt_at is not None
    assert (first.next_attempt_at - clock.now()).total_seconds() == tuned.webhook_retry_base_seconds
    assert deliver_due(database, settings=tuned, clock=clock) == 0  # not due yet
    assert len(receiver.requests) == 2

    clock.advance(seconds=tuned.webhook_retry_base_seconds)
    deliver_due(database, settings=tuned, clock=clock)
    second = _deliveries(session)[0]
    assert second.attempts == 2 and second.next_attempt_at is not None
    assert (second.next_attempt_at - clock.now()).total_seconds() == (
        2 * tuned.webhook_retry_base_seconds
    )
    receiver.status = 204
    clock.advance(seconds=2 * tuned.webhook_retry_base_seconds)
    assert deliver_due(database, settings=tuned, clock=clock) == 2
    assert {d.status for d in _deliveries(session)} == {WebhookStatus.DELIVERED}
    assert [b["status"] for b in receiver.bodies()][-2:] == ["sending", "failed"]
    assert receiver.bodies()[-1]["error_code"] == "LOOPBACK_INVALID_DESTINATION"


def test_an_unreachable_endpoint_ends_failed(
    database: Database,
    settings: Settings,
    clock: FrozenClock,
    session: Session,
    customer: Tenant,
) -> None:
    tuned = settings.model_copy(update={"webhook_max_attempts": 2, "webhook_timeout_seconds": 1})
    msg = queue_message(
        session,
        account_id=customer.account.id,
        to="+15125559001",
        now=clock.now(),
        callback_url="http://127.0.0.1:9/nothing-here",
    )
    dispatcher, carrier, _ = loopback_dispatcher(database, tuned, clock)
    try:
        dispatcher.dispatch([msg.id])
    finally:
        carrier.close()
    for _ in range(3):
        deliver_due(database, settings=tuned, clock=clock)
        clock.advance(seconds=tuned.webhook_retry_base_seconds * 4)
    deliveries = _deliveries(session)
    assert {d.status for d in deliveries} == {WebhookStatus.FAILED}
    assert all(d.attempts == 2 and d.last_error for d in deliveries)
