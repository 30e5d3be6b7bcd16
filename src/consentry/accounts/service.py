"""Account rules: creating accounts and API keys, authenticating keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consentry.accounts import repository
from consentry.accounts.models import Account, AccountKind, ApiKey, Role
from consentry.accounts.scope import Principal
from consentry.kit.clock import Clock
from consentry.kit.errors import Forbidden, Invalid, NotFound, Unauthenticated
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger

__all__ = [
    "KEY_PREFIX",
    "IssuedKey",
    "authenticate",
    "create_account",
    "create_api_key",
    "create_child_account",
    "get_account",
    "hash_key",
    "kind_for_role",
]

log = get_logger(__name__)

KEY_PREFIX = "csk_"
_PREFIX_LEN = 12  # "csk_" + 8 characters: enough to recognise a key in a list, useless to guess it

# Which kinds of account may sit under which.
_ALLOWED_PARENTS: dict[AccountKind, tuple[AccountKind, ...]] = {
    AccountKind.PROVIDER: (AccountKind.PROVIDER,),
    AccountKind.RESELLER: (AccountKind.PROVIDER, AccountKind.RESELLER),
    AccountKind.CUSTOMER: (AccountKind.PROVIDER, AccountKind.RESELLER),
}


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new API key; `plaintext` exists only here and is never stored."""

    api_key: ApiKey
    plaintext: str


def hash_key(plaintext: str) -> str:
    """The stored form of a key: hex SHA-256 (keys are random, so no salt or stretching needed)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def kind_for_role(role: Role) -> AccountKind:
    """The account kind a new account gets when created for a key of `role`."""
    if role is Role.CUSTOMER:
        return AccountKind.CUSTOMER
    if role is Role.RESELLER:
        return AccountKind.RESELLER
    return AccountKind.PROVIDER


def _new_container_id(session: Session) -> str:
    for _ in range(50):
        candidate = str(secrets.randbelow(900_000) + 100_000)
        if not repository.container_id_taken(session, candidate):
            return candidate
    raise RuntimeError("no free 6-digit container id after 50 tries")  # ~0 chance below 400k


def create_account(
    session: Session, *, name: str, kind: AccountKind, parent_id: str | None = None
) -> Account:
    """Create an account (customers get a unique 6-digit container id)."""
    name = name.strip()
    if not name:
        raise Invalid("An account needs a name.", code="ACCOUNT_NAME_REQUIRED", fix="Give a name.")
    parent: Account | None = None
    if parent_id is not None:
        parent = repository.account_by_id(session, parent_id)
        if parent is None:
            raise NotFound(
                f"No account {parent_id} to be the parent.",
                code="ACCOUNT_NOT_FOUND",
                fix="Pass the id of an existing provider or reseller account.",
            )
        if parent.kind not in _ALLOWED_PARENTS[kind]:
            raise Invalid(
                f"A {kind} account cannot be placed under a {parent.kind} account.",
                code="ACCOUNT_PARENT_INVALID",
                fix="Customers go under resellers or providers; resellers under providers or "
                "resellers.",
                details={"parent_kind": str(parent.kind), "kind": str(kind)},
            )
    account_id = new_id("acc")
    account = Account(
        id=account_id,
        name=name,
        kind=kind,
        parent_id=parent_id,
        path=f"{parent.path if parent else '/'}{account_id}/",
        container_id=_new_container_id(session) if kind is AccountKind.CUSTOMER else None,
    )
    session.add(account)
    session.flush()
    log.info("accounts.account.created", account_id=account.id, kind=str(kind))
    return account


def create_api_key(
    session: Session, *, account_id: str, role: Role, name: str | None = None
) -> IssuedKey:
    """Issue an API key for an account; the plaintext is returned this once."""
    account = repository.account_by_id(session, account_id)
    if account is None:
        raise NotFound(f"No account {account_id}.", code="ACCOUNT_NOT_FOUND")
    if role is Role.CUSTOMER and account.kind is not AccountKind.CUSTOMER:
        raise Invalid(
            "Customer keys belong to customer accounts.",
            code="API_KEY_ROLE_INVALID",
            details={"account_kind": str(account.kind), "role": str(role)},
        )
    if role is Role.RESELLER and account.kind is AccountKind.CUSTOMER:
        raise Invalid(
            "A customer account cannot hold a reseller key.",
            code="API_KEY_ROLE_INVALID",
            details={"account_kind": str(account.kind), "role": str(role)},
        )
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        id=new_id("key"),
        account_id=account.id,
        role=role,
        name=name,
        prefix=plaintext[:_PREFIX_LEN],
        key_hash=hash_key(plaintext),
    )
    session.add(key)
    session.flush()
    log.info("accounts.api_key.created", api_key_id=key.id, account_id=account.id, role=str(role))
    return IssuedKey(api_key=key, plaintext=plaintext)


def authenticate(session: Session, *, token: str | None, clock: Clock) -> Principal:
    """The principal behind a bearer token, or UNAUTHENTICATED."""
    if not token:
        raise Unauthenticated(
            "This endpoint needs an API key.",
            fix="Send the header 'Authorization: Bearer <api_key>'.",
        )
    key = repository.api_key_by_hash(session, hash_key(token.strip()))
    if key is None or key.revoked_at is not None:
        raise Unauthenticated(
            "The API key is not valid.",
            code="API_KEY_INVALID",
            fix="Check the key (it is shown once when created) or create a new one.",
        )
    now = clock.now()
    # Record use at most once a minute: a write on every request would serialise SQLite readers.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        key.last_used_at = now
    return Principal(
        api_key_id=key.id, account_id=key.account_id, account_path=key.account.path, role=key.role
    )


def get_account(session: Session, principal: Principal, account_id: str) -> Account:
    """An account the principal may see (foreign ids read as not found)."""
    account = repository.visible_account(session, principal, account_id)
    if account is None:
        raise NotFound(f"No account {account_id}.", code="ACCOUNT_NOT_FOUND")
    return account


def create_child_account(
    session: Session, principal: Principal, *, name: str, role: Role
) -> tuple[Account, IssuedKey]:
    """A reseller/provider key creates an account under its own, with a first key."""
    if principal.role not in (Role.RESELLER, Role.ADMIN):
        raise Forbidden(
            "Only reseller and admin keys create accounts.",
            code="ROLE_FORBIDDEN",
            details={"role": str(principal.role)},
        )
    if role in (Role.REVIEWER, Role.ADMIN) and principal.role is not Role.ADMIN:
        raise Forbidden("Only admin keys create reviewer or admin accounts.", code="ROLE_FORBIDDEN")
    account = create_account(
        session, name=name, kind=kind_for_role(role), parent_id=principal.account_id
    )
    return account, create_api_key(session, account_id=account.id, role=role)
