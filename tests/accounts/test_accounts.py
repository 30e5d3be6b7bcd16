"""Accounts, API keys, authentication and tenant scoping."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import AccountKind, ApiKey, Role
from consentry.accounts.service import authenticate, create_account, get_account
from consentry.cli import main
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.errors import Invalid, NotFound, Unauthenticated
from tests.support.builders import make_tenant


def test_customers_get_a_unique_six_digit_container_id(session: Session) -> None:
    ids = {make_tenant(session, name=f"Clinic {i}").account.container_id for i in range(20)}
    assert len(ids) == 20
    assert all(i is not None and re.fullmatch(r"[1-9]\d{5}", i) for i in ids)
    provider = create_account(session, name="Provider", kind=AccountKind.PROVIDER)
    assert provider.container_id is None


def test_only_the_hash_of_a_key_is_stored(session: Session, clock: FrozenClock) -> None:
    tenant = make_tenant(session)
    stored = session.scalars(select(ApiKey)).one()
    assert tenant.key not in (stored.key_hash, stored.prefix)
    assert tenant.key.startswith(stored.prefix)
    assert len(stored.key_hash) == 64
    assert authenticate(session, token=tenant.key, clock=clock).account_id == tenant.account.id


@pytest.mark.parametrize("token", [None, "", "csk_wrong", "Bearer x"])
def test_bad_keys_are_unauthenticated(
    session: Session, clock: FrozenClock, token: str | None
) -> None:
    make_tenant(session)
    with pytest.raises(Unauthenticated):
        authenticate(session, token=token, clock=clock)


def test_a_customer_cannot_parent_accounts(session: Session) -> None:
    customer = make_tenant(session)
    with pytest.raises(Invalid) as err:
        create_account(
            session, name="Sub", kind=AccountKind.CUSTOMER, parent_id=customer.account.id
        )
    assert err.value.code == "ACCOUNT_PARENT_INVALID"


def test_resellers_see_descendants_customers_see_only_themselves(session: Session) -> None:
    reseller = make_tenant(session, name="Reseller", role=Role.RESELLER)
    mine = make_tenant(session, name="Mine", parent=reseller.account)
    other = make_tenant(session, name="Other")
    assert get_account(session, reseller.principal, mine.account.id).id == mine.account.id
    with pytest.raises(NotFound):
        get_account(session, reseller.principal, other.account.id)
    with pytest.raises(NotFound):
        get_account(session, mine.principal, reseller.account.id)
    with pytest.raises(NotFound):
        get_account(session, mine.principal, other.account.id)


def test_cli_accounts_create_prints_id_container_and_key(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consentry.kit.settings import get_settings

    monkeypatch.setenv("CONSENTRY_DATABASE_URL", database.url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(
            main, ["accounts", "create", "Reseller Co", "--role", "reseller", "--json"]
        )
        assert result.exit_code == 0, result.output
        reseller = json.loads(result.stdout)
        assert (
            set(reseller) == {"id", "container_id", "api_key"} and reseller["container_id"] is None
        )
        child = runner.invoke(
            main, ["accounts", "create", "Clinic", "--parent", reseller["id"], "--json"]
        )
        assert child.exit_code == 0, child.output
        created = json.loads(child.stdout)
        assert re.fullmatch(r"\d{6}", created["container_id"])
        bad = runner.invoke(main, ["accounts", "create", "X", "--parent", "acc_missing", "--json"])
        assert bad.exit_code == 2
        assert "ACCOUNT_NOT_FOUND" in bad.stderr
    finally:
        get_settings.cache_clear()
    with database.transaction() as s:
        principal = authenticate(s, token=created["api_key"], clock=FrozenClock())
        assert principal.role is Role.CUSTOMER
