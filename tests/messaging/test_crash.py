"""Kill -9 a worker process in the middle of a batch, start another: nothing lost, nothing twice.

A real `python -m consentry worker` runs on the test database (SQLite file or PostgreSQL) with the
embedded SQLite queue and a loopback carrier slowed down so that batches are in flight when the
process is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.carriers.loopback.models import LoopbackSubmission
from consentry.kit.clock import SystemClock
from consentry.kit.db import Database
from consentry.kit.queue import make_huey
from consentry.kit.settings import Settings
from consentry.messaging.models import Message, MessageStatus
from consentry.worker import Pipeline
from tests.messaging.builders import queue_message
from tests.support.builders import Tenant
from tests.support.database import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
S = MessageStatus
FINAL = {S.DELIVERED, S.UNDELIVERED, S.FAILED}
COUNT = 400


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def start_worker(
    database: Database, tmp_path: Path
) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "CONSENTRY_DATABASE_URL": database.url,
        "CONSENTRY_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        "CONSENTRY_ENVIRONMENT": "test",
        "CONSENTRY_SECRET_KEY": TEST_SECRET,
        "CONSENTRY_LOG_LEVEL": "WARNING",
        "CONSENTRY_LOOPBACK_SUBMIT_DELAY": "0.05",
        "CONSENTRY_LOOPBACK_RECEIPT_DELAY": "0.05",
        "CONSENTRY_DISPATCH_BATCH_SIZE": "10",
        "CONSENTRY_SWEEP_INTERVAL_SECONDS": "0.5",
        "CONSENTRY_STALE_AFTER_SECONDS": "2",
        "CONSENTRY_RECEIPT_WAIT_SECONDS": "2",
        "CONSENTRY_RETRY_BASE_SECONDS": "0.5",
        "CONSENTRY_RATE_LIMIT_NUMBER_PER_MINUTE": "0",
        "CONSENTRY_RATE_LIMIT_CAMPAIGN_PER_MINUTE": "0",
    }
    env.pop("CONSENTRY_REDIS_URL", None)

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "consentry", "worker", "--workers", "2"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _submitted(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(LoopbackSubmission)) or 0)


def _status_counts(session: Session) -> dict[MessageStatus, int]:
    session.expire_all()
    rows = session.execute(select(Message.status, func.count()).group_by(Message.status))
    return {r[0]: r[1] for r in rows}


def test_kill_9_mid_batch_then_restart_loses_nothing_and_sends_nothing_twice(
    start_worker: Callable[[], subprocess.Popen[bytes]],
    database: Database,
    settings: Settings,
    session: Session,
    customer: Tenant,
    tmp_path: Path,
) -> None:
    now = SystemClock().now()
    special = {0: "+15550100001", 1: "+15550100002", 2: "+15550100004"}  # fail, retry, undelivered
    ids = [
        queue_message(
            session,
            account_id=customer.account.id,
            to=special.get(i % 50, f"+1512556{i:04d}"),
            now=now,
            commit=False,
        ).id
        for i in range(COUNT)
    ]
    session.commit()
    producer = Pipeline(
        settings.model_copy(update={"dispatch_batch_size": 10}),
        database=database,
        huey=make_huey(f"sqlite:///{tmp_path / 'queue.db'}"),
    )
    producer.enqueue(ids)

    first = start_worker()
    assert _wait(lambda: _submitted(session) >= COUNT // 4, 30), "the worker never got going"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    at_kill = _status_counts(session)
    assert _submitted(session) < COUNT, "killed too late: nothing was in flight"
    assert sum(at_kill.get(s, 0) for s in FINAL) < COUNT

    second = start_worker()

    def all_final() -> bool:
        counts = _status_counts(session)
        return sum(counts.get(s, 0) for s in FINAL) == COUNT

    assert _wait(all_final, 40), f"not final: {_status_counts(session)} (at kill: {at_kill})"
    second.send_signal(signal.SIGTERM)
    second.wait(15)

    twice = session.execute(
        select(LoopbackSubmission.message_id)
        .group_by(LoopbackSubmission.message_id)
        .having(func.count() > 1)
    ).all()
    assert twice == []
    counts = _status_counts(session)
    refused = COUNT // 50  # +15550100001: refused at submit, never recorded by the carrier
    assert _submitted(session) == COUNT - refused
    assert counts[S.FAILED] == refused and counts[S.UNDELIVERED] == COUNT // 50
    assert counts[S.DELIVERED] == COUNT - 2 * (COUNT // 50)
