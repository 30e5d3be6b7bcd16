"""The review lifecycle through the service functions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.kit.clock import FrozenClock
from consentry.kit.errors import Conflict, Forbidden, Invalid, NotFound
from consentry.kit.settings import Settings
from consentry.registration import service
from consentry.registration.models import (
    ApplicationStatus,
    AuditEvent,
    Fine,
    TemporaryStatus,
)
from consentry.registration.reasons import reasons
from tests.registration.helpers import draft, reject, submitted
from tests.support.builders import Tenant, make_tenant

S = ApplicationStatus


@pytest.fixture
def customer(session: Session) -> Tenant:
    return make_tenant(session)


@pytest.fixture
def reviewer(session: Session) -> Tenant:
    return make_tenant(session, name="Review desk", role=Role.REVIEWER)


def _events(session: Session, app_id: str) -> list[str]:
    stmt = (
        select(AuditEvent.action).where(AuditEvent.application_id == app_id).order_by(AuditEvent.id)
    )
    return list(session.scalars(stmt))


def test_rejection_codes_are_those_of_the_spec() -> None:
    table = reasons()
    assert len(table) == 24
    assert table["CONTENT.PROHIBITED"].terminal and table["OPTIN.THIRD_PARTY"].terminal
    assert not table["SAMPLE.URL"].terminal
    assert table["POLICY.TERMS"].catches("TS-RATES")
    assert not table["POLICY.TERMS"].catches("PP-BRAND")


def test_submit_records_snapshot_hashes_and_window(
    session: Session, customer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    row = submitted(session, customer, clock, settings)
    assert row.status is S.SUBMITTED
    assert row.expected_earliest == date(2026, 1, 27) and row.expected_latest == date(2026, 2, 3)
    assert row.submitted_snapshot == {"business": row.business, "campaign": row.campaign}
    assert row.privacy_policy_sha256 and row.terms_sha256 and row.snapshot_sha256
    assert row.privacy_policy_sha256 != row.terms_sha256
    assert _events(session, row.id) == ["created", "submitted"]


def test_a_terminal_reason_makes_the_application_ineligible_at_once(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    row = submitted(session, customer, clock, settings)
    outcome = reject(session, reviewer, row, clock, settings, code="CONTENT.PROHIBITED")
    assert outcome.ineligible and row.status is S.INELIGIBLE and row.rejection_count == 1
    with pytest.raises(Conflict) as err:
        service.update_draft(
            session, customer.principal, application_id=row.id, patch={}, clock=clock
        )
    assert err.value.code == "APPLICATION_INELIGIBLE"


def test_unknown_or_missing_reasons_are_refused(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    row = submitted(session, customer, clock, settings)
    for given, code in (
        ([], "REJECTION_REASON_REQUIRED"),
        ([service.ReasonInput(code="POLICY.NOPE")], "REJECTION_CODE_UNKNOWN"),
        ([service.ReasonInput(code="OTHER")], "REJECTION_NOTE_REQUIRED"),
    ):
        with pytest.raises(Invalid) as err:
            service.reject(
                session,
                reviewer.principal,
                application_id=row.id,
                reasons_given=given,
                clock=clock,
                settings=settings,
            )
        assert err.value.code == code
    assert row.status is S.SUBMITTED


def test_fines_follow_the_schedule(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    settings = settings.model_copy(update={"fine_schedule": {2: 1000, 3: 2500}})
    row = submitted(session, customer, clock, settings)
    assert reject(session, reviewer, row, clock, settings).fine is None
    outcome = service.submit(
        session, customer.principal, application_id=row.id, clock=clock, settings=settings
    )
    assert [w["code"] for w in outcome.warnings] == ["FINE_RISK"]
    assert outcome.warnings[0]["details"]["amount_cents"] == 1000
    second = reject(session, reviewer, row, clock, settings)
    assert second.fine is not None and second.fine.amount_cents == 1000
    assert [f.amount_cents for f in session.scalars(select(Fine))] == [1000]


def test_reviewer_actions_need_a_reviewer_key(
    session: Session, customer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    row = submitted(session, customer, clock, settings)
    with pytest.raises(Forbidden):
        service.approve(session, customer.principal, application_id=row.id, clock=clock)


def test_illegal_transitions_name_the_current_state(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    row = draft(session, customer, clock)
    with pytest.raises(Conflict) as err:
        service.approve(session, reviewer.principal, application_id=row.id, clock=clock)
    assert err.value.code == "INVALID_TRANSITION" and err.value.details["status"] == "draft"
    service.withdraw(session, customer.principal, application_id=row.id, clock=clock)
    with pytest.raises(Conflict):
        service.submit(
            session, customer.principal, application_id=row.id, clock=clock, settings=settings
        )


def test_foreign_ids_read_as_not_found(
    session: Session, customer: Tenant, clock: FrozenClock
) -> None:
    row = draft(session, customer, clock)
    stranger = make_tenant(session, name="Stranger")
    with pytest.raises(NotFound):
        service.get_application(session, stranger.principal, row.id)


def test_temporary_registration_expiry_and_periodic_sweep(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    row = submitted(session, customer, clock, settings)
    service.request_temporary_registration(
        session, customer.principal, application_id=row.id, clock=clock
    )
    temp = service.issue_temporary_registration(
        session, reviewer.principal, application_id=row.id, clock=clock, settings=settings
    )
    session.commit()
    assert temp.expires_at == clock.now() + timedelta(days=30)
    clock.advance(days=10)
    reject(session, reviewer, row, clock, settings)
    assert temp.expires_at == clock.now() + timedelta(days=5)
    clock.advance(days=5, seconds=1)
    assert temp.effective_status(clock.now()) is TemporaryStatus.EXPIRED
    assert service.expire_temporary_registrations(session, clock=clock) == [temp.id]
    session.commit()
    assert temp.status is TemporaryStatus.EXPIRED
    assert service.expire_temporary_registrations(session, clock=clock) == []
    # Resubmitting too late does not bring it back.
    service.submit(
        session, customer.principal, application_id=row.id, clock=clock, settings=settings
    )
    assert temp.status is TemporaryStatus.EXPIRED


def test_overdue_applications_are_flagged_once(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    row = submitted(session, customer, clock, settings)
    clock.advance(days=28)  # 2026-02-02: the window closes 2026-02-03
    assert service.flag_overdue(session, clock=clock) == []
    clock.advance(days=2)
    assert service.flag_overdue(session, clock=clock) == [row.id]
    assert service.flag_overdue(session, clock=clock) == []
    assert row.overdue
    service.approve(session, reviewer.principal, application_id=row.id, clock=clock)
    assert not row.overdue
    assert _events(session, row.id)[-2:] == ["flagged_overdue", "approved"]


def test_audit_events_are_immutable(session: Session, customer: Tenant, clock: FrozenClock) -> None:
    row = draft(session, customer, clock)
    event = session.scalars(select(AuditEvent).where(AuditEvent.application_id == row.id)).one()
    event.action = "forged"
    with pytest.raises(Exception, match="cannot be changed"):
        session.flush()
    session.rollback()
    with pytest.raises(Exception, match="cannot be changed"):
        session.delete(event)
        session.flush()
    session.rollback()
