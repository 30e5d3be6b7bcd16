"""The whole registration journey through the REST API."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from consentry.kit.clock import FrozenClock
from tests.support.builders import (
    Tenant,
    example_json,
    without_privacy_policy,
    without_rates_disclosure,
)


def _reject(client: TestClient, reviewer: Tenant, app_id: str, code: str = "POLICY.PRIVACY"):
    return client.post(
        f"/api/v1/review/applications/{app_id}/reject",
        json={"reasons": [{"code": code, "note": "see the policy"}]},
        headers=reviewer.headers,
    )


def test_journey_from_problems_to_ineligible(
    client: TestClient, customer: Tenant, reviewer: Tenant, clock: FrozenClock
) -> None:
    broken = without_rates_disclosure(without_privacy_policy(example_json()))
    created = client.post("/api/v1/applications", json=broken, headers=customer.headers)
    assert created.status_code == 201, created.text
    app = created.json()
    app_id = app["id"]
    assert app["status"] == "draft"
    assert app["check"]["verdict"] == "fail"
    assert "OI-RATES" in {f["rule"] for f in app["check"]["findings"]}
    assert app["expected_decision"] is None and app["temporary_registration"] is None

    refused = client.post(f"/api/v1/applications/{app_id}/submit", headers=customer.headers)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "APPLICATION_NOT_READY"
    assert "campaign.privacy_policy" in error["details"]["missing"]
    assert "OI-RATES" in {f["rule"] for f in error["details"]["findings"]}

    good = example_json()
    fixed = client.patch(
        f"/api/v1/applications/{app_id}",
        json={
            "campaign": {
                "opt_in": good["campaign"]["opt_in"],
                "privacy_policy": good["campaign"]["privacy_policy"],
            }
        },
        headers=customer.headers,
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["check"]["verdict"] == "pass"

    # Temporary registration only after a complete submission.
    early = client.post(
        f"/api/v1/applications/{app_id}/temporary-registration", headers=customer.headers
    )
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "TEMPORARY_REGISTRATION_NOT_ALLOWED"

    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=customer.headers)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted"
    # Monday 2026-01-05 + 15..20 business days, Martin Luther King Jr. Day (01-19) excluded.
    assert body["expected_decision"] == {"earliest": "2026-01-27", "latest": "2026-02-03"}

    requested = client.post(
        f"/api/v1/applications/{app_id}/temporary-registration", headers=customer.headers
    )
    assert requested.status_code == 201, requested.text
    assert requested.json()["temporary_registration"]["status"] == "requested"
    issued = client.post(
        f"/api/v1/review/applications/{app_id}/temporary-registration", headers=reviewer.headers
    )
    assert issued.status_code == 200, issued.text
    temp = issued.json()["temporary_registration"]
    assert temp["status"] == "active"
    issued_at = datetime.fromisoformat(temp["issued_at"])
    assert datetime.fromisoformat(temp["expires_at"]) == issued_at + timedelta(days=30)

    clock.advance(days=2)
    first = _reject(client, reviewer, app_id)
    assert first.status_code == 200, first.text
    rejected = first.json()
    assert rejected["status"] == "rejected" and rejected["rejection_count"] == 1
    reason = rejected["rejection"]["reasons"][0]
    assert reason["code"] == "POLICY.PRIVACY" and "PP-*" in reason["rules"]
    expires = datetime.fromisoformat(rejected["temporary_registration"]["expires_at"])
    assert expires == clock.now() + timedelta(days=5)

    # Resubmitting in time restores issuance + 30 days; three more rejections end it.
    for number in (2, 3, 4):
        clock.advance(days=1)
        again = client.post(f"/api/v1/applications/{app_id}/submit", headers=customer.headers)
        assert again.status_code == 200, again.text
        assert {w["code"] for w in again.json()["warnings"]} >= {"FINE_RISK"}
        if number == 2:
            restored = datetime.fromisoformat(again.json()["temporary_registration"]["expires_at"])
            assert restored == issued_at + timedelta(days=30)
        result = _reject(client, reviewer, app_id, code="SAMPLE.ELEMENT_MISSING")
        assert result.status_code == 200, result.text
        assert result.json()["rejection_count"] == number

    final = client.get(f"/api/v1/applications/{app_id}", headers=customer.headers).json()
    assert final["status"] == "ineligible"
    assert final["temporary_registration"]["status"] == "revoked"

    patch = client.patch(
        f"/api/v1/applications/{app_id}",
        json={"campaign": {"message_frequency": "Up to 2 messages per month"}},
        headers=customer.headers,
    )
    assert patch.status_code == 409
    assert patch.json()["error"]["code"] == "APPLICATION_INELIGIBLE"
    assert "new application" in patch.json()["error"]["message"]
    resubmit = client.post(f"/api/v1/applications/{app_id}/submit", headers=customer.headers)
    assert resubmit.json()["error"]["code"] == "APPLICATION_INELIGIBLE"

    events = client.get(f"/api/v1/applications/{app_id}/events", headers=customer.headers).json()
    actions = [e["action"] for e in events["items"]]
    assert actions[0] == "created" and actions[-2:] == [
        "ineligible",
        "temporary_registration.revoked",
    ]
    assert actions.count("rejected") == 3 and actions.count("resubmitted") == 3
