"""Rate limits per number and per campaign, counted in segments, shared across processes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.dispatch import Dispatcher
from consentry.messaging.models import Message, MessageStatus
from consentry.messaging.ratelimit import (
    DatabaseRateLimiter,
    Demand,
    RateLimiter,
    RedisRateLimiter,
    next_window,
)
from tests.messaging.builders import loopback_dispatcher, queue_message, statuses
from tests.messaging.services import redis_url
from tests.support.builders import Tenant

S = MessageStatus
ONE = "Northside PT: see you tomorrow at 10:00."
THREE = "Northside PT: " + "your visit is confirmed. " * 15  # 3 GSM-7 segments


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def limiter(request: pytest.FixtureRequest) -> Iterator[RateLimiter]:
    if request.param == "database":
        yield DatabaseRateLimiter()
        return
    redis_limiter = RedisRateLimiter(redis_url(), prefix="consentry-test:rl")
    yield redis_limiter
    redis_limiter.reset()


@pytest.fixture
def make(
    database: Database, settings: Settings, clock: FrozenClock, limiter: RateLimiter
) -> Iterator[Callable[..., Dispatcher]]:
    made = []

    def build(**limits: int) -> Dispatcher:
        tuned = settings.model_copy(update=limits)
        dispatcher, carrier, _ = loopback_dispatcher(database, tuned, clock, limiter=limiter)
        made.append(carrier)
        return dispatcher

    yield build
    for carrier in made:
        carrier.close()


def _queue(
    session: Session, tenant: Tenant, clock: FrozenClock, text: str, n: int = 1, **kw: object
) -> list[str]:
    ids = [
        queue_message(
            session,
            account_id=tenant.account.id,
            to=f"+1512555{i:04d}",
            now=clock.now(),
            text=text,
            commit=False,
            **kw,
        ).id  # type: ignore[arg-type]
        for i in range(n)
    ]
    session.commit()
    return ids


def test_number_limit_counts_segments_and_defers_to_the_next_window(
    make: Callable[..., Dispatcher], session: Session, customer: Tenant, clock: FrozenClock
) -> None:
    dispatcher = make(rate_limit_number_per_minute=5, rate_limit_campaign_per_minute=0)
    singles = _queue(session, customer, clock, ONE, 3)
    long = _queue(session, customer, clock, THREE)
    last = _queue(session, customer, clock, ONE)
    result = dispatcher.dispatch(singles + long + last)
    # 3 + 3 segments would exceed 5: the long one waits, the single after it still fits.
    assert result.sent == singles + last
    assert result.limited == long
    waiting = session.get(Message, long[0])
    assert waiting is not None and waiting.status is S.QUEUED
    assert waiting.next_attempt_at is not None
    assert waiting.next_attempt_at >= next_window(clock.now())
    assert waiting.attempts == 0 and waiting.error_code is None  # deferred, not failed

    clock.set(waiting.next_attempt_at)
    assert dispatcher.dispatch(long).sent == long


def test_campaign_limit_spans_its_numbers(
    make: Callable[..., Dispatcher], session: Session, customer: Tenant, clock: FrozenClock
) -> None:
    dispatcher = make(rate_limit_number_per_minute=0, rate_limit_campaign_per_minute=4)
    a = _queue(session, customer, clock, ONE, 3, application_id=None, from_="+15125550101")
    from tests.messaging.builders import add_program

    program = add_program(session, customer.account.id, ["+15125550101", "+15125550102"]).id
    first = _queue(session, customer, clock, ONE, 3, application_id=program, from_="+15125550101")
    second = _queue(session, customer, clock, ONE, 3, application_id=program, from_="+15125550102")
    result = dispatcher.dispatch(a + first + second)
    assert len(result.sent) == 3 + 4 and len(result.limited) == 2
    assert set(result.limited) <= set(second)


def test_a_message_larger_than_the_limit_goes_alone_in_an_empty_window(
    make: Callable[..., Dispatcher], session: Session, customer: Tenant, clock: FrozenClock
) -> None:
    dispatcher = make(rate_limit_number_per_minute=2, rate_limit_campaign_per_minute=0)
    long = _queue(session, customer, clock, THREE)
    single = _queue(session, customer, clock, ONE)
    result = dispatcher.dispatch(long + single)
    assert result.sent == long and result.limited == single


def test_limits_hold_across_concurrent_dispatchers(
    database: Database,
    settings: Settings,
    clock: FrozenClock,
    session: Session,
    customer: Tenant,
    limiter: RateLimiter,
) -> None:
    tuned = settings.model_copy(
        update={"rate_limit_number_per_minute": 10, "rate_limit_campaign_per_minute": 0}
    )
    ids = _queue(session, customer, clock, ONE, 40)
    workers = []
    for _ in range(4):
        # Separate engines, as separate processes would have.
        db = Database(database.url)
        dispatcher, carrier, _ = loopback_dispatcher(db, tuned, clock, limiter=limiter)
        workers.append((db, dispatcher, carrier))
    sent: list[str] = []
    lock = threading.Lock()

    def run(dispatcher: Dispatcher, part: list[str]) -> None:
        got = dispatcher.dispatch(part).sent
        with lock:
            sent.extend(got)

    threads = [
        threading.Thread(target=run, args=(d, ids[i::4])) for i, (_, d, _) in enumerate(workers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for db, _, carrier in workers:
        carrier.close()
        db.dispose()
    assert len(sent) == 10
    assert list(statuses(session, ids).values()).count(S.SENT) == 10


def test_database_counters_of_past_windows_are_cleaned_up(
    database: Database, clock: FrozenClock
) -> None:
    from sqlalchemy import func, select

    from consentry.messaging.delivery_models import RateCounter

    limiter = DatabaseRateLimiter()
    with database.transaction() as s:
        assert limiter.acquire(s, [Demand(1, (("number:+1", 5),))], now=clock.now()) == [True]
    clock.advance(timedelta(minutes=2))
    with database.transaction() as s:
        limiter.cleanup(s, now=clock.now())
        assert s.scalar(select(func.count()).select_from(RateCounter)) == 0
