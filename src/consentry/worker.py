"""The queue consumer and everything it runs: dispatch, receipts, inbound, sweeps, callbacks.

One `Pipeline` per process. On the producing side (any process that accepts messages) it
installs the outbox dispatcher, so committed message ids become dispatch tasks in batches. On
the consuming side (`consentry serve` in-process, or `consentry worker`) it also starts the
carrier, a receipt writer that applies delivery receipts in batches, and a ticker that runs the
periodic work:

    every sweep_interval_seconds  sweeper (stuck `queued`/`sending`, unanswered receipts)
    every 5 s                     due status callbacks (first tries are nudged right away)
    every 5 min                   expire temporary registrations, flag overdue applications
    every pending_consent_sweep_interval_seconds (5 min)  expire double opt-in consents whose
                                  YES did not come within pending_consent_hours
    every retention_purge_interval_seconds (1 h)  delete messages past their account's retention

huey's own periodic tasks fire at most once a minute and on every consumer; the ticker runs at
any interval and takes a queue-wide lock per job, so N worker processes do the work once.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from huey.exceptions import TaskLockedException

from consentry.carriers import Carrier, get_carrier
from consentry.carriers.base import DeliveryReceipt, InboundMessage
from consentry.kit.clock import Clock, SystemClock
from consentry.kit.db import Database
from consentry.kit.errors import DomainError
from consentry.kit.logging import get_logger
from consentry.kit.queue import EmbeddedConsumer, Huey, make_huey, queue_kind
from consentry.kit.settings import Settings
from consentry.messaging import outbox, webhooks
from consentry.messaging.dispatch import Dispatcher, apply_receipts
from consentry.messaging.inbound import receive
from consentry.messaging.ratelimit import RateLimiter, make_rate_limiter

__all__ = ["Pipeline", "ReceiptWriter"]

log = get_logger(__name__)

_RECEIPT_RETRY_SECONDS = 0.25
_RECEIPT_GIVE_UP_SECONDS = 120.0
_WEBHOOK_INTERVAL = 5.0
_REGISTRATION_INTERVAL = 300.0
_CONSENT_BATCH = 500


class ReceiptWriter:
    """Applies delivery receipts in batches on its own thread; a receipt that outruns the
    commit recording its carrier id is tried again for a while (then the sweeper asks)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._incoming: list[DeliveryReceipt] = []
        self._waiting: list[tuple[float, DeliveryReceipt]] = []
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="consentry-receipts", daemon=True)
        self.applied = 0

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def add(self, receipt: DeliveryReceipt) -> None:
        """Take one receipt (the carrier's callback; never blocks for long)."""
        with self._cond:
            self._incoming.append(receipt)
            self._cond.notify()

    def stop(self) -> None:
        """Apply what is buffered and end the thread."""
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(10)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._incoming and not self._stop:
                    self._cond.wait(_RECEIPT_RETRY_SECONDS if self._waiting else 1.0)
                batch, self._incoming = self._incoming, []
                stopping = self._stop
            now = time.monotonic()
            due = [r for t, r in self._waiting if now - t >= _RECEIPT_RETRY_SECONDS]
            keep = [(t, r) for t, r in self._waiting if now - t < _RECEIPT_RETRY_SECONDS]
            first_seen = {id(r): t for t, r in self._waiting}
            self._waiting = keep
            todo = batch + due
            if todo:
                self._apply(todo, first_seen, now)
            if stopping:
                return
            # Gather a few more before the next transaction: one commit per batch, not per receipt.
            time.sleep(0.02)

    def _apply(self, todo: list[DeliveryReceipt], first_seen: dict[int, float], now: float) -> None:
        try:
            with self.db.transaction() as session:
                applied, pending = apply_receipts(session, todo, now=self.clock.now())
        except Exception:
            log.exception("messaging.receipts.apply_failed", count=len(todo))
            applied, pending = 0, todo
        self.applied += applied
        for receipt in pending:
            seen = first_seen.get(id(receipt), now)
            if now - seen < _RECEIPT_GIVE_UP_SECONDS:
                self._waiting.append((seen, receipt))
            else:
                log.warning(
                    "messaging.receipts.unmatched", carrier_message_id=receipt.carrier_message_id
                )


class Pipeline:
    """A process's queue, carrier and periodic work (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        database: Database | None = None,
        clock: Clock | None = None,
        huey: Huey | None = None,
        carrier: Carrier | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.settings = settings
        self.db = database or Database(settings.database_url)
        self.clock = clock or SystemClock()
        self.huey = huey or make_huey(settings.effective_queue_url)
        self._carrier = carrier
        self._limiter = limiter
        self._dispatcher: Dispatcher | None = None
        self._lock = threading.Lock()
        self.receipts = ReceiptWriter(self.db, self.clock)
        self._consumer: Any = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._started = False
        self._dispatch_task: Any = self.huey.task(name="consentry.dispatch")(self._run_dispatch)
        self._webhook_task: Any = self.huey.task(name="consentry.webhooks")(self._run_webhooks)

    # ---- producing ---------------------------------------------------------------------------

    def install(self) -> None:
        """Route committed message ids and new status callbacks to this pipeline's queue."""
        outbox.set_dispatcher(self.enqueue)
        webhooks.set_nudge(self.nudge_webhooks)

    def uninstall(self) -> None:
        """Stop routing work to this pipeline."""
        outbox.set_dispatcher(None)
        webhooks.set_nudge(None)

    def enqueue(self, message_ids: Sequence[str]) -> None:
        """Dispatch tasks for these ids, in batches of dispatch_batch_size."""
        size = self.settings.dispatch_batch_size
        ids = list(message_ids)
        for i in range(0, len(ids), size):
            self._dispatch_task(ids[i : i + size])

    def schedule(self, message_ids: Sequence[str], at: datetime) -> None:
        """A dispatch task for these ids, run no earlier than `at`."""
        delay = max(0.0, (at - self.clock.now()).total_seconds())
        size = self.settings.dispatch_batch_size
        ids = list(message_ids)
        for i in range(0, len(ids), size):
            self._dispatch_task.schedule(args=(ids[i : i + size],), delay=delay)

    def nudge_webhooks(self) -> None:
        """Ask a worker to deliver the status callbacks that are due."""
        self._webhook_task()

    # ---- consuming ---------------------------------------------------------------------------

    @property
    def carrier(self) -> Carrier:
        """The carrier (built and started on first use)."""
        return self.dispatcher.carrier

    @property
    def dispatcher(self) -> Dispatcher:
        """The dispatcher of this process (its carrier is started on first use)."""
        with self._lock:
            if self._dispatcher is None:
                carrier = self._carrier or self._make_carrier()
                carrier.start(on_receipt=self.receipts.add, on_inbound=self._on_inbound)
                self._dispatcher = Dispatcher(
                    db=self.db,
                    carrier=carrier,
                    limiter=self._limiter or make_rate_limiter(self.settings),
                    settings=self.settings,
                    clock=self.clock,
                    schedule=self.schedule,
                )
            return self._dispatcher

    def _make_carrier(self) -> Carrier:
        name = self.settings.carrier
        config: dict[str, Any] = dict(self.settings.carrier_config)
        if name == "loopback":
            config.setdefault("database", self.db)
            config.setdefault("receipt_delay", self.settings.loopback_receipt_delay)
            config.setdefault("submit_delay", self.settings.loopback_submit_delay)
        return get_carrier(name, **config)

    def _run_dispatch(self, message_ids: list[str]) -> None:
        self.dispatcher.dispatch(message_ids)

    def _run_webhooks(self) -> None:
        webhooks.deliver_due(self.db, settings=self.settings, clock=self.clock)

    def _on_inbound(self, message: InboundMessage) -> None:
        try:
            with self.db.transaction() as session:
                receive(
                    session,
                    from_number=message.source,
                    to_number=message.destination,
                    text=message.text,
                    carrier=self.carrier.name,
                    carrier_message_id=message.carrier_message_id,
                    now=self.clock.now(),
                )
        except DomainError as err:
            log.warning("messaging.inbound.refused", code=err.code)

    def start(self, workers: int | None = None) -> None:
        """Start consuming in background threads (the embedded worker of `serve`)."""
        self._start_side_threads()
        self._consumer = EmbeddedConsumer(
            self.huey,
            workers=workers or self.settings.worker_threads,
            worker_type="thread",
            periodic=False,
            initial_delay=0.05,
            max_delay=0.5,
            check_worker_health=False,
        )
        self._consumer.start()

    def run(self, workers: int | None = None) -> None:
        """Consume in the foreground until SIGINT/SIGTERM (`consentry worker`)."""
        self._start_side_threads()
        consumer = self.huey.create_consumer(
            workers=workers or self.settings.worker_threads,
            worker_type="thread",
            periodic=False,
            initial_delay=0.05,
            max_delay=0.5,
        )
        try:
            consumer.run()
        finally:
            self.stop()

    def _start_side_threads(self) -> None:
        if self._started:
            raise RuntimeError("the pipeline is already consuming")
        self._started = True
        self.install()
        self.receipts.start()
        _ = self.dispatcher  # start the carrier now, so receipts and inbound flow at once
        self._ticker = threading.Thread(target=self._tick, name="consentry-ticker", daemon=True)
        self._ticker.start()

    def stop(self) -> None:
        """Stop consuming: finish running tasks, flush receipts, close the carrier."""
        self._stopping.set()
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
        if self._ticker is not None:
            self._ticker.join(10)
        self.receipts.stop()
        if self._dispatcher is not None:
            with contextlib.suppress(Exception):
                self._dispatcher.carrier.close()
        self.uninstall()

    # ---- periodic work -----------------------------------------------------------------------

    def sweep(self) -> None:
        """Run the sweeper once (under the queue-wide lock)."""
        self._locked("sweep", lambda: self.dispatcher.sweep(self.enqueue))

    def registration_maintenance(self) -> None:
        """Expire temporary registrations and flag overdue applications (under the lock)."""
        from consentry.registration.service import expire_temporary_registrations, flag_overdue

        def run() -> None:
            with self.db.transaction() as session:
                expire_temporary_registrations(session, clock=self.clock)
                flag_overdue(session, clock=self.clock)

        self._locked("registration", run)

    def expire_pending_consents(self) -> None:
        """Expire the pending (double opt-in) consents past their deadline (under the lock)."""
        from consentry.consent.service import expire_pending_consents

        def run() -> None:
            while True:
                with self.db.transaction() as session:
                    count = expire_pending_consents(
                        session, now=self.clock.now(), limit=_CONSENT_BATCH
                    )
                if count < _CONSENT_BATCH:
                    return

        self._locked("consent", run)

    def purge_retention(self) -> None:
        """Delete the messages older than their account's retention (under the lock)."""
        from consentry.messaging.retention import purge_expired_messages

        def run() -> None:
            with self.db.transaction() as session:
                purge_expired_messages(session, self.clock.now())

        self._locked("retention", run)

    def _locked(self, name: str, job: Callable[[], object]) -> None:
        # On Redis a queue-wide lock with a TTL (a crashed holder cannot block it for long)
        # makes N worker processes do the job once. SQLite storage has no TTL locks: the jobs
        # are idempotent, so processes on one machine may simply each run them.
        lock: Any = contextlib.nullcontext()
        if queue_kind(self.settings.effective_queue_url) == "redis":
            ttl = int(max(60.0, self.settings.sweep_interval_seconds * 4))
            lock = self.huey.lock_task(f"periodic.{name}", ttl=ttl)
        try:
            with lock:
                job()
        except TaskLockedException:
            log.debug("worker.periodic_busy", job=name)
        except Exception as exc:
            log.error("worker.periodic_failed", job=name, error=f"{type(exc).__name__}: {exc}")

    def _tick(self) -> None:
        jobs: list[tuple[float, Callable[[], None]]] = [
            (self.settings.sweep_interval_seconds, self.sweep),
            (_WEBHOOK_INTERVAL, self.nudge_webhooks),
            (_REGISTRATION_INTERVAL, self.registration_maintenance),
            (self.settings.pending_consent_sweep_interval_seconds, self.expire_pending_consents),
            (self.settings.retention_purge_interval_seconds, self.purge_retention),
        ]
        next_run = [time.monotonic()] * len(jobs)
        while not self._stopping.is_set():
            now = time.monotonic()
            for i, (interval, job) in enumerate(jobs):
                if now >= next_run[i]:
                    next_run[i] = now + interval
                    try:
                        job()
                    except Exception:
                        log.exception("worker.tick_failed")
            self._stopping.wait(max(0.05, min(next_run) - time.monotonic()))
