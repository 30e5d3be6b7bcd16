"""Consent rules: recording proof of opt-in, opting out and back in, and the questions a send
asks ("may this number be texted for this campaign?"). Services only flush.

Opt-out scope: an opt-out names the application (campaign) whose number received the STOP, so
it ends that program's messages; `application_id=None` opts the phone out of every program of
the account (STOPALL, or a STOP to a number that belongs to no campaign).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from consentry.accounts.scope import Principal
from consentry.consent import repository
from consentry.consent.csvimport import parse_csv
from consentry.consent.models import (
    Consent,
    ConsentEvent,
    ConsentEventAction,
    ConsentMethod,
    ConsentStatus,
    OptOut,
)
from consentry.kit.errors import Invalid, NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.kit.pagination import Page
from consentry.kit.phone import normalize_us
from consentry.registration.models import Application
from consentry.registration.repository import visible_application

log = get_logger(__name__)

__all__ = [
    "ImportResult",
    "active_consent",
    "disclosure_hash",
    "end_opt_outs",
    "expire_consent",
    "expire_pending_consents",
    "expired_times",
    "get_consent",
    "give_consent",
    "import_consents",
    "is_opted_out",
    "list_consents",
    "list_opt_outs",
    "parse_phone",
    "record_consent",
    "record_event",
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
    consented_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Consent:
    """Store proof of one opt-in. A new active consent also ends the phone's opt-out from
    that program: opting in again is the person's own later choice. `consented_at` dates an
    earlier opt-in (a paper form entered later); it ends only opt-outs made before it."""
    when = consented_at or now
    consent = Consent(
        id=new_id("cns"),
        account_id=account_id,
        application_id=application_id,
        phone=phone,
        method=method,
        status=status,
        consented_at=when,
        disclosure_text=disclosure_text,
        disclosure_sha256=disclosure_hash(disclosure_text),
        source=source,
        expires_at=expires_at,
    )
    session.add(consent)
    if status is ConsentStatus.ACTIVE:
        end_opt_outs(
            session,
            account_id=account_id,
            application_id=application_id,
            phone=phone,
            now=now,
            before=consented_at,
        )
    session.flush()
    return consent


def record_event(
    session: Session,
    consent: Consent,
    action: ConsentEventAction,
    *,
    at: datetime,
    message_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> ConsentEvent:
    """Append one step to a consent's history."""
    row = ConsentEvent(
        consent_id=consent.id,
        at=at,
        action=action,
        message_id=message_id,
        details=details or {},
    )
    session.add(row)
    return row


def expire_consent(session: Session, consent: Consent, *, now: datetime, reason: str) -> None:
    """pending → expired: the YES never came in time (`reason` "no_reply"), or the person
    signed up again ("superseded"). Any other state is left alone."""
    if consent.status is not ConsentStatus.PENDING:
        return
    consent.status = ConsentStatus.EXPIRED
    record_event(
        session,
        consent,
        ConsentEventAction.EXPIRED,
        at=now,
        details={
            "reason": reason,
            "expires_at": consent.expires_at.isoformat() if consent.expires_at else None,
        },
    )
    log.info("consent.expired", consent_id=consent.id, reason=reason)


def expire_pending_consents(session: Session, *, now: datetime, limit: int = 500) -> int:
    """The periodic task: pending consents past their deadline become expired, each with an
    event. Returns how many; the caller commits (and runs it again while the batch is full)."""
    rows = session.scalars(
        select(Consent)
        .where(
            Consent.status == ConsentStatus.PENDING,
            Consent.expires_at.is_not(None),
            Consent.expires_at <= now,
        )
        .order_by(Consent.expires_at, Consent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        expire_consent(session, row, now=now, reason="no_reply")
    session.flush()
    return len(rows)


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
    session: Session,
    *,
    account_id: str,
    application_id: str | None,
    phone: str,
    now: datetime,
    before: datetime | None = None,
) -> int:
    """End the phone's open opt-outs that cover this program (START/UNSTOP, or a new consent);
    only those made at or before `before` when given (an older consent cannot undo a later
    STOP). Returns how many ended."""
    scope: ColumnElement[bool] = OptOut.application_id.is_(None)
    if application_id is not None:
        scope = or_(scope, OptOut.application_id == application_id)
    if before is not None:
        scope = and_(scope, OptOut.opted_out_at <= before)
    result = session.execute(
        update(OptOut)
        .where(
            OptOut.account_id == account_id, OptOut.phone == phone, OptOut.ended_at.is_(None), scope
        )
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- on behalf of an API caller ------------------------------------------------------------------


def parse_phone(raw: str, *, field: str = "phone") -> str:
    """E.164 for a US phone number, or PHONE_INVALID."""
    normal = normalize_us(raw)
    if normal is None:
        raise Invalid(
            f"{raw!r} is not a valid US phone number.",
            code="PHONE_INVALID",
            fix='Give the number in E.164, e.g. "+15125550123".',
            details={"field": field},
        )
    return normal


def _application(session: Session, principal: Principal, application_id: str) -> Application:
    row = visible_application(session, principal, application_id)
    if row is None:
        raise NotFound(
            f"No application {application_id}.",
            code="APPLICATION_NOT_FOUND",
            fix="Consent is recorded for one of your applications (campaigns); "
            "GET /api/v1/applications lists them.",
        )
    return row


def give_consent(
    session: Session,
    principal: Principal,
    *,
    application_id: str,
    phone: str,
    method: ConsentMethod,
    disclosure_text: str,
    source: dict[str, Any],
    now: datetime,
    consented_at: datetime | None = None,
) -> Consent:
    """Record proof of an opt-in to one of the caller's applications."""
    app = _application(session, principal, application_id)
    normal = parse_phone(phone)
    if not disclosure_text.strip():
        raise Invalid(
            "disclosure_text is empty.",
            code="DISCLOSURE_MISSING",
            fix="Record the exact words the person saw or heard when they agreed.",
        )
    if consented_at is not None and consented_at > now:
        raise Invalid(
            "consented_at is in the future.",
            code="CONSENTED_AT_FUTURE",
            fix="Give the time the person agreed, or omit it to use the current time.",
        )
    consent = record_consent(
        session,
        account_id=app.account_id,
        application_id=app.id,
        phone=normal,
        method=method,
        disclosure_text=disclosure_text,
        source=source,
        now=now,
        consented_at=consented_at,
    )
    log.info("consent.recorded", consent_id=consent.id, application_id=app.id, method=method)
    return consent


def get_consent(session: Session, principal: Principal, consent_id: str) -> Consent:
    """One consent record of the caller's tenant (another tenant's reads as not found)."""
    row = repository.visible_consent(session, principal, consent_id)
    if row is None:
        raise NotFound(
            f"No consent record {consent_id}.",
            code="CONSENT_NOT_FOUND",
            fix="GET /api/v1/consents lists yours.",
        )
    return row


def list_consents(
    session: Session,
    principal: Principal,
    *,
    application_id: str | None = None,
    phone: str | None = None,
    status: ConsentStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Consent]:
    """The caller's consent records, newest first, optionally of one status (`pending`
    double opt-ins waiting for the YES, `expired` ones that never got it, ...)."""
    normal = parse_phone(phone) if phone is not None else None
    return repository.consents_page(
        session,
        principal,
        application_id=application_id,
        phone=normal,
        status=status,
        cursor=cursor,
        limit=limit,
    )


def expired_times(session: Session, consent_ids: Sequence[str]) -> dict[str, datetime]:
    """When each of these consents expired, for those that did (read by id, so the caller
    passes ids it already may see)."""
    return repository.expired_at_of(session, consent_ids)


def list_opt_outs(
    session: Session,
    principal: Principal,
    *,
    phone: str | None = None,
    application_id: str | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[OptOut]:
    """The caller's opt-outs, newest first."""
    normal = parse_phone(phone) if phone is not None else None
    return repository.opt_outs_page(
        session,
        principal,
        phone=normal,
        application_id=application_id,
        active=active,
        cursor=cursor,
        limit=limit,
    )


@dataclass(slots=True)
class ImportResult:
    """What an import did, row by row."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    imported: int = 0
    errors: int = 0


def import_consents(
    session: Session, principal: Principal, *, application_id: str, text: str, now: datetime
) -> ImportResult:
    """Import a consent CSV into one application: good rows are recorded even when others fail
    (all in the caller's one transaction); each row gets its result."""
    app = _application(session, principal, application_id)
    result = ImportResult()
    for parsed in parse_csv(text, now=now):
        if parsed.error is not None:
            result.errors += 1
            result.rows.append(
                {"row": parsed.row, "status": "error", "error": parsed.error.to_dict()}
            )
            continue
        consent = record_consent(
            session,
            account_id=app.account_id,
            application_id=app.id,
            phone=parsed.phone,
            method=parsed.method,
            disclosure_text=parsed.disclosure_text,
            source=parsed.source,
            now=now,
            consented_at=parsed.consented_at,
        )
        result.imported += 1
        result.rows.append({"row": parsed.row, "status": "imported", "id": consent.id})
    if not result.rows:
        raise Invalid(
            "The CSV has a header but no rows.",
            code="CSV_EMPTY",
            fix="Add one row per consent under the header.",
        )
    log.info(
        "consent.imported", application_id=app.id, imported=result.imported, errors=result.errors
    )
    return result
