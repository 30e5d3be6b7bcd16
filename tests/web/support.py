"""Builders and helpers for the web UI tests: users, signing in, reading CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.accounts.models import Account, AccountKind, Role
from consentry.accounts.service import create_account
from consentry.accounts.users import create_user
from consentry.kit.ids import new_id
from consentry.messaging.models import PhoneNumber

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class WebAccount:
    """An account with one user who signs in with PASSWORD."""

    account: Account
    email: str
    user_id: str


def make_user(
    session: Session,
    *,
    email: str,
    role: Role = Role.CUSTOMER,
    name: str = "Northside Physical Therapy",
    parent: Account | None = None,
    numbers: Sequence[str] = (),
) -> WebAccount:
    """A new account of the kind `role` needs, with a user and `numbers` (committed)."""
    kind = AccountKind.CUSTOMER if role is Role.CUSTOMER else AccountKind.PROVIDER
    if role is Role.RESELLER:
        kind = AccountKind.RESELLER
    account = create_account(session, name=name, kind=kind, parent_id=parent.id if parent else None)
    user = create_user(session, account_id=account.id, email=email, password=PASSWORD, role=role)
    for number in numbers:
        session.add(
            PhoneNumber(id=new_id("num"), account_id=account.id, number=number, settings={})
        )
    session.commit()
    return WebAccount(account=account, email=user.email, user_id=user.id)


def csrf_of(html: str) -> str:
    """The CSRF token rendered into a page."""
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; the session's CSRF token afterwards."""
    page = client.get("/signin")
    response = client.post(
        "/signin",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/signin").text)
