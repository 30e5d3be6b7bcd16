"""Adding numbers to an account and telling whether each can send. Services only flush."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consentry.accounts.scope import Principal
from consentry.kit.errors import Conflict, Invalid, NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.kit.phone import normalize_us
from consentry.messaging.models import PhoneNumber
from consentry.messaging.numbers import repository
from consentry.messaging.registry import SenderIndex, SenderState

__all__ = ["NumberState", "add_number", "get_number", "list_numbers", "parse_number"]

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class NumberState:
    """A number and its registration state."""

    row: PhoneNumber
    state: SenderState


def parse_number(raw: str, *, field: str = "number") -> str:
    """E.164 for a US number, or NUMBER_INVALID."""
    normal = normalize_us(raw)
    if normal is None:
        raise Invalid(
            f"{raw!r} is not a valid US phone number.",
            code="NUMBER_INVALID",
            fix='Give the number in E.164, e.g. "+15125550123".',
            details={"field": field},
        )
    return normal


def _taken() -> Conflict:
    # Never say who owns it: that would leak another tenant's data.
    return Conflict(
        "This number is already in use by another account.",
        code="NUMBER_TAKEN",
        fix="Check the number; if it is yours, contact support to move it to this account.",
    )


def add_number(
    session: Session, principal: Principal, *, number: str, label: str | None = None
) -> PhoneNumber:
    """Add a US number to the caller's account (NUMBER_INVALID, NUMBER_TAKEN, NUMBER_EXISTS)."""
    normal = parse_number(number)
    existing = repository.by_number(session, normal)
    if existing is not None:
        if existing.account_id == principal.account_id:
            raise Conflict(
                f"{normal} is already one of this account's numbers.",
                code="NUMBER_EXISTS",
                fix="GET /api/v1/numbers lists your numbers.",
                details={"id": existing.id},
            )
        raise _taken()
    row = PhoneNumber(
        id=new_id("num"), account_id=principal.account_id, number=normal, label=label, settings={}
    )
    try:
        # A savepoint, so a concurrent insert of the same number fails only this statement.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise _taken() from None
    log.info("messaging.number.added", number_id=row.id, number=normal)
    return row


def _states(session: Session, rows: list[PhoneNumber], now: datetime) -> list[NumberState]:
    by_account: dict[str, list[PhoneNumber]] = defaultdict(list)
    for row in rows:
        by_account[row.account_id].append(row)
    out: dict[str, NumberState] = {}
    for account_id, owned in by_account.items():
        index = SenderIndex(
            session, account_id=account_id, numbers=[r.number for r in owned], now=now
        )
        for row in owned:
            out[row.id] = NumberState(row=row, state=index.state(row.number))
    return [out[r.id] for r in rows]


def list_numbers(session: Session, principal: Principal, *, now: datetime) -> list[NumberState]:
    """The caller's numbers with their registration state."""
    return _states(session, list(repository.visible_numbers(session, principal)), now)


def get_number(
    session: Session, principal: Principal, *, number_id: str, now: datetime
) -> NumberState:
    """One of the caller's numbers (another tenant's reads as NUMBER_NOT_FOUND)."""
    row = repository.visible_number(session, principal, number_id)
    if row is None:
        raise NotFound(
            f"No number {number_id}.",
            code="NUMBER_NOT_FOUND",
            fix="GET /api/v1/numbers lists your numbers.",
        )
    return _states(session, [row], now)[0]
