"""Account queries. Every lookup a caller makes goes through a Principal's scope."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from consentry.accounts.models import Account, ApiKey
from consentry.accounts.scope import Principal

__all__ = [
    "account_by_id",
    "api_key_by_hash",
    "container_id_taken",
    "visible_account",
    "visible_accounts_clause",
]


def account_by_id(session: Session, account_id: str) -> Account | None:
    """Any account by id (unscoped: for internal use and the CLI)."""
    return session.get(Account, account_id)


def container_id_taken(session: Session, container_id: str) -> bool:
    """Whether a customer already holds this container id."""
    found = session.scalar(select(Account.id).where(Account.container_id == container_id))
    return found is not None


def api_key_by_hash(session: Session, key_hash: str) -> ApiKey | None:
    """The key with this hash, revoked or not."""
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))


def visible_accounts_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL condition on Account: the accounts this principal may see."""
    if principal.is_staff:
        return true()
    return Account.path.startswith(principal.account_path, autoescape=True)


def visible_account(session: Session, principal: Principal, account_id: str) -> Account | None:
    """The account with this id when the principal may see it, else None."""
    stmt = select(Account).where(Account.id == account_id, visible_accounts_clause(principal))
    return session.scalar(stmt)
