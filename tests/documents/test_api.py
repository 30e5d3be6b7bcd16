"""GET /api/v1/applications/{id}/documents[/{name}]: content types, verdicts, tenancy."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from consentry.documents import FILES
from tests.support.builders import Tenant, example_json

MEDIA_TYPES = {
    "optin.html": "text/html; charset=utf-8",
    "optin.pdf": "application/pdf",
    "privacy.html": "text/html; charset=utf-8",
    "privacy.md": "text/markdown; charset=utf-8",
    "terms.html": "text/html; charset=utf-8",
    "terms.md": "text/markdown; charset=utf-8",
    "replies.json": "application/json",
}


@pytest.fixture
def app_id(client: TestClient, customer: Tenant) -> str:
    created = client.post("/api/v1/applications", json=example_json(), headers=customer.headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_list_names_every_document_with_its_verdict(
    client: TestClient, customer: Tenant, app_id: str
) -> None:
    response = client.get(f"/api/v1/applications/{app_id}/documents", headers=customer.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["application_id"] == app_id
    assert [item["name"] for item in body["items"]] == list(FILES)
    for item in body["items"]:
        assert item["media_type"] == MEDIA_TYPES[item["name"]]
        assert item["url"] == f"/api/v1/applications/{app_id}/documents/{item['name']}"
        assert (item["verdict"], item["errors"], item["warnings"]) == ("pass", 0, 0)


@pytest.mark.parametrize("name", list(MEDIA_TYPES))
def test_each_document_has_its_content_type(
    client: TestClient, customer: Tenant, app_id: str, name: str
) -> None:
    response = client.get(
        f"/api/v1/applications/{app_id}/documents/{name}", headers=customer.headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPES[name]
    if name.endswith(".pdf"):
        assert response.content.startswith(b"%PDF-")
    elif name.endswith(".json"):
        assert json.loads(response.text)["opt_out_reply"]["text"].startswith("Northside")
    else:
        assert "Northside Physical Therapy" in response.text


@pytest.mark.parametrize("suffix", ["", "/optin.html", "/optin.pdf"])
def test_foreign_application_is_not_found(
    client: TestClient, other_customer: Tenant, app_id: str, suffix: str
) -> None:
    response = client.get(
        f"/api/v1/applications/{app_id}/documents{suffix}", headers=other_customer.headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "APPLICATION_NOT_FOUND"


def test_unknown_application_is_not_found(client: TestClient, customer: Tenant) -> None:
    response = client.get("/api/v1/applications/app_nope/documents", headers=customer.headers)
    assert response.status_code == 404


def test_unknown_document_is_not_found(client: TestClient, customer: Tenant, app_id: str) -> None:
    response = client.get(
        f"/api/v1/applications/{app_id}/documents/secrets.txt", headers=customer.headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "DOCUMENT_NOT_FOUND"


def test_needs_an_api_key(client: TestClient, app_id: str) -> None:
    assert client.get(f"/api/v1/applications/{app_id}/documents").status_code == 401


def test_incomplete_draft_is_explained(client: TestClient, customer: Tenant) -> None:
    data = example_json()
    data["business"].pop("website")
    created = client.post("/api/v1/applications", json=data, headers=customer.headers)
    assert created.status_code == 201, created.text
    response = client.get(
        f"/api/v1/applications/{created.json()['id']}/documents", headers=customer.headers
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "DOCUMENTS_INPUT_INCOMPLETE"
    assert "business.website" in {p["path"] for p in error["details"]["problems"]}
