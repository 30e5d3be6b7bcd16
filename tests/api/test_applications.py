"""Reading, listing, importing, exporting; the queue and the timeline."""

from __future__ import annotations

import yaml
from fastapi.testclient import TestClient

from consentry.kit.clock import FrozenClock
from tests.support.builders import Tenant, example_json

READ_KEYS = {
    "id",
    "status",
    "rejection_count",
    "expected_decision",
    "temporary_registration",
    "business",
    "campaign",
    "check",
}


def _create(client: TestClient, tenant: Tenant) -> str:
    response = client.post("/api/v1/applications", json=example_json(), headers=tenant.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_check_endpoint(client: TestClient, customer: Tenant) -> None:
    response = client.post("/api/v1/check", json=example_json(), headers=customer.headers)
    assert response.status_code == 200
    assert response.json()["verdict"] == "pass"


def test_the_read_shape(client: TestClient, customer: Tenant) -> None:
    app = client.get(f"/api/v1/applications/{_create(client, customer)}", headers=customer.headers)
    body = app.json()
    assert set(body) >= READ_KEYS
    assert body["check"]["verdict"] == "pass"
    assert set(body["check"]) == {"verdict", "findings", "stats"}
    assert body["business"]["legal_name"] == "Northside Physical Therapy LLC"


def test_list_pages_with_a_cursor(client: TestClient, customer: Tenant) -> None:
    ids = [_create(client, customer) for _ in range(3)]
    first = client.get("/api/v1/applications?limit=2", headers=customer.headers).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(
        f"/api/v1/applications?limit=2&cursor={first['next_cursor']}", headers=customer.headers
    ).json()
    assert second["next_cursor"] is None
    seen = [a["id"] for a in first["items"] + second["items"]]
    assert sorted(seen) == sorted(ids) and len(set(seen)) == 3
    drafts = client.get("/api/v1/applications?status=draft", headers=customer.headers).json()
    assert len(drafts["items"]) == 3


def test_import_yaml_and_export_round_trip(client: TestClient, customer: Tenant) -> None:
    text = yaml.safe_dump(example_json(), sort_keys=False)
    created = client.post(
        "/api/v1/applications/import",
        content=text.encode(),
        headers={**customer.headers, "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    exported = client.get(
        f"/api/v1/applications/{app_id}/export?format=yaml", headers=customer.headers
    )
    assert yaml.safe_load(exported.text) == example_json()
    bad = client.post(
        "/api/v1/applications/import", content=b"business: [1, 2\n", headers=customer.headers
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "APPLICATION_SYNTAX"


def test_tcr_export(client: TestClient, customer: Tenant) -> None:
    app_id = _create(client, customer)
    tcr = client.get(
        f"/api/v1/applications/{app_id}/export?format=tcr", headers=customer.headers
    ).json()
    brand, campaign = tcr["brandRequest"], tcr["campaignRequest"]
    assert brand["companyName"] == "Northside Physical Therapy LLC"
    assert brand["entityType"] == "PRIVATE_PROFIT" and brand["postalCode"] == "78701"
    assert campaign["usecase"] == "CUSTOMER_CARE"
    assert campaign["sample1"].startswith("Northside PT:")
    assert campaign["helpKeywords"] == "HELP,INFO"
    assert campaign["privacyPolicyLink"] == "https://northsidept.com/privacy"
    assert campaign["embeddedPhone"] is True


def test_review_queue_is_ordered_by_deadline(
    client: TestClient, customer: Tenant, reviewer: Tenant, clock: FrozenClock
) -> None:
    later = _create(client, customer)
    sooner = _create(client, customer)
    client.post(f"/api/v1/applications/{sooner}/submit", headers=customer.headers)
    clock.advance(days=3)
    client.post(f"/api/v1/applications/{later}/submit", headers=customer.headers)
    queue = client.get("/api/v1/review/queue", headers=reviewer.headers).json()
    assert [a["id"] for a in queue["items"]] == [sooner, later]
    started = client.post(
        f"/api/v1/review/applications/{sooner}/start-review", headers=reviewer.headers
    )
    assert started.json()["status"] == "in_review"
    approved = client.post(
        f"/api/v1/review/applications/{sooner}/approve", headers=reviewer.headers
    )
    assert approved.json()["status"] == "approved"
    queue = client.get("/api/v1/review/queue", headers=reviewer.headers).json()
    assert [a["id"] for a in queue["items"]] == [later]


def test_timeline_endpoint(client: TestClient, customer: Tenant) -> None:
    response = client.get("/api/v1/timeline?submitted=2026-11-20", headers=customer.headers)
    assert response.json() == {
        "submitted": "2026-11-20",
        "earliest": "2026-12-14",
        "latest": "2026-12-21",
    }
    bad = client.get("/api/v1/timeline?submitted=2026-02-30", headers=customer.headers)
    assert bad.status_code == 422 and "submitted" in bad.json()["error"]["message"]


def test_events_page_with_a_cursor(client: TestClient, customer: Tenant) -> None:
    app_id = _create(client, customer)
    for n in range(3):
        client.patch(
            f"/api/v1/applications/{app_id}",
            json={"campaign": {"message_frequency": f"Up to {n + 2} messages per month"}},
            headers=customer.headers,
        )
    first = client.get(
        f"/api/v1/applications/{app_id}/events?limit=3", headers=customer.headers
    ).json()
    rest = client.get(
        f"/api/v1/applications/{app_id}/events?limit=3&cursor={first['next_cursor']}",
        headers=customer.headers,
    ).json()
    actions = [e["action"] for e in first["items"] + rest["items"]]
    assert actions == ["created", "updated", "updated", "updated"]
    assert rest["next_cursor"] is None
