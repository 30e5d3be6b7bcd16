"""Registration queries. Lookups on behalf of a caller are scoped by its tenant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from consentry.accounts.models import Account
from consentry.accounts.repository import visible_accounts_clause
from consentry.accounts.scope import Principal
from consentry.kit.pagination import Page, paginate
from consentry.messaging.models import PhoneNumber
from consentry.registration.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Fine,
    Rejection,
    TemporaryRegistration,
    TemporaryStatus,
)

__all__ = [
    "active_temporaries_past",
    "claim_status",
    "current_temporaries",
    "current_temporary",
    "events_page",
    "fines_for",
    "last_rejection_at",
    "overdue_candidates",
    "owned_numbers",
    "rejections_for",
    "review_queue",
    "visible_application",
    "visible_applications_page",
]

REVIEWABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


def visible_application(
    session: Session, principal: Principal, application_id: str
) -> Application | None:
    """The application when the principal's tenant holds it, else None."""
    stmt = (
        select(Application)
        .join(Account, Account.id == Application.account_id)
        .where(Application.id == application_id, visible_accounts_clause(principal))
    )
    return session.scalar(stmt)


def visible_applications_page(
    session: Session,
    principal: Principal,
    *,
    status: ApplicationStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[Application]:
    """The principal's applications, newest first."""
    stmt = (
        select(Application)
        .join(Account, Account.id == Application.account_id)
        .where(visible_accounts_clause(principal))
    )
    if status is not None:
        stmt = stmt.where(Application.status == status)
    return paginate(session, stmt, Application.id, cursor=cursor, limit=limit, descending=True)


def claim_status(
    session: Session,
    application: Application,
    *,
    allowed: Iterable[ApplicationStatus],
    to: ApplicationStatus,
    at: datetime,
) -> bool:
    """Move the row to `to` only if its status (in the database, now) is one of `allowed`.

    The status-conditioned UPDATE is what makes concurrent transitions safe on both databases:
    PostgreSQL re-checks the WHERE after the row lock is released, SQLite serialises writers.
    """
    result = session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status.in_(list(allowed)))
        .values(status=to, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    set_committed_value(application, "status", to)
    set_committed_value(application, "updated_at", at)
    return True


def current_temporary(session: Session, application_id: str) -> TemporaryRegistration | None:
    """The application's most recent temporary registration."""
    stmt = (
        select(TemporaryRegistration)
        .where(TemporaryRegistration.application_id == application_id)
        .order_by(TemporaryRegistration.requested_at.desc(), TemporaryRegistration.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def current_temporaries(
    session: Session, application_ids: Sequence[str]
) -> dict[str, TemporaryRegistration]:
    """The most recent temporary registration of each of these applications (one query)."""
    if not application_ids:
        return {}
    stmt = (
        select(TemporaryRegistration)
        .where(TemporaryRegistration.application_id.in_(list(application_ids)))
        .order_by(TemporaryRegistration.requested_at, TemporaryRegistration.id)
    )
    # Oldest first, so the latest of each application is the one left in the dict.
    return {t.application_id: t for t in session.scalars(stmt)}


def rejections_for(session: Session, application_id: str) -> Sequence[Rejection]:
    """Every rejection reason of an application, oldest first."""
    stmt = (
        select(Rejection)
        .where(Rejection.application_id == application_id)
        .order_by(Rejection.rejection_number, Rejection.id)
    )
    return session.scalars(stmt).all()


def last_rejection_at(session: Session, application_id: str) -> datetime | None:
    """When the application was last rejected."""
    return session.scalar(
        select(func.max(Rejection.at)).where(Rejection.application_id == application_id)
    )


def fines_for(session: Session, application_id: str) -> Sequence[Fine]:
    """The fines charged on an application."""
    return session.scalars(
        select(Fine).where(Fine.application_id == application_id).order_by(Fine.id)
    ).all()


def events_page(
    session: Session, application_id: str, *, cursor: str | None, limit: int
) -> Page[AuditEvent]:
    """An application's audit events, oldest first."""
    stmt = select(AuditEvent).where(AuditEvent.application_id == application_id)
    return paginate(session, stmt, AuditEvent.id, cursor=cursor, limit=limit)


def review_queue(session: Session, *, offset: int, limit: int) -> list[Application]:
    """Applications awaiting a decision, the nearest deadline first."""
    stmt = (
        select(Application)
        .where(Application.status.in_(REVIEWABLE))
        .order_by(Application.expected_latest.asc(), Application.submitted_at.asc(), Application.id)
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def active_temporaries_past(session: Session, now: datetime) -> Sequence[TemporaryRegistration]:
    """Active temporary registrations whose expiry has passed."""
    stmt = select(TemporaryRegistration).where(
        TemporaryRegistration.status == TemporaryStatus.ACTIVE,
        TemporaryRegistration.expires_at <= now,
    )
    return session.scalars(stmt).all()


def overdue_candidates(session: Session, today: date) -> Sequence[Application]:
    """Undecided applications past their latest expected decision date, not yet flagged."""
    stmt = select(Application).where(
        Application.status.in_(REVIEWABLE),
        Application.expected_latest < today,
        Application.overdue.is_(False),
    )
    return session.scalars(stmt).all()


def owned_numbers(session: Session, account_id: str, numbers: Iterable[str]) -> set[str]:
    """Those of `numbers` (E.164) that the account owns."""
    wanted = sorted(set(numbers))
    if not wanted:
        return set()
    stmt = select(PhoneNumber.number).where(
        PhoneNumber.account_id == account_id, PhoneNumber.number.in_(wanted)
    )
    return set(session.scalars(stmt))
