"""Work enqueued only after the transaction that created it commits (and dropped on rollback).

Services call `enqueue_after_commit(session, message_id)`; the queue module installs the
dispatcher that hands ids to workers. With no dispatcher installed (a process that only
accepts), the rows stay `queued` and the sweeper picks them up: the database is the truth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

__all__ = ["enqueue_after_commit", "set_dispatcher"]

_KEY = "consentry.outbox"
_LISTENING = "consentry.outbox.listening"
Dispatcher = Callable[[Sequence[str]], None]
_dispatcher: Dispatcher | None = None


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Install (or remove) the function that receives committed message ids."""
    global _dispatcher
    _dispatcher = dispatcher


def enqueue_after_commit(session: Session, message_id: str) -> None:
    """Hand `message_id` to the dispatcher once this session's transaction commits."""
    pending: list[str] | None = session.info.get(_KEY)
    if pending is None:
        pending = session.info[_KEY] = []
    if not session.info.get(_LISTENING):
        # Listeners stay for the session's life: removing one while SQLAlchemy dispatches the
        # event it listens to mutates the listener collection mid-iteration.
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)
    pending.append(message_id)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_KEY, None) or []
    if ids and _dispatcher is not None:
        _dispatcher(ids)


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    # Only the outermost rollback drops the work; a savepoint rolled back keeps what came before.
    if previous.parent is None:
        session.info.pop(_KEY, None)
