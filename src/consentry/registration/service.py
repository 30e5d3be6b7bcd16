"""The review lifecycle: one function per transition (see the diagram in models.py).

Every function takes the session first and keyword-only arguments after it, only flushes (the
request or task wrapper commits), and writes an AuditEvent for every transition it makes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from consentry.accounts.scope import Principal
from consentry.compliance import (
    Application,
    CheckInputError,
    Report,
    check_application,
    parse_application,
)
from consentry.compliance.appfile import validation_error
from consentry.kit.clock import Clock
from consentry.kit.errors import Conflict, Forbidden, Invalid, NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.kit.pagination import Page, encode_cursor
from consentry.kit.phone import normalize_us
from consentry.kit.settings import Settings
from consentry.registration import repository
from consentry.registration.calendar import decision_window, submission_date
from consentry.registration.completeness import missing_fields
from consentry.registration.models import (
    FINAL_STATUSES,
    ApplicationStatus,
    AuditEvent,
    Fine,
    Rejection,
    TemporaryRegistration,
    TemporaryStatus,
)
from consentry.registration.models import (
    Application as ApplicationRow,
)
from consentry.registration.reasons import RejectionReason, reason, reasons

__all__ = [
    "SYSTEM_ACTOR",
    "ReasonInput",
    "RejectOutcome",
    "SubmitOutcome",
    "approve",
    "as_application",
    "check",
    "create_draft",
    "expire_temporary_registrations",
    "flag_overdue",
    "get_application",
    "import_application",
    "issue_temporary_registration",
    "list_applications",
    "list_events",
    "reject",
    "request_temporary_registration",
    "review_queue",
    "start_review",
    "submit",
    "update_draft",
    "withdraw",
]

log = get_logger(__name__)

SYSTEM_ACTOR = "system"
S = ApplicationStatus
EDITABLE = (S.DRAFT, S.REJECTED)
SUBMITTABLE = (S.DRAFT, S.REJECTED)
DECIDABLE = (S.SUBMITTED, S.IN_REVIEW)
WITHDRAWABLE = (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.REJECTED)
TEMPORARY_ALLOWED = (S.SUBMITTED, S.IN_REVIEW, S.REJECTED)


@dataclass(frozen=True, slots=True)
class ReasonInput:
    """One reason a reviewer gives: a normalized code, a note, the fields it concerns."""

    code: str
    note: str | None = None
    fields: tuple[str, ...] = ()
    registry_code: str | None = None


@dataclass(slots=True)
class SubmitOutcome:
    """A submitted application and what the submitter should know (fine risk, last chance)."""

    application: ApplicationRow
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class RejectOutcome:
    """A rejected (or now ineligible) application, the reasons recorded and any fine charged."""

    application: ApplicationRow
    rejection_number: int
    reasons: list[Rejection]
    fine: Fine | None
    ineligible: bool


# -- helpers -------------------------------------------------------------------------------------


def as_application(row: ApplicationRow) -> Application:
    """The stored row as the checker's Application model."""
    return Application.model_validate({"business": row.business, "campaign": row.campaign})


def check(row: ApplicationRow) -> Report:
    """The checker's report on the application as it stands."""
    return check_application(as_application(row))


def _canonical_sha256(data: Any) -> str:
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _invalid_application(err: CheckInputError) -> Invalid:
    return Invalid(err.message, code=err.code, fix=err.fix, details=err.details)


def _validated(data: dict[str, Any]) -> Application:
    try:
        return Application.model_validate(data)
    except ValidationError as exc:
        raise _invalid_application(validation_error(exc, None)) from None


def _require_staff(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden(
            "Only reviewer and admin keys take review actions.",
            code="ROLE_FORBIDDEN",
            fix="Use a reviewer key (consentry accounts create NAME --role reviewer).",
            details={"role": str(principal.role)},
        )


def _record(
    session: Session,
    row: ApplicationRow,
    *,
    actor: str,
    action: str,
    at: datetime,
    from_status: ApplicationStatus | None,
    to_status: ApplicationStatus | None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        application_id=row.id,
        actor=actor,
        at=at,
        action=action,
        from_status=str(from_status) if from_status is not None else None,
        to_status=str(to_status) if to_status is not None else None,
        details=details or {},
    )
    session.add(event)
    log.info(
        f"registration.{action}",
        application_id=row.id,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=actor,
    )
    return event


def _wrong_state(
    row: ApplicationRow, action: str, allowed: Sequence[ApplicationStatus]
) -> Conflict:
    if row.status is S.INELIGIBLE:
        return Conflict(
            f"This application is ineligible after {row.rejection_count} rejection(s); "
            f"it cannot {action}: a new application is required.",
            code="APPLICATION_INELIGIBLE",
            fix="Create a new application (POST /api/v1/applications) with the problems fixed.",
            details={"status": str(row.status), "rejection_count": row.rejection_count},
        )
    return Conflict(
        f"The application is {row.status}; it can {action} only when "
        f"{' or '.join(str(s) for s in allowed)}.",
        code="INVALID_TRANSITION",
        details={
            "status": str(row.status),
            "allowed_from": [str(s) for s in allowed],
            "action": action,
        },
    )


def _transition(
    session: Session,
    row: ApplicationRow,
    *,
    allowed: Sequence[ApplicationStatus],
    to: ApplicationStatus,
    action: str,
    verb: str,
    actor: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> ApplicationStatus:
    """Claim the status change (refused when another request changed the row first), audit it."""
    before = row.status
    if before not in allowed:
        raise _wrong_state(row, verb, allowed)
    if not repository.claim_status(session, row, allowed=allowed, to=to, at=now):
        session.refresh(row)
        raise Conflict(
            f"The application changed while this request ran (it is now {row.status}).",
            code="CONCURRENT_UPDATE",
            fix="Read the application again and retry if the action still applies.",
            details={"status": str(row.status)},
        )
    _record(
        session,
        row,
        actor=actor,
        action=action,
        at=now,
        from_status=before,
        to_status=to,
        details=details,
    )
    return before


def _end_temporary(
    session: Session, row: ApplicationRow, *, actor: str, now: datetime, why: str
) -> None:
    temp = repository.current_temporary(session, row.id)
    if temp is None or temp.status not in (TemporaryStatus.REQUESTED, TemporaryStatus.ACTIVE):
        return
    before = temp.effective_status(now)
    if before is TemporaryStatus.EXPIRED:
        _expire(session, row, temp, now=now)
        return
    temp.status = TemporaryStatus.REVOKED
    temp.ended_at = now
    _record(
        session,
        row,
        actor=actor,
        action="temporary_registration.revoked",
        at=now,
        from_status=row.status,
        to_status=row.status,
        details={"temporary_registration_id": temp.id, "from": str(before), "reason": why},
    )


def _expire(
    session: Session, row: ApplicationRow, temp: TemporaryRegistration, *, now: datetime
) -> None:
    temp.status = TemporaryStatus.EXPIRED
    temp.ended_at = temp.expires_at or now
    _record(
        session,
        row,
        actor=SYSTEM_ACTOR,
        action="temporary_registration.expired",
        at=now,
        from_status=row.status,
        to_status=row.status,
        details={
            "temporary_registration_id": temp.id,
            "expires_at": temp.expires_at.isoformat() if temp.expires_at else None,
        },
    )


# -- reading -------------------------------------------------------------------------------------


def get_application(session: Session, principal: Principal, application_id: str) -> ApplicationRow:
    """An application in the caller's tenant (another tenant's id reads as not found)."""
    row = repository.visible_application(session, principal, application_id)
    if row is None:
        raise NotFound(
            f"No application {application_id}.",
            code="APPLICATION_NOT_FOUND",
            fix="Check the id; GET /api/v1/applications lists yours.",
        )
    return row


def list_applications(
    session: Session,
    principal: Principal,
    *,
    status: ApplicationStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[ApplicationRow]:
    """The caller's applications, newest first."""
    return repository.visible_applications_page(
        session, principal, status=status, cursor=cursor, limit=limit
    )


def list_events(
    session: Session,
    principal: Principal,
    *,
    application_id: str,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AuditEvent]:
    """An application's audit trail, oldest first."""
    row = get_application(session, principal, application_id)
    return repository.events_page(session, row.id, cursor=cursor, limit=limit)


def review_queue(
    session: Session, principal: Principal, *, cursor: str | None = None, limit: int = 50
) -> Page[ApplicationRow]:
    """Applications awaiting a decision, the nearest deadline first (reviewers only)."""
    _require_staff(principal)
    offset = 0
    if cursor is not None:
        from consentry.kit.pagination import decode_cursor

        value = decode_cursor(cursor)
        if not isinstance(value, int) or value < 0:
            raise Invalid("The cursor is not one this server issued.", code="INVALID_CURSOR")
        offset = value
    rows = repository.review_queue(session, offset=offset, limit=limit + 1)
    more = len(rows) > limit
    return Page(items=rows[:limit], next_cursor=encode_cursor(offset + limit) if more else None)


# -- drafts --------------------------------------------------------------------------------------


def create_draft(
    session: Session,
    principal: Principal,
    *,
    application: Application,
    clock: Clock,
    account_id: str | None = None,
) -> ApplicationRow:
    """Store a new draft application for the caller's account."""
    now = clock.now()
    data = application.model_dump(mode="json", exclude_none=True)
    row = ApplicationRow(
        id=new_id("app"),
        account_id=account_id or principal.account_id,
        status=S.DRAFT,
        business=data.get("business", {}),
        campaign=data.get("campaign", {}),
        rejection_count=0,
        overdue=False,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _record(
        session,
        row,
        actor=principal.actor,
        action="created",
        at=now,
        from_status=None,
        to_status=S.DRAFT,
    )
    return row


def import_application(
    session: Session,
    principal: Principal,
    *,
    text: str,
    clock: Clock,
    base_dir: Path | None = None,
    source: str | None = None,
) -> ApplicationRow:
    """Create a draft from an application file's text (YAML or JSON)."""
    try:
        application = parse_application(text, source=source, base_dir=base_dir)
    except CheckInputError as err:
        raise _invalid_application(err) from None
    return create_draft(session, principal, application=application, clock=clock)


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def update_draft(
    session: Session,
    principal: Principal,
    *,
    application_id: str,
    patch: dict[str, Any],
    clock: Clock,
) -> ApplicationRow:
    """Change a draft (or a rejected application before resubmission) by JSON merge patch."""
    row = get_application(session, principal, application_id)
    if row.status not in EDITABLE:
        raise _wrong_state(row, "be edited", EDITABLE)
    merged = _merge_patch({"business": row.business, "campaign": row.campaign}, patch)
    data = _validated(merged).model_dump(mode="json", exclude_none=True)
    now = clock.now()
    # The status guard also applies at write time: a concurrent submit wins, this edit is refused.
    if not repository.claim_status(session, row, allowed=(row.status,), to=row.status, at=now):
        session.refresh(row)
        raise _wrong_state(row, "be edited", EDITABLE)
    row.business = data.get("business", {})
    row.campaign = data.get("campaign", {})
    row.updated_at = now
    _record(
        session,
        row,
        actor=principal.actor,
        action="updated",
        at=now,
        from_status=row.status,
        to_status=row.status,
        details={"changed": sorted(k for k in patch if k in merged)},
    )
    session.flush()
    return row


# -- submission ----------------------------------------------------------------------------------


def _readiness_errors(row: ApplicationRow) -> tuple[list[str], Report]:
    app = as_application(row)
    return missing_fields(app), check_application(app)


def _require_owned_numbers(session: Session, row: ApplicationRow) -> None:
    """Every number in campaign.phone_numbers must be one of the account's numbers."""
    listed = [str(n) for n in row.campaign.get("phone_numbers") or []]
    normal = {n: normalize_us(n) for n in listed}
    owned = repository.owned_numbers(
        session, row.account_id, [v for v in normal.values() if v is not None]
    )
    missing = [n for n in listed if normal[n] not in owned]
    if missing:
        raise Invalid(
            f"The application lists number(s) this account does not own: {', '.join(missing)}.",
            code="NUMBERS_NOT_OWNED",
            fix="Add each number to the account first (POST /api/v1/numbers), or remove it from "
            "campaign.phone_numbers.",
            details={"numbers": missing},
        )


def _fine_amount(settings: Settings, rejection_number: int) -> int:
    return int(settings.fine_schedule.get(rejection_number, 0))


def _submit_warnings(row: ApplicationRow, settings: Settings) -> list[dict[str, Any]]:
    if row.rejection_count == 0:
        return []
    warnings: list[dict[str, Any]] = []
    following = row.rejection_count + 1
    amount = _fine_amount(settings, following)
    if amount:
        warnings.append(
            {
                "code": "FINE_RISK",
                "message": f"If this resubmission is rejected, a fine of ${amount / 100:,.2f} "
                f"applies (rejection {following} of at most {settings.max_rejections}).",
                "details": {"rejection_number": following, "amount_cents": amount},
            }
        )
    if following >= settings.max_rejections:
        warnings.append(
            {
                "code": "LAST_ATTEMPT",
                "message": "This is the last attempt: one more rejection makes the application "
                "permanently ineligible.",
                "details": {"rejection_count": row.rejection_count},
            }
        )
    return warnings


def submit(
    session: Session,
    principal: Principal,
    *,
    application_id: str,
    clock: Clock,
    settings: Settings,
) -> SubmitOutcome:
    """Submit a draft, or resubmit a rejected application, when complete and error-free."""
    row = get_application(session, principal, application_id)
    if row.status not in SUBMITTABLE:
        raise _wrong_state(row, "be submitted", SUBMITTABLE)
    missing, report = _readiness_errors(row)
    if missing or not report.passed:
        errors = [f.to_dict() for f in report.findings if str(f.severity) == "error"]
        parts = []
        if missing:
            parts.append(f"{len(missing)} required field(s) are empty")
        if errors:
            parts.append(f"the check found {len(errors)} error(s)")
        raise Invalid(
            f"The application cannot be submitted: {' and '.join(parts)}.",
            code="APPLICATION_NOT_READY",
            fix="Fill in the fields listed in details.missing and fix every finding in "
            "details.findings, then submit again.",
            details={"missing": missing, "findings": errors, "check": report.to_dict()},
        )
    _require_owned_numbers(session, row)
    now = clock.now()
    resubmission = row.status is S.REJECTED
    warnings = _submit_warnings(row, settings)
    window = decision_window(
        submission_date(now),
        min_days=settings.decision_days_min,
        max_days=settings.decision_days_max,
    )
    snapshot = {"business": row.business, "campaign": row.campaign}
    details: dict[str, Any] = {
        "expected_decision": window.to_dict(),
        "resubmission": resubmission,
        "snapshot_sha256": _canonical_sha256(snapshot),
    }
    if warnings:
        details["warnings"] = [w["code"] for w in warnings]
    _transition(
        session,
        row,
        allowed=SUBMITTABLE,
        to=S.SUBMITTED,
        action="resubmitted" if resubmission else "submitted",
        verb="be submitted",
        actor=principal.actor,
        now=now,
        details=details,
    )
    row.submitted_at = now
    row.first_submitted_at = row.first_submitted_at or now
    row.expected_earliest, row.expected_latest = window.earliest, window.latest
    row.overdue = False
    row.decided_at = None
    row.submitted_snapshot = snapshot
    row.snapshot_sha256 = details["snapshot_sha256"]
    row.privacy_policy_sha256 = _canonical_sha256(row.campaign.get("privacy_policy", {}))
    row.terms_sha256 = _canonical_sha256(row.campaign.get("terms", {}))
    if resubmission:
        _restore_temporary(session, row, now=now, settings=settings)
    session.flush()
    return SubmitOutcome(application=row, warnings=warnings)


def _restore_temporary(
    session: Session, row: ApplicationRow, *, now: datetime, settings: Settings
) -> None:
    """A resubmission in time gives an active temporary registration its 30 days back."""
    temp = repository.current_temporary(session, row.id)
    if temp is None or temp.status is not TemporaryStatus.ACTIVE or temp.issued_at is None:
        return
    if temp.effective_status(now) is TemporaryStatus.EXPIRED:
        _expire(session, row, temp, now=now)
        return
    restored = temp.issued_at + timedelta(days=settings.temporary_registration_days)
    if restored <= now:
        temp.expires_at = restored
        _expire(session, row, temp, now=now)
        return
    before = temp.expires_at
    temp.expires_at = restored
    _record(
        session,
        row,
        actor=SYSTEM_ACTOR,
        action="temporary_registration.extended",
        at=now,
        from_status=row.status,
        to_status=row.status,
        details={
            "temporary_registration_id": temp.id,
            "from": before.isoformat() if before else None,
            "to": restored.isoformat(),
        },
    )


# -- review --------------------------------------------------------------------------------------


def start_review(
    session: Session, principal: Principal, *, application_id: str, clock: Clock
) -> ApplicationRow:
    """A reviewer takes a submitted application into review."""
    _require_staff(principal)
    row = get_application(session, principal, application_id)
    _transition(
        session,
        row,
        allowed=(S.SUBMITTED,),
        to=S.IN_REVIEW,
        action="review_started",
        verb="enter review",
        actor=principal.actor,
        now=clock.now(),
    )
    session.flush()
    return row


def approve(
    session: Session, principal: Principal, *, application_id: str, clock: Clock
) -> ApplicationRow:
    """A reviewer approves; a temporary registration is superseded (revoked)."""
    _require_staff(principal)
    row = get_application(session, principal, application_id)
    now = clock.now()
    _transition(
        session,
        row,
        allowed=DECIDABLE,
        to=S.APPROVED,
        action="approved",
        verb="be approved",
        actor=principal.actor,
        now=now,
    )
    row.decided_at = now
    row.overdue = False
    _end_temporary(session, row, actor=principal.actor, now=now, why="approved")
    session.flush()
    return row


def _validated_reasons(given: Sequence[ReasonInput]) -> list[tuple[ReasonInput, RejectionReason]]:
    if not given:
        raise Invalid(
            "A rejection needs at least one reason.",
            code="REJECTION_REASON_REQUIRED",
            fix='Send {"reasons": [{"code": "POLICY.PRIVACY", "note": "..."}]}.',
            details={"known_codes": list(reasons())},
        )
    out = []
    for i, item in enumerate(given):
        found = reason(item.code)
        if found is None:
            raise Invalid(
                f"'{item.code}' is not a rejection code.",
                code="REJECTION_CODE_UNKNOWN",
                fix="Use one of the codes in details.known_codes (spec/rejections.md), or OTHER "
                "with a note.",
                details={"index": i, "code": item.code, "known_codes": list(reasons())},
            )
        if found.code == "OTHER" and not (item.note and item.note.strip()):
            raise Invalid(
                "A rejection with code OTHER needs a note saying what is wrong.",
                code="REJECTION_NOTE_REQUIRED",
                details={"index": i},
            )
        out.append((item, found))
    return out


def reject(
    session: Session,
    principal: Principal,
    *,
    application_id: str,
    reasons_given: Sequence[ReasonInput],
    clock: Clock,
    settings: Settings,
) -> RejectOutcome:
    """A reviewer rejects with normalized reasons; the last allowed rejection or a terminal
    reason makes the application ineligible."""
    _require_staff(principal)
    validated = _validated_reasons(reasons_given)
    row = get_application(session, principal, application_id)
    now = clock.now()
    number = row.rejection_count + 1
    terminal = [r.code for _, r in validated if r.terminal]
    ineligible = number >= settings.max_rejections or bool(terminal)
    to = S.INELIGIBLE if ineligible else S.REJECTED
    details: dict[str, Any] = {
        "rejection_number": number,
        "codes": [r.code for _, r in validated],
    }
    if terminal:
        details["terminal_codes"] = terminal
    _transition(
        session,
        row,
        allowed=DECIDABLE,
        to=to,
        action="ineligible" if ineligible else "rejected",
        verb="be rejected",
        actor=principal.actor,
        now=now,
        details=details,
    )
    row.rejection_count = number
    row.decided_at = now
    row.overdue = False
    recorded = []
    for given, found in validated:
        rejection = Rejection(
            application_id=row.id,
            rejection_number=number,
            code=found.code,
            terminal=found.terminal,
            note=given.note,
            fields=list(given.fields),
            registry_code=given.registry_code,
            actor=principal.actor,
            at=now,
        )
        session.add(rejection)
        recorded.append(rejection)
    fine: Fine | None = None
    amount = _fine_amount(settings, number)
    if amount:
        fine = Fine(application_id=row.id, rejection_number=number, amount_cents=amount, at=now)
        session.add(fine)
    if ineligible:
        _end_temporary(session, row, actor=principal.actor, now=now, why="ineligible")
    else:
        _shorten_temporary(session, row, now=now, settings=settings)
    session.flush()
    return RejectOutcome(
        application=row, rejection_number=number, reasons=recorded, fine=fine, ineligible=ineligible
    )


def _shorten_temporary(
    session: Session, row: ApplicationRow, *, now: datetime, settings: Settings
) -> None:
    """After a rejection an active temporary registration runs at most 5 more days."""
    temp = repository.current_temporary(session, row.id)
    if temp is None or temp.status is not TemporaryStatus.ACTIVE:
        return
    if temp.effective_status(now) is TemporaryStatus.EXPIRED:
        _expire(session, row, temp, now=now)
        return
    deadline = now + timedelta(days=settings.rejection_grace_days)
    if temp.expires_at is not None and temp.expires_at <= deadline:
        return
    before = temp.expires_at
    temp.expires_at = deadline
    _record(
        session,
        row,
        actor=SYSTEM_ACTOR,
        action="temporary_registration.shortened",
        at=now,
        from_status=row.status,
        to_status=row.status,
        details={
            "temporary_registration_id": temp.id,
            "from": before.isoformat() if before else None,
            "to": deadline.isoformat(),
            "reason": "rejected",
        },
    )


def withdraw(
    session: Session, principal: Principal, *, application_id: str, clock: Clock
) -> ApplicationRow:
    """The applicant withdraws the application (final); a temporary registration is revoked."""
    row = get_application(session, principal, application_id)
    now = clock.now()
    _transition(
        session,
        row,
        allowed=WITHDRAWABLE,
        to=S.WITHDRAWN,
        action="withdrawn",
        verb="be withdrawn",
        actor=principal.actor,
        now=now,
    )
    row.overdue = False
    _end_temporary(session, row, actor=principal.actor, now=now, why="withdrawn")
    session.flush()
    return row


# -- temporary registrations ---------------------------------------------------------------------


def request_temporary_registration(
    session: Session, principal: Principal, *, application_id: str, clock: Clock
) -> TemporaryRegistration:
    """Ask for a temporary registration; only after a complete submission, while undecided."""
    row = get_application(session, principal, application_id)
    now = clock.now()
    if row.status not in TEMPORARY_ALLOWED or row.first_submitted_at is None:
        if row.status is S.INELIGIBLE:
            raise _wrong_state(row, "get a temporary registration", TEMPORARY_ALLOWED)
        raise Conflict(
            f"A temporary registration can be requested only after the application is submitted "
            f"and while it awaits a decision; it is {row.status}.",
            code="TEMPORARY_REGISTRATION_NOT_ALLOWED",
            fix="Submit the application first (POST .../submit)."
            if row.status is S.DRAFT
            else None,
            details={"status": str(row.status)},
        )
    current = repository.current_temporary(session, row.id)
    if current is not None:
        state = current.effective_status(now)
        if state in (TemporaryStatus.REQUESTED, TemporaryStatus.ACTIVE):
            raise Conflict(
                f"This application already has a {state} temporary registration.",
                code="TEMPORARY_REGISTRATION_EXISTS",
                details={"status": str(state), "id": current.id},
            )
        if state is TemporaryStatus.EXPIRED and current.status is TemporaryStatus.ACTIVE:
            _expire(session, row, current, now=now)
    temp = TemporaryRegistration(
        id=new_id("tmp"),
        application_id=row.id,
        status=TemporaryStatus.REQUESTED,
        requested_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(temp)
    _record(
        session,
        row,
        actor=principal.actor,
        action="temporary_registration.requested",
        at=now,
        from_status=row.status,
        to_status=row.status,
        details={"temporary_registration_id": temp.id},
    )
    session.flush()
    return temp


def issue_temporary_registration(
    session: Session,
    principal: Principal,
    *,
    application_id: str,
    clock: Clock,
    settings: Settings,
) -> TemporaryRegistration:
    """A reviewer issues the requested temporary registration: active for 30 days (or until 5
    days after the last rejection while the application stands rejected)."""
    _require_staff(principal)
    row = get_application(session, principal, application_id)
    now = clock.now()
    temp = repository.current_temporary(session, row.id)
    if temp is None or temp.status is not TemporaryStatus.REQUESTED:
        raise Conflict(
            "There is no requested temporary registration to issue.",
            code="TEMPORARY_REGISTRATION_NOT_REQUESTED",
            fix="The applicant requests one first (POST /api/v1/applications/{id}/"
            "temporary-registration).",
            details={"status": str(temp.status) if temp else None},
        )
    if row.status not in TEMPORARY_ALLOWED:
        raise _wrong_state(row, "get a temporary registration", TEMPORARY_ALLOWED)
    expires = now + timedelta(days=settings.temporary_registration_days)
    if row.status is S.REJECTED:
        rejected_at = repository.last_rejection_at(session, row.id)
        if rejected_at is not None:
            expires = min(expires, rejected_at + timedelta(days=settings.rejection_grace_days))
        if expires <= now:
            raise Conflict(
                "The application was rejected more than "
                f"{settings.rejection_grace_days} days ago; resubmit it before issuing.",
                code="TEMPORARY_REGISTRATION_NOT_ALLOWED",
                details={"status": str(row.status)},
            )
    temp.status = TemporaryStatus.ACTIVE
    temp.issued_at = now
    temp.expires_at = expires
    temp.updated_at = now
    _record(
        session,
        row,
        actor=principal.actor,
        action="temporary_registration.issued",
        at=now,
        from_status=row.status,
        to_status=row.status,
        details={"temporary_registration_id": temp.id, "expires_at": expires.isoformat()},
    )
    session.flush()
    return temp


# -- periodic ------------------------------------------------------------------------------------


def expire_temporary_registrations(session: Session, *, clock: Clock) -> list[str]:
    """Mark active temporary registrations past their expiry as expired; their ids."""
    now = clock.now()
    done = []
    for temp in repository.active_temporaries_past(session, now):
        row = session.get(ApplicationRow, temp.application_id)
        if row is None:  # pragma: no cover - foreign key guarantees it
            continue
        _expire(session, row, temp, now=now)
        done.append(temp.id)
    session.flush()
    return done


def flag_overdue(session: Session, *, clock: Clock) -> list[str]:
    """Flag undecided applications past their latest expected decision date; their ids."""
    now = clock.now()
    today = submission_date(now)
    done = []
    for row in repository.overdue_candidates(session, today):
        row.overdue = True
        _record(
            session,
            row,
            actor=SYSTEM_ACTOR,
            action="flagged_overdue",
            at=now,
            from_status=row.status,
            to_status=row.status,
            details={
                "expected_latest": row.expected_latest.isoformat() if row.expected_latest else None
            },
        )
        done.append(row.id)
    session.flush()
    return done


def is_final(status: ApplicationStatus) -> bool:
    """Whether no transition leaves `status`."""
    return status in FINAL_STATUSES
