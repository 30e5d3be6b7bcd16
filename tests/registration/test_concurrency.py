"""Two submissions of one application at the same time: exactly one succeeds."""

from __future__ import annotations

import threading

from consentry.compliance.engine import warm_up
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.errors import Conflict
from consentry.kit.settings import Settings
from consentry.registration import service
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.models import ApplicationStatus, AuditEvent
from tests.registration.helpers import draft
from tests.support.builders import make_tenant


def test_concurrent_double_submit(
    database: Database, clock: FrozenClock, settings: Settings
) -> None:
    warm_up()  # both threads check the application: not the first check of the process
    with database.transaction() as s:
        tenant = make_tenant(s)
        app_id = draft(s, tenant, clock).id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        session = database.session()
        try:
            service.get_application(session, tenant.principal, app_id)  # both read "draft"
            barrier.wait(timeout=10)
            service.submit(
                session, tenant.principal, application_id=app_id, clock=clock, settings=settings
            )
            session.commit()
            result = "ok"
        except Conflict as err:
            session.rollback()
            result = err.code
        finally:
            session.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # The loser read "draft" too; the status-conditioned UPDATE is what refuses it.
    assert sorted(outcomes) == ["CONCURRENT_UPDATE", "ok"]
    with database.transaction() as s:
        row = s.get(ApplicationRow, app_id)
        assert row is not None and row.status is ApplicationStatus.SUBMITTED
        actions = [e.action for e in s.query(AuditEvent).filter_by(application_id=app_id)]
        assert actions.count("submitted") == 1
