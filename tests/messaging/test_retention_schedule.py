"""Retention per account over HTTP, and the worker's scheduled purge."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.queue import make_huey
from consentry.kit.settings import Settings
from consentry.messaging.models import Message
from consentry.worker import Pipeline
from tests.support.builders import Tenant
from tests.support.messages import add_message

NUM = "+13125550100"
ALICE = "+17735550111"
URL = "/api/v1/account/retention"


def _count(session: Session, account_id: str) -> int:
    session.expire_all()
    stmt = select(func.count()).select_from(Message).where(Message.account_id == account_id)
    return session.scalar(stmt) or 0


def test_retention_endpoint_reads_and_sets_the_callers_account(
    client: TestClient, customer: Tenant, other_customer: Tenant
) -> None:
    assert client.get(URL, headers=customer.headers).json() == {"retention_days": None}
    put = client.put(URL, json={"retention_days": 30}, headers=customer.headers)
    assert put.status_code == 200 and put.json() == {"retention_days": 30}
    assert client.get(URL, headers=customer.headers).json() == {"retention_days": 30}
    # Another account's setting is its own.
    assert client.get(URL, headers=other_customer.headers).json() == {"retention_days": None}
    cleared = client.put(URL, json={"retention_days": None}, headers=customer.headers)
    assert cleared.json() == {"retention_days": None}


def test_retention_endpoint_refuses_out_of_range_values(
    client: TestClient, customer: Tenant
) -> None:
    for bad in (0, -1, 3651, "thirty"):
        r = client.put(URL, json={"retention_days": bad}, headers=customer.headers)
        assert r.status_code == 422, bad
    assert client.put(URL, json={}, headers=customer.headers).status_code == 422
    assert client.put(URL, json={"retention_days": 3650}, headers=customer.headers).json() == {
        "retention_days": 3650
    }
    assert client.get(URL).status_code == 401


def test_purge_job_deletes_expired_messages(
    client: TestClient,
    session: Session,
    customer: Tenant,
    database: Database,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    now = clock.now()
    add_message(session, customer.account, number=NUM, remote=ALICE, at=now - timedelta(days=8))
    add_message(session, customer.account, number=NUM, remote=ALICE, at=now - timedelta(days=6))
    session.commit()
    pipeline = Pipeline(settings, database=database, clock=clock, huey=make_huey("memory:"))
    pipeline.purge_retention()
    assert _count(session, customer.account.id) == 2  # no retention set: kept
    client.put(URL, json={"retention_days": 7}, headers=customer.headers)
    pipeline.purge_retention()
    assert _count(session, customer.account.id) == 1


def test_the_worker_runs_the_purge_on_its_schedule(
    client: TestClient,
    session: Session,
    customer: Tenant,
    database: Database,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    assert Settings().retention_purge_interval_seconds == 3600  # hourly by default
    add_message(
        session, customer.account, number=NUM, remote=ALICE, at=clock.now() - timedelta(days=2)
    )
    session.commit()
    tuned = settings.model_copy(update={"retention_purge_interval_seconds": 0.1})
    pipeline = Pipeline(tuned, database=database, clock=clock, huey=make_huey("memory:"))
    pipeline.start(workers=1)
    try:
        # The first tick runs every job at once; the purge after this change is a later tick.
        time.sleep(0.3)
        assert _count(session, customer.account.id) == 1
        client.put(URL, json={"retention_days": 1}, headers=customer.headers)
        deadline = time.monotonic() + 10
        while _count(session, customer.account.id) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        pipeline.stop()
    assert _count(session, customer.account.id) == 0
