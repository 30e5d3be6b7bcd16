"""Consent evidence: one record's proof (JSON and a printable page) and the streaming export.

The proof says what the person saw (the exact disclosure text and its SHA-256, recomputed and
compared with the stored hash), when, how (method and source: IP, user agent, page URL, form
id), for which brand and campaign, the texts sent for it (the double opt-in request, the
confirmation after sign-up or YES: message id, time, text, delivery status), its history (the
YES, an expiry) and the phone's opt-out history with that program, so a business can hand it
to a carrier or a court.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from consentry.accounts.deps import PrincipalDep
from consentry.accounts.models import Account
from consentry.accounts.repository import visible_accounts_clause
from consentry.accounts.scope import Principal
from consentry.consent.models import (
    Consent,
    ConsentEvent,
    ConsentEventAction,
    ConsentStatus,
    OptOut,
)
from consentry.consent.repository import expired_at_of
from consentry.consent.service import disclosure_hash, get_consent
from consentry.kit.db import Database
from consentry.kit.deps import ClockDep, SessionDep
from consentry.kit.errors import NotFound
from consentry.messaging.logs import csv_cell
from consentry.messaging.models import Message
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.repository import visible_application

__all__ = ["EXPORT_COLUMNS", "evidence", "export_rows", "router"]

router = APIRouter(prefix="/api/v1", tags=["consent"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))

EXPORT_COLUMNS = (
    "id",
    "application_id",
    "phone",
    "method",
    "status",
    "consented_at",
    "revoked_at",
    "expires_at",
    "expired_at",
    "disclosure_sha256",
    "disclosure_text",
    "ip",
    "user_agent",
    "url",
    "form_id",
    "source",
)
_BATCH = 500
# The events that queued a text for the consent, and what that text was.
_SENT_TEXTS = {
    ConsentEventAction.CONFIRMATION_REQUESTED: "double_opt_in_request",
    ConsentEventAction.CONFIRMATION_SENT: "opt_in_confirmation",
    ConsentEventAction.EXPIRED_REPLY: "expired_request_reply",
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _texts(session: Session, events: list[ConsentEvent]) -> list[dict[str, Any]]:
    """The texts queued for the consent with their delivery status as it stands now (a message
    purged by retention keeps the text its event recorded, without a status)."""
    sent = [e for e in events if e.action in _SENT_TEXTS and e.message_id]
    ids = [e.message_id for e in sent if e.message_id]
    messages = (
        {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(ids)))}
        if ids
        else {}
    )
    out: list[dict[str, Any]] = []
    for e in sent:
        m = messages.get(e.message_id or "")
        out.append(
            {
                "message_id": e.message_id,
                "kind": _SENT_TEXTS[e.action],
                "queued_at": e.at.isoformat(),
                "text": m.text if m is not None else e.details.get("text"),
                "to": m.to_number if m is not None else None,
                "from": m.from_number if m is not None else None,
                "status": str(m.status) if m is not None else None,
                "sent_at": _iso(m.sent_at) if m is not None else None,
                "status_at": _iso(m.done_at or m.updated_at) if m is not None else None,
                "error_code": m.error_code if m is not None else None,
                "message_kept": m is not None,
            }
        )
    return out


def evidence(
    session: Session, principal: Principal, consent_id: str, *, now: datetime
) -> dict[str, Any]:
    """Everything one consent record proves, as a JSON-ready dict."""
    row = get_consent(session, principal, consent_id)
    app = session.get(ApplicationRow, row.application_id)
    business: dict[str, Any] = (app.business if app else None) or {}
    campaign: dict[str, Any] = (app.campaign if app else None) or {}
    account = session.get(Account, row.account_id)
    computed = disclosure_hash(row.disclosure_text)
    opt_outs = session.scalars(
        select(OptOut)
        .where(
            OptOut.account_id == row.account_id,
            OptOut.phone == row.phone,
            or_(OptOut.application_id.is_(None), OptOut.application_id == row.application_id),
        )
        .order_by(OptOut.opted_out_at, OptOut.id)
    ).all()
    events = list(
        session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.consent_id == row.id)
            .order_by(ConsentEvent.at, ConsentEvent.id)
        )
    )
    expired = next((e for e in events if e.action is ConsentEventAction.EXPIRED), None)
    source = row.source or {}
    return {
        "consent_id": row.id,
        "phone": row.phone,
        "status": str(row.status),
        "what_was_shown": {
            "disclosure_text": row.disclosure_text,
            "disclosure_sha256": row.disclosure_sha256,
            "computed_sha256": computed,
            "verified": computed == row.disclosure_sha256,
        },
        "when": {
            "consented_at": row.consented_at.isoformat(),
            "recorded_at": row.created_at.isoformat(),
            "confirmed_at": source.get("confirmed_at"),
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
            "expires_at": _iso(row.expires_at),
            "expired_at": expired.at.isoformat() if expired else None,
            "expired_reason": expired.details.get("reason") if expired else None,
        },
        "how": {
            "method": str(row.method),
            "ip": source.get("ip"),
            "user_agent": source.get("user_agent"),
            "url": source.get("url"),
            "form_id": source.get("form_id"),
            "source": source,
        },
        "program": {
            "application_id": row.application_id,
            "account": account.name if account else None,
            "brand": business.get("display_name") or business.get("legal_name"),
            "legal_name": business.get("legal_name"),
            "website": business.get("website"),
            "use_case": campaign.get("use_case"),
            "description": campaign.get("description"),
        },
        "confirmation_texts": _texts(session, events),
        "events": [
            {
                "at": e.at.isoformat(),
                "action": str(e.action),
                "message_id": e.message_id,
                "details": e.details,
            }
            for e in events
        ],
        "opt_outs": [
            {
                "id": o.id,
                "scope": "account" if o.application_id is None else "program",
                "keyword": o.keyword,
                "opted_out_at": o.opted_out_at.isoformat(),
                "ended_at": o.ended_at.isoformat() if o.ended_at else None,
                "active": o.ended_at is None,
            }
            for o in opt_outs
        ],
        "generated_at": now.isoformat(),
    }


@router.get("/consents/export", response_class=StreamingResponse)
def export_consents(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    application_id: str | None = None,
    status: Annotated[
        ConsentStatus | None, Query(description="pending, active, revoked or expired")
    ] = None,
    format: Annotated[
        Literal["csv", "json"], Query(description="csv or json (JSON lines)")
    ] = "csv",
) -> StreamingResponse:
    """The account's consent records, streamed (CSV with formula-safe cells, or JSON lines),
    optionally of one application or status."""
    if (
        application_id is not None
        and visible_application(session, principal, application_id) is None
    ):
        raise NotFound(
            f"No application {application_id}.",
            code="APPLICATION_NOT_FOUND",
            fix="GET /api/v1/applications lists yours.",
        )
    database: Database = request.app.state.db
    if format == "json":
        return StreamingResponse(
            _json_lines(database, principal, application_id, status),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": 'attachment; filename="consents.jsonl"'},
        )
    return StreamingResponse(
        _csv(database, principal, application_id, status),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="consents.csv"'},
    )


def export_rows(
    database: Database,
    principal: Principal,
    application_id: str | None,
    status: ConsentStatus | None = None,
) -> Iterator[tuple[Consent, datetime | None]]:
    """The caller's consent records, oldest first, each with the time it expired (None unless
    it did), read in batches in their own session."""
    stmt = (
        select(Consent)
        .join(Account, Account.id == Consent.account_id)
        .where(visible_accounts_clause(principal))
        .order_by(Consent.id)
    )
    if application_id is not None:
        stmt = stmt.where(Consent.application_id == application_id)
    if status is not None:
        stmt = stmt.where(Consent.status == status)
    with database.session() as session:
        for batch in session.scalars(stmt.execution_options(yield_per=_BATCH)).partitions():
            expired = expired_at_of(session, [row.id for row in batch])
            for row in batch:
                yield row, expired.get(row.id)


def _record(row: Consent, expired_at: datetime | None) -> dict[str, Any]:
    source = row.source or {}
    return {
        "id": row.id,
        "application_id": row.application_id,
        "phone": row.phone,
        "method": str(row.method),
        "status": str(row.status),
        "consented_at": row.consented_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "expires_at": _iso(row.expires_at),
        "expired_at": _iso(expired_at),
        "disclosure_sha256": row.disclosure_sha256,
        "disclosure_text": row.disclosure_text,
        "ip": source.get("ip"),
        "user_agent": source.get("user_agent"),
        "url": source.get("url"),
        "form_id": source.get("form_id"),
        "source": source,
    }


def _csv(
    database: Database,
    principal: Principal,
    application_id: str | None,
    status: ConsentStatus | None,
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = export_rows(database, principal, application_id, status)
    for n, (row, expired_at) in enumerate(rows, 1):
        record = _record(row, expired_at)
        record["source"] = json.dumps(record["source"], sort_keys=True)
        writer.writerow([csv_cell(record[c]) for c in EXPORT_COLUMNS])
        if n % _BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_lines(
    database: Database,
    principal: Principal,
    application_id: str | None,
    status: ConsentStatus | None,
) -> Iterator[str]:
    for row, expired_at in export_rows(database, principal, application_id, status):
        yield json.dumps(_record(row, expired_at), sort_keys=True) + "\n"


@router.get("/consents/{consent_id}/evidence")
def consent_evidence(
    consent_id: str, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> dict[str, Any]:
    """The proof of one consent: what was shown (verified hash), when, how, for whom, the texts
    sent for it, its history and the phone's opt-out history with that program."""
    return evidence(session, principal, consent_id, now=clock.now())


@router.get("/consents/{consent_id}/evidence.html", response_class=HTMLResponse)
def consent_evidence_page(
    consent_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> HTMLResponse:
    """The proof of one consent as a printable page."""
    data = evidence(session, principal, consent_id, now=clock.now())
    return templates.TemplateResponse(
        request, "evidence.html", {"e": data, "title": f"Consent evidence {consent_id}"}
    )
