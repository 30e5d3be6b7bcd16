"""Builders for test data: accounts with keys, applications from the bundled example."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from consentry.accounts.models import Account, AccountKind, Role
from consentry.accounts.scope import Principal
from consentry.accounts.service import create_account, create_api_key
from consentry.compliance import Application, load_application
from consentry.messaging.models import PhoneNumber
from consentry.messaging.numbers.repository import by_number
from consentry.messaging.numbers.service import add_number

# The number the bundled example's campaign lists (campaign.phone_numbers).
EXAMPLE_NUMBER = "+15125550123"
EXAMPLE = Path(__file__).resolve().parents[2] / "src/consentry/examples/northside/application.yaml"


@cache
def _example_json() -> dict[str, Any]:
    return load_application(EXAMPLE).to_json()


def example_json() -> dict[str, Any]:
    """The bundled example (which passes every rule) as JSON, texts inline; a fresh copy."""
    return copy.deepcopy(_example_json())


def example_application() -> Application:
    """The bundled example as an Application."""
    return Application.model_validate(example_json())


def without_privacy_policy(data: dict[str, Any]) -> dict[str, Any]:
    """A clear-cut breakage: no privacy policy at all (an incomplete application)."""
    data["campaign"].pop("privacy_policy", None)
    return data


def without_rates_disclosure(data: dict[str, Any]) -> dict[str, Any]:
    """A clear-cut breakage: the opt-in loses "Msg & data rates may apply." (OI-RATES)."""
    opt_in = data["campaign"]["opt_in"]
    opt_in["text"] = opt_in["text"].replace("Msg & data rates may apply. ", "")
    opt_in.pop("form_html", None)
    return data


@dataclass(frozen=True, slots=True)
class Tenant:
    """An account with one API key: the plaintext for HTTP, the principal for services."""

    account: Account
    key: str
    principal: Principal

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_tenant(
    session: Session,
    *,
    name: str = "Northside Physical Therapy",
    role: Role = Role.CUSTOMER,
    parent: Account | None = None,
) -> Tenant:
    """A new account with a key of `role` (committed, so other sessions see it)."""
    kind = {
        Role.CUSTOMER: AccountKind.CUSTOMER,
        Role.RESELLER: AccountKind.RESELLER,
    }.get(role, AccountKind.PROVIDER)
    account = create_account(session, name=name, kind=kind, parent_id=parent.id if parent else None)
    issued = create_api_key(session, account_id=account.id, role=role)
    session.commit()
    principal = Principal(
        api_key_id=issued.api_key.id,
        account_id=account.id,
        account_path=account.path,
        role=role,
    )
    return Tenant(account=account, key=issued.plaintext, principal=principal)


def own_number(session: Session, tenant: Tenant, number: str = EXAMPLE_NUMBER) -> PhoneNumber:
    """Give the tenant's account `number` (committed); a number it already owns is kept."""
    existing = by_number(session, number)
    if existing is not None and existing.account_id == tenant.account.id:
        return existing
    row = add_number(session, tenant.principal, number=number)
    session.commit()
    return row
