"""Random sequences of lifecycle actions keep the invariants.

- at most 4 rejections; ineligible, approved and withdrawn are final;
- an expired temporary registration never reads active;
- every status change has its audit event, and the events chain from draft to the status.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.errors import DomainError
from consentry.kit.settings import Settings
from consentry.registration import service
from consentry.registration.models import FINAL_STATUSES, ApplicationStatus, AuditEvent
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.schemas import application_read
from tests.support.builders import example_json, make_tenant, own_number

CODES = [
    "POLICY.PRIVACY",
    "SAMPLE.ELEMENT_MISSING",
    "CTA.ELEMENT_MISSING",
    "OTHER",
    "CONTENT.PROHIBITED",
]
STATUS_ACTIONS = {
    "created",
    "submitted",
    "resubmitted",
    "review_started",
    "approved",
    "rejected",
    "ineligible",
    "withdrawn",
}


_NUMBERS = itertools.count(1000)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self, database: Database, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.clock = FrozenClock()
        self.session: Session = database.session()
        self.customer = make_tenant(self.session)
        # The database outlives one example: each run's account gets a number of its own.
        number = f"+1512555{next(_NUMBERS):04d}"
        own_number(self.session, self.customer, number)
        data = example_json()
        data["campaign"]["phone_numbers"] = [number]
        self.reviewer = make_tenant(self.session, name="Desk", role=Role.REVIEWER)
        app = service.create_draft(
            self.session,
            self.customer.principal,
            application=service.Application.model_validate(data),
            clock=self.clock,
        )
        self.session.commit()
        self.app_id = app.id
        self.status_changes = 1
        self.was_final: ApplicationStatus | None = None

    def _do(self, action: Any, *, changes_status: bool = False) -> None:
        before = self.row.status
        try:
            action()
            self.session.commit()
        except DomainError:
            self.session.rollback()
            return
        if changes_status or self.row.status is not before:
            self.status_changes += 1

    @property
    def row(self) -> ApplicationRow:
        row = self.session.get(ApplicationRow, self.app_id)
        assert row is not None
        return row

    def teardown(self) -> None:
        self.session.close()

    @rule()
    def submit(self) -> None:
        self._do(
            lambda: service.submit(
                self.session,
                self.customer.principal,
                application_id=self.app_id,
                clock=self.clock,
                settings=self.settings,
            ),
            changes_status=True,
        )

    @rule()
    def start_review(self) -> None:
        self._do(
            lambda: service.start_review(
                self.session, self.reviewer.principal, application_id=self.app_id, clock=self.clock
            )
        )

    @rule()
    def approve(self) -> None:
        self._do(
            lambda: service.approve(
                self.session, self.reviewer.principal, application_id=self.app_id, clock=self.clock
            )
        )

    @rule(code=st.sampled_from(CODES))
    def reject(self, code: str) -> None:
        given = [service.ReasonInput(code=code, note="see notes")]
        self._do(
            lambda: service.reject(
                self.session,
                self.reviewer.principal,
                application_id=self.app_id,
                reasons_given=given,
                clock=self.clock,
                settings=self.settings,
            ),
            changes_status=True,
        )

    @rule()
    def withdraw(self) -> None:
        self._do(
            lambda: service.withdraw(
                self.session, self.customer.principal, application_id=self.app_id, clock=self.clock
            )
        )

    @rule(broken=st.booleans())
    def edit(self, broken: bool) -> None:
        policy = None if broken else example_json()["campaign"]["privacy_policy"]
        self._do(
            lambda: service.update_draft(
                self.session,
                self.customer.principal,
                application_id=self.app_id,
                patch={"campaign": {"privacy_policy": policy}},
                clock=self.clock,
            )
        )

    @rule()
    def request_temporary(self) -> None:
        self._do(
            lambda: service.request_temporary_registration(
                self.session, self.customer.principal, application_id=self.app_id, clock=self.clock
            )
        )

    @rule()
    def issue_temporary(self) -> None:
        self._do(
            lambda: service.issue_temporary_registration(
                self.session,
                self.reviewer.principal,
                application_id=self.app_id,
                clock=self.clock,
                settings=self.settings,
            )
        )

    @rule(days=st.integers(min_value=0, max_value=40), hours=st.integers(0, 23))
    def time_passes(self, days: int, hours: int) -> None:
        self.clock.advance(timedelta(days=days, hours=hours))

    @rule()
    def periodic(self) -> None:
        self._do(lambda: service.expire_temporary_registrations(self.session, clock=self.clock))
        self._do(lambda: service.flag_overdue(self.session, clock=self.clock))

    @invariant()
    def at_most_four_rejections(self) -> None:
        row = self.row
        assert row.rejection_count <= self.settings.max_rejections
        if row.rejection_count == self.settings.max_rejections:
            assert row.status is ApplicationStatus.INELIGIBLE

    @invariant()
    def final_states_are_final(self) -> None:
        status = self.row.status
        if self.was_final is not None:
            assert status is self.was_final
        if status in FINAL_STATUSES:
            self.was_final = status

    @invariant()
    def expired_never_reads_active(self) -> None:
        read = application_read(self.session, self.row, now=self.clock.now())
        temp = read.temporary_registration
        if temp is not None and temp.status == "active":
            assert temp.expires_at is not None and temp.expires_at > self.clock.now()

    @invariant()
    def every_status_change_is_audited(self) -> None:
        events = self.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.application_id == self.app_id)
            .order_by(AuditEvent.id)
        ).all()
        changes = [e for e in events if e.action in STATUS_ACTIONS]
        assert len(changes) == self.status_changes
        status = None
        for e in changes:
            assert e.from_status == status
            status = e.to_status
        assert status == self.row.status


def test_lifecycle_invariants(database: Database, settings: Settings) -> None:
    run_state_machine_as_test(
        lambda: Lifecycle(database, settings),
        settings=hsettings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
