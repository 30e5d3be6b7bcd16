"""The provider-compatible send and MMS: exact parameter names, the send path's checks, media
read from the media table end to end."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.kit.clock import FrozenClock
from consentry.kit.settings import Settings
from consentry.messaging import inbound
from consentry.messaging.models import Media
from consentry.registration.models import Application as ApplicationRow
from tests.api.test_provider_api import broken_client, creds
from tests.support.builders import EXAMPLE_NUMBER, Tenant
from tests.support.messaging import RECIPIENT, approved, consent

__all__ = ["broken_client"]

SEND = "/api/messaging/v1/send"
TEXT = "Northside PT: your appointment is Tue 3pm. Reply STOP to opt out."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4 test"
MISSING = {"error": "API Key and Container ID are both required."}
INVALID = {"error": "The supplied API Key is invalid."}
MARKER = r"\[MMS ([^ \]]+) media:([^\]]+)\]"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.media_dir = str(tmp_path / "media")


@pytest.fixture
def app_row(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> ApplicationRow:
    row = approved(session, customer, reviewer, clock, settings)
    consent(session, row, now=clock.now())
    return row


def _msg(**body: Any) -> dict[str, Any]:
    return {"from": EXAMPLE_NUMBER, "to": RECIPIENT, "text": TEXT, **body}


def _upload(client: TestClient, tenant: Tenant, data: bytes, kind: str) -> str:
    r = client.post("/api/v1/media", files={"file": ("f", data, kind)}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_send_answers_like_the_messages_api(
    client: TestClient, customer: Tenant, app_row: ApplicationRow
) -> None:
    r = client.post(SEND, params=creds(customer), json=_msg())
    assert r.status_code == 202, r.text
    body = r.json()
    assert set(body) == {
        "id", "direction", "from", "to", "text", "media", "status", "segments", "encoding",
        "error_code", "created_at", "updated_at",
    }  # fmt: skip
    assert (body["status"], body["from"], body["to"]) == ("queued", EXAMPLE_NUMBER, RECIPIENT)
    read = client.get(f"/api/v1/messages/{body['id']}", headers=customer.headers)
    assert read.json() == body


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (_msg(to="+15125550100"), "CONSENT_MISSING"),
        (_msg(to="+447700900123"), None),
        (_msg(text="", media=[]), None),
        (_msg(media=["med_nope"]), "MEDIA_NOT_FOUND"),
        (_msg(colour="red"), "VALIDATION_ERROR"),
        ({"from": EXAMPLE_NUMBER}, "VALIDATION_ERROR"),
    ],
)
def test_refusals_carry_the_code_and_status_of_the_messages_api(
    client: TestClient,
    customer: Tenant,
    app_row: ApplicationRow,
    body: dict[str, Any],
    code: str | None,
) -> None:
    native = client.post("/api/v1/messages", json=body, headers=customer.headers)
    compat = client.post(SEND, params=creds(customer), json=body)
    assert native.status_code >= 400
    assert compat.status_code == native.status_code
    assert set(compat.json()) == {"error", "code"}
    assert compat.json()["code"] == native.json()["error"]["code"]
    assert compat.json()["error"].endswith(".")
    if code is not None:
        assert compat.json()["code"] == code


def test_credentials_exact_names_and_checked_first(
    client: TestClient, customer: Tenant, other_customer: Tenant, app_row: ApplicationRow
) -> None:
    c = creds(customer)
    for params in (
        {},
        {"auth": c["auth"]},
        {"auth": c["auth"], "containerId": c["containerID"]},  # case-sensitive
        {"Auth": c["auth"], "containerID": c["containerID"]},
    ):
        r = client.post(SEND, params=params, json=_msg())
        assert (r.status_code, r.json()) == (401, MISSING), params
    theirs = {"auth": creds(other_customer)["auth"], "containerID": c["containerID"]}
    r = client.post(SEND, params=theirs, json=_msg())
    assert (r.status_code, r.json()) == (401, INVALID)
    # Credentials come before the body: a broken body without them is still a 401.
    r = client.post(SEND, content=b"{nope", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()) == (401, MISSING)
    r = client.post(SEND, params=c, content=b"{nope", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (422, "INVALID_JSON")
    r = client.post(SEND, params=c, json=[_msg()])
    assert (r.status_code, r.json()["code"]) == (422, "VALIDATION_ERROR")


def test_idempotency_key_header_replays(
    client: TestClient, customer: Tenant, app_row: ApplicationRow
) -> None:
    headers = {"Idempotency-Key": "order-77"}
    first = client.post(SEND, params=creds(customer), json=_msg(), headers=headers)
    again = client.post(SEND, params=creds(customer), json=_msg(), headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]


def test_mms_end_to_end_through_the_provider_api(
    client: TestClient,
    session: Session,
    customer: Tenant,
    other_customer: Tenant,
    app_row: ApplicationRow,
    clock: FrozenClock,
) -> None:
    """Upload, send an MMS, receive one, read the thread and fetch both files."""
    png = _upload(client, customer, PNG, "image/png")
    sent = client.post(SEND, params=creds(customer), json=_msg(text="Your x-ray", media=[png]))
    assert sent.status_code == 202, sent.text
    assert [m["id"] for m in sent.json()["media"]] == [png]
    pdf = _upload(client, customer, PDF, "application/pdf")
    stored = session.get(Media, pdf)
    assert stored is not None
    reply = inbound.receive(
        session, from_number=RECIPIENT, to_number=EXAMPLE_NUMBER, text="Signed form",
        carrier="loopback", carrier_message_id="lb-1", now=clock.now(), media=[stored],
    )  # fmt: skip
    session.commit()
    assert reply.media == [
        {"id": pdf, "content_type": "application/pdf", "size": len(PDF), "filename": "f"}
    ]

    threads = client.get(
        "/api/messaging/v1/conversations", params={**creds(customer), "phoneNumber": EXAMPLE_NUMBER}
    ).json()["conversations"]
    (conversation_id,) = [k for k, v in threads.items() if v["conversationWith"] == RECIPIENT]
    messages = client.get(
        "/api/messaging/v1/conversation",
        params={**creds(customer), "conversationID": conversation_id},
    ).json()["messages"]
    texts = [m["messageText"] for m in messages.values()]
    assert texts == [f"Your x-ray\n[MMS image/png media:{png}]",
                     f"Signed form\n[MMS application/pdf media:{pdf}]"]  # fmt: skip

    for text, data in zip(texts, (PNG, PDF), strict=True):
        kind, media_id = re.findall(MARKER, text)[0]
        url = f"/api/messaging/v1/media/{media_id}"
        r = client.get(url, params=creds(customer))
        assert (r.status_code, r.headers["content-type"], r.content) == (200, kind, data)
        foreign = client.get(url, params=creds(other_customer))
        assert foreign.status_code == 404
        assert foreign.json() == {
            "error": "The media you requested does not exist in this container."
        }


def test_send_database_unavailable(broken_client: TestClient, customer: Tenant) -> None:
    r = broken_client.post(SEND, params=creds(customer), json=_msg())
    assert (r.status_code, r.json()) == (
        500,
        {"error": "Error connecting to the database, please try again later."},
    )
