"""Phone numbers over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, status

from consentry.accounts.deps import PrincipalDep
from consentry.kit.deps import ClockDep, SessionDep
from consentry.messaging.numbers import service
from consentry.messaging.numbers.schemas import NumberCreate, NumberList, NumberRead, number_read

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["numbers"])


@router.post("/numbers", status_code=status.HTTP_201_CREATED)
def add_number(
    body: NumberCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> NumberRead:
    """Add a US number to the account (409 NUMBER_TAKEN when another account has it)."""
    row = service.add_number(session, principal, number=body.number, label=body.label)
    return number_read(service.get_number(session, principal, number_id=row.id, now=clock.now()))


@router.get("/numbers")
def list_numbers(session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> NumberList:
    """The account's numbers, each with the applications listing it and whether it can send."""
    items = service.list_numbers(session, principal, now=clock.now())
    return NumberList(items=[number_read(i) for i in items])


@router.get("/numbers/{number_id}")
def get_number(
    number_id: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> NumberRead:
    """One number and its registration state."""
    return number_read(service.get_number(session, principal, number_id=number_id, now=clock.now()))
