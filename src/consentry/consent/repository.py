"""Consent and opt-out queries on behalf of a caller, scoped by its tenant."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
from consentry.kit.pagination import Page, paginate

__all__ = ["consents_page", "expired_at_of", "opt_outs_page", "visible_consent"]


def visible_consent(session: Session, principal: Principal, consent_id: str) -> Consent | None:
    """One consent record of the caller's tenant, else None."""
    stmt = (
        select(Consent)
        .join(Account, Account.id == Consent.account_id)
        .where(Consent.id == consent_id, visible_accounts_clause(principal))
    )
    return session.scalar(stmt)


def consents_page(
    session: Session,
    principal: Principal,
    *,
    application_id: str | None,
    phone: str | None,
    status: ConsentStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[Consent]:
    """The caller's consent records, newest first, optionally for one application, phone or
    status."""
    stmt = (
        select(Consent)
        .join(Account, Account.id == Consent.account_id)
        .where(visible_accounts_clause(principal))
    )
    if application_id is not None:
        stmt = stmt.where(Consent.application_id == application_id)
    if phone is not None:
        stmt = stmt.where(Consent.phone == phone)
    if status is not None:
        stmt = stmt.where(Consent.status == status)
    return paginate(session, stmt, Consent.id, cursor=cursor, limit=limit, descending=True)


def expired_at_of(session: Session, consent_ids: Collection[str]) -> dict[str, datetime]:
    """When each of these consents expired (its `expired` event), for those that did."""
    if not consent_ids:
        return {}
    rows = session.execute(
        select(ConsentEvent.consent_id, func.min(ConsentEvent.at))
        .where(
            ConsentEvent.consent_id.in_(list(consent_ids)),
            ConsentEvent.action == ConsentEventAction.EXPIRED,
        )
        .group_by(ConsentEvent.consent_id)
    )
    return {consent_id: at for consent_id, at in rows}


def opt_outs_page(
    session: Session,
    principal: Principal,
    *,
    phone: str | None,
    application_id: str | None,
    active: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[OptOut]:
    """The caller's opt-outs, newest first."""
    stmt = (
        select(OptOut)
        .join(Account, Account.id == OptOut.account_id)
        .where(visible_accounts_clause(principal))
    )
    if phone is not None:
        stmt = stmt.where(OptOut.phone == phone)
    if application_id is not None:
        stmt = stmt.where(OptOut.application_id == application_id)
    if active is True:
        stmt = stmt.where(OptOut.ended_at.is_(None))
    elif active is False:
        stmt = stmt.where(OptOut.ended_at.is_not(None))
    return paginate(session, stmt, OptOut.id, cursor=cursor, limit=limit, descending=True)
