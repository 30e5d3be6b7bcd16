"""The queue end to end: outbox to huey (SQLite file or Redis), consumer threads, loopback."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.api.app import create_app
from consentry.kit.clock import SystemClock
from consentry.kit.db import Database
from consentry.kit.queue import make_huey, queue_kind
from consentry.kit.settings import Settings
from consentry.messaging import outbox
from consentry.messaging.inbound import ORIGIN_HELP
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.worker import Pipeline
from tests.messaging.builders import OUR_NUMBER, add_number, add_program, queue_message
from tests.messaging.services import redis_url
from tests.support.builders import Tenant, make_tenant

S = MessageStatus


def _wait(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    return redis_url()


@pytest.fixture
def pipeline(queue_url: str, settings: Settings, database: Database) -> Iterator[Pipeline]:
    tuned = settings.model_copy(
        update={"queue_url": queue_url, "loopback_receipt_delay": 0.0, "worker_threads": 2}
    )
    # A queue name of its own, so parallel runs on one Redis never share a queue.
    huey = make_huey(queue_url, name=f"consentry-test-{os.getpid()}-{time.monotonic_ns()}")
    p = Pipeline(tuned, database=database, clock=SystemClock(), huey=huey)
    yield p
    p.stop()
    huey.flush()


def test_queue_kinds() -> None:
    assert queue_kind("redis://127.0.0.1:6379/0") == "redis"
    assert queue_kind("sqlite:///./q.db") == "sqlite"
    assert queue_kind("./q.db") == "sqlite"


def test_ids_are_enqueued_only_after_commit(
    pipeline: Pipeline, session: Session, customer: Tenant
) -> None:
    pipeline.install()
    clock = SystemClock()
    dropped = queue_message(
        session, account_id=customer.account.id, to="+15125559001", now=clock.now(), commit=False
    )
    outbox.enqueue_after_commit(session, dropped.id)
    session.rollback()
    assert pipeline.huey.pending_count() == 0
    kept = queue_message(
        session, account_id=customer.account.id, to="+15125559001", now=clock.now(), commit=False
    )
    outbox.enqueue_after_commit(session, kept.id)
    session.commit()
    assert pipeline.huey.pending_count() == 1


def test_help_via_the_api_is_answered_through_the_queue_and_the_loopback(
    pipeline: Pipeline,
    settings: Settings,
    database: Database,
    session: Session,
    customer: Tenant,
) -> None:
    add_number(session, customer.account.id)
    add_program(session, customer.account.id)
    pipeline.start()
    with TestClient(create_app(settings, SystemClock(), database)) as client:
        r = client.post(
            "/api/v1/carriers/loopback/inbound",
            json={"from": "+15125559001", "to": OUR_NUMBER, "text": "HELP"},
            headers=customer.headers,
        )
        assert r.status_code == 201, r.text

    def answered() -> bool:
        session.expire_all()
        reply = session.scalars(select(Message).where(Message.origin == ORIGIN_HELP)).first()
        return reply is not None and reply.status is S.DELIVERED

    assert _wait(answered)


def test_loopback_delivers_between_local_numbers(
    pipeline: Pipeline, session: Session, customer: Tenant
) -> None:
    add_number(session, customer.account.id)
    friend = make_tenant(session, name="Elsewhere Dental")
    add_number(session, friend.account.id, "+15125550777")
    pipeline.start()
    pipeline.install()
    msg = queue_message(
        session,
        account_id=customer.account.id,
        to="+15125550777",
        now=SystemClock().now(),
        text="Hello neighbour",
        commit=False,
    )
    outbox.enqueue_after_commit(session, msg.id)
    session.commit()

    def arrived() -> Message | None:
        session.expire_all()
        return session.scalars(
            select(Message).where(
                Message.account_id == friend.account.id, Message.direction == Direction.INBOUND
            )
        ).first()

    assert _wait(lambda: arrived() is not None)
    inbound = arrived()
    assert inbound is not None
    assert (inbound.from_number, inbound.text, inbound.status) == (
        OUR_NUMBER,
        "Hello neighbour",
        S.RECEIVED,
    )
    assert _wait(
        lambda: (
            session.get(Message, msg.id) is not None
            and (session.expire_all() or True)
            and session.get(Message, msg.id).status is S.DELIVERED
        )
    )  # type: ignore[union-attr]


def test_a_retry_is_scheduled_through_the_queue(
    pipeline: Pipeline, session: Session, customer: Tenant, settings: Settings
) -> None:
    pipeline.settings = pipeline.settings.model_copy(update={"retry_base_seconds": 0.3})
    pipeline.start()
    pipeline.install()
    msg = queue_message(
        session,
        account_id=customer.account.id,
        to="+15550100002",
        now=SystemClock().now(),
        commit=False,
    )
    outbox.enqueue_after_commit(session, msg.id)
    session.commit()

    def delivered() -> bool:
        session.expire_all()
        row = session.get(Message, msg.id)
        return row is not None and row.status is S.DELIVERED and row.attempts == 2

    assert _wait(delivered)
