"""Auto textback over HTTP: each number's rule, and the call events that trigger it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from consentry.accounts.deps import PrincipalDep
from consentry.kit.deps import ClockDep, SessionDep, SettingsDep
from consentry.messaging import textback
from consentry.messaging.models import CallEvent, CallType
from consentry.messaging.textback import TextbackRule

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["textback"])


class TextbackRead(BaseModel):
    """A number's textback rule and the time zone its business hours are read in."""

    number_id: str
    number: str
    effective_timezone: str
    rule: TextbackRule


class CallEventCreate(BaseModel):
    """A call to one of your numbers, as your phone system reports it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: Literal["missed", "announcement"] = Field(
        description="missed: nobody answered; announcement: the call ended after a greeting."
    )
    from_: str = Field(alias="from", description="The caller's number.")
    to: str = Field(description="Your number that was called.")
    at: datetime | None = Field(None, description="When the call happened; default now.")


class CallEventAccepted(BaseModel):
    """What the textback did about the call."""

    call_event_id: str
    outcome: str
    message_id: str | None


class CallEventRead(BaseModel):
    """One call event and its outcome."""

    id: str
    type: str
    number: str
    caller: str
    occurred_at: datetime
    outcome: str
    textback_message_id: str | None
    created_at: datetime


class CallEventList(BaseModel):
    items: list[CallEventRead]
    next_cursor: str | None


def _event_read(row: CallEvent) -> CallEventRead:
    return CallEventRead(
        id=row.id,
        type=str(row.type),
        number=row.number,
        caller=row.caller,
        occurred_at=row.occurred_at,
        outcome=row.outcome,
        textback_message_id=row.textback_message_id,
        created_at=row.created_at,
    )


@router.get("/numbers/{number_id}/textback")
def get_textback(number_id: str, session: SessionDep, principal: PrincipalDep) -> TextbackRead:
    """A number's auto textback rule (disabled when none was set)."""
    row, zone = textback.get_rule(session, principal, number_id)
    return TextbackRead(
        number_id=row.id, number=row.number, effective_timezone=zone, rule=textback.rule_of(row)
    )


@router.put("/numbers/{number_id}/textback")
def put_textback(
    number_id: str,
    body: TextbackRule,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> TextbackRead:
    """Set a number's rule; a message the sample-message rules refuse is 422 with the findings."""
    textback.set_rule(session, principal, number_id, body, now=clock.now())
    return get_textback(number_id, session, principal)


@router.post("/call-events", status_code=status.HTTP_202_ACCEPTED)
def post_call_event(
    body: CallEventCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> CallEventAccepted:
    """Report a call; the number's rule decides whether the caller gets a textback."""
    event = textback.on_call(
        session,
        principal,
        kind=CallType(body.type),
        caller=body.from_,
        to=body.to,
        at=body.at,
        now=clock.now(),
        settings=settings,
    )
    return CallEventAccepted(
        call_event_id=event.id, outcome=event.outcome, message_id=event.textback_message_id
    )


@router.get("/call-events")
def list_call_events(
    session: SessionDep,
    principal: PrincipalDep,
    number: Annotated[str | None, Query(description="One of your numbers")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CallEventList:
    """The calls to your numbers and what the textback did, newest first."""
    page = textback.list_call_events(session, principal, number=number, cursor=cursor, limit=limit)
    return CallEventList(items=[_event_read(r) for r in page.items], next_cursor=page.next_cursor)
