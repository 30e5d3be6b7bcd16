"""Consent over HTTP: proof of opt-in, CSV import with per-row results, opt-outs."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.consent.models import ConsentMethod
from consentry.consent.service import is_opted_out, record_consent, record_opt_out
from consentry.kit.clock import FrozenClock
from consentry.registration.models import Application as ApplicationRow
from tests.support.builders import Tenant
from tests.support.messaging import DISCLOSURE, RECIPIENT, application


@pytest.fixture
def app_row(session: Session, customer: Tenant, clock: FrozenClock) -> ApplicationRow:
    return application(session, customer, clock)


def _consent(**body: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "phone": "(512) 555-0199",
        "method": "web_form",
        "disclosure_text": DISCLOSURE,
        "source": {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0", "form_id": "signup"},
    }
    out.update(body)
    return out


def test_record_and_read_consent(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, clock: FrozenClock
) -> None:
    created = client.post(
        "/api/v1/consents", json=_consent(application_id=app_row.id), headers=customer.headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["phone"] == RECIPIENT and body["method"] == "WEB_FORM"
    assert body["disclosure_sha256"] == hashlib.sha256(DISCLOSURE.encode()).hexdigest()
    assert body["source"]["form_id"] == "signup" and body["status"] == "active"
    assert body["consented_at"].startswith(clock.now().date().isoformat())
    got = client.get(f"/api/v1/consents/{body['id']}", headers=customer.headers)
    assert got.json() == body
    listed = client.get(
        "/api/v1/consents",
        params={"application_id": app_row.id, "phone": "512-555-0199"},
        headers=customer.headers,
    ).json()
    assert [c["id"] for c in listed["items"]] == [body["id"]] and listed["next_cursor"] is None
    assert (
        client.get(
            "/api/v1/consents", params={"phone": "+15125550100"}, headers=customer.headers
        ).json()["items"]
        == []
    )


def test_consent_refusals(
    client: TestClient,
    customer: Tenant,
    other_customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
) -> None:
    def code(body: dict[str, Any], tenant: Tenant = customer) -> tuple[int, str]:
        r = client.post("/api/v1/consents", json=body, headers=tenant.headers)
        return r.status_code, r.json()["error"]["code"]

    assert code(_consent(application_id=app_row.id), other_customer) == (
        404,
        "APPLICATION_NOT_FOUND",
    )
    assert code(_consent(application_id="app_nope")) == (404, "APPLICATION_NOT_FOUND")
    assert code(_consent(application_id=app_row.id, phone="555-12")) == (422, "PHONE_INVALID")
    assert code(_consent(application_id=app_row.id, method="carrier_pigeon"))[0] == 422
    assert code(_consent(application_id=app_row.id, disclosure_text=" ")) == (
        422,
        "DISCLOSURE_MISSING",
    )
    future = (clock.now() + timedelta(days=1)).isoformat()
    assert code(_consent(application_id=app_row.id, consented_at=future)) == (
        422,
        "CONSENTED_AT_FUTURE",
    )


CSV = """phone,method,disclosure_text,consented_at,source_form_id,source_operator
(512) 555-0101,paper,"Yes, text me. Msg & data rates may apply.",2025-11-03,front-desk-v2,
512-555-0102,VERBAL,"Script 4: agree to texts?",2025-11-04T10:15:00-06:00,,Dana
12345,paper,"Yes, text me.",2025-11-03,front-desk-v2,
+15125550104,smoke signal,"Yes, text me.",2025-11-03,,

+15125550105,paper,,2025-11-03,,
+15125550106,paper,"Yes, text me.",03/11/2025,,
+15125550107,paper,"Yes, text me.",2099-01-01,,
+15125550108,paper,"Yes, text me."
"""


def test_csv_import_keeps_good_rows_and_explains_bad_ones(
    client: TestClient, customer: Tenant, app_row: ApplicationRow
) -> None:
    response = client.post(
        f"/api/v1/consents/import?application_id={app_row.id}",
        content=CSV.encode(),
        headers={**customer.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["imported"], body["errors"]) == (2, 6)
    rows = {r["row"]: r for r in body["rows"]}
    assert rows[2]["status"] == rows[3]["status"] == "imported"
    errors = {n: r["error"]["code"] for n, r in rows.items() if r["status"] == "error"}
    # Row numbers are the spreadsheet's (the header is row 1); the blank row 6 is skipped.
    assert errors == {
        4: "PHONE_INVALID",
        5: "METHOD_INVALID",
        7: "DISCLOSURE_MISSING",
        8: "CONSENTED_AT_INVALID",
        9: "CONSENTED_AT_FUTURE",
        10: "ROW_SHAPE",
    }
    paper = client.get(f"/api/v1/consents/{rows[2]['id']}", headers=customer.headers).json()
    assert paper["method"] == "PAPER_FORM" and paper["phone"] == "+15125550101"
    assert paper["consented_at"].startswith("2025-11-03")
    assert paper["source"] == {"form_id": "front-desk-v2"}
    verbal = client.get(f"/api/v1/consents/{rows[3]['id']}", headers=customer.headers).json()
    assert verbal["source"] == {"operator": "Dana"}
    assert verbal["consented_at"].startswith("2025-11-04T16:15")


def test_csv_import_as_multipart_and_bad_files(
    client: TestClient, customer: Tenant, other_customer: Tenant, app_row: ApplicationRow
) -> None:
    url = f"/api/v1/consents/import?application_id={app_row.id}"
    good = "phone,method,disclosure_text,consented_at\n+15125550111,PAPER_FORM,Yes.,2025-10-01\n"
    uploaded = client.post(
        url, files={"file": ("consents.csv", good.encode(), "text/csv")}, headers=customer.headers
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["imported"] == 1

    def code(text: str, tenant: Tenant = customer) -> str:
        r = client.post(
            url, content=text.encode(), headers={**tenant.headers, "Content-Type": "text/csv"}
        )
        return str(r.json()["error"]["code"])

    assert code("phone,method,when\n+15125550111,PAPER_FORM,2025-10-01\n") == "CSV_COLUMNS"
    assert code("") == "CSV_EMPTY"
    assert code("phone,method,disclosure_text,consented_at\n") == "CSV_EMPTY"
    assert code(good, other_customer) == "APPLICATION_NOT_FOUND"


def test_an_old_consent_does_not_undo_a_later_stop(
    session: Session, customer: Tenant, app_row: ApplicationRow, clock: FrozenClock
) -> None:
    record_opt_out(
        session,
        account_id=customer.account.id,
        application_id=app_row.id,
        phone=RECIPIENT,
        keyword="STOP",
        now=clock.now(),
    )
    record_consent(
        session,
        account_id=customer.account.id,
        application_id=app_row.id,
        phone=RECIPIENT,
        method=ConsentMethod.PAPER_FORM,
        disclosure_text=DISCLOSURE,
        source={},
        now=clock.now(),
        consented_at=clock.now() - timedelta(days=30),
    )
    assert is_opted_out(
        session, account_id=customer.account.id, application_id=app_row.id, phone=RECIPIENT
    )
    record_consent(
        session,
        account_id=customer.account.id,
        application_id=app_row.id,
        phone=RECIPIENT,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=DISCLOSURE,
        source={},
        now=clock.now() + timedelta(minutes=5),
    )
    assert not is_opted_out(
        session, account_id=customer.account.id, application_id=app_row.id, phone=RECIPIENT
    )


def test_opt_outs_list(
    client: TestClient,
    session: Session,
    customer: Tenant,
    other_customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
) -> None:
    record_opt_out(
        session,
        account_id=customer.account.id,
        application_id=app_row.id,
        phone=RECIPIENT,
        keyword="STOP",
        now=clock.now(),
    )
    session.commit()
    listed = client.get(
        "/api/v1/opt-outs", params={"phone": "512-555-0199"}, headers=customer.headers
    ).json()
    assert [(o["phone"], o["keyword"], o["active"]) for o in listed["items"]] == [
        (RECIPIENT, "STOP", True)
    ]
    assert client.get("/api/v1/opt-outs", headers=other_customer.headers).json()["items"] == []
    bad = client.get("/api/v1/opt-outs", params={"phone": "nope"}, headers=customer.headers)
    assert bad.json()["error"]["code"] == "PHONE_INVALID"
