"""Batch sends, MMS media, message reads and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.models import Message, MessageEvent
from consentry.messaging.service import SendRequest, send_batch
from consentry.registration.models import Application as ApplicationRow
from tests.support.builders import EXAMPLE_NUMBER, Tenant
from tests.support.messaging import RECIPIENT, approved, consent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GREETING = "Northside PT: your appointment is Tue 3pm. Reply STOP to opt out."


@pytest.fixture
def app_row(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> ApplicationRow:
    row = approved(session, customer, reviewer, clock, settings)
    consent(session, row, now=clock.now())
    return row


def _msg(**body: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"from": EXAMPLE_NUMBER, "to": RECIPIENT, "text": GREETING}
    out.update(body)
    return out


# -- batch ---------------------------------------------------------------------------------------


def test_batch_accepts_some_and_refuses_others_in_order(
    client: TestClient, session: Session, customer: Tenant, app_row: ApplicationRow
) -> None:
    messages = [
        _msg(),
        _msg(to="+15125550177"),  # no consent
        _msg(text="Get a payday loan today"),
        _msg(to="bogus"),
        _msg(text="ê" * 71, idempotency_key="b-1"),
        _msg(text="ê" * 71, idempotency_key="b-1"),  # the same message again in the batch
    ]
    response = client.post(
        "/api/v1/messages/batch", json={"messages": messages}, headers=customer.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["refused"]) == (3, 3)
    items = body["items"]
    assert [i["index"] for i in items] == list(range(6))
    assert [i["result"] for i in items] == [
        "accepted", "refused", "refused", "refused", "accepted", "accepted",
    ]  # fmt: skip
    assert [i["error"]["code"] for i in items if i["error"]] == [
        "CONSENT_MISSING",
        "CONTENT_PROHIBITED",
        "RECIPIENT_INVALID",
    ]
    assert (items[4]["segments"], items[4]["encoding"]) == (2, "UCS-2")
    assert items[5]["id"] == items[4]["id"] and items[5]["replayed"] is True
    assert session.scalar(select(func.count()).select_from(Message)) == 2
    assert session.scalar(select(func.count()).select_from(MessageEvent)) == 2
    for item in items:
        if item["result"] == "accepted":
            got = client.get(f"/api/v1/messages/{item['id']}", headers=customer.headers)
            assert got.json()["status"] == "queued"


def test_batch_size_limit(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, settings: Settings
) -> None:
    settings.max_batch_messages = 2
    response = client.post(
        "/api/v1/messages/batch", json={"messages": [_msg()] * 3}, headers=customer.headers
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, "BATCH_TOO_LARGE")
    empty = client.post("/api/v1/messages/batch", json={"messages": []}, headers=customer.headers)
    assert empty.status_code == 422


def test_batch_checks_cost_the_same_queries_for_10_or_200_messages(
    database: Database,
    session: Session,
    customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    phones = [f"+1512555{1000 + i:04d}" for i in range(200)]
    for phone in phones:
        consent(session, app_row, phone, now=clock.now())

    def statements(n: int) -> int:
        count = 0

        def counted(*_args: object) -> None:
            nonlocal count
            count += 1

        with database.session() as s:
            event.listen(database.engine, "before_cursor_execute", counted)
            try:
                outcome = send_batch(
                    s,
                    caller=customer.principal,
                    requests=[
                        SendRequest(from_=EXAMPLE_NUMBER, to=p, text=GREETING) for p in phones[:n]
                    ],
                    now=clock.now(),
                    settings=settings,
                )
            finally:
                event.remove(database.engine, "before_cursor_execute", counted)
            assert outcome.accepted == n
            s.rollback()
        return count

    small, large = statements(10), statements(200)
    # Bulk INSERTs may be split into a few statements by the driver; lookups must not grow.
    assert large <= small + 4, (small, large)


# -- media ---------------------------------------------------------------------------------------


def _upload(client: TestClient, tenant: Tenant, data: bytes, kind: str) -> Any:
    return client.post(
        "/api/v1/media",
        files={"file": ("picture", data, kind)},
        headers=tenant.headers,
    )


def test_media_upload_and_mms(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, settings: Settings
) -> None:
    uploaded = _upload(client, customer, PNG, "image/png")
    assert uploaded.status_code == 201, uploaded.text
    media = uploaded.json()
    assert (media["content_type"], media["size"]) == ("image/png", len(PNG))
    raw = client.post(
        "/api/v1/media",
        content=b"%PDF-1.7 menu",
        headers={**customer.headers, "Content-Type": "application/pdf"},
    )
    assert raw.status_code == 201, raw.text

    sent = client.post(
        "/api/v1/messages",
        json=_msg(text="", media=[media["id"], raw.json()["id"]]),
        headers=customer.headers,
    )
    assert sent.status_code == 202, sent.text
    assert [m["id"] for m in sent.json()["media"]] == [media["id"], raw.json()["id"]]
    assert sent.json()["segments"] == 1
    got = client.get(f"/api/v1/media/{media['id']}", headers=customer.headers)
    assert got.status_code == 200


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"MZ\x90\x00", "application/x-msdownload"),
        (b"<svg/>", "image/svg+xml"),
        (b"not a png at all", "image/png"),  # the bytes disagree with the declared type
    ],
)
def test_media_type_refused(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, data: bytes, kind: str
) -> None:
    refused = _upload(client, customer, data, kind)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "MEDIA_TYPE")


def test_media_too_large(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, settings: Settings
) -> None:
    settings.media_max_bytes = 100
    refused = _upload(client, customer, PNG + b"\x00" * 100, "image/png")
    assert (refused.status_code, refused.json()["error"]["code"]) == (413, "MEDIA_TOO_LARGE")
    assert _upload(client, customer, PNG, "image/png").status_code == 201


def test_media_not_found_and_foreign_media(
    client: TestClient, customer: Tenant, other_customer: Tenant, app_row: ApplicationRow
) -> None:
    missing = client.post(
        "/api/v1/messages", json=_msg(media=["med_nope"]), headers=customer.headers
    )
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "MEDIA_NOT_FOUND")
    theirs = _upload(client, other_customer, PNG, "image/png").json()["id"]
    foreign = client.post("/api/v1/messages", json=_msg(media=[theirs]), headers=customer.headers)
    assert foreign.json()["error"]["code"] == "MEDIA_NOT_FOUND"


# -- reads and tenancy ---------------------------------------------------------------------------


def test_message_list_filters_and_pages(
    client: TestClient, customer: Tenant, other_customer: Tenant, app_row: ApplicationRow
) -> None:
    ids = [
        client.post("/api/v1/messages", json=_msg(), headers=customer.headers).json()["id"]
        for _ in range(3)
    ]
    first = client.get("/api/v1/messages?limit=2", headers=customer.headers).json()
    assert [m["id"] for m in first["items"]] == ids[::-1][:2]
    second = client.get(
        f"/api/v1/messages?limit=2&cursor={first['next_cursor']}", headers=customer.headers
    ).json()
    assert [m["id"] for m in second["items"]] == ids[:1] and second["next_cursor"] is None
    by_number = client.get(
        "/api/v1/messages",
        params={"number": EXAMPLE_NUMBER, "direction": "outbound", "status": "queued"},
        headers=customer.headers,
    ).json()
    assert len(by_number["items"]) == 3
    none = client.get("/api/v1/messages?status=delivered", headers=customer.headers).json()
    assert none["items"] == []
    assert client.get("/api/v1/messages", headers=other_customer.headers).json()["items"] == []


def test_message_list_is_the_log_search(
    client: TestClient, customer: Tenant, app_row: ApplicationRow
) -> None:
    """GET /api/v1/messages takes /api/v1/logs's filters and answers the same items."""
    pizza = client.post(
        "/api/v1/messages", json=_msg(text="Your pizza is ready"), headers=customer.headers
    ).json()["id"]
    client.post("/api/v1/messages", json=_msg(text="Table booked"), headers=customer.headers)
    queries: list[dict[str, str]] = [
        {"q": "pizza"},
        {"q": "pizz*", "status": "queued,sent"},
        {"error_code": "30003"},
        {"from": "2000-01-01", "to": "2000-01-02"},
        {"remote": RECIPIENT.removeprefix("+1")},
    ]
    for params in queries:
        listed = client.get("/api/v1/messages", params=params, headers=customer.headers)
        logged = client.get("/api/v1/logs", params=params, headers=customer.headers)
        assert listed.status_code == 200, listed.text
        assert listed.json() == logged.json()
    found = client.get("/api/v1/messages", params={"q": "pizza"}, headers=customer.headers)
    assert [m["id"] for m in found.json()["items"]] == [pizza]
    bad = client.get("/api/v1/messages", params={"from": "yesterday"}, headers=customer.headers)
    assert bad.status_code == 422


def test_foreign_ids_read_as_not_found(
    client: TestClient, customer: Tenant, other_customer: Tenant, app_row: ApplicationRow
) -> None:
    message = client.post("/api/v1/messages", json=_msg(), headers=customer.headers).json()["id"]
    media = _upload(client, customer, PNG, "image/png").json()["id"]
    consents = client.get("/api/v1/consents", headers=customer.headers).json()["items"]
    numbers = client.get("/api/v1/numbers", headers=customer.headers).json()["items"]
    for path, code in [
        (f"/api/v1/messages/{message}", "MESSAGE_NOT_FOUND"),
        (f"/api/v1/media/{media}", "MEDIA_NOT_FOUND"),
        (f"/api/v1/consents/{consents[0]['id']}", "CONSENT_NOT_FOUND"),
        (f"/api/v1/numbers/{numbers[0]['id']}", "NUMBER_NOT_FOUND"),
    ]:
        assert client.get(path, headers=customer.headers).status_code == 200, path
        foreign = client.get(path, headers=other_customer.headers)
        assert (foreign.status_code, foreign.json()["error"]["code"]) == (404, code), path
