"""Service-level shortcuts for registration tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from consentry.kit.clock import FrozenClock
from consentry.kit.settings import Settings
from consentry.registration import service
from consentry.registration.models import Application as ApplicationRow
from tests.support.builders import Tenant, example_application, own_number


def draft(session: Session, tenant: Tenant, clock: FrozenClock) -> ApplicationRow:
    """A committed draft of the bundled example (the account owns its number)."""
    own_number(session, tenant)
    row = service.create_draft(
        session, tenant.principal, application=example_application(), clock=clock
    )
    session.commit()
    return row


def submitted(
    session: Session, tenant: Tenant, clock: FrozenClock, settings: Settings
) -> ApplicationRow:
    """A committed, submitted application."""
    row = draft(session, tenant, clock)
    service.submit(session, tenant.principal, application_id=row.id, clock=clock, settings=settings)
    session.commit()
    return row


def reject(
    session: Session,
    reviewer: Tenant,
    row: ApplicationRow,
    clock: FrozenClock,
    settings: Settings,
    code: str = "POLICY.PRIVACY",
) -> service.RejectOutcome:
    """Reject with one reason, committed."""
    outcome = service.reject(
        session,
        reviewer.principal,
        application_id=row.id,
        reasons_given=[service.ReasonInput(code=code, note="fix it")],
        clock=clock,
        settings=settings,
    )
    session.commit()
    return outcome
