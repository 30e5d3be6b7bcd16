"""Builders for messaging tests: numbers, a program (application) listing them, queued messages,
and a dispatcher on the loopback carrier that records what it reports."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.carriers.base import DeliveryReceipt, InboundMessage
from consentry.carriers.loopback import LoopbackCarrier
from consentry.carriers.loopback.models import LoopbackSubmission
from consentry.kit.clock import Clock
from consentry.kit.db import Database
from consentry.kit.ids import new_id
from consentry.kit.settings import Settings
from consentry.messaging.dispatch import Dispatcher, apply_receipts
from consentry.messaging.models import Direction, Message, MessageEvent, MessageStatus, PhoneNumber
from consentry.messaging.ratelimit import DatabaseRateLimiter, RateLimiter
from consentry.messaging.segments import analyze
from consentry.registration.models import Application, ApplicationStatus
from tests.support.builders import example_json

__all__ = [
    "Reports",
    "add_number",
    "add_program",
    "events_of",
    "loopback_dispatcher",
    "queue_message",
    "statuses",
    "submissions",
]

OUR_NUMBER = "+15125550123"  # the bundled example's number


def add_number(session: Session, account_id: str, number: str = OUR_NUMBER) -> PhoneNumber:
    """A phone number of the account (committed); the account's own row when it has it."""
    existing = session.scalars(
        select(PhoneNumber).where(
            PhoneNumber.account_id == account_id, PhoneNumber.number == number
        )
    ).first()
    if existing is not None:
        return existing
    row = PhoneNumber(id=new_id("num"), account_id=account_id, number=number, settings={})
    session.add(row)
    session.commit()
    return row


def add_program(
    session: Session,
    account_id: str,
    numbers: Sequence[str] = (OUR_NUMBER,),
    *,
    status: ApplicationStatus = ApplicationStatus.APPROVED,
    **campaign: Any,
) -> Application:
    """An application listing `numbers` (the bundled example's texts), committed."""
    data = example_json()
    data["campaign"]["phone_numbers"] = list(numbers)
    data["campaign"].update(campaign)
    row = Application(
        id=new_id("app"),
        account_id=account_id,
        status=status,
        business=data["business"],
        campaign=data["campaign"],
    )
    session.add(row)
    session.commit()
    return row


def queue_message(
    session: Session,
    *,
    account_id: str,
    to: str,
    now: datetime,
    from_: str = OUR_NUMBER,
    text: str = "Northside PT: your appointment is tomorrow at 10:00. Reply STOP to opt out.",
    application_id: str | None = None,
    callback_url: str | None = None,
    commit: bool = True,
) -> Message:
    """An outbound message as the send service leaves it: `queued`, id not yet dispatched."""
    shape = analyze(text)
    msg = Message(
        id=new_id("msg"),
        account_id=account_id,
        application_id=application_id,
        direction=Direction.OUTBOUND,
        from_number=from_,
        to_number=to,
        account_number=from_,
        remote_number=to,
        text=text,
        media=[],
        status=MessageStatus.QUEUED,
        segments=shape.segments,
        encoding=shape.encoding,
        attempts=0,
        status_callback_url=callback_url,
        created_at=now,
        updated_at=now,
    )
    session.add(msg)
    if commit:
        session.commit()
    return msg


@dataclass
class Reports:
    """What the carrier reported: receipts and inbound messages."""

    receipts: list[DeliveryReceipt] = field(default_factory=list)
    inbound: list[InboundMessage] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def on_receipt(self, receipt: DeliveryReceipt) -> None:
        with self.changed:
            self.receipts.append(receipt)
            self.changed.notify_all()

    def on_inbound(self, message: InboundMessage) -> None:
        with self.changed:
            self.inbound.append(message)
            self.changed.notify_all()

    def wait_receipts(self, count: int, timeout: float = 5.0) -> list[DeliveryReceipt]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.receipts) >= count, timeout)
        return list(self.receipts)

    def apply(self, db: Database, now: datetime) -> int:
        """Apply every receipt collected so far; how many settled a message."""
        with self.changed:
            todo, self.receipts = self.receipts, []
        with db.transaction() as s:
            applied, _ = apply_receipts(s, todo, now=now)
        return applied


def loopback_dispatcher(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    limiter: RateLimiter | None = None,
    schedule: Any = None,
) -> tuple[Dispatcher, LoopbackCarrier, Reports]:
    """A dispatcher on a started loopback carrier (receipts reported at once)."""
    reports = Reports()
    carrier = LoopbackCarrier(database=db, receipt_delay=0.0)
    carrier.start(on_receipt=reports.on_receipt, on_inbound=reports.on_inbound)
    dispatcher = Dispatcher(
        db=db,
        carrier=carrier,
        limiter=limiter or DatabaseRateLimiter(),
        settings=settings,
        clock=clock,
        schedule=schedule,
    )
    return dispatcher, carrier, reports


def statuses(session: Session, ids: Sequence[str]) -> dict[str, MessageStatus]:
    """The current status of each message."""
    session.expire_all()
    rows = session.execute(select(Message.id, Message.status).where(Message.id.in_(ids)))
    return {r.id: r.status for r in rows}


def events_of(session: Session, message_id: str) -> list[tuple[MessageStatus, str | None]]:
    """(status, error_code) of each event of a message, in order."""
    rows = session.execute(
        select(MessageEvent.status, MessageEvent.error_code)
        .where(MessageEvent.message_id == message_id)
        .order_by(MessageEvent.id)
    )
    return [(r.status, r.error_code) for r in rows]


def submissions(session: Session, message_id: str | None = None) -> int:
    """How many times the loopback carrier recorded a message (or any message)."""
    query = select(func.count()).select_from(LoopbackSubmission)
    if message_id is not None:
        query = query.where(LoopbackSubmission.message_id == message_id)
    return int(session.scalar(query) or 0)
