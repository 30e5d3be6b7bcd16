"""Registration over HTTP: applications, their lifecycle, review actions and the timeline.

Each endpoint parses, calls one service function and returns a schema; the session dependency
owns the transaction.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Body, Query, Request, Response, status

from consentry.accounts.deps import PrincipalDep
from consentry.compliance import Application, check_application
from consentry.kit.deps import ClockDep, SessionDep, SettingsDep
from consentry.kit.errors import Invalid
from consentry.registration import service
from consentry.registration.calendar import decision_window
from consentry.registration.models import ApplicationStatus
from consentry.registration.schemas import (
    ApplicationList,
    ApplicationPatch,
    ApplicationRead,
    CheckResult,
    EventList,
    RejectRequest,
    RejectResponse,
    SubmitResponse,
    TimelineRead,
    application_read,
    event_read,
    reject_response,
    submit_response,
)
from consentry.registration.tcr import to_tcr

__all__ = ["review_router", "router"]

router = APIRouter(prefix="/api/v1", tags=["registration"])
review_router = APIRouter(prefix="/api/v1/review", tags=["review"])

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
MAX_IMPORT_BYTES = 2_000_000


@router.post("/check", response_model=CheckResult)
def check(application: Application, _principal: PrincipalDep) -> dict[str, Any]:
    """Check an application body (the same JSON as the application file)."""
    return check_application(application).to_dict()


@router.post("/applications", status_code=status.HTTP_201_CREATED)
def create_application(
    application: Application, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ApplicationRead:
    """Create a draft application; the response carries its check result."""
    row = service.create_draft(session, principal, application=application, clock=clock)
    return application_read(session, row, now=clock.now())


@router.post(
    "/applications/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
async def import_application(
    request: Request, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ApplicationRead:
    """Create a draft from an application file's text (YAML or JSON, texts given inline)."""
    raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise Invalid("The application file is too large.", code="APPLICATION_FILE_TOO_LARGE")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("The body is not UTF-8 text.", code="APPLICATION_FILE_ENCODING") from None
    row = service.import_application(session, principal, text=text, clock=clock)
    return application_read(session, row, now=clock.now())


@router.get("/applications")
def list_applications(
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    status_: Annotated[ApplicationStatus | None, Query(alias="status")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ApplicationList:
    """The caller's applications, newest first."""
    page = service.list_applications(session, principal, status=status_, cursor=cursor, limit=limit)
    now = clock.now()
    return ApplicationList(
        items=[application_read(session, row, now=now) for row in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/applications/{application_id}")
def get_application(
    application_id: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ApplicationRead:
    """One application, with its check result, timeline and temporary registration."""
    row = service.get_application(session, principal, application_id)
    return application_read(session, row, now=clock.now())


@router.patch("/applications/{application_id}")
def update_application(
    application_id: str,
    patch: ApplicationPatch,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> ApplicationRead:
    """Edit a draft or rejected application (JSON merge patch; null removes a key)."""
    row = service.update_draft(
        session,
        principal,
        application_id=application_id,
        patch=patch.model_dump(exclude_unset=True),
        clock=clock,
    )
    return application_read(session, row, now=clock.now())


@router.post("/applications/{application_id}/submit")
def submit_application(
    application_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> SubmitResponse:
    """Submit (or resubmit after a rejection); 422 APPLICATION_NOT_READY with the findings."""
    outcome = service.submit(
        session, principal, application_id=application_id, clock=clock, settings=settings
    )
    return submit_response(session, outcome.application, now=clock.now(), warnings=outcome.warnings)


@router.post("/applications/{application_id}/withdraw")
def withdraw_application(
    application_id: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ApplicationRead:
    """Withdraw the application (final)."""
    row = service.withdraw(session, principal, application_id=application_id, clock=clock)
    return application_read(session, row, now=clock.now())


@router.post(
    "/applications/{application_id}/temporary-registration", status_code=status.HTTP_201_CREATED
)
def request_temporary_registration(
    application_id: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ApplicationRead:
    """Request a temporary registration (only after a complete submission)."""
    service.request_temporary_registration(
        session, principal, application_id=application_id, clock=clock
    )
    row = service.get_application(session, principal, application_id)
    return application_read(session, row, now=clock.now())


@router.get("/applications/{application_id}/events")
def list_events(
    application_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> EventList:
    """The application's audit trail, oldest first."""
    page = service.list_events(
        session, principal, application_id=application_id, cursor=cursor, limit=limit
    )
    return EventList(items=[event_read(e) for e in page.items], next_cursor=page.next_cursor)


@router.get(
    "/applications/{application_id}/export",
    responses={200: {"content": {"application/json": {}, "application/yaml": {}}}},
)
def export_application(
    application_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    format_: Annotated[Literal["json", "yaml", "tcr"], Query(alias="format")] = "json",
) -> Response:
    """The application file (JSON or YAML), or TCR-style brandRequest/campaignRequest JSON."""
    row = service.get_application(session, principal, application_id)
    app = service.as_application(row)
    if format_ == "tcr":
        return Response(json.dumps(to_tcr(app), indent=2), media_type="application/json")
    data = app.to_json()
    if format_ == "yaml":
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        return Response(text, media_type="application/yaml")
    return Response(json.dumps(data, indent=2), media_type="application/json")


@router.get("/timeline")
def timeline(
    submitted: Annotated[date, Query(description="Submission date, YYYY-MM-DD")],
    _principal: PrincipalDep,
    settings: SettingsDep,
) -> TimelineRead:
    """The expected decision window for a submission on `submitted`."""
    window = decision_window(
        submitted, min_days=settings.decision_days_min, max_days=settings.decision_days_max
    )
    return TimelineRead(submitted=submitted, earliest=window.earliest, latest=window.latest)


# -- reviewer actions ----------------------------------------------------------------------------


@review_router.get("/queue")
def review_queue(
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ApplicationList:
    """Applications awaiting a decision, the nearest deadline first."""
    page = service.review_queue(session, principal, cursor=cursor, limit=limit)
    now = clock.now()
    return ApplicationList(
        items=[application_read(session, row, now=now) for row in page.items],
        next_cursor=page.next_cursor,
    )


@review_router.post("/applications/{application_id}/start-review")
def start_review(
    application_id: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ApplicationRead:
    """Take a submitted application into review."""
    row = service.start_review(session, principal, application_id=application_id, clock=clock)
    return application_read(session, row, now=clock.now())


@review_router.post("/applications/{application_id}/approve")
def approve(
    application_id: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ApplicationRead:
    """Approve the application."""
    row = service.approve(session, principal, application_id=application_id, clock=clock)
    return application_read(session, row, now=clock.now())


@review_router.post("/applications/{application_id}/reject")
def reject(
    application_id: str,
    body: Annotated[RejectRequest, Body()],
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> RejectResponse:
    """Reject with normalized reasons; each reason lists the rules that would have caught it."""
    outcome = service.reject(
        session,
        principal,
        application_id=application_id,
        reasons_given=[
            service.ReasonInput(
                code=r.code, note=r.note, fields=tuple(r.fields), registry_code=r.registry_code
            )
            for r in body.reasons
        ],
        clock=clock,
        settings=settings,
    )
    return reject_response(session, outcome, now=clock.now())


@review_router.post("/applications/{application_id}/temporary-registration")
def issue_temporary_registration(
    application_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> ApplicationRead:
    """Issue the requested temporary registration (active for 30 days)."""
    service.issue_temporary_registration(
        session, principal, application_id=application_id, clock=clock, settings=settings
    )
    row = service.get_application(session, principal, application_id)
    return application_read(session, row, now=clock.now())
