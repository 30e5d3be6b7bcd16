"""HTTP dependency: the authenticated caller behind the bearer API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from consentry.accounts.scope import Principal
from consentry.accounts.service import authenticate
from consentry.kit.deps import ClockDep, SessionDep

__all__ = ["PrincipalDep", "get_principal"]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer csk_...`")


def get_principal(
    session: SessionDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The authenticated caller (401 UNAUTHENTICATED / API_KEY_INVALID otherwise)."""
    token = credentials.credentials if credentials is not None else None
    return authenticate(session, token=token, clock=clock)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
