"""Another tenant's ids read as 404 on every endpoint that takes one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.builders import Tenant, example_json

ENDPOINTS = [
    ("GET", "/api/v1/applications/{id}", None),
    ("PATCH", "/api/v1/applications/{id}", {"campaign": {"message_frequency": "Weekly"}}),
    ("POST", "/api/v1/applications/{id}/submit", None),
    ("POST", "/api/v1/applications/{id}/withdraw", None),
    ("POST", "/api/v1/applications/{id}/temporary-registration", None),
    ("GET", "/api/v1/applications/{id}/events", None),
    ("GET", "/api/v1/applications/{id}/export", None),
]
REVIEW_ENDPOINTS = [
    ("POST", "/api/v1/review/applications/{id}/start-review", None),
    ("POST", "/api/v1/review/applications/{id}/approve", None),
    (
        "POST",
        "/api/v1/review/applications/{id}/reject",
        {"reasons": [{"code": "OTHER", "note": "x"}]},
    ),
    ("POST", "/api/v1/review/applications/{id}/temporary-registration", None),
]


@pytest.fixture
def app_id(client: TestClient, customer: Tenant) -> str:
    created = client.post("/api/v1/applications", json=example_json(), headers=customer.headers)
    assert created.status_code == 201
    submitted = client.post(
        f"/api/v1/applications/{created.json()['id']}/submit", headers=customer.headers
    )
    assert submitted.status_code == 200
    return str(created.json()["id"])


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_foreign_application_is_not_found(
    client: TestClient, other_customer: Tenant, app_id: str, method: str, path: str, body: object
) -> None:
    response = client.request(
        method, path.format(id=app_id), json=body, headers=other_customer.headers
    )
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "APPLICATION_NOT_FOUND"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_unknown_application_is_not_found_the_same_way(
    client: TestClient, customer: Tenant, method: str, path: str, body: object
) -> None:
    response = client.request(
        method, path.format(id="app_nope"), json=body, headers=customer.headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "APPLICATION_NOT_FOUND"


@pytest.mark.parametrize(("method", "path", "body"), REVIEW_ENDPOINTS)
def test_review_endpoints_need_a_reviewer_key(
    client: TestClient, customer: Tenant, app_id: str, method: str, path: str, body: object
) -> None:
    response = client.request(method, path.format(id=app_id), json=body, headers=customer.headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "ROLE_FORBIDDEN"


def test_foreign_account_is_not_found(
    client: TestClient, customer: Tenant, other_customer: Tenant
) -> None:
    mine = client.get(f"/api/v1/accounts/{customer.account.id}", headers=customer.headers)
    assert mine.status_code == 200 and mine.json()["container_id"] == customer.account.container_id
    theirs = client.get(f"/api/v1/accounts/{customer.account.id}", headers=other_customer.headers)
    assert theirs.status_code == 404
    assert theirs.json()["error"]["code"] == "ACCOUNT_NOT_FOUND"


def test_lists_show_only_the_tenants_applications(
    client: TestClient, customer: Tenant, other_customer: Tenant, app_id: str
) -> None:
    mine = client.get("/api/v1/applications", headers=customer.headers).json()
    theirs = client.get("/api/v1/applications", headers=other_customer.headers).json()
    assert [a["id"] for a in mine["items"]] == [app_id]
    assert theirs == {"items": [], "next_cursor": None}
