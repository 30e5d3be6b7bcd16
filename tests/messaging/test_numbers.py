"""Phone numbers: adding them, who owns them, and whether each can send."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.kit.clock import FrozenClock
from consentry.kit.errors import Forbidden, NotFound
from consentry.kit.settings import Settings
from consentry.messaging.registry import sending_registration
from tests.support.builders import EXAMPLE_NUMBER, Tenant, example_json
from tests.support.messaging import application, approved, submitted, with_temporary_registration


def test_add_and_list_numbers(client: TestClient, customer: Tenant, other_customer: Tenant) -> None:
    added = client.post(
        "/api/v1/numbers", json={"number": "(212) 555-0123"}, headers=customer.headers
    )
    assert added.status_code == 201, added.text
    assert added.json()["number"] == "+12125550123"
    assert added.json()["sendable"] is False
    listed = client.get("/api/v1/numbers", headers=customer.headers).json()["items"]
    assert {n["number"] for n in listed} == {EXAMPLE_NUMBER, "+12125550123"}
    assert client.get("/api/v1/numbers", headers=other_customer.headers).json()["items"] == []


@pytest.mark.parametrize("bad", ["12345", "+442071838750", "+15555550100", "call me"])
def test_invalid_numbers(client: TestClient, customer: Tenant, bad: str) -> None:
    refused = client.post("/api/v1/numbers", json={"number": bad}, headers=customer.headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "NUMBER_INVALID")


def test_a_number_of_another_account_is_taken_without_naming_it(
    client: TestClient, customer: Tenant, other_customer: Tenant
) -> None:
    refused = client.post(
        "/api/v1/numbers", json={"number": EXAMPLE_NUMBER}, headers=other_customer.headers
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "NUMBER_TAKEN")
    assert customer.account.id not in refused.text
    assert customer.account.name not in refused.text
    mine = client.post("/api/v1/numbers", json={"number": EXAMPLE_NUMBER}, headers=customer.headers)
    assert (mine.status_code, mine.json()["error"]["code"]) == (409, "NUMBER_EXISTS")


def test_submit_requires_the_accounts_own_numbers(client: TestClient, customer: Tenant) -> None:
    data = example_json()
    data["campaign"]["phone_numbers"] = [EXAMPLE_NUMBER, "+12125550188"]
    created = client.post("/api/v1/applications", json=data, headers=customer.headers).json()
    refused = client.post(f"/api/v1/applications/{created['id']}/submit", headers=customer.headers)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "NUMBERS_NOT_OWNED"
    assert error["details"]["numbers"] == ["+12125550188"]
    client.post("/api/v1/numbers", json={"number": "+12125550188"}, headers=customer.headers)
    ok = client.post(f"/api/v1/applications/{created['id']}/submit", headers=customer.headers)
    assert ok.status_code == 200, ok.text


def _state(client: TestClient, tenant: Tenant, number: str = EXAMPLE_NUMBER) -> dict[str, object]:
    items = client.get("/api/v1/numbers", headers=tenant.headers).json()["items"]
    return next(n for n in items if n["number"] == number)


def test_number_state_follows_the_application(
    client: TestClient,
    session: Session,
    customer: Tenant,
    reviewer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    state = _state(client, customer)
    assert state["sendable"] is False and "no application" in str(state["reason"])
    row = application(session, customer, clock)
    state = _state(client, customer)
    assert state["applications"] == [row.id] and "draft" in str(state["reason"])
    approved(session, customer, reviewer, clock, settings, number="+12125550123")
    sendable = _state(client, customer, "+12125550123")
    assert sendable["sendable"] is True and sendable["sending_via"] == "approved"
    assert sendable["reason"] is None


def test_sending_registration(
    session: Session,
    customer: Tenant,
    reviewer: Tenant,
    other_customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    account = customer.account.id
    row = submitted(session, customer, clock, settings)
    with pytest.raises(Forbidden) as refused:
        sending_registration(session, account_id=account, number=EXAMPLE_NUMBER, now=clock.now())
    assert refused.value.code == "SENDER_NOT_REGISTERED" and refused.value.fix
    with pytest.raises(NotFound) as missing:
        sending_registration(
            session,
            account_id=other_customer.account.id,
            number=EXAMPLE_NUMBER,
            now=clock.now(),
        )
    assert missing.value.code == "NUMBER_NOT_FOUND"

    with_temporary_registration(session, customer, reviewer, clock, settings, row)
    found = sending_registration(
        session, account_id=account, number=EXAMPLE_NUMBER, now=clock.now()
    )
    assert found.id == row.id
    later = clock.now().replace(year=clock.now().year + 1)
    with pytest.raises(Forbidden):
        sending_registration(session, account_id=account, number=EXAMPLE_NUMBER, now=later)
