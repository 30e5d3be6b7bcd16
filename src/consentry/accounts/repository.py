"""Account queries. Every lookup a caller makes goes through a Principal's scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, true
from sqlalchemy.orm import Session

from consentry.accounts.models import Account, ApiKey, SignInFailure, User
from consentry.accounts.scope import Principal

__all__ = [
    "account_by_id",
    "api_key_by_hash",
    "clear_sign_in_failures",
    "container_id_taken",
    "record_sign_in_failure",
    "sign_in_failures_since",
    "user_by_email",
    "user_by_id",
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


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this (normalized, lower-case) e-mail address."""
    return session.scalar(select(User).where(User.email == email))


def user_by_id(session: Session, user_id: str) -> User | None:
    """The user with this id."""
    return session.get(User, user_id)


def sign_in_failures_since(session: Session, email: str, since: datetime) -> list[datetime]:
    """When sign-in failed for `email` at or after `since`, oldest first."""
    stmt = (
        select(SignInFailure.at)
        .where(SignInFailure.email == email, SignInFailure.at >= since)
        .order_by(SignInFailure.at, SignInFailure.id)
    )
    return list(session.scalars(stmt))


def record_sign_in_failure(session: Session, email: str, at: datetime) -> None:
    """Remember one failed sign-in."""
    session.add(SignInFailure(email=email, at=at))


def clear_sign_in_failures(session: Session, email: str) -> None:
    """Forget the failures of `email` (after a successful sign-in)."""
    session.execute(delete(SignInFailure).where(SignInFailure.email == email))
