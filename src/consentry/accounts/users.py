"""People who sign in to the web UI: creating users, signing in with lockout, their principal.

Lockout: `sign_in_max_failures` failed sign-ins for one e-mail address within
`sign_in_window_minutes` lock that address for `sign_in_lockout_minutes`, counted from the failure
that reached the limit. Unknown addresses are counted and locked the same way, so neither the
messages nor the timing tell whether an address has an account.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from consentry.accounts import repository
from consentry.accounts.models import Account, AccountKind, Role, User
from consentry.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from consentry.accounts.scope import Principal
from consentry.kit.clock import Clock
from consentry.kit.errors import Conflict, DomainError, Invalid, NotFound, Unauthenticated
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.kit.settings import Settings

__all__ = [
    "SignInLocked",
    "create_user",
    "locked_until",
    "normalize_email",
    "principal_for",
    "sign_in",
]

log = get_logger(__name__)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# Which account kinds a user of each role belongs to (as for API keys).
_ROLE_KINDS: dict[Role, tuple[AccountKind, ...]] = {
    Role.CUSTOMER: (AccountKind.CUSTOMER,),
    Role.RESELLER: (AccountKind.RESELLER, AccountKind.PROVIDER),
    Role.REVIEWER: (AccountKind.PROVIDER,),
    Role.ADMIN: (AccountKind.PROVIDER,),
}


class SignInLocked(DomainError):
    """Too many failed sign-ins for this e-mail address; it is locked for a while."""

    status = 429
    default_code = "SIGN_IN_LOCKED"


def normalize_email(email: str) -> str:
    """The stored form of an e-mail address: trimmed, lower case."""
    return email.strip().lower()


def create_user(
    session: Session,
    *,
    account_id: str,
    email: str,
    password: str,
    role: Role,
    name: str | None = None,
) -> User:
    """A user who signs in with `email` and `password` and acts for `account_id` as `role`."""
    address = normalize_email(email)
    if not _EMAIL.fullmatch(address):
        raise Invalid(f"'{email}' is not an e-mail address.", code="USER_EMAIL_INVALID")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.",
            code="USER_PASSWORD_TOO_SHORT",
            fix="Use a longer passphrase; a password manager can make one.",
        )
    account = repository.account_by_id(session, account_id)
    if account is None:
        raise NotFound(f"No account {account_id}.", code="ACCOUNT_NOT_FOUND")
    if account.kind not in _ROLE_KINDS[role]:
        raise Invalid(
            f"A {role} user cannot belong to a {account.kind} account.",
            code="USER_ROLE_INVALID",
            details={"account_kind": str(account.kind), "role": str(role)},
        )
    if repository.user_by_email(session, address) is not None:
        raise Conflict(f"There is already a user {address}.", code="USER_EXISTS")
    user = User(
        id=new_id("usr"),
        account_id=account.id,
        email=address,
        name=name,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    log.info("accounts.user.created", user_id=user.id, account_id=account.id, role=str(role))
    return user


def locked_until(
    session: Session, email: str, *, now: datetime, settings: Settings
) -> datetime | None:
    """When the lock on `email` ends, or None when it is not locked."""
    window = timedelta(minutes=settings.sign_in_window_minutes)
    lockout = timedelta(minutes=settings.sign_in_lockout_minutes)
    limit = settings.sign_in_max_failures
    failures = repository.sign_in_failures_since(
        session, normalize_email(email), now - window - lockout
    )
    until: datetime | None = None
    for i in range(limit - 1, len(failures)):
        # The i-th failure reached the limit when the limit-1 before it fell inside the window.
        if failures[i] - failures[i - limit + 1] <= window:
            until = failures[i] + lockout
    return until if until is not None and until > now else None


def _locked_error(until: datetime, now: datetime) -> SignInLocked:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return SignInLocked(
        f"Too many failed sign-ins for this address: it is locked for {minutes} more "
        f"minute{'s' if minutes != 1 else ''}.",
        fix="Wait, then sign in again; if you forgot the password, ask your administrator.",
        details={"locked_until": until.isoformat(), "minutes": minutes},
    )


def sign_in(
    session: Session, *, email: str, password: str, clock: Clock, settings: Settings
) -> User:
    """The user with these credentials; SIGN_IN_FAILED or SIGN_IN_LOCKED otherwise.

    A failure is recorded before the error is raised: the caller must commit the session even
    when this raises (the web route renders the error instead of letting it escape).
    """
    address = normalize_email(email)
    now = clock.now()
    until = locked_until(session, address, now=now, settings=settings)
    if until is not None:
        log.info("accounts.sign_in.locked", until=until.isoformat())
        raise _locked_error(until, now)
    user = repository.user_by_email(session, address) if address else None
    if verify_password(password, user.password_hash if user is not None else None):
        assert user is not None  # verify_password is False without a stored hash
        repository.clear_sign_in_failures(session, address)
        log.info("accounts.sign_in.ok", user_id=user.id)
        return user
    repository.record_sign_in_failure(session, address, now)
    session.flush()
    log.info("accounts.sign_in.failed", user_id=user.id if user is not None else None)
    until = locked_until(session, address, now=now, settings=settings)
    if until is not None:
        raise _locked_error(until, now)
    window = timedelta(minutes=settings.sign_in_window_minutes)
    recent = len(repository.sign_in_failures_since(session, address, now - window))
    left = max(0, settings.sign_in_max_failures - recent)
    raise Unauthenticated(
        "The e-mail address or the password is wrong.",
        code="SIGN_IN_FAILED",
        fix=f"{left} more attempt{'s' if left != 1 else ''} before this address is locked for "
        f"{settings.sign_in_lockout_minutes} minutes.",
        details={"attempts_left": left},
    )


def principal_for(session: Session, user: User) -> Principal:
    """The principal a signed-in user acts as: their account's tenant and their role."""
    account = session.get(Account, user.account_id)
    if account is None:  # pragma: no cover - foreign key guarantees it
        raise NotFound(f"No account {user.account_id}.", code="ACCOUNT_NOT_FOUND")
    return Principal(
        api_key_id=None,
        account_id=account.id,
        account_path=account.path,
        role=user.role,
        user_id=user.id,
    )
