"""Inbound messages and the keywords they may carry (STOP / HELP / START families).

    carrier (loopback hook, SMPP deliver_sm) ─▶ receive() ─▶ row `received`
        STOP family   ─▶ opt-out recorded; the recipient's waiting messages are canceled;
                         one confirmation, only when the opt-out is new
        HELP / INFO   ─▶ the campaign's help message
        START family  ─▶ opt-outs ended, pending (double opt-in) consents activated;
                         the campaign's opt-in confirmation (or one built from the
                         application: brand, program, frequency, rates, HELP and STOP)
                      ─▶ a YES after the double opt-in request expired activates nothing;
                         it gets one reply saying so (once per expired request)

Replies are ordinary outbound messages (a row `queued`, with `origin` saying why, dispatched
after commit) that skip the consent check: the recipient asked for them, and a STOP
confirmation must go out after the opt-out it confirms.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consentry.accounts.models import Account
from consentry.consent.hosted.service import activate_pending, expired_unanswered
from consentry.consent.keywords import KeywordAction, classify, keyword_of
from consentry.consent.models import ConsentEventAction
from consentry.consent.service import end_opt_outs, record_event, record_opt_out
from consentry.documents import opt_in_confirmation
from consentry.kit.errors import NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.messaging.models import Direction, Media, Message, MessageStatus, PhoneNumber
from consentry.messaging.segments import analyze
from consentry.messaging.status import Change, record_changes
from consentry.messaging.system import queue_system_message
from consentry.registration.models import Application, ApplicationStatus
from consentry.registration.service import as_application

__all__ = [
    "ORIGIN_HELP",
    "ORIGIN_OPT_IN",
    "ORIGIN_OPT_OUT",
    "ORIGIN_PENDING_EXPIRED",
    "default_help",
    "default_opt_in_confirmation",
    "default_opt_out_confirmation",
    "expired_request_reply",
    "opt_in_confirmation_text",
    "receive",
]

log = get_logger(__name__)

ORIGIN_OPT_OUT = "opt_out_confirmation"
ORIGIN_HELP = "help_reply"
ORIGIN_OPT_IN = "opt_in_confirmation"
ORIGIN_PENDING_EXPIRED = "opt_in_expired"
_CANCELABLE = (MessageStatus.ACCEPTED, MessageStatus.QUEUED)
# An application in one of these states no longer speaks for the number.
_DEAD = (ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE)


def default_opt_out_confirmation(brand: str) -> str:
    """The opt-out confirmation used when the campaign gives none."""
    return f"{brand}: You are unsubscribed and will receive no further messages."


def default_help(brand: str, contact: str | None) -> str:
    """The HELP answer used when the campaign gives none."""
    where = f" Contact {contact}." if contact else ""
    return (
        f"{brand}: Help for our text messages.{where} Msg & data rates may apply. "
        "Reply STOP to opt out."
    )


def default_opt_in_confirmation(brand: str) -> str:
    """The opt-in confirmation when nothing is known but the brand (no application)."""
    return (
        f"{brand}: You're subscribed to text messages. Msg frequency varies. "
        "Msg & data rates may apply. Reply HELP for help, STOP to cancel."
    )


def expired_request_reply(brand: str) -> str:
    """The one answer to a YES that came after the double opt-in request expired: it says no
    subscription started and how to sign up; it carries no marketing."""
    return (
        f"{brand}: This sign-up request has expired, so you are not subscribed and will not "
        "get messages. To sign up, please fill in the sign-up form again."
    )


def opt_in_confirmation_text(app: Application | None, brand: str) -> str:
    """The campaign's own opt-in confirmation, else a compliant one built from the application
    (brand, program, frequency, rates, HELP and STOP)."""
    given = _campaign_text(app, "opt_in", "confirmation_message")
    if given is not None:
        return " ".join(given.split())
    if app is None:
        return default_opt_in_confirmation(brand)
    try:
        model = as_application(app)
    except ValidationError:
        return default_opt_in_confirmation(brand)
    return opt_in_confirmation(model, brand=brand).text


def _program(session: Session, account_id: str, number: str) -> Application | None:
    """The application that lists `number`: an approved one first, else the latest live one."""
    rows = session.scalars(
        select(Application)
        .where(Application.account_id == account_id, Application.status.not_in(_DEAD))
        .order_by(Application.updated_at.desc())
    ).all()
    listing = [a for a in rows if number in (a.campaign or {}).get("phone_numbers", [])]
    approved = [a for a in listing if a.status is ApplicationStatus.APPROVED]
    best = approved or listing
    return best[0] if best else None


def _brand(app: Application | None, account: Account | None) -> str:
    business: dict[str, Any] = (app.business if app else None) or {}
    name = business.get("display_name") or business.get("legal_name")
    return str(name or (account.name if account else "") or "Messages")


def _campaign_text(app: Application | None, *path: str) -> str | None:
    node: Any = app.campaign if app else None
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node.strip() if isinstance(node, str) and node.strip() else None


def receive(
    session: Session,
    *,
    from_number: str,
    to_number: str,
    text: str,
    carrier: str | None,
    carrier_message_id: str | None,
    now: datetime,
    media: Sequence[Media] = (),
) -> Message:
    """Store an inbound message on the account that owns `to_number` and act on its keyword.
    `media` are the MMS files the carrier delivered, already stored for that account."""
    number = session.scalars(select(PhoneNumber).where(PhoneNumber.number == to_number)).first()
    if number is None:
        raise NotFound(
            f"{to_number} is not a number of any account, so there is nobody to deliver to.",
            code="NUMBER_UNKNOWN",
            fix="Send to a number added with POST /api/v1/numbers.",
        )
    if carrier_message_id:
        seen = session.scalars(
            select(Message).where(
                Message.account_id == number.account_id,
                Message.direction == Direction.INBOUND,
                Message.carrier_message_id == carrier_message_id,
            )
        ).first()
        if seen is not None:  # the carrier delivered it again: once is enough
            return seen
    app = _program(session, number.account_id, to_number)
    shape = analyze(text)
    message = Message(
        id=new_id("msg"),
        account_id=number.account_id,
        application_id=app.id if app else None,
        direction=Direction.INBOUND,
        from_number=from_number,
        to_number=to_number,
        account_number=to_number,
        remote_number=from_number,
        text=text,
        # The same items as an outbound MMS, so every reader finds the media the same way.
        media=[
            {"id": m.id, "content_type": m.content_type, "size": m.size, "filename": m.filename}
            for m in media
            if m.account_id == number.account_id
        ],
        status=MessageStatus.RECEIVED,
        segments=shape.segments,
        encoding=shape.encoding,
        carrier=carrier,
        carrier_message_id=carrier_message_id,
        attempts=0,
        created_at=now,
        updated_at=now,
        done_at=now,
    )
    session.add(message)
    session.flush()
    record_changes(session, [Change(message.id, message.account_id, MessageStatus.RECEIVED, now)])
    action = classify(text)
    if action is not None:
        _on_keyword(session, message, action, app, now=now)
    log.info(
        "messaging.inbound.received",
        message_id=message.id,
        account_id=message.account_id,
        keyword=str(action) if action else None,
    )
    return message


def _on_keyword(
    session: Session,
    message: Message,
    action: KeywordAction,
    app: Application | None,
    *,
    now: datetime,
) -> None:
    account = session.get(Account, message.account_id)
    brand = _brand(app, account)
    keyword = keyword_of(message.text)
    if action is KeywordAction.OPT_OUT:
        # STOPALL, or a STOP to a number of no campaign, leaves every program of the account.
        scope = None if keyword == "STOPALL" or app is None else app.id
        _, new = record_opt_out(
            session,
            account_id=message.account_id,
            application_id=scope,
            phone=message.remote_number,
            keyword=keyword,
            now=now,
            message_id=message.id,
        )
        _cancel_waiting(session, message, scope, now=now)
        if new:
            text = _campaign_text(app, "opt_out", "message") or default_opt_out_confirmation(brand)
            _reply(session, message, text, ORIGIN_OPT_OUT, now=now)
    elif action is KeywordAction.HELP:
        business: dict[str, Any] = (app.business if app else None) or {}
        contact = business.get("email") or business.get("phone") or business.get("website")
        text = _campaign_text(app, "help", "message") or default_help(brand, contact)
        _reply(session, message, text, ORIGIN_HELP, now=now)
    elif action is KeywordAction.OPT_IN:
        _on_opt_in(session, message, app, brand, now=now)


def _on_opt_in(
    session: Session, message: Message, app: Application | None, brand: str, *, now: datetime
) -> None:
    ended = end_opt_outs(
        session,
        account_id=message.account_id,
        application_id=app.id if app else None,
        phone=message.remote_number,
        now=now,
    )
    if app is None:
        activated = []
    else:
        # A YES to a double opt-in request activates the pending consent it asked about.
        activated = activate_pending(
            session,
            account_id=message.account_id,
            application_id=app.id,
            phone=message.remote_number,
            now=now,
            message_id=message.id,
        )
    # Only a real return is confirmed: START from someone who never left gets no text,
    # since there is no consent on record to text them under.
    if ended or activated:
        text = opt_in_confirmation_text(app, brand)
        reply = _reply(session, message, text, ORIGIN_OPT_IN, now=now)
        for consent in activated:
            record_event(
                session,
                consent,
                ConsentEventAction.CONFIRMATION_SENT,
                at=now,
                message_id=reply.id,
                details={"text": text},
            )
        session.flush()
        return
    if app is None:
        return
    expired = expired_unanswered(
        session,
        account_id=message.account_id,
        application_id=app.id,
        phone=message.remote_number,
    )
    if expired is not None:
        text = expired_request_reply(brand)
        reply = _reply(session, message, text, ORIGIN_PENDING_EXPIRED, now=now)
        record_event(
            session,
            expired,
            ConsentEventAction.EXPIRED_REPLY,
            at=now,
            message_id=reply.id,
            details={"text": text, "inbound_message_id": message.id},
        )
        session.flush()
        log.info("consent.late_yes", consent_id=expired.id, message_id=message.id)


def _cancel_waiting(
    session: Session, message: Message, application_id: str | None, *, now: datetime
) -> None:
    """Cancel the recipient's outbound messages still waiting to be sent (not yet `sending`)."""
    conditions = [
        Message.account_id == message.account_id,
        Message.remote_number == message.remote_number,
        Message.direction == Direction.OUTBOUND,
        Message.status.in_(_CANCELABLE),
        # An earlier confirmation of an opt-out still goes out.
        Message.origin.is_distinct_from(ORIGIN_OPT_OUT),
    ]
    if application_id is not None:
        conditions.append(Message.application_id == application_id)
    rows = session.execute(
        update(Message)
        .where(*conditions)
        .values(
            status=MessageStatus.CANCELED,
            error_code="RECIPIENT_OPTED_OUT",
            error_message="The recipient opted out before the message was sent.",
            done_at=now,
            updated_at=now,
        )
        .returning(Message.id, Message.account_id, Message.status_callback_url)
        .execution_options(synchronize_session=False)
    ).all()
    record_changes(
        session,
        [
            Change(
                r.id,
                r.account_id,
                MessageStatus.CANCELED,
                now,
                "RECIPIENT_OPTED_OUT",
                f"canceled by inbound {message.id}",
                r.status_callback_url,
            )
            for r in rows
        ],
    )


def _reply(session: Session, inbound: Message, text: str, origin: str, *, now: datetime) -> Message:
    """Queue a system reply to `inbound` on the same number and program."""
    return queue_system_message(
        session,
        account_id=inbound.account_id,
        application_id=inbound.application_id,
        account_number=inbound.account_number,
        remote_number=inbound.remote_number,
        text=text,
        origin=origin,
        now=now,
    )
