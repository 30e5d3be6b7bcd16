"""Bad input gets a clear error code, never a 500; the one error shape everywhere."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from consentry.api.app import create_app
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from tests.support.builders import Tenant, example_json


def _error(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fix", "details"}
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("header", [None, "Bearer csk_nope", "Basic abc"])
def test_missing_or_bad_key(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/applications", headers=headers)
    assert response.status_code == 401
    assert _error(response)["code"] in {"UNAUTHENTICATED", "API_KEY_INVALID"}


def test_unknown_key_in_the_application(client: TestClient, customer: Tenant) -> None:
    data = example_json()
    data["business"]["favourite_colour"] = "blue"
    response = client.post("/api/v1/applications", json=data, headers=customer.headers)
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert "business.favourite_colour" in str(error["message"])


def test_wrong_type_names_the_field(client: TestClient, customer: Tenant) -> None:
    data = example_json()
    data["campaign"]["sample_messages"] = "not a list"
    response = client.post("/api/v1/check", json=data, headers=customer.headers)
    assert response.status_code == 422
    assert "campaign.sample_messages" in str(_error(response)["message"])


def test_invalid_json(client: TestClient, customer: Tenant) -> None:
    response = client.post(
        "/api/v1/applications",
        content=b'{"business": ',
        headers={**customer.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert _error(response)["code"] == "INVALID_JSON"


def test_invalid_enum_in_a_query(client: TestClient, customer: Tenant) -> None:
    response = client.get("/api/v1/applications?status=pending", headers=customer.headers)
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "VALIDATION_ERROR" and "status" in str(error["message"])


def test_unknown_key_in_a_patch_and_a_bad_patch_value(client: TestClient, customer: Tenant) -> None:
    app_id = client.post(
        "/api/v1/applications", json=example_json(), headers=customer.headers
    ).json()["id"]
    unknown = client.patch(
        f"/api/v1/applications/{app_id}", json={"brand": {}}, headers=customer.headers
    )
    assert unknown.status_code == 422 and "brand" in str(_error(unknown)["message"])
    bad = client.patch(
        f"/api/v1/applications/{app_id}",
        json={"campaign": {"opt_in": {"keywords": 5}}},
        headers=customer.headers,
    )
    assert bad.status_code == 422
    error = _error(bad)
    assert error["code"] == "APPLICATION_INVALID"
    assert "campaign.opt_in.keywords" in str(error["message"])


def test_bad_cursor_and_limit(client: TestClient, customer: Tenant) -> None:
    cursor = client.get("/api/v1/applications?cursor=%%%", headers=customer.headers)
    assert cursor.status_code == 422 and _error(cursor)["code"] == "INVALID_CURSOR"
    limit = client.get("/api/v1/applications?limit=0", headers=customer.headers)
    assert limit.status_code == 422 and _error(limit)["code"] == "VALIDATION_ERROR"


def test_unknown_rejection_code(client: TestClient, customer: Tenant, reviewer: Tenant) -> None:
    app_id = client.post(
        "/api/v1/applications", json=example_json(), headers=customer.headers
    ).json()["id"]
    client.post(f"/api/v1/applications/{app_id}/submit", headers=customer.headers)
    response = client.post(
        f"/api/v1/review/applications/{app_id}/reject",
        json={"reasons": [{"code": "BRAND.WHATEVER"}]},
        headers=reviewer.headers,
    )
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "REJECTION_CODE_UNKNOWN"
    assert "POLICY.PRIVACY" in error["details"]["known_codes"]  # type: ignore[index]


def test_unknown_route_and_method(client: TestClient, customer: Tenant) -> None:
    assert _error(client.get("/api/v1/nothing", headers=customer.headers))["code"] == "NOT_FOUND"
    assert _error(client.delete("/api/v1/applications", headers=customer.headers))["code"] == (
        "METHOD_NOT_ALLOWED"
    )


def test_unexpected_errors_are_500_without_a_traceback(
    settings: Settings, clock: FrozenClock, database: Database
) -> None:
    app = create_app(settings, clock, database)
    boom = APIRouter()

    @boom.get("/boom")
    def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "INTERNAL_ERROR"
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_openapi_lists_the_interface(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/check",
        "/api/v1/applications",
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/submit",
        "/api/v1/applications/{application_id}/temporary-registration",
        "/api/v1/applications/{application_id}/events",
        "/api/v1/review/applications/{application_id}/approve",
        "/api/v1/review/applications/{application_id}/reject",
        "/api/v1/review/applications/{application_id}/temporary-registration",
        "/api/v1/review/queue",
        "/api/v1/timeline",
    ):
        assert path in paths
