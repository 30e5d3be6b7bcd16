"""The work queue: huey on a SQLite file (embedded, the default) or on Redis (scale-out).

The queue carries ids, never state: the database is the truth, and a periodic sweeper puts back
anything a lost queue entry or a crashed worker left behind. `consentry serve` runs a consumer
in-process (threads, no signal handlers: the web server owns those); `consentry worker` runs
one in the foreground for scale-out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer

__all__ = ["EmbeddedConsumer", "Huey", "make_huey", "queue_kind"]

QUEUE_NAME = "consentry"


def queue_kind(url: str) -> str:
    """'redis', 'memory' or 'sqlite' for a queue URL (or a plain file path)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return "redis"
    if url.startswith("memory:"):
        return "memory"
    return "sqlite"


def _sqlite_path(url: str) -> str:
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    if not path or path == ":memory:":
        raise ValueError("the queue needs a SQLite file (it is shared by threads and processes)")
    Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    return str(Path(path).expanduser())


def make_huey(url: str, *, name: str = QUEUE_NAME) -> Huey:
    """A huey instance for `url`: sqlite:///path or a path, redis://..., or memory: (tests)."""
    kind = queue_kind(url)
    options: dict[str, Any] = {"results": False, "utc": True}
    if kind == "redis":
        return RedisHuey(name, url=url, **options)
    if kind == "memory":
        return MemoryHuey(name, **options)
    return SqliteHuey(name, filename=_sqlite_path(url), timeout=30, **options)


class EmbeddedConsumer(Consumer):  # type: ignore[misc]  # huey ships no type hints
    """A huey consumer that runs beside a web server: it leaves signal handling to the host."""

    def _set_signal_handlers(self) -> None:
        return None
