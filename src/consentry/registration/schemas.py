"""Registration API shapes: one schema per direction (XCreate/XUpdate in, XRead out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from consentry.compliance import Report
from consentry.registration import repository
from consentry.registration.models import (
    Application as ApplicationRow,
)
from consentry.registration.models import (
    ApplicationStatus,
    AuditEvent,
    Rejection,
    TemporaryStatus,
)
from consentry.registration.reasons import reason
from consentry.registration.service import RejectOutcome, check

__all__ = [
    "ApplicationList",
    "ApplicationPatch",
    "ApplicationRead",
    "CheckResult",
    "EventList",
    "EventRead",
    "ExpectedDecision",
    "ReasonIn",
    "RejectRequest",
    "RejectResponse",
    "RejectionRead",
    "SubmitResponse",
    "TemporaryRegistrationRead",
    "TimelineRead",
    "application_read",
    "event_read",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindingRead(BaseModel):
    rule: str
    severity: Literal["error", "warning", "info"]
    field: str | None
    span: list[int] | None
    excerpt: str | None
    message: str
    fix: str | None


class CheckStats(BaseModel):
    errors: int
    warnings: int


class CheckResult(BaseModel):
    """The checker's result (spec/application.md)."""

    verdict: Literal["pass", "fail"]
    findings: list[FindingRead]
    stats: CheckStats


class ExpectedDecision(BaseModel):
    earliest: date
    latest: date


class TemporaryRegistrationRead(BaseModel):
    status: TemporaryStatus
    requested_at: datetime
    issued_at: datetime | None
    expires_at: datetime | None


class RejectionRead(BaseModel):
    """One reason of one rejection, with the rules that would have caught it and what the
    check finds for those rules now."""

    rejection_number: int
    code: str
    meaning: str
    terminal: bool
    note: str | None
    fields: list[str]
    registry_code: str | None
    at: datetime
    rules: list[str]
    findings: list[FindingRead]


class ApplicationRead(BaseModel):
    """An application as read (spec/interfaces.md), plus bookkeeping fields."""

    id: str
    status: ApplicationStatus
    rejection_count: int
    expected_decision: ExpectedDecision | None
    temporary_registration: TemporaryRegistrationRead | None
    business: dict[str, Any]
    campaign: dict[str, Any]
    check: CheckResult
    account_id: str
    overdue: bool
    submitted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    rejections: list[RejectionRead]


class Warning(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class SubmitResponse(ApplicationRead):
    warnings: list[Warning]


class RejectionSummary(BaseModel):
    rejection_number: int
    ineligible: bool
    resubmit: bool
    message: str
    fine_cents: int | None
    reasons: list[RejectionRead]


class RejectResponse(ApplicationRead):
    rejection: RejectionSummary


class ApplicationList(BaseModel):
    items: list[ApplicationRead]
    next_cursor: str | None


class EventRead(BaseModel):
    id: int
    application_id: str
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]


class EventList(BaseModel):
    items: list[EventRead]
    next_cursor: str | None


class TimelineRead(BaseModel):
    submitted: date
    earliest: date
    latest: date


class ApplicationPatch(_In):
    """A JSON merge patch of the application: objects merge, null removes a key."""

    business: dict[str, Any] | None = None
    campaign: dict[str, Any] | None = None


class ReasonIn(_In):
    code: str = Field(description="A normalized code from spec/rejections.md, e.g. POLICY.PRIVACY")
    note: str | None = None
    fields: list[str] = Field(default_factory=list)
    registry_code: str | None = Field(None, description="The registry's own code, if any")


class RejectRequest(_In):
    reasons: list[ReasonIn]


def _rejection_read(rejection: Rejection, report: Report) -> RejectionRead:
    found = reason(rejection.code)
    rules = list(found.rules) if found else []
    findings = found.findings(report.findings) if found else []
    return RejectionRead(
        rejection_number=rejection.rejection_number,
        code=rejection.code,
        meaning=found.meaning if found else "",
        terminal=rejection.terminal,
        note=rejection.note,
        fields=list(rejection.fields or []),
        registry_code=rejection.registry_code,
        at=rejection.at,
        rules=rules,
        findings=[FindingRead.model_validate(f.to_dict()) for f in findings],
    )


def _base(session: Session, row: ApplicationRow, now: datetime) -> dict[str, Any]:
    report = check(row)
    temp = repository.current_temporary(session, row.id)
    temp_read = (
        TemporaryRegistrationRead(
            status=temp.effective_status(now),
            requested_at=temp.requested_at,
            issued_at=temp.issued_at,
            expires_at=temp.expires_at,
        )
        if temp is not None
        else None
    )
    window = (
        ExpectedDecision(earliest=row.expected_earliest, latest=row.expected_latest)
        if row.expected_earliest is not None and row.expected_latest is not None
        else None
    )
    return {
        "id": row.id,
        "status": row.status,
        "rejection_count": row.rejection_count,
        "expected_decision": window,
        "temporary_registration": temp_read,
        "business": row.business,
        "campaign": row.campaign,
        "check": CheckResult.model_validate(report.to_dict()),
        "account_id": row.account_id,
        "overdue": row.overdue,
        "submitted_at": row.submitted_at,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "rejections": [
            _rejection_read(r, report) for r in repository.rejections_for(session, row.id)
        ],
    }


def application_read(session: Session, row: ApplicationRow, *, now: datetime) -> ApplicationRead:
    """The read shape of an application as of `now`."""
    return ApplicationRead(**_base(session, row, now))


def submit_response(
    session: Session, row: ApplicationRow, *, now: datetime, warnings: list[dict[str, Any]]
) -> SubmitResponse:
    """The application after submission, with warnings (fine risk, last attempt)."""
    return SubmitResponse(
        **_base(session, row, now), warnings=[Warning.model_validate(w) for w in warnings]
    )


def reject_response(session: Session, outcome: RejectOutcome, *, now: datetime) -> RejectResponse:
    """The application after a rejection, with this rejection's reasons and findings."""
    base = _base(session, outcome.application, now)
    these = [r for r in base["rejections"] if r.rejection_number == outcome.rejection_number]
    terminal = [r.code for r in these if r.terminal]
    if terminal:
        message = (
            f"Rejected for {', '.join(terminal)}, which cannot be fixed by resubmitting: do not "
            "resubmit. The application is ineligible; a new one without that content is required."
        )
    elif outcome.ineligible:
        message = (
            f"This was rejection {outcome.rejection_number}; the application is permanently "
            "ineligible. A new application is required."
        )
    else:
        message = (
            f"Rejection {outcome.rejection_number}. Fix the findings listed with each reason, "
            "then submit again."
        )
    summary = RejectionSummary(
        rejection_number=outcome.rejection_number,
        ineligible=outcome.ineligible,
        resubmit=not outcome.ineligible,
        message=message,
        fine_cents=outcome.fine.amount_cents if outcome.fine else None,
        reasons=these,
    )
    return RejectResponse(**base, rejection=summary)


def event_read(event: AuditEvent) -> EventRead:
    """An audit event as read."""
    return EventRead.model_validate(event, from_attributes=True)
