"""Consent rules: recording proof of opt-in, opting out and back in, and the questions a send
asks ("may this number be texted for this campaign?"). Services only flush.

Opt-out scope: an opt-out names the application (campaign) whose number received the STOP, so
it ends that program's messages; `application_id=None` opts the phone out of every program of
the account (STOPALL, or a STOP to a number that belongs to no campaign).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from consentry.consent.models import Consent, ConsentMethod, ConsentStatus, OptOut
from consentry.kit.ids import new_id

__all__ = [
    "active_consent",
    "disclosure_hash",
    "end_opt_outs",
    "is_opted_out",
    "record_consent",
    "record_opt_out",
]


def disclosure_hash(text: str) -> str:
    """SHA-256 of the disclosure text exactly as shown (the evidence's fingerprint)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_consent(
    session: Session,
    *,
    account_id: str,
    application_id: str,
    phone: str,
    method: ConsentMethod,
    disclosure_text: str,
    source: dict[str, Any],
    now: datetime,
    status: ConsentStatus = ConsentStatus.ACTIVE,
) -> Consent:
    """Store proof of one opt-in. A new active consent also ends the phone's opt-out from
    that program: opting in again is the person's own later choice."""
    consent = Consent(
        id=new_id("cns"),
        account_id=account_id,
        application_id=application_id,
        phone=phone,
        method=method,
        status=status,
        consented_at=now,
        disclosure_text=disclosure_text,
        disclosure_sha256=disclosure_hash(disclosure_text),
        source=source,
    )
    session.add(consent)
    if status is ConsentStatus.ACTIVE:
        end_opt_outs(
            session, account_id=account_id, application_id=application_id, phone=phone, now=now
        )
    session.flush()
    return consent


def active_consent(
    session: Session, *, account_id: str, application_id: str, phone: str
) -> Consent | None:
    """The latest active consent of `phone` for one application, if any."""
    return session.scalars(
        select(Consent)
        .where(
            Consent.account_id == account_id,
            Consent.application_id == application_id,
            Consent.phone == phone,
            Consent.status == ConsentStatus.ACTIVE,
        )
        .order_by(Consent.consented_at.desc())
        .limit(1)
    ).first()


def is_opted_out(
    session: Session, *, account_id: str, application_id: str | None, phone: str
) -> bool:
    """True while `phone` has an open opt-out from this program or from the whole account."""
    scope: ColumnElement[bool] = OptOut.application_id.is_(None)
    if application_id is not None:
        scope = or_(scope, OptOut.application_id == application_id)
    found = session.scalars(
        select(OptOut.id)
        .where(
            OptOut.account_id == account_id, OptOut.phone == phone, OptOut.ended_at.is_(None), scope
        )
        .limit(1)
    ).first()
    return found is not None


def record_opt_out(
    session: Session,
    *,
    account_id: str,
    application_id: str | None,
    phone: str,
    keyword: str | None,
    now: datetime,
    message_id: str | None = None,
) -> tuple[OptOut, bool]:
    """Opt `phone` out; returns the open opt-out and whether it is new (a repeated STOP
    finds the existing one, so the confirmation is sent once)."""
    existing = session.scalars(
        select(OptOut).where(
            OptOut.account_id == account_id,
            OptOut.phone == phone,
            OptOut.ended_at.is_(None),
            OptOut.application_id.is_(None)
            if application_id is None
            else OptOut.application_id == application_id,
        )
    ).first()
    if existing is not None:
        return existing, False
    opt_out = OptOut(
        id=new_id("opo"),
        account_id=account_id,
        application_id=application_id,
        phone=phone,
        keyword=keyword,
        message_id=message_id,
        opted_out_at=now,
    )
    session.add(opt_out)
    session.flush()
    return opt_out, True


def end_opt_outs(
    session: Session, *, account_id: str, application_id: str | None, phone: str, now: datetime
) -> int:
    """End the phone's open opt-outs that cover this program (START/UNSTOP, or a new consent);
    returns how many ended."""
    scope: ColumnElement[bool] = OptOut.application_id.is_(None)
    if application_id is not None:
        scope = or_(scope, OptOut.application_id == application_id)
    result = session.execute(
        update(OptOut)
        .where(
            OptOut.account_id == account_id, OptOut.phone == phone, OptOut.ended_at.is_(None), scope
        )
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
