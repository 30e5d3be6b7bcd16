"""Phone number queries, scoped by the caller's tenant."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Account
from consentry.accounts.repository import visible_accounts_clause
from consentry.accounts.scope import Principal
from consentry.messaging.models import PhoneNumber

__all__ = ["by_number", "visible_number", "visible_numbers"]


def by_number(session: Session, number: str) -> PhoneNumber | None:
    """The row of an E.164 number, whoever owns it (for uniqueness checks only)."""
    return session.scalar(select(PhoneNumber).where(PhoneNumber.number == number))


def visible_numbers(session: Session, principal: Principal) -> Sequence[PhoneNumber]:
    """The numbers of the caller's tenant, in the order they were added."""
    stmt = (
        select(PhoneNumber)
        .join(Account, Account.id == PhoneNumber.account_id)
        .where(visible_accounts_clause(principal))
        .order_by(PhoneNumber.id)
    )
    return session.scalars(stmt).all()


def visible_number(session: Session, principal: Principal, number_id: str) -> PhoneNumber | None:
    """One number of the caller's tenant by id, else None."""
    stmt = (
        select(PhoneNumber)
        .join(Account, Account.id == PhoneNumber.account_id)
        .where(PhoneNumber.id == number_id, visible_accounts_clause(principal))
    )
    return session.scalar(stmt)
