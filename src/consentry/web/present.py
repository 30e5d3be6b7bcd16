"""What the pages show, computed from service results: countdowns, fine risk, located findings.

Presentation only: every fact comes from the registration service, its repository reads, the
calendar and the checker; this module arranges them for the templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from consentry.compliance import Finding, Report
from consentry.compliance.report import FieldGroup, Located, field_label, group_findings, locate
from consentry.kit.settings import Settings
from consentry.registration import repository
from consentry.registration.calendar import is_business_day, submission_date
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.models import (
    ApplicationStatus,
    TemporaryRegistration,
    TemporaryStatus,
)

__all__ = [
    "STATUS_LABELS",
    "AppSummary",
    "FindingView",
    "business_days_between",
    "finding_views",
    "report_groups",
    "summarize",
    "summarize_all",
]

STATUS_LABELS = {
    ApplicationStatus.DRAFT: "Draft",
    ApplicationStatus.SUBMITTED: "Submitted",
    ApplicationStatus.IN_REVIEW: "In review",
    ApplicationStatus.APPROVED: "Approved",
    ApplicationStatus.REJECTED: "Rejected",
    ApplicationStatus.INELIGIBLE: "Ineligible",
    ApplicationStatus.WITHDRAWN: "Withdrawn",
}


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (negative when `end` is past)."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    count = 0
    day = lo
    while day < hi:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return sign * count


@dataclass(frozen=True, slots=True)
class AppSummary:
    """One application as the dashboard and the queue show it."""

    id: str
    name: str
    status: ApplicationStatus
    status_label: str
    rejection_count: int
    max_rejections: int
    next_fine_cents: int
    earliest: date | None
    latest: date | None
    days_to_earliest: int | None
    days_to_latest: int | None
    overdue: bool
    temporary_status: TemporaryStatus | None
    temporary_expires: datetime | None
    temporary_days_left: int | None
    submitted_at: datetime | None
    updated_at: datetime

    @property
    def editable(self) -> bool:
        """Whether the customer may still change it."""
        return self.status in (ApplicationStatus.DRAFT, ApplicationStatus.REJECTED)

    @property
    def awaiting_decision(self) -> bool:
        """Submitted or in review."""
        return self.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)

    @property
    def fine_risk(self) -> str | None:
        """What the next rejection would cost, in words."""
        if self.next_fine_cents <= 0 or self.status in (
            ApplicationStatus.APPROVED,
            ApplicationStatus.INELIGIBLE,
            ApplicationStatus.WITHDRAWN,
        ):
            return None
        return f"${self.next_fine_cents / 100:,.2f}"


def _name(row: ApplicationRow) -> str:
    business = row.business or {}
    name = business.get("display_name") or business.get("legal_name")
    return str(name) if name else "Untitled application"


def summarize_all(
    session: Session, rows: Sequence[ApplicationRow], *, now: datetime, settings: Settings
) -> list[AppSummary]:
    """The dashboard view of a page of applications (their temporary registrations in one read)."""
    temps = repository.current_temporaries(session, [row.id for row in rows])
    return [_summary(row, temps.get(row.id), now=now, settings=settings) for row in rows]


def summarize(
    session: Session, row: ApplicationRow, *, now: datetime, settings: Settings
) -> AppSummary:
    """The dashboard view of one application as of `now`."""
    return _summary(row, repository.current_temporary(session, row.id), now=now, settings=settings)


def _summary(
    row: ApplicationRow, temp: TemporaryRegistration | None, *, now: datetime, settings: Settings
) -> AppSummary:
    today = submission_date(now)
    waiting = row.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)
    temp_status = temp.effective_status(now) if temp is not None else None
    temp_days = None
    if temp is not None and temp_status is TemporaryStatus.ACTIVE and temp.expires_at:
        temp_days = max(0, (temp.expires_at - now).days)
    return AppSummary(
        id=row.id,
        name=_name(row),
        status=row.status,
        status_label=STATUS_LABELS.get(row.status, str(row.status)),
        rejection_count=row.rejection_count,
        max_rejections=settings.max_rejections,
        next_fine_cents=int(settings.fine_schedule.get(row.rejection_count + 1, 0)),
        earliest=row.expected_earliest,
        latest=row.expected_latest,
        days_to_earliest=business_days_between(today, row.expected_earliest)
        if waiting and row.expected_earliest
        else None,
        days_to_latest=business_days_between(today, row.expected_latest)
        if waiting and row.expected_latest
        else None,
        overdue=row.overdue
        or bool(waiting and row.expected_latest is not None and row.expected_latest < today),
        temporary_status=temp_status,
        temporary_expires=temp.expires_at if temp is not None else None,
        temporary_days_left=temp_days,
        submitted_at=row.submitted_at,
        updated_at=row.updated_at,
    )


@dataclass(frozen=True, slots=True)
class FindingView:
    """A finding with its place in the text and, when mechanical, the one-click fix."""

    finding: Finding
    located: Located | None
    fix_label: str | None = None
    fix_value: str | None = None

    @property
    def severity(self) -> str:
        """error, warning or info."""
        return str(self.finding.severity)


def finding_views(
    findings: Sequence[Finding],
    sources: Mapping[str, str],
    *,
    fixes: Mapping[int, tuple[str, str]] | None = None,
) -> list[FindingView]:
    """Findings worst first, each located in its text (excerpt highlighted by the template)."""
    rank = {"error": 0, "warning": 1, "info": 2}
    ordered = sorted(
        enumerate(findings), key=lambda p: (rank.get(str(p[1].severity), 3), p[1].span or (0, 0))
    )
    out = []
    for i, f in ordered:
        label, value = (fixes or {}).get(i, (None, None))
        out.append(FindingView(f, locate(f, sources, radius=60, max_marked=160), label, value))
    return out


def report_groups(report: Report, sources: Mapping[str, str]) -> list[dict[str, Any]]:
    """The report grouped by field for the reviewer's side-by-side view."""
    groups: list[FieldGroup] = group_findings(report, sources)
    return [
        {
            "anchor": g.anchor,
            "label": g.label,
            "errors": sum(1 for f in g.findings if str(f.severity) == "error"),
            "findings": finding_views(g.findings, sources),
        }
        for g in groups
    ]


def label(path: str | None) -> str:
    """A human name for a field path."""
    return field_label(path)
