"""Dispatch: take queued messages to the carrier, record what happened, recover what a crash left.

One dispatch of a batch of ids, in three steps::

    1. claim     UPDATE ... SET status='sending' WHERE id IN (...) AND status='queued' AND due
                 (one conditional UPDATE: across any number of processes exactly one wins each
                 message); the rate limiter runs in the same transaction and puts the messages
                 over a limit back to `queued` for the next window; commit.
    2. submit    carrier.submit_many(...) outside any transaction; an MMS's uploaded files go
                 as signed, expiring links (messaging.media.signed_url) the carrier fetches.
    3. settle    sent (+ carrier_message_id) | queued again with backoff (retryable error) |
                 failed (permanent error, or attempts exhausted); one MessageEvent each; commit.

Crash safety. A process can die between 2 and 3, leaving a message `sending` that the carrier may
or may not have accepted. The sweeper finds `sending` rows older than `stale_after_seconds` and
asks the carrier first: a carrier with a submission ledger (the loopback carrier keeps one,
keyed by message id) says whether it was accepted, and with which id, so the message is settled
as `sent` instead of being sent again. For a carrier that cannot answer (SMPP has no such
question) the choice is a setting: at most once (`failed` with SUBMIT_UNCONFIRMED, the default)
or at least once (`resend_unconfirmed`: submit again; the recipient may get it twice).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Row, Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from consentry.carriers.base import (
    Carrier,
    DeliveryReceipt,
    OutboundMessage,
    SubmissionLedger,
    SubmitResult,
)
from consentry.kit.clock import Clock
from consentry.kit.db import Database
from consentry.kit.logging import get_logger
from consentry.kit.settings import Environment, Settings
from consentry.messaging.media import signed_url
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.messaging.ratelimit import RateLimiter, demand_for, retry_at
from consentry.messaging.status import Change, record_changes

__all__ = [
    "DispatchResult",
    "Dispatcher",
    "SweepResult",
    "apply_receipts",
    "mark_sent",
]

log = get_logger(__name__)

Schedule = Callable[[Sequence[str], datetime], None]
_MT: Table = Message.__table__  # type: ignore[assignment]  # Core statements, executemany
_SWEEP_LIMIT = 5000
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})


@dataclass
class DispatchResult:
    """What one dispatch call did, by outcome (message ids)."""

    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    limited: list[str] = field(default_factory=list)
    skipped: int = 0  # not queued, not due, or taken by another worker


@dataclass
class SweepResult:
    """What one sweep recovered."""

    requeued: int = 0  # queued messages handed to the queue again
    recovered_sent: int = 0  # `sending` found accepted by the carrier
    reset: int = 0  # `sending` not accepted: queued again
    unconfirmed: int = 0  # `sending` that could not be confirmed: failed (at most once)
    receipts: int = 0  # receipts obtained by asking the carrier


def _backoff(settings: Settings, attempts: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, +-20 %."""
    delay = min(settings.retry_base_seconds * 2 ** max(0, attempts - 1), settings.retry_max_seconds)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


class Dispatcher:
    """Dispatches batches of message ids through one carrier (shared by a process's threads)."""

    def __init__(
        self,
        *,
        db: Database,
        carrier: Carrier,
        limiter: RateLimiter,
        settings: Settings,
        clock: Clock,
        schedule: Schedule | None = None,
    ) -> None:
        self.db = db
        self.carrier = carrier
        self.limiter = limiter
        self.settings = settings
        self.clock = clock
        # Re-enqueue ids at a time (delayed task); None leaves them to the sweeper.
        self.schedule = schedule
        host = urlsplit(settings.public_url).hostname
        if settings.environment is Environment.PROD and host in _LOCAL_HOSTS:
            log.warning(
                "messaging.dispatch.public_url_local",
                public_url=settings.public_url,
                effect="carriers cannot fetch MMS media; set CONSENTRY_PUBLIC_URL",
            )

    # ---- dispatch ------------------------------------------------------------------------------

    def dispatch(self, message_ids: Sequence[str]) -> DispatchResult:
        """Claim, rate-limit, submit and settle the queued messages among `message_ids`."""
        result = DispatchResult()
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return result
        claimed = self._claim(ids, result)
        result.skipped = len(ids) - len(claimed) - len(result.limited)
        if not claimed:
            return result
        now = self.clock.now()
        outbound = [
            OutboundMessage(
                r.id, r.from_number, r.to_number, r.text, self._media_urls(r.media, now)
            )
            for r in claimed
        ]
        try:
            answers = self.carrier.submit_many(outbound)
        except Exception as exc:  # a broken adapter is a retryable failure, never a lost message
            log.exception("messaging.dispatch.carrier_error", carrier=self.carrier.name)
            answers = [
                SubmitResult(m.message_id, False, None, "CARRIER_ERROR", str(exc)[:300], False)
                for m in outbound
            ]
        self._settle(claimed, answers, result)
        return result

    def _media_urls(self, items: list[dict[str, Any]] | None, now: datetime) -> tuple[str, ...]:
        """What the carrier fetches: a signed link per uploaded file, an external URL as given."""
        urls: list[str] = []
        for item in items or []:
            if item.get("url"):
                urls.append(str(item["url"]))
            elif item.get("id"):
                urls.append(signed_url(self.settings, str(item["id"]), now=now))
        return tuple(urls)

    def _claim(self, ids: list[str], result: DispatchResult) -> list[Row[Any]]:
        now = self.clock.now()
        with self.db.transaction() as session:
            rows = list(
                session.execute(
                    update(_MT)
                    .where(
                        _MT.c.id.in_(ids),
                        _MT.c.status == MessageStatus.QUEUED,
                        or_(_MT.c.next_attempt_at.is_(None), _MT.c.next_attempt_at <= now),
                    )
                    .values(status=MessageStatus.SENDING, updated_at=now)
                    .returning(
                        _MT.c.id,
                        _MT.c.account_id,
                        _MT.c.application_id,
                        _MT.c.from_number,
                        _MT.c.to_number,
                        _MT.c.text,
                        _MT.c.media,
                        _MT.c.segments,
                        _MT.c.attempts,
                        _MT.c.status_callback_url,
                    )
                )
            )
            if not rows:
                return []
            # RETURNING order is not guaranteed; keep the order the ids were given in.
            order = {mid: i for i, mid in enumerate(ids)}
            rows.sort(key=lambda r: order[r.id])
            demands = [
                demand_for(
                    from_number=r.from_number,
                    application_id=r.application_id,
                    segments=r.segments,
                    settings=self.settings,
                )
                for r in rows
            ]
            granted = self.limiter.acquire(session, demands, now=now)
            limited = [r.id for r, ok in zip(rows, granted, strict=True) if not ok]
            if limited:
                later = retry_at(now)
                session.execute(
                    update(_MT)
                    .where(_MT.c.id.in_(limited))
                    .values(status=MessageStatus.QUEUED, next_attempt_at=later, updated_at=now)
                )
                result.limited = limited
            claimed = [r for r, ok in zip(rows, granted, strict=True) if ok]
            record_changes(
                session,
                [
                    Change(
                        r.id,
                        r.account_id,
                        MessageStatus.SENDING,
                        now,
                        callback_url=r.status_callback_url,
                    )
                    for r in claimed
                ],
            )
        if limited and self.schedule is not None:
            self.schedule(limited, retry_at(now))
        return claimed

    def _settle(
        self, claimed: list[Row[Any]], answers: list[SubmitResult], result: DispatchResult
    ) -> None:
        now = self.clock.now()
        by_id = {a.message_id: a for a in answers}
        sent: list[dict[str, Any]] = []
        other: list[dict[str, Any]] = []
        changes: list[Change] = []
        retry_times: list[datetime] = []
        max_attempts = self.settings.dispatch_max_attempts
        for row in claimed:
            answer = by_id.get(row.id) or SubmitResult(
                row.id, False, None, "CARRIER_NO_ANSWER", "the carrier returned no result", False
            )
            attempts = row.attempts + 1
            base = {"b_id": row.id, "attempts": attempts, "updated_at": now}
            if answer.ok:
                sent.append(
                    {
                        **base,
                        "carrier_message_id": answer.carrier_message_id,
                        "carrier": self.carrier.name,
                        "sent_at": now,
                    }
                )
                changes.append(
                    Change(
                        row.id,
                        row.account_id,
                        MessageStatus.SENT,
                        now,
                        callback_url=row.status_callback_url,
                    )
                )
                result.sent.append(row.id)
                continue
            if answer.permanent or attempts >= max_attempts:
                status, when = MessageStatus.FAILED, None
                detail = answer.error_message or ""
                if not answer.permanent:
                    detail = f"{detail} (gave up after {attempts} attempts)".strip()
                result.failed.append(row.id)
            else:
                status, when = MessageStatus.QUEUED, now + _backoff(self.settings, attempts)
                detail = f"{answer.error_message or 'refused'}; retry {attempts} at {when:%H:%M:%S}"
                retry_times.append(when)
                result.retrying.append(row.id)
            other.append(
                {
                    **base,
                    "status": status,
                    "next_attempt_at": when,
                    "error_code": answer.error_code,
                    "error_message": answer.error_message,
                    "done_at": now if status is MessageStatus.FAILED else None,
                }
            )
            changes.append(
                Change(
                    row.id,
                    row.account_id,
                    status,
                    now,
                    answer.error_code,
                    detail,
                    row.status_callback_url,
                )
            )
        with self.db.transaction() as session:
            if sent:
                mark_sent(session, sent)
            if other:
                session.execute(
                    update(_MT)
                    .where(_MT.c.id == bindparam("b_id"), _MT.c.status == MessageStatus.SENDING)
                    .values(
                        status=bindparam("status"),
                        attempts=bindparam("attempts"),
                        next_attempt_at=bindparam("next_attempt_at"),
                        error_code=bindparam("error_code"),
                        error_message=bindparam("error_message"),
                        done_at=bindparam("done_at"),
                        updated_at=bindparam("updated_at"),
                    ),
                    other,
                )
            record_changes(session, changes)
        if result.retrying and self.schedule is not None:
            self.schedule(result.retrying, max(retry_times))

    # ---- sweeper -------------------------------------------------------------------------------

    def sweep(self, enqueue: Callable[[Sequence[str]], None]) -> SweepResult:
        """Recover what a crash or a lost queue entry left behind (see the module docstring)."""
        now = self.clock.now()
        stale = now - timedelta(seconds=self.settings.stale_after_seconds)
        out = SweepResult()
        with self.db.transaction() as session:
            queued = list(
                session.scalars(
                    select(Message.id)
                    .where(
                        Message.status == MessageStatus.QUEUED,
                        func.coalesce(Message.next_attempt_at, Message.updated_at) <= stale,
                    )
                    .limit(_SWEEP_LIMIT)
                )
            )
            stuck: list[Row[Any]] = list(
                session.execute(
                    select(Message.id, Message.account_id, Message.status_callback_url)
                    .where(Message.status == MessageStatus.SENDING, Message.updated_at <= stale)
                    .limit(_SWEEP_LIMIT)
                )
            )
            self.limiter.cleanup(session, now=now)
        if stuck:
            queued += self._recover_sending(stuck, now, out)
        if queued:
            out.requeued = len(queued)
            enqueue(queued)
        out.receipts = self._query_receipts(now)
        if any((out.requeued, out.recovered_sent, out.reset, out.unconfirmed, out.receipts)):
            log.info(
                "messaging.sweep",
                requeued=out.requeued,
                recovered_sent=out.recovered_sent,
                reset=out.reset,
                unconfirmed=out.unconfirmed,
                receipts=out.receipts,
            )
        return out

    def _recover_sending(
        self, stuck: Sequence[Row[Any]], now: datetime, out: SweepResult
    ) -> list[str]:
        ids = [r.id for r in stuck]
        accepted: dict[str, SubmitResult] = {}
        ledger = isinstance(self.carrier, SubmissionLedger)
        if ledger:
            accepted = self.carrier.lookup(ids)  # type: ignore[attr-defined]
        sent = [
            {
                "b_id": mid,
                "carrier_message_id": accepted[mid].carrier_message_id,
                "carrier": self.carrier.name,
                "sent_at": now,
                "attempts": None,
                "updated_at": now,
            }
            for mid in ids
            if mid in accepted
        ]
        rest = [r for r in stuck if r.id not in accepted]
        requeue: list[str] = []
        changes = [
            Change(
                r.id,
                r.account_id,
                MessageStatus.SENT,
                now,
                detail="confirmed by the carrier after an interrupted dispatch",
                callback_url=r.status_callback_url,
            )
            for r in stuck
            if r.id in accepted
        ]
        with self.db.transaction() as session:
            if sent:
                mark_sent(session, sent, count_attempt=False)
                out.recovered_sent = len(sent)
            if rest and (ledger or self.settings.resend_unconfirmed):
                # Not accepted (ledger) or resending is allowed: back to the queue.
                session.execute(
                    update(_MT)
                    .where(
                        _MT.c.id.in_([r.id for r in rest]), _MT.c.status == MessageStatus.SENDING
                    )
                    .values(status=MessageStatus.QUEUED, next_attempt_at=None, updated_at=now)
                )
                changes += [
                    Change(
                        r.id,
                        r.account_id,
                        MessageStatus.QUEUED,
                        now,
                        detail="dispatch interrupted; queued again",
                    )
                    for r in rest
                ]
                requeue = [r.id for r in rest]
                out.reset = len(rest)
            elif rest:
                session.execute(
                    update(_MT)
                    .where(
                        _MT.c.id.in_([r.id for r in rest]), _MT.c.status == MessageStatus.SENDING
                    )
                    .values(
                        status=MessageStatus.FAILED,
                        error_code="SUBMIT_UNCONFIRMED",
                        error_message="The dispatch was interrupted and the carrier cannot say "
                        "whether it accepted the message; it was not sent again.",
                        done_at=now,
                        updated_at=now,
                    )
                )
                changes += [
                    Change(
                        r.id,
                        r.account_id,
                        MessageStatus.FAILED,
                        now,
                        "SUBMIT_UNCONFIRMED",
                        callback_url=r.status_callback_url,
                    )
                    for r in rest
                ]
                out.unconfirmed = len(rest)
            record_changes(session, changes)
        return requeue

    def _query_receipts(self, now: datetime) -> int:
        if not isinstance(self.carrier, SubmissionLedger):
            return 0
        waited = now - timedelta(seconds=self.settings.receipt_wait_seconds)
        with self.db.transaction() as session:
            carrier_ids = [
                cid
                for cid in session.scalars(
                    select(Message.carrier_message_id)
                    .where(
                        Message.status == MessageStatus.SENT,
                        Message.carrier == self.carrier.name,
                        Message.sent_at <= waited,
                    )
                    .limit(_SWEEP_LIMIT)
                )
                if cid
            ]
        if not carrier_ids:
            return 0
        receipts = self.carrier.query(carrier_ids)
        with self.db.transaction() as session:
            applied, _ = apply_receipts(session, receipts, now=now)
        return applied


def mark_sent(session: Session, rows: list[dict[str, Any]], *, count_attempt: bool = True) -> None:
    """Settle claimed messages as sent with their carrier ids (rows keyed b_id)."""
    values: dict[str, Any] = {
        "status": MessageStatus.SENT,
        "carrier": bindparam("carrier"),
        "carrier_message_id": bindparam("carrier_message_id"),
        "sent_at": bindparam("sent_at"),
        "next_attempt_at": None,
        "error_code": None,
        "error_message": None,
        "updated_at": bindparam("updated_at"),
    }
    if count_attempt:
        values["attempts"] = bindparam("attempts")
    else:
        values["attempts"] = _MT.c.attempts + 1
        rows = [{k: v for k, v in r.items() if k != "attempts"} for r in rows]
    # `queued` too: a sweeper may have reset a slow dispatch that did reach the carrier.
    session.execute(
        update(_MT)
        .where(
            _MT.c.id == bindparam("b_id"),
            # (two comparisons: an expanding IN cannot be used with executemany)
            or_(_MT.c.status == MessageStatus.SENDING, _MT.c.status == MessageStatus.QUEUED),
        )
        .values(**values),
        rows,
    )


_RECEIPT_STATUS = {
    "delivered": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
}


def apply_receipts(
    session: Session, receipts: Sequence[DeliveryReceipt], *, now: datetime
) -> tuple[int, list[DeliveryReceipt]]:
    """Settle sent messages from carrier receipts; returns (applied, receipts matching no sent
    message yet — the receipt can outrun the commit that records the carrier id)."""
    if not receipts:
        return 0, []
    by_cid = {r.carrier_message_id: r for r in receipts}
    rows = session.execute(
        select(
            Message.id,
            Message.account_id,
            Message.status,
            Message.carrier_message_id,
            Message.status_callback_url,
        ).where(
            Message.carrier_message_id.in_(list(by_cid)),
            Message.direction == Direction.OUTBOUND,
        )
    ).all()
    found = {r.carrier_message_id for r in rows}
    pending = [r for cid, r in by_cid.items() if cid not in found]
    updates: list[dict[str, Any]] = []
    changes: list[Change] = []
    for row in rows:
        if row.status is not MessageStatus.SENT:
            if row.status in (MessageStatus.SENDING, MessageStatus.QUEUED):
                pending.append(by_cid[row.carrier_message_id])
            continue  # already final: a repeated receipt changes nothing
        receipt = by_cid[row.carrier_message_id]
        status = _RECEIPT_STATUS[receipt.status]
        done = receipt.done_at or now
        updates.append(
            {
                "b_id": row.id,
                "status": status,
                "error_code": receipt.error_code,
                "done_at": done,
                "updated_at": now,
            }
        )
        changes.append(
            Change(
                row.id,
                row.account_id,
                status,
                now,
                receipt.error_code,
                callback_url=row.status_callback_url,
            )
        )
    if updates:
        session.execute(
            update(_MT)
            .where(_MT.c.id == bindparam("b_id"), _MT.c.status == MessageStatus.SENT)
            .values(
                status=bindparam("status"),
                error_code=bindparam("error_code"),
                done_at=bindparam("done_at"),
                updated_at=bindparam("updated_at"),
            ),
            updates,
        )
        record_changes(session, changes)
    return len(updates), pending
