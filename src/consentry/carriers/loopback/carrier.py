"""The loopback carrier: a carrier simulator that needs no network, the default carrier.

It accepts a message by recording it in `loopback_submissions` (committed before the submit
returns, with the media links an MMS carries), then reports a delivery receipt after
`receipt_delay` seconds. A message to a number that some account owns is also handed back as an
inbound message to that number, so two local numbers can text each other. Submitting a message
id that is already recorded answers with the original carrier id and records nothing: a retried
dispatch can never send twice.

It can be told to fail, per destination: the well-known test numbers below, or rules set through
`POST /api/v1/carriers/loopback/failures` (stored in `loopback_failure_rules`, so every worker
process sees them).

    +15550100001  refused at submit, permanently        LOOPBACK_INVALID_DESTINATION
    +15550100002  refused once per message (retryable)  LOOPBACK_THROTTLED, then accepted
    +15550100003  refused at every attempt (retryable)  LOOPBACK_UNAVAILABLE
    +15550100004  accepted, then reported undelivered   LOOPBACK_UNREACHABLE
    +15550100005  accepted, then reported failed        LOOPBACK_REJECTED
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import column, insert, select, table
from sqlalchemy.orm import Session

from consentry.carriers.base import (
    DeliveryReceipt,
    InboundHandler,
    InboundMessage,
    OutboundMessage,
    ReceiptHandler,
    ReceiptStatus,
    SubmitResult,
)
from consentry.carriers.loopback.models import LoopbackFailureRule, LoopbackSubmission
from consentry.kit.db import Database
from consentry.kit.logging import get_logger

__all__ = ["TEST_NUMBERS", "LoopbackCarrier", "TestNumber"]

log = get_logger("consentry.carriers.loopback")


@dataclass(frozen=True, slots=True)
class TestNumber:
    """What the loopback carrier does with messages to one well-known test destination."""

    error_code: str
    stage: str  # "submit" or "receipt"
    permanent: bool = True
    once: bool = False  # refuse only the first attempt of each message
    receipt_status: ReceiptStatus = "undelivered"


TEST_NUMBERS: dict[str, TestNumber] = {
    "+15550100001": TestNumber("LOOPBACK_INVALID_DESTINATION", "submit", permanent=True),
    "+15550100002": TestNumber("LOOPBACK_THROTTLED", "submit", permanent=False, once=True),
    "+15550100003": TestNumber("LOOPBACK_UNAVAILABLE", "submit", permanent=False),
    "+15550100004": TestNumber("LOOPBACK_UNREACHABLE", "receipt", receipt_status="undelivered"),
    "+15550100005": TestNumber("LOOPBACK_REJECTED", "receipt", receipt_status="failed"),
}

_MESSAGES = {
    "LOOPBACK_INVALID_DESTINATION": "the destination is not a valid mobile number",
    "LOOPBACK_THROTTLED": "the carrier is throttling this sender; try again shortly",
    "LOOPBACK_UNAVAILABLE": "the carrier is temporarily unavailable",
}


@dataclass(frozen=True, slots=True)
class _Outcome:
    refusal: SubmitResult | None = None
    receipt_status: ReceiptStatus = "delivered"
    receipt_error_code: str | None = None


class LoopbackCarrier:
    """A simulated carrier backed by the database (implements Carrier and SubmissionLedger)."""

    name = "loopback"

    def __init__(
        self,
        *,
        database: Database | None = None,
        database_url: str | None = None,
        receipt_delay: float = 0.05,
        submit_delay: float = 0.0,
    ) -> None:
        if database is None:
            if not database_url:
                raise ValueError("the loopback carrier needs a database or a database_url")
            database = Database(database_url)
        self.db = database
        self.receipt_delay = receipt_delay
        self.submit_delay = submit_delay
        self._on_receipt: ReceiptHandler | None = None
        self._on_inbound: InboundHandler | None = None
        self._refused_once: set[str] = set()
        self._lock = threading.Lock()
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition(self._lock)
        self._closing = False
        self._thread: threading.Thread | None = None

    # ---- Carrier ---------------------------------------------------------------------------

    def start(self, *, on_receipt: ReceiptHandler, on_inbound: InboundHandler) -> None:
        """Start the thread that reports receipts and hands local messages back as inbound."""
        if self._thread is not None:
            raise RuntimeError("loopback carrier already started")
        self._on_receipt, self._on_inbound = on_receipt, on_inbound
        self._thread = threading.Thread(target=self._run, name="consentry-loopback", daemon=True)
        self._thread.start()

    def submit(self, msg: OutboundMessage) -> SubmitResult:
        """Accept or refuse one message."""
        return self.submit_many([msg])[0]

    def submit_many(self, msgs: Sequence[OutboundMessage]) -> list[SubmitResult]:
        """Accept or refuse several messages; every acceptance is committed before returning."""
        if not msgs:
            return []
        if self.submit_delay:
            time.sleep(self.submit_delay)
        now = datetime.now(UTC)
        ids = list({m.message_id for m in msgs})
        destinations = list({m.destination for m in msgs})
        results: list[SubmitResult] = []
        rows: list[dict[str, Any]] = []
        local: set[str] = set()
        with self.db.transaction() as session:
            known = {
                r.message_id: r.carrier_message_id
                for r in session.execute(
                    select(
                        LoopbackSubmission.message_id, LoopbackSubmission.carrier_message_id
                    ).where(LoopbackSubmission.message_id.in_(ids))
                )
            }
            rules = {
                r.to_number: r
                for r in session.scalars(
                    select(LoopbackFailureRule).where(
                        LoopbackFailureRule.to_number.in_(destinations)
                    )
                )
            }
            if self._on_inbound is not None:
                local = _local_numbers(session, destinations)
            for msg in msgs:
                if msg.message_id in known:
                    results.append(SubmitResult(msg.message_id, True, known[msg.message_id]))
                    continue
                outcome = self._outcome(msg, rules.get(msg.destination))
                if outcome.refusal is not None:
                    results.append(outcome.refusal)
                    continue
                carrier_id = f"lb_{os.urandom(10).hex()}"
                known[msg.message_id] = carrier_id
                rows.append(
                    {
                        "message_id": msg.message_id,
                        "carrier_message_id": carrier_id,
                        "from_number": msg.source,
                        "to_number": msg.destination,
                        "text": msg.text,
                        "media_urls": list(msg.media_urls),
                        "submitted_at": now,
                        "receipt_status": outcome.receipt_status,
                        "receipt_error_code": outcome.receipt_error_code,
                    }
                )
                results.append(SubmitResult(msg.message_id, True, carrier_id))
            if rows:
                session.execute(insert(LoopbackSubmission), rows)
        for row in rows:
            self._later(self._receipt_reporter(row))
            if row["to_number"] in local:
                self._later(self._inbound_reporter(row), delay=0.0)
        return results

    def close(self) -> None:
        """Stop the reporting thread (receipts not yet reported are dropped)."""
        with self._wake:
            self._closing = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(5)

    # ---- SubmissionLedger ------------------------------------------------------------------

    def lookup(self, message_ids: Sequence[str]) -> dict[str, SubmitResult]:
        """The recorded submissions among message_ids, by message id."""
        if not message_ids:
            return {}
        with self.db.transaction() as session:
            rows = session.execute(
                select(LoopbackSubmission.message_id, LoopbackSubmission.carrier_message_id).where(
                    LoopbackSubmission.message_id.in_(list(message_ids))
                )
            ).all()
        return {r.message_id: SubmitResult(r.message_id, True, r.carrier_message_id) for r in rows}

    def query(self, carrier_message_ids: Sequence[str]) -> list[DeliveryReceipt]:
        """The outcome recorded for each known carrier message id."""
        if not carrier_message_ids:
            return []
        with self.db.transaction() as session:
            rows = session.scalars(
                select(LoopbackSubmission).where(
                    LoopbackSubmission.carrier_message_id.in_(list(carrier_message_ids))
                )
            ).all()
        return [
            _receipt_of(
                r.carrier_message_id, r.receipt_status, r.receipt_error_code, r.submitted_at
            )
            for r in rows
        ]

    # ---- internals -------------------------------------------------------------------------

    def _outcome(self, msg: OutboundMessage, rule: LoopbackFailureRule | None) -> _Outcome:
        if rule is not None and rule.remaining != 0:
            if rule.remaining is not None:
                rule.remaining -= 1
            if rule.stage == "receipt":
                return _Outcome(receipt_status="undelivered", receipt_error_code=rule.error_code)
            return _Outcome(
                refusal=_refused(
                    msg, rule.error_code, "refused by a loopback failure rule", rule.permanent
                )
            )
        test = TEST_NUMBERS.get(msg.destination)
        if test is None:
            return _Outcome()
        if test.stage == "receipt":
            return _Outcome(receipt_status=test.receipt_status, receipt_error_code=test.error_code)
        if test.once:
            with self._lock:
                if msg.message_id in self._refused_once:
                    return _Outcome()
                self._refused_once.add(msg.message_id)
        return _Outcome(
            refusal=_refused(msg, test.error_code, _MESSAGES[test.error_code], test.permanent)
        )

    def _receipt_reporter(self, row: dict[str, Any]) -> Callable[[], None]:
        receipt = _receipt_of(
            row["carrier_message_id"], row["receipt_status"], row["receipt_error_code"], None
        )

        def report() -> None:
            if self._on_receipt is not None:
                self._on_receipt(receipt)

        return report

    def _inbound_reporter(self, row: dict[str, Any]) -> Callable[[], None]:
        inbound = InboundMessage(
            row["from_number"],
            row["to_number"],
            row["text"],
            f"{row['carrier_message_id']}_in",
            datetime.now(UTC),
        )

        def report() -> None:
            if self._on_inbound is not None:
                self._on_inbound(inbound)

        return report

    def _later(self, job: Callable[[], None], delay: float | None = None) -> None:
        due = time.monotonic() + (self.receipt_delay if delay is None else delay)
        with self._wake:
            heapq.heappush(self._due, (due, next(self._seq), job))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closing and (not self._due or self._due[0][0] > time.monotonic()):
                    timeout = self._due[0][0] - time.monotonic() if self._due else None
                    self._wake.wait(timeout)
                if self._closing:
                    return
                _, _, job = heapq.heappop(self._due)
            try:
                job()
            except Exception:  # a handler must not end the reporting thread
                log.exception("carriers.loopback.handler_failed")


# The numbers accounts own; read as a plain table so the carrier does not import messaging.
_PHONE_NUMBERS = table("phone_numbers", column("number"))


def _local_numbers(session: Session, destinations: list[str]) -> set[str]:
    number = _PHONE_NUMBERS.c.number
    return set(session.scalars(select(number).where(number.in_(destinations))))


def _refused(msg: OutboundMessage, code: str, text: str, permanent: bool) -> SubmitResult:
    return SubmitResult(msg.message_id, False, None, code, text, permanent)


def _receipt_of(
    carrier_id: str, status: str, error_code: str | None, done_at: datetime | None
) -> DeliveryReceipt:
    final: ReceiptStatus = (
        "failed"
        if status == "failed"
        else ("undelivered" if status == "undelivered" else "delivered")
    )
    return DeliveryReceipt(carrier_id, final, error_code, done_at or datetime.now(UTC))
