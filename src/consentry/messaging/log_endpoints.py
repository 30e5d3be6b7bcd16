"""Message log, conversations and number statistics over HTTP (`/api/v1`).

Each endpoint parses, calls one repository or service function and returns a schema; the
session dependency owns the transaction. The CSV export streams from its own session after the
request's has been committed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from consentry.accounts.deps import PrincipalDep
from consentry.kit.db import Database
from consentry.kit.deps import ClockDep, SessionDep
from consentry.messaging import conversations as convs
from consentry.messaging.log_schemas import (
    ConversationList,
    ConversationRead,
    NumberStats,
    conversation_read,
)
from consentry.messaging.logs import export_csv, number_stats
from consentry.messaging.schemas import MessageList, message_read
from consentry.messaging.search import MessageFilters, search_messages
from consentry.messaging.us_numbers import us_e164

__all__ = ["FiltersDep", "log_filters", "router"]

router = APIRouter(prefix="/api/v1", tags=["messages"])

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
_WHEN = "ISO 8601 date or date-time; UTC when no zone"


def _validated(data: dict[str, Any]) -> MessageFilters:
    try:
        return MessageFilters.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as exc:
        # Rendered by the application's validation handler, like any bad query parameter.
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        ) from None


def log_filters(
    number: Annotated[str | None, Query(description="The account's number")] = None,
    remote: Annotated[str | None, Query(description="The other party's number")] = None,
    direction: Annotated[str | None, Query(description="inbound or outbound")] = None,
    status: Annotated[list[str] | None, Query(description="Statuses (repeat or a,b)")] = None,
    error_code: Annotated[str | None, Query()] = None,
    created_from: Annotated[str | None, Query(alias="from", description="Created at/after")] = None,
    created_to: Annotated[str | None, Query(alias="to", description="Created before")] = None,
    q: Annotated[str | None, Query(description="Words in the text; word* for a prefix")] = None,
) -> MessageFilters:
    """The message-log filters of the query string."""
    return _validated(
        {
            "number": number,
            "remote": remote,
            "direction": direction,
            "status": status,
            "error_code": error_code,
            "from": created_from,
            "to": created_to,
            "q": q,
        }
    )


FiltersDep = Annotated[MessageFilters, Depends(log_filters)]


@router.get("/logs")
def message_log(
    filters: FiltersDep,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MessageList:
    """Search the message log: newest first, every filter optional, cursor pagination."""
    account_ids = convs.tenant_account_ids(session, principal)
    page = search_messages(
        session, account_ids=account_ids, filters=filters, cursor=cursor, limit=limit
    )
    return MessageList(items=[message_read(m) for m in page.items], next_cursor=page.next_cursor)


@router.get(
    "/logs/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The matching messages"}},
)
def export_log(
    request: Request, filters: FiltersDep, session: SessionDep, principal: PrincipalDep
) -> StreamingResponse:
    """The matching messages as CSV (same filters as /logs), streamed, newest first."""
    account_ids = convs.tenant_account_ids(session, principal)
    database: Database = request.app.state.db
    return StreamingResponse(
        export_csv(database, account_ids=account_ids, filters=filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="messages.csv"'},
    )


@router.get("/numbers/{number}/stats")
def stats(
    number: str,
    session: SessionDep,
    principal: PrincipalDep,
    created_from: Annotated[str | None, Query(alias="from", description=_WHEN)] = None,
    created_to: Annotated[str | None, Query(alias="to", description=_WHEN)] = None,
) -> NumberStats:
    """Delivery statistics of one of the account's numbers over an optional window."""
    window = _validated({"from": created_from, "to": created_to})
    account_ids = convs.tenant_account_ids(session, principal)
    phone = convs.owned_number(session, account_ids=account_ids, number=us_e164(number) or number)
    return number_stats(
        session,
        account_id=phone.account_id,
        number=phone.number,
        created_from=window.created_from,
        created_to=window.created_to,
    )


@router.get("/conversations")
def list_conversations(
    session: SessionDep,
    principal: PrincipalDep,
    number: Annotated[str, Query(description="One of the account's numbers")],
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ConversationList:
    """The conversations of one of the account's numbers, most recent activity first."""
    account_ids = convs.tenant_account_ids(session, principal)
    phone = convs.owned_number(session, account_ids=account_ids, number=us_e164(number) or number)
    page = convs.list_conversations(
        session, account_id=phone.account_id, number=phone.number, cursor=cursor, limit=limit
    )
    return ConversationList(
        items=[conversation_read(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get("/conversations/{conversation_id}/messages")
def conversation_messages(
    conversation_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MessageList:
    """The messages of one conversation, newest first."""
    account_ids = convs.tenant_account_ids(session, principal)
    conversation = convs.get_conversation(
        session, account_ids=account_ids, conversation_id=conversation_id
    )
    page = convs.conversation_messages(session, conversation, cursor=cursor, limit=limit)
    return MessageList(items=[message_read(m) for m in page.items], next_cursor=page.next_cursor)


@router.post("/conversations/{conversation_id}/read")
def mark_conversation_read(
    conversation_id: int, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ConversationRead:
    """Mark every inbound message of a conversation read."""
    account_ids = convs.tenant_account_ids(session, principal)
    row = convs.mark_read(
        session, account_ids=account_ids, conversation_id=conversation_id, now=clock.now()
    )
    return conversation_read(row)
