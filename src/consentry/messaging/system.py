"""Messages the system sends on its own: keyword replies and opt-in confirmations.

The person just asked for them (texted HELP, STOP or YES, or submitted an opt-in form), so they
are queued without the consent check that business messages pass; a double opt-in request goes
out before its consent is active.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from consentry.kit.ids import new_id
from consentry.messaging import outbox
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.messaging.segments import analyze
from consentry.messaging.status import Change, record_changes

__all__ = ["queue_system_message"]


def queue_system_message(
    session: Session,
    *,
    account_id: str,
    application_id: str | None,
    account_number: str,
    remote_number: str,
    text: str,
    origin: str,
    now: datetime,
) -> Message:
    """Queue `text` from one of the account's numbers to `remote_number`; dispatched after the
    session commits."""
    shape = analyze(text)
    message = Message(
        id=new_id("msg"),
        account_id=account_id,
        application_id=application_id,
        direction=Direction.OUTBOUND,
        from_number=account_number,
        to_number=remote_number,
        account_number=account_number,
        remote_number=remote_number,
        text=text,
        media=[],
        status=MessageStatus.QUEUED,
        segments=shape.segments,
        encoding=shape.encoding,
        origin=origin,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    session.flush()
    record_changes(
        session, [Change(message.id, message.account_id, MessageStatus.QUEUED, now, detail=origin)]
    )
    outbox.enqueue_after_commit(session, message.id)
    return message
