"""Web sessions: who is signed in, and the CSRF token of every form and htmx request.

The session is a cookie signed with settings.secret_key (Starlette's SessionMiddleware:
HttpOnly, SameSite=Lax, Secure outside development). It holds the user's id and a random CSRF
token; the token is rendered into every form (hidden input `csrf_token`) and into the
`X-CSRF-Token` header htmx sends, and every POST must carry it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from consentry.accounts.models import User
from consentry.accounts.repository import user_by_id
from consentry.accounts.scope import Principal
from consentry.accounts.users import principal_for
from consentry.kit.deps import SessionDep

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "CsrfFailed",
    "SignInRequired",
    "StaffDep",
    "UserDep",
    "WebUser",
    "csrf_token",
    "end_session",
    "start_session",
    "verify_csrf",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_UID = "uid"
_CSRF = "csrf"


class SignInRequired(Exception):
    """The page needs a signed-in user (rendered as a redirect to the sign-in page)."""


class CsrfFailed(Exception):
    """A POST without the session's CSRF token (rendered as a 403 page)."""


class StaffOnly(Exception):
    """A reviewer page opened by a customer (rendered as a 403 page)."""


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in user and the principal they act as."""

    user: User
    principal: Principal

    @property
    def is_staff(self) -> bool:
        """Reviewer or admin."""
        return self.principal.is_staff


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use, also before sign-in)."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse a POST whose header or form field does not carry the session's token."""
    expected = request.session.get(_CSRF)
    given = request.headers.get(CSRF_HEADER)
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not (isinstance(expected, str) and given and secrets.compare_digest(expected, given)):
        raise CsrfFailed()


def start_session(request: Request, user: User) -> None:
    """Sign `user` in: a fresh session (new CSRF token) so nothing from before carries over."""
    request.session.clear()
    request.session[_UID] = user.id
    request.session[_CSRF] = secrets.token_urlsafe(32)


def end_session(request: Request) -> None:
    """Sign out."""
    request.session.clear()


def current_user(request: Request, session: SessionDep) -> WebUser:
    """The signed-in user, or SignInRequired."""
    uid = request.session.get(_UID)
    user = user_by_id(session, uid) if isinstance(uid, str) else None
    if user is None:
        raise SignInRequired()
    return WebUser(user=user, principal=principal_for(session, user))


def current_staff(user: Annotated[WebUser, Depends(current_user)]) -> WebUser:
    """The signed-in reviewer or admin."""
    if not user.is_staff:
        raise StaffOnly()
    return user


UserDep = Annotated[WebUser, Depends(current_user)]
StaffDep = Annotated[WebUser, Depends(current_staff)]
