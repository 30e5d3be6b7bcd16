"""Sending rate limits counted in segments, shared by every worker process.

10DLC throughput is granted per campaign and enforced per sending number by the carriers, and
it counts message segments, not API calls: a 3-part message uses three. Each limit is a fixed
one-minute window per key (`number:+1555...`, `campaign:app_...`); a message goes out only when
every key it counts against has room for all of its segments, and then uses them in all keys at
once. A message larger than a whole window's budget goes out alone in an empty window, so it is
never stuck.

Two backends with one behaviour: the database (a `rate_counters` row per key and window, read and
updated inside the dispatch transaction, which already holds the write lock on SQLite and locks
the rows FOR UPDATE on PostgreSQL), and Redis (one Lua script per batch, atomic on the server).
A message over the limit is not failed: the dispatcher puts it back in the queue for the next
window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from consentry.kit.settings import Settings
from consentry.messaging.delivery_models import RateCounter

__all__ = [
    "WINDOW_SECONDS",
    "DatabaseRateLimiter",
    "Demand",
    "RateLimiter",
    "RedisRateLimiter",
    "demand_for",
    "make_rate_limiter",
    "next_window",
    "retry_at",
]

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Demand:
    """One message's claim: `cost` segments against each (key, limit per window)."""

    cost: int
    limits: tuple[tuple[str, int], ...]


def demand_for(
    *, from_number: str, application_id: str | None, segments: int, settings: Settings
) -> Demand:
    """The limits one outbound message counts against under the configured tiers."""
    limits: list[tuple[str, int]] = []
    if settings.rate_limit_number_per_minute:
        limits.append((f"number:{from_number}", settings.rate_limit_number_per_minute))
    if application_id and settings.rate_limit_campaign_per_minute:
        limits.append((f"campaign:{application_id}", settings.rate_limit_campaign_per_minute))
    return Demand(max(1, segments), tuple(limits))


def window_of(now: datetime) -> int:
    """The number of the fixed window `now` falls in."""
    return int(now.timestamp()) // WINDOW_SECONDS


def next_window(now: datetime) -> datetime:
    """When the window after `now`'s begins."""
    return datetime.fromtimestamp((window_of(now) + 1) * WINDOW_SECONDS, UTC)


def _allocate(demands: Sequence[Demand], used: dict[str, int]) -> tuple[list[bool], set[str]]:
    """Grant demands in order while every key has room; mutates `used`."""
    granted: list[bool] = []
    touched: set[str] = set()
    for demand in demands:
        ok = all(
            used.get(key, 0) + demand.cost <= limit or used.get(key, 0) == 0
            for key, limit in demand.limits
        )
        if ok:
            for key, _ in demand.limits:
                used[key] = used.get(key, 0) + demand.cost
                touched.add(key)
        granted.append(ok)
    return granted, touched


class RateLimiter(Protocol):
    """Grants or defers sends against shared per-window segment budgets."""

    def acquire(self, session: Session, demands: Sequence[Demand], *, now: datetime) -> list[bool]:
        """For each demand in order, True when it may go now (its segments are then used)."""
        ...

    def cleanup(self, session: Session, *, now: datetime) -> None:
        """Forget windows that have ended."""
        ...


class DatabaseRateLimiter:
    """Counters in the `rate_counters` table, updated in the caller's transaction."""

    def acquire(self, session: Session, demands: Sequence[Demand], *, now: datetime) -> list[bool]:
        """Grant demands in order; call inside the transaction that claims the messages."""
        keys = sorted({key for d in demands for key, _ in d.limits})
        if not keys:
            return [True] * len(demands)
        window = window_of(now)
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(RateCounter)
            .values([{"key": k, "window_start": window, "used": 0} for k in keys])
            .on_conflict_do_nothing()
        )
        rows = session.execute(
            select(RateCounter.key, RateCounter.used)
            .where(RateCounter.window_start == window, RateCounter.key.in_(keys))
            .with_for_update()
        ).all()
        used = {r.key: r.used for r in rows}
        granted, touched = _allocate(demands, used)
        if touched:
            session.execute(
                update(RateCounter),
                [{"key": k, "window_start": window, "used": used[k]} for k in sorted(touched)],
            )
        return granted

    def cleanup(self, session: Session, *, now: datetime) -> None:
        """Delete the counters of windows before the current one."""
        session.execute(delete(RateCounter).where(RateCounter.window_start < window_of(now)))


# KEYS: the counter keys. ARGV: ttl, demand count, then per demand: cost, n, n x (index, limit).
_LUA = """
local ttl = tonumber(ARGV[1])
local used = {}
for i, k in ipairs(KEYS) do used[i] = tonumber(redis.call('GET', k) or '0') end
local out = {}
local touched = {}
local pos = 3
for d = 1, tonumber(ARGV[2]) do
  local cost = tonumber(ARGV[pos])
  local n = tonumber(ARGV[pos + 1])
  pos = pos + 2
  local ok = 1
  for j = 0, n - 1 do
    local idx = tonumber(ARGV[pos + 2 * j])
    local limit = tonumber(ARGV[pos + 2 * j + 1])
    if used[idx] + cost > limit and used[idx] ~= 0 then ok = 0 end
  end
  if ok == 1 then
    for j = 0, n - 1 do
      local idx = tonumber(ARGV[pos + 2 * j])
      used[idx] = used[idx] + cost
      touched[idx] = true
    end
  end
  out[d] = ok
  pos = pos + 2 * n
end
for idx, _ in pairs(touched) do redis.call('SET', KEYS[idx], used[idx], 'EX', ttl) end
return out
"""


class RedisRateLimiter:
    """Counters in Redis (`consentry:rl:<key>:<window>`), one atomic script per batch."""

    def __init__(self, url: str, *, prefix: str = "consentry:rl") -> None:
        import redis

        self._redis: Any = redis.Redis.from_url(url)
        self._script: Any = self._redis.register_script(_LUA)
        self._prefix = prefix

    def acquire(self, session: Session, demands: Sequence[Demand], *, now: datetime) -> list[bool]:
        """Grant demands in order (the session is not used)."""
        window = window_of(now)
        index: dict[str, int] = {}
        argv: list[int] = [WINDOW_SECONDS * 2, len(demands)]
        for demand in demands:
            argv += [demand.cost, len(demand.limits)]
            for key, limit in demand.limits:
                argv += [index.setdefault(key, len(index) + 1), limit]
        if not index:
            return [True] * len(demands)
        keys = [f"{self._prefix}:{k}:{window}" for k in index]
        result = self._script(keys=keys, args=argv)
        return [bool(int(v)) for v in result]

    def cleanup(self, session: Session, *, now: datetime) -> None:
        """Nothing to do: Redis expires the counters itself."""

    def reset(self) -> None:
        """Delete every counter under the prefix (for tests and benchmarks)."""
        for key in self._redis.scan_iter(f"{self._prefix}:*"):
            self._redis.delete(key)


def make_rate_limiter(settings: Settings) -> RateLimiter:
    """Redis-backed when Redis is configured, database-backed otherwise."""
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url)
    return DatabaseRateLimiter()


def retry_at(now: datetime) -> datetime:
    """When a message deferred by a limit is tried again: the next window, plus a little."""
    return next_window(now) + timedelta(milliseconds=50)
