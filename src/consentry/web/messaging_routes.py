"""The messaging pages: numbers, the conversations inbox and its reply box, the message log
(search and CSV export) and consent records.

Each route calls the messaging or consent services and renders a template; a refused send is
shown next to the reply box with the typed text kept.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from consentry.consent import service as consents
from consentry.consent.evidence import evidence
from consentry.consent.evidence import templates as evidence_templates
from consentry.consent.models import ConsentStatus
from consentry.kit.db import Database
from consentry.kit.deps import ClockDep, SessionDep, SettingsDep
from consentry.kit.errors import DomainError
from consentry.messaging import conversations as convs
from consentry.messaging.logs import export_csv
from consentry.messaging.numbers.repository import visible_numbers
from consentry.messaging.numbers.service import list_numbers
from consentry.messaging.search import search_messages
from consentry.messaging.service import SendRequest, send_one
from consentry.web.messaging import (
    CONSENT_STATUSES,
    consent_row,
    consent_view,
    counter_text,
    log_form,
    message_view,
)
from consentry.web.routes import render
from consentry.web.session import UserDep, WebUser, verify_csrf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
THREADS_PER_NUMBER = 50
THREAD_MESSAGES = 100
LOG_PAGE = 50


@router.get("/numbers", response_class=HTMLResponse)
def numbers_page(request: Request, user: UserDep, session: SessionDep, clock: ClockDep) -> Response:
    """The account's numbers, each sendable (through which application) or why not."""
    states = list_numbers(session, user.principal, now=clock.now())
    return render(request, "numbers.html", user=user, numbers=states, title="Numbers")


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, user: UserDep, session: SessionDep) -> Response:
    """The threads of each of the account's numbers, most recent activity first."""
    groups = []
    # The threads need only the numbers, not their registration state.
    for number in visible_numbers(session, user.principal):
        page = convs.list_conversations(
            session, account_id=number.account_id, number=number.number, limit=THREADS_PER_NUMBER
        )
        groups.append({"number": number, "threads": page.items, "more": page.next_cursor})
    return render(request, "inbox.html", user=user, groups=groups, title="Inbox")


def _thread(
    request: Request,
    user: WebUser,
    session: Any,
    conversation_id: int,
    *,
    now: Any,
    typed: str = "",
    error: DomainError | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    account_ids = convs.tenant_account_ids(session, user.principal)
    # Opening a thread reads it.
    thread = convs.mark_read(
        session, account_ids=account_ids, conversation_id=conversation_id, now=now
    )
    page = convs.conversation_messages(session, thread, limit=THREAD_MESSAGES)
    messages = [message_view(m) for m in reversed(page.items)]
    return render(
        request,
        "thread.html",
        user=user,
        thread=thread,
        messages=messages,
        older=page.next_cursor is not None,
        typed=typed,
        counter=counter_text(typed),
        error=error,
        notice=notice,
        title=f"Conversation with {thread.remote_number}",
        status_code=status_code,
    )


@router.get("/inbox/{conversation_id}", response_class=HTMLResponse)
def thread_page(
    conversation_id: int, request: Request, user: UserDep, session: SessionDep, clock: ClockDep
) -> Response:
    """One conversation: its messages, oldest first, marked read; the reply box."""
    notice = request.query_params.get("notice")
    return _thread(request, user, session, conversation_id, now=clock.now(), notice=notice)


@router.post("/inbox/{conversation_id}/reply", dependencies=[Csrf])
def reply(
    conversation_id: int,
    request: Request,
    user: UserDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    text: Annotated[str, Form()] = "",
) -> Response:
    """Send the reply through the send service; a refusal comes back beside the box."""
    account_ids = convs.tenant_account_ids(session, user.principal)
    thread = convs.get_conversation(
        session, account_ids=account_ids, conversation_id=conversation_id
    )
    req = SendRequest(from_=thread.account_number, to=thread.remote_number, text=text)
    try:
        send_one(session, caller=user.principal, request=req, now=clock.now(), settings=settings)
    except DomainError as err:
        session.rollback()
        return _thread(
            request,
            user,
            session,
            conversation_id,
            now=clock.now(),
            typed=text,
            error=err,
            status_code=err.status,
        )
    return RedirectResponse(f"/inbox/{conversation_id}?notice=sent", status_code=303)


@router.post("/messages/segments", response_class=HTMLResponse, dependencies=[Csrf])
def segments(request: Request, user: UserDep, text: Annotated[str, Form()] = "") -> Response:
    """The reply box's counter for the text as typed (htmx, on every key)."""
    return HTMLResponse(counter_text(text))


@router.get("/logs", response_class=HTMLResponse)
def logs_page(
    request: Request,
    user: UserDep,
    session: SessionDep,
    cursor: Annotated[str | None, Query()] = None,
) -> Response:
    """The message log: the filters, one page of matches (newest first), Older, CSV."""
    form = log_form(request.query_params)
    items: list[dict[str, Any]] = []
    next_cursor = None
    if form.filters is not None:
        account_ids = convs.tenant_account_ids(session, user.principal)
        page = search_messages(
            session, account_ids=account_ids, filters=form.filters, cursor=cursor, limit=LOG_PAGE
        )
        items = [message_view(m) for m in page.items]
        next_cursor = page.next_cursor
    return render(
        request,
        "logs.html",
        user=user,
        form=form,
        items=items,
        older=form.query(cursor=next_cursor) if next_cursor else None,
        export=form.query(),
        title="Message log",
        status_code=200 if not form.errors else 422,
    )


@router.get("/logs/export.csv")
def logs_export(request: Request, user: UserDep, session: SessionDep) -> Response:
    """The matching messages as CSV, streamed (the API's export, signed in by the session)."""
    form = log_form(request.query_params)
    if form.filters is None:
        return render(
            request, "error.html", user=user, status_code=422, message="; ".join(form.errors)
        )
    account_ids = convs.tenant_account_ids(session, user.principal)
    database: Database = request.app.state.db
    return StreamingResponse(
        export_csv(database, account_ids=account_ids, filters=form.filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="messages.csv"'},
    )


@router.get("/consents", response_class=HTMLResponse)
def consents_page(
    request: Request,
    user: UserDep,
    session: SessionDep,
    clock: ClockDep,
    application_id: Annotated[str | None, Query()] = None,
    phone: Annotated[str | None, Query()] = None,
    status: Annotated[str | None, Query()] = None,
    cursor: Annotated[str | None, Query()] = None,
) -> Response:
    """Consent records, newest first, narrowed by application, phone and status."""
    from urllib.parse import urlencode

    chosen = status if status in CONSENT_STATUSES else None
    page = consents.list_consents(
        session,
        user.principal,
        application_id=application_id or None,
        phone=phone or None,
        status=ConsentStatus(chosen) if chosen else None,
        cursor=cursor,
        limit=50,
    )
    expired = consents.expired_times(session, [r.id for r in page.items])
    now = clock.now()
    rows = [consent_row(r, expired_at=expired.get(r.id), now=now) for r in page.items]
    filters = (("application_id", application_id), ("phone", phone), ("status", chosen))
    base = {k: v for k, v in filters if v}
    older = urlencode({**base, "cursor": page.next_cursor}) if page.next_cursor else None
    return render(
        request,
        "consents.html",
        user=user,
        consents=rows,
        application_id=application_id or "",
        phone=phone or "",
        status=chosen or "",
        statuses=CONSENT_STATUSES,
        unknown_status=bool(status) and chosen is None,
        older=older,
        title="Consents",
    )


@router.get("/consents/{consent_id}", response_class=HTMLResponse)
def consent_page(
    consent_id: str, request: Request, user: UserDep, session: SessionDep, clock: ClockDep
) -> Response:
    """One consent record's evidence: its status (a pending double opt-in's deadline, an
    expiry), the disclosure shown and its SHA-256, how and where, the texts sent for it with
    their delivery status, its history and the phone's opt-outs."""
    now = clock.now()
    view = consent_view(evidence(session, user.principal, consent_id, now=now), now=now)
    return render(request, "consent.html", user=user, e=view, title=f"Consent {consent_id}")


@router.get("/consents/{consent_id}/evidence.html", response_class=HTMLResponse)
def consent_print(
    consent_id: str, request: Request, user: UserDep, session: SessionDep, clock: ClockDep
) -> Response:
    """The printable evidence page of one consent (the API's, for a signed-in user)."""
    data = evidence(session, user.principal, consent_id, now=clock.now())
    return evidence_templates.TemplateResponse(
        request, "evidence.html", {"e": data, "title": f"Consent evidence {consent_id}"}
    )
