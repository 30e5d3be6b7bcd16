"""Status callbacks: a signed POST to the customer's URL on each status change of a message.

The callback is recorded as a `webhook_deliveries` row in the transaction that changes the
status, and delivered afterwards by a worker, so a slow or failing customer endpoint never
slows the send path. The body is JSON `{"id", "status", "error_code", "at"}`; the header
`X-Consentry-Signature: sha256=<hex>` is the HMAC-SHA256 of the exact body bytes under the
account's signing secret (`GET /api/v1/webhooks/signing-secret`). Anything but a 2xx answer is
retried with exponential backoff (10 s, 20 s, 40 s, ... up to an hour) until
`webhook_max_attempts`, then the delivery is `failed`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from consentry.kit.clock import Clock
from consentry.kit.db import Database
from consentry.kit.logging import get_logger
from consentry.kit.settings import Settings
from consentry.messaging.delivery_models import WebhookDelivery, WebhookStatus

__all__ = [
    "SIGNATURE_HEADER",
    "Callback",
    "deliver_due",
    "record",
    "set_nudge",
    "sign",
    "signing_secret",
]

log = get_logger(__name__)

SIGNATURE_HEADER = "X-Consentry-Signature"
_MAX_DELAY = timedelta(hours=1)
_KEY = "consentry.webhooks"
_LISTENING = "consentry.webhooks.listening"
_nudge: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class Callback:
    """A status callback to deliver."""

    message_id: str
    account_id: str
    url: str | None
    status: str
    error_code: str | None
    at: datetime


def signing_secret(settings: Settings, account_id: str) -> str:
    """The account's webhook signing secret, derived from the installation's secret key."""
    digest = hmac.new(
        settings.secret_key.encode(), f"webhook:{account_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"whsec_{digest}"


def sign(secret: str, body: bytes) -> str:
    """The signature header value for `body`: "sha256=" and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def set_nudge(nudge: Callable[[], None] | None) -> None:
    """Install the function told (after commit) that new callbacks wait for delivery."""
    global _nudge
    _nudge = nudge


def record(session: Session, callbacks: Sequence[Callback]) -> None:
    """Store callbacks for delivery; the worker is nudged once this transaction commits."""
    rows = [
        {
            "message_id": c.message_id,
            "account_id": c.account_id,
            "url": c.url,
            "payload": {
                "id": c.message_id,
                "status": c.status,
                "error_code": c.error_code,
                "at": c.at.isoformat(),
            },
            "status": WebhookStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": c.at,
            "created_at": c.at,
        }
        for c in callbacks
        if c.url
    ]
    if not rows:
        return
    session.execute(insert(WebhookDelivery), rows)
    if not session.info.get(_KEY):
        session.info[_KEY] = True
        # Listen once per session; listeners are never removed (see messaging.outbox).
        if not session.info.get(_LISTENING):
            session.info[_LISTENING] = True
            event.listen(session, "after_commit", _after_commit)
            event.listen(session, "after_soft_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    if session.info.pop(_KEY, None) and _nudge is not None:
        _nudge()


def _after_rollback(session: Session, _previous: object) -> None:
    session.info.pop(_KEY, None)


def _backoff(settings: Settings, attempts: int) -> timedelta:
    delay = timedelta(seconds=settings.webhook_retry_base_seconds * 2 ** max(0, attempts - 1))
    return min(delay, _MAX_DELAY)


def deliver_due(
    db: Database,
    *,
    settings: Settings,
    clock: Clock,
    client: httpx.Client | None = None,
    limit: int = 100,
) -> int:
    """POST the callbacks that are due; returns how many were answered 2xx."""
    now = clock.now()
    with db.transaction() as session:
        due = list(
            session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == WebhookStatus.PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(limit)
            )
        )
    if not due:
        return 0
    own = client is None
    http = client or httpx.Client(timeout=settings.webhook_timeout_seconds)
    delivered = 0
    try:
        for delivery_id in due:
            delivered += _deliver_one(db, http, delivery_id, settings=settings, clock=clock)
    finally:
        if own:
            http.close()
    return delivered


def _deliver_one(
    db: Database, http: httpx.Client, delivery_id: int, *, settings: Settings, clock: Clock
) -> int:
    now = clock.now()
    lease = now + timedelta(seconds=settings.webhook_timeout_seconds * 2 + 5)
    with db.transaction() as session:
        # Take the delivery for this attempt; a concurrent worker that lost the race skips it.
        won = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == WebhookStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=lease, attempts=WebhookDelivery.attempts + 1)
            .returning(
                WebhookDelivery.url,
                WebhookDelivery.payload,
                WebhookDelivery.account_id,
                WebhookDelivery.attempts,
            )
        ).first()
    if won is None:
        return 0
    body = json.dumps(won.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Consentry-Webhooks/1",
        SIGNATURE_HEADER: sign(signing_secret(settings, won.account_id), body),
    }
    code: int | None = None
    error: str | None = None
    try:
        response = http.post(won.url, content=body, headers=headers)
        code = response.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    after = clock.now()
    values: dict[str, object] = {"last_status_code": code, "last_error": error}
    if error is None:
        values.update(status=WebhookStatus.DELIVERED, done_at=after, next_attempt_at=None)
    elif won.attempts >= settings.webhook_max_attempts:
        values.update(status=WebhookStatus.FAILED, done_at=after, next_attempt_at=None)
        log.warning("messaging.webhook.failed", delivery_id=delivery_id, error=error)
    else:
        values.update(next_attempt_at=after + _backoff(settings, won.attempts))
    with db.transaction() as session:
        session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values)
        )
    return 1 if error is None else 0
