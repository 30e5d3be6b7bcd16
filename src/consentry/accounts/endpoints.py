"""Accounts over HTTP: who am I, child accounts, one account."""

from __future__ import annotations

from fastapi import APIRouter, status

from consentry.accounts import service
from consentry.accounts.deps import PrincipalDep
from consentry.accounts.schemas import AccountCreate, AccountCreated, AccountRead
from consentry.kit.deps import SessionDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])


@router.get("/me")
def me(session: SessionDep, principal: PrincipalDep) -> AccountRead:
    """The account of the calling key."""
    account = service.get_account(session, principal, principal.account_id)
    return AccountRead.model_validate(account)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_account(
    body: AccountCreate, session: SessionDep, principal: PrincipalDep
) -> AccountCreated:
    """Create an account under the caller's (reseller and admin keys), with its first key."""
    account, issued = service.create_child_account(
        session, principal, name=body.name, role=body.role
    )
    return AccountCreated(
        id=account.id,
        container_id=account.container_id,
        api_key=issued.plaintext,
        account=AccountRead.model_validate(account),
    )


@router.get("/{account_id}")
def get_account(account_id: str, session: SessionDep, principal: PrincipalDep) -> AccountRead:
    """One account of the caller's tenant (others read as not found)."""
    return AccountRead.model_validate(service.get_account(session, principal, account_id))
