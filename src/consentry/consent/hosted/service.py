"""Hosted opt-in: the owner's page settings, and what a public submission records and sends.

    GET /optin/{slug} ─▶ page (only while the application can send) ─▶ POST
        token, origin, honeypot, rate limit ─▶ phone valid? box checked?
        ─▶ consent (WEB_FORM, the exact disclosure text shown, IP, user agent, URL, slug)
        ─▶ the opt-in confirmation queued like any system reply (origin opt_in_confirmation)

With double opt-in the consent is recorded `pending` until `expires_at` (settings.
pending_consent_hours) and the text asks for a YES; the inbound YES activates it
(messaging.inbound). A new submission for the same number expires the earlier pending consent
and starts a fresh one, so one YES confirms the latest request only. Each text queued for a
consent is a ConsentEvent naming its message. Services only flush.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.accounts.scope import Principal
from consentry.consent.hosted.models import OptinPage, OptinSubmission
from consentry.consent.models import (
    Consent,
    ConsentEvent,
    ConsentEventAction,
    ConsentMethod,
    ConsentStatus,
)
from consentry.consent.service import expire_consent, record_consent, record_event
from consentry.documents import DocumentInputError
from consentry.documents import generate as generate_documents
from consentry.documents.generate import Documents
from consentry.kit.errors import Invalid, NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.messaging.models import Message
from consentry.messaging.system import queue_system_message
from consentry.registration import service as registration
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.models import ApplicationStatus, TemporaryStatus
from consentry.registration.repository import current_temporary, owned_numbers

__all__ = [
    "LIMIT",
    "ORIGIN",
    "WINDOW",
    "Hosted",
    "activate_pending",
    "consume_token",
    "enable_page",
    "expired_unanswered",
    "get_page",
    "hosted",
    "over_limit",
    "record_submission",
]

log = get_logger(__name__)

ORIGIN = "opt_in_confirmation"
# Abuse limit: this many accepted posts per IP, and per phone number, in the window.
LIMIT = 5
WINDOW = timedelta(minutes=10)


def can_send(session: Session, row: ApplicationRow, now: datetime) -> bool:
    """Approved, or with an active temporary registration: only then is the page served."""
    if row.status is ApplicationStatus.APPROVED:
        return True
    temporary = current_temporary(session, row.id)
    return temporary is not None and temporary.effective_status(now) is TemporaryStatus.ACTIVE


def enable_page(
    session: Session, principal: Principal, application_id: str, *, double_opt_in: bool | None
) -> OptinPage:
    """Create (or re-enable) the application's hosted page; the slug never changes."""
    row = registration.get_application(session, principal, application_id)
    page = session.scalars(select(OptinPage).where(OptinPage.application_id == row.id)).first()
    if page is None:
        page = OptinPage(
            id=new_id("opg"),
            account_id=row.account_id,
            application_id=row.id,
            slug=secrets.token_urlsafe(12),
            enabled=True,
            double_opt_in=bool(double_opt_in),
        )
        session.add(page)
    else:
        page.enabled = True
        if double_opt_in is not None:
            page.double_opt_in = double_opt_in
    session.flush()
    log.info("optin.page_enabled", application_id=row.id, double_opt_in=page.double_opt_in)
    return page


def get_page(session: Session, principal: Principal, application_id: str) -> OptinPage:
    """The application's hosted page, or OPTIN_PAGE_NOT_FOUND."""
    row = registration.get_application(session, principal, application_id)
    page = session.scalars(select(OptinPage).where(OptinPage.application_id == row.id)).first()
    if page is None:
        raise NotFound(
            f"Application {row.id} has no hosted opt-in page yet.",
            code="OPTIN_PAGE_NOT_FOUND",
            fix=f"Create it: POST /api/v1/applications/{row.id}/optin-page.",
        )
    return page


@dataclass(frozen=True, slots=True)
class Hosted:
    """A page that may be served now: its row, its application and the generated documents."""

    page: OptinPage
    application: ApplicationRow
    documents: Documents
    sender: str

    @property
    def disclosure(self) -> str:
        """The consent language exactly as the checkbox label shows it (what is hashed)."""
        return disclosure_of(self.documents)

    @property
    def brand(self) -> str:
        """The brand the person is signing up with."""
        return self.documents.profile.brand


def disclosure_of(documents: Documents) -> str:
    """The visible consent language of the generated form (without its "[ ]" marker)."""
    return documents.optin_text.removeprefix("[ ] ")


def hosted(session: Session, slug: str, now: datetime) -> Hosted | None:
    """The page at `slug` when it is enabled, its application can send, has a number of its
    own and complete documents; None otherwise (a friendly 404)."""
    if len(slug) > 40:
        return None
    page = session.scalars(select(OptinPage).where(OptinPage.slug == slug)).first()
    if page is None or not page.enabled:
        return None
    row = session.get(ApplicationRow, page.application_id)
    if row is None or not can_send(session, row, now):
        return None
    listed = [str(n) for n in (row.campaign or {}).get("phone_numbers", [])]
    owned = owned_numbers(session, row.account_id, listed)
    senders = [n for n in listed if n in owned]
    if not senders:
        return None
    try:
        docs = generate_documents(registration.as_application(row))
    except (DocumentInputError, ValueError):
        return None
    return Hosted(page=page, application=row, documents=docs, sender=senders[0])


def over_limit(session: Session, *, ip: str, phone: str | None, now: datetime) -> bool:
    """True when this IP, or this phone number, already used up the window's posts."""
    since = now - WINDOW
    by_ip = session.scalar(
        select(func.count()).where(OptinSubmission.ip == ip, OptinSubmission.at >= since)
    )
    if (by_ip or 0) >= LIMIT:
        return True
    if phone is None:
        return False
    by_phone = session.scalar(
        select(func.count()).where(OptinSubmission.phone == phone, OptinSubmission.at >= since)
    )
    return (by_phone or 0) >= LIMIT


def consume_token(session: Session, token_id: str) -> bool:
    """False when the token was already used (a replayed post)."""
    used = session.scalars(
        select(OptinSubmission.id).where(OptinSubmission.token_id == token_id)
    ).first()
    return used is None


def record_submission(
    session: Session, *, slug: str, token_id: str, ip: str, phone: str | None, now: datetime
) -> None:
    """Count one post against the limits and spend its token."""
    session.add(OptinSubmission(slug=slug, token_id=token_id, ip=ip, phone=phone, at=now))
    session.flush()


def confirmation_text(h: Hosted) -> str:
    """What is texted after a submission: the campaign's confirmation, or a YES request."""
    p = h.documents.profile
    if h.page.double_opt_in:
        return (
            f"{p.brand}: Reply YES to confirm you want {p.program.short} by text. "
            "Msg & data rates may apply. Reply STOP to cancel."
        )
    campaign: dict[str, Any] = h.application.campaign or {}
    given = (campaign.get("opt_in") or {}).get("confirmation_message")
    if isinstance(given, str) and given.strip():
        return " ".join(given.split())
    return h.documents.confirmation.text


def submit(
    session: Session,
    h: Hosted,
    *,
    phone: str,
    source: dict[str, Any],
    now: datetime,
    pending_hours: int,
) -> tuple[Consent, Message]:
    """Record the consent (pending for `pending_hours` with double opt-in) and queue the
    confirmation, or the request for a YES."""
    if not h.disclosure.strip():  # pragma: no cover - generated documents always have it
        raise Invalid("The page has no consent language.", code="DISCLOSURE_MISSING")
    double = h.page.double_opt_in
    if double:
        for earlier in _pending(session, h.application.account_id, h.application.id, phone):
            expire_consent(session, earlier, now=now, reason="superseded")
    consent = record_consent(
        session,
        account_id=h.application.account_id,
        application_id=h.application.id,
        phone=phone,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=h.disclosure,
        source=source,
        now=now,
        status=ConsentStatus.PENDING if double else ConsentStatus.ACTIVE,
        expires_at=now + timedelta(hours=pending_hours) if double else None,
    )
    text = confirmation_text(h)
    message = queue_confirmation(session, h, phone=phone, text=text, now=now)
    action = (
        ConsentEventAction.CONFIRMATION_REQUESTED
        if double
        else ConsentEventAction.CONFIRMATION_SENT
    )
    record_event(
        session,
        consent,
        action,
        at=now,
        message_id=message.id,
        details={"text": text},
    )
    session.flush()
    log.info(
        "optin.submitted",
        consent_id=consent.id,
        application_id=h.application.id,
        status=str(consent.status),
    )
    return consent, message


def queue_confirmation(
    session: Session, h: Hosted, *, phone: str, text: str, now: datetime
) -> Message:
    """Queue the confirmation as a system message: the person just asked for it, so it is not
    held to the consent check (a double opt-in request goes out before consent is active)."""
    return queue_system_message(
        session,
        account_id=h.application.account_id,
        application_id=h.application.id,
        account_number=h.sender,
        remote_number=phone,
        text=text,
        origin=ORIGIN,
        now=now,
    )


def _pending(session: Session, account_id: str, application_id: str, phone: str) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent)
            .where(
                Consent.account_id == account_id,
                Consent.application_id == application_id,
                Consent.phone == phone,
                Consent.status == ConsentStatus.PENDING,
            )
            .order_by(Consent.consented_at, Consent.id)
        )
    )


def activate_pending(
    session: Session,
    *,
    account_id: str,
    application_id: str,
    phone: str,
    now: datetime,
    message_id: str | None = None,
) -> list[Consent]:
    """A YES reply (inbound `message_id`): the phone's pending (double opt-in) consents to this
    program become active, unless their deadline passed: those expire instead (the periodic task
    may not have reached them yet). Returns the activated ones. The activation time and the
    reply are kept in the consent's source and as a `confirmed` event."""
    activated: list[Consent] = []
    for row in _pending(session, account_id, application_id, phone):
        if row.expires_at is not None and row.expires_at <= now:
            expire_consent(session, row, now=now, reason="no_reply")
            continue
        row.status = ConsentStatus.ACTIVE
        row.source = {**row.source, "confirmed_at": now.isoformat(), "confirmed_by": "YES"}
        record_event(session, row, ConsentEventAction.CONFIRMED, at=now, message_id=message_id)
        activated.append(row)
    session.flush()
    return activated


def expired_unanswered(
    session: Session, *, account_id: str, application_id: str, phone: str
) -> Consent | None:
    """The phone's latest consent to this program when it expired waiting for a YES and no late
    YES has been answered yet (a late YES is answered once, so a reply loop cannot start)."""
    latest = session.scalars(
        select(Consent)
        .where(
            Consent.account_id == account_id,
            Consent.application_id == application_id,
            Consent.phone == phone,
        )
        .order_by(Consent.consented_at.desc(), Consent.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.status is not ConsentStatus.EXPIRED:
        return None
    events = session.scalars(select(ConsentEvent).where(ConsentEvent.consent_id == latest.id)).all()
    if any(e.action is ConsentEventAction.EXPIRED_REPLY for e in events):
        return None
    if not any(
        e.action is ConsentEventAction.EXPIRED and e.details.get("reason") == "no_reply"
        for e in events
    ):
        return None
    return latest
