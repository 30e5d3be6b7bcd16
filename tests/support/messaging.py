"""Builders for messaging tests: an application that may send, consent, inbound messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consentry.consent.models import Consent, ConsentMethod
from consentry.consent.service import record_consent
from consentry.kit.clock import FrozenClock
from consentry.kit.ids import new_id
from consentry.kit.settings import Settings
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.registration import service
from consentry.registration.models import Application as ApplicationRow
from tests.support.builders import EXAMPLE_NUMBER, Tenant, example_json, own_number

RECIPIENT = "+15125550199"
DISCLOSURE = (
    "Yes, send me appointment reminders from Northside Physical Therapy. "
    "Msg & data rates may apply. Reply STOP to opt out."
)


def application(
    session: Session,
    tenant: Tenant,
    clock: FrozenClock,
    *,
    number: str = EXAMPLE_NUMBER,
    changes: dict[str, Any] | None = None,
) -> ApplicationRow:
    """A committed draft of the bundled example listing `number` (owned by the tenant)."""
    own_number(session, tenant, number)
    data = example_json()
    data["campaign"]["phone_numbers"] = [number]
    for key, value in (changes or {}).items():
        data["campaign"][key] = value
    row = service.create_draft(
        session, tenant.principal, application=service.Application.model_validate(data), clock=clock
    )
    session.commit()
    return row


def submitted(
    session: Session,
    tenant: Tenant,
    clock: FrozenClock,
    settings: Settings,
    **kwargs: Any,
) -> ApplicationRow:
    """A committed, submitted application."""
    row = application(session, tenant, clock, **kwargs)
    service.submit(session, tenant.principal, application_id=row.id, clock=clock, settings=settings)
    session.commit()
    return row


def approved(
    session: Session,
    tenant: Tenant,
    reviewer: Tenant,
    clock: FrozenClock,
    settings: Settings,
    **kwargs: Any,
) -> ApplicationRow:
    """A committed, approved application: its number may send."""
    row = submitted(session, tenant, clock, settings, **kwargs)
    service.start_review(session, reviewer.principal, application_id=row.id, clock=clock)
    service.approve(session, reviewer.principal, application_id=row.id, clock=clock)
    session.commit()
    return row


def with_temporary_registration(
    session: Session,
    tenant: Tenant,
    reviewer: Tenant,
    clock: FrozenClock,
    settings: Settings,
    row: ApplicationRow,
) -> None:
    """Request and issue a temporary registration for a submitted application (committed)."""
    service.request_temporary_registration(
        session, tenant.principal, application_id=row.id, clock=clock
    )
    service.issue_temporary_registration(
        session, reviewer.principal, application_id=row.id, clock=clock, settings=settings
    )
    session.commit()


def consent(
    session: Session, row: ApplicationRow, phone: str = RECIPIENT, *, now: datetime
) -> Consent:
    """A committed web-form consent of `phone` to the application's messages."""
    found = record_consent(
        session,
        account_id=row.account_id,
        application_id=row.id,
        phone=phone,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=DISCLOSURE,
        source={"ip": "203.0.113.7", "form_id": "signup"},
        now=now,
    )
    session.commit()
    return found


def inbound(
    session: Session,
    tenant: Tenant,
    *,
    from_: str = RECIPIENT,
    to: str = EXAMPLE_NUMBER,
    text: str = "Can I move my appointment?",
    at: datetime,
) -> Message:
    """A committed inbound message (the recipient texted the account's number)."""
    row = Message(
        id=new_id("msg"),
        account_id=tenant.account.id,
        direction=Direction.INBOUND,
        from_number=from_,
        to_number=to,
        account_number=to,
        remote_number=from_,
        text=text,
        media=[],
        status=MessageStatus.RECEIVED,
        created_at=at,
        updated_at=at,
    )
    session.add(row)
    session.commit()
    return row
