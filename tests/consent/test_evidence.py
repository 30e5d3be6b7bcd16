"""Consent evidence: one record's proof (JSON and printable page) and the streaming export."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from consentry.consent import evidence as evidence_module
from consentry.consent.models import Consent, ConsentMethod, ConsentStatus
from consentry.consent.service import expire_consent, record_consent, record_opt_out
from consentry.kit.clock import FrozenClock
from consentry.registration.models import Application as ApplicationRow
from tests.support.builders import Tenant
from tests.support.messaging import DISCLOSURE, RECIPIENT, application

FORMULA = '=HYPERLINK("https://evil.example","click")'


@pytest.fixture
def app_row(session: Session, customer: Tenant, clock: FrozenClock) -> ApplicationRow:
    return application(session, customer, clock)


@pytest.fixture
def consent(session: Session, app_row: ApplicationRow, clock: FrozenClock) -> Consent:
    row = record_consent(
        session,
        account_id=app_row.account_id,
        application_id=app_row.id,
        phone=RECIPIENT,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=DISCLOSURE,
        source={
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 <script>alert(1)</script>",
            "url": "https://example.com/optin/abc",
            "form_id": "optin:abc",
        },
        now=clock.now(),
    )
    session.commit()
    return row


def test_evidence_json_proves_what_when_how_and_opt_outs(
    client: TestClient,
    customer: Tenant,
    consent: Consent,
    app_row: ApplicationRow,
    session: Session,
    clock: FrozenClock,
) -> None:
    clock.advance(hours=2)
    record_opt_out(
        session,
        account_id=app_row.account_id,
        application_id=app_row.id,
        phone=RECIPIENT,
        keyword="STOP",
        now=clock.now(),
    )
    session.commit()
    r = client.get(f"/api/v1/consents/{consent.id}/evidence", headers=customer.headers)
    assert r.status_code == 200, r.text
    e = r.json()
    shown = e["what_was_shown"]
    assert shown["disclosure_text"] == DISCLOSURE and shown["verified"] is True
    assert shown["disclosure_sha256"] == hashlib.sha256(DISCLOSURE.encode()).hexdigest()
    assert e["how"]["method"] == "WEB_FORM" and e["how"]["ip"] == "203.0.113.7"
    assert e["how"]["url"] == "https://example.com/optin/abc" and e["how"]["form_id"] == "optin:abc"
    assert e["when"]["consented_at"].startswith("2026-01-05")
    assert e["program"]["application_id"] == app_row.id and e["program"]["brand"]
    [opt_out] = e["opt_outs"]
    assert opt_out["keyword"] == "STOP" and opt_out["active"] is True


def test_evidence_flags_a_text_that_no_longer_matches_its_hash(
    client: TestClient, customer: Tenant, consent: Consent, session: Session
) -> None:
    session.execute(
        update(Consent).where(Consent.id == consent.id).values(disclosure_text="Edited later.")
    )
    session.commit()
    e = client.get(f"/api/v1/consents/{consent.id}/evidence", headers=customer.headers).json()
    assert e["what_was_shown"]["verified"] is False
    page = client.get(f"/api/v1/consents/{consent.id}/evidence.html", headers=customer.headers)
    assert "does not match" in page.text


def test_evidence_page_is_printable_html_with_escaped_source(
    client: TestClient, customer: Tenant, consent: Consent
) -> None:
    r = client.get(f"/api/v1/consents/{consent.id}/evidence.html", headers=customer.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert consent.disclosure_sha256 in html and "Msg &amp; data rates may apply" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "never opted out" in html and "@media print" in html


def test_another_tenant_cannot_read_the_evidence(
    client: TestClient, other_customer: Tenant, consent: Consent
) -> None:
    for suffix in ("evidence", "evidence.html"):
        r = client.get(f"/api/v1/consents/{consent.id}/{suffix}", headers=other_customer.headers)
        assert r.status_code == 404


def test_export_csv_streams_formula_safe_cells(
    client: TestClient,
    customer: Tenant,
    other_customer: Tenant,
    consent: Consent,
    app_row: ApplicationRow,
    session: Session,
    clock: FrozenClock,
) -> None:
    record_consent(
        session,
        account_id=app_row.account_id,
        application_id=app_row.id,
        phone="+15125550188",
        method=ConsentMethod.PAPER_FORM,
        disclosure_text=FORMULA,
        source={"operator": "@front-desk"},
        now=clock.now(),
    )
    session.commit()
    r = client.get(
        "/api/v1/consents/export",
        params={"application_id": app_row.id, "format": "csv"},
        headers=customer.headers,
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["phone"] for row in rows] == [RECIPIENT, "+15125550188"]
    assert rows[0]["disclosure_text"] == DISCLOSURE and rows[0]["ip"] == "203.0.113.7"
    assert rows[1]["disclosure_text"] == "'" + FORMULA
    assert rows[1]["phone"] == "+15125550188"  # E.164 is kept as is
    assert all(not cell.startswith(("=", "@")) for row in rows for cell in row.values())
    # Another tenant sees nothing of it, and cannot name the application.
    foreign = client.get("/api/v1/consents/export", headers=other_customer.headers)
    assert list(csv.DictReader(io.StringIO(foreign.text))) == []
    named = client.get(
        "/api/v1/consents/export",
        params={"application_id": app_row.id},
        headers=other_customer.headers,
    )
    assert named.status_code == 404


def test_export_json_lines(client: TestClient, customer: Tenant, consent: Consent) -> None:
    r = client.get("/api/v1/consents/export", params={"format": "json"}, headers=customer.headers)
    assert r.status_code == 200
    [line] = [json.loads(x) for x in r.text.splitlines()]
    assert line["id"] == consent.id and line["disclosure_sha256"] == consent.disclosure_sha256
    bad = client.get("/api/v1/consents/export", params={"format": "xml"}, headers=customer.headers)
    assert bad.status_code == 422


def _double_opt_in(
    session: Session, app_row: ApplicationRow, clock: FrozenClock, phone: str
) -> Consent:
    """A pending double opt-in consent with its 72-hour deadline, as the hosted page records it."""
    row = record_consent(
        session,
        account_id=app_row.account_id,
        application_id=app_row.id,
        phone=phone,
        method=ConsentMethod.WEB_FORM,
        disclosure_text=DISCLOSURE,
        source={"form_id": "optin:abc"},
        now=clock.now(),
        status=ConsentStatus.PENDING,
        expires_at=clock.now() + timedelta(hours=72),
    )
    session.commit()
    return row


def test_export_has_the_deadline_and_the_expiry_of_double_opt_ins(
    client: TestClient,
    customer: Tenant,
    consent: Consent,
    app_row: ApplicationRow,
    session: Session,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Batches of two: the expiry times are looked up batch by batch.
    monkeypatch.setattr(evidence_module, "_BATCH", 2)
    lapsed = _double_opt_in(session, app_row, clock, "+15125550181")
    waiting = _double_opt_in(session, app_row, clock, "+15125550182")
    deadline = lapsed.expires_at
    assert deadline is not None
    clock.advance(hours=73)
    expire_consent(session, lapsed, now=clock.now(), reason="no_reply")
    session.commit()

    r = client.get("/api/v1/consents/export", params={"format": "csv"}, headers=customer.headers)
    assert r.status_code == 200
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(r.text))}
    header = r.text.splitlines()[0].split(",")
    assert header.index("expires_at") == header.index("revoked_at") + 1
    assert header.index("expired_at") == header.index("expires_at") + 1
    assert rows[consent.id]["status"] == "active"
    assert rows[consent.id]["expires_at"] == rows[consent.id]["expired_at"] == ""
    assert rows[lapsed.id]["status"] == "expired"
    assert rows[lapsed.id]["expires_at"] == deadline.isoformat()
    assert rows[lapsed.id]["expired_at"] == clock.now().isoformat()
    assert rows[waiting.id]["status"] == "pending"
    assert rows[waiting.id]["expires_at"] != "" and rows[waiting.id]["expired_at"] == ""

    lines = client.get(
        "/api/v1/consents/export", params={"format": "json"}, headers=customer.headers
    ).text.splitlines()
    records = {r["id"]: r for r in map(json.loads, lines)}
    assert records[lapsed.id]["expired_at"] == clock.now().isoformat()
    assert records[lapsed.id]["expires_at"] == deadline.isoformat()
    assert records[consent.id]["expires_at"] is None and records[consent.id]["expired_at"] is None

    only = client.get(
        "/api/v1/consents/export",
        params={"format": "json", "status": "expired"},
        headers=customer.headers,
    )
    assert [json.loads(x)["id"] for x in only.text.splitlines()] == [lapsed.id]
    bad = client.get(
        "/api/v1/consents/export", params={"status": "lapsed"}, headers=customer.headers
    )
    assert bad.status_code == 422


def test_consent_list_filters_by_status(
    client: TestClient,
    customer: Tenant,
    other_customer: Tenant,
    consent: Consent,
    app_row: ApplicationRow,
    session: Session,
    clock: FrozenClock,
) -> None:
    lapsed = _double_opt_in(session, app_row, clock, "+15125550181")
    waiting = _double_opt_in(session, app_row, clock, "+15125550182")
    clock.advance(hours=73)
    expire_consent(session, lapsed, now=clock.now(), reason="no_reply")
    session.commit()

    def ids(status: str | None, headers: dict[str, str] = customer.headers) -> list[str]:
        params = {"status": status} if status else {}
        r = client.get("/api/v1/consents", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert ids("pending") == [waiting.id]
    assert ids("expired") == [lapsed.id]
    assert ids("active") == [consent.id]
    assert ids("revoked") == []
    assert sorted(ids(None)) == sorted([consent.id, lapsed.id, waiting.id])
    assert ids("expired", other_customer.headers) == []
    [item] = client.get(
        "/api/v1/consents", params={"status": "pending"}, headers=customer.headers
    ).json()["items"]
    assert item["status"] == "pending" and item["expires_at"] is not None
    bad = client.get("/api/v1/consents", params={"status": "lapsed"}, headers=customer.headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "VALIDATION_ERROR"
