"""The provider-compatible API: exact parameter names, shapes, error sentences and statuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import ApiKey
from consentry.api.app import create_app
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.log_models import Conversation
from consentry.messaging.media import store_media
from consentry.messaging.models import Direction, Media
from tests.support.builders import Tenant
from tests.support.messages import T0, add_message, add_number

NUM = "+13125550100"
ALICE = "+17735550111"
BOB = "+17735550122"

CONVERSATIONS = "/api/messaging/v1/conversations"
CONVERSATION = "/api/messaging/v1/conversation"

MISSING = {"error": "API Key and Container ID are both required."}
INVALID = {"error": "The supplied API Key is invalid."}
BAD_NUMBER = {
    "error": "Either you left out the phoneNumber parameter, or you are trying to text with a "
    "non-USA number."
}
NOT_HERE = {"error": "The phone number you provided does not exist in this container."}
NO_CONVERSATION_ID = {"error": "You must include a ConversationID to fetch."}
DATABASE_DOWN = {"error": "Error connecting to the database, please try again later."}


def creds(tenant: Tenant) -> dict[str, str]:
    container_id = tenant.account.container_id
    assert container_id is not None
    return {"auth": tenant.key, "containerID": container_id}


JPEG = b"\xff\xd8\xff\xe0JFIF-test-bytes"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Settings, tmp_path: Path) -> None:
    """Stored media goes to the test's own directory."""
    settings.media_dir = str(tmp_path / "media")


@pytest.fixture
def image(session: Session, customer: Tenant, settings: Settings) -> Media:
    """A JPEG stored for the customer the way an upload is (row + file)."""
    return store_media(
        session, customer.principal, data=JPEG, content_type="image/jpeg", filename="form.jpg",
        settings=settings, now=T0,
    )  # fmt: skip


@pytest.fixture
def inbox(session: Session, customer: Tenant, image: Media) -> dict[str, Any]:
    """Two threads on NUM: Alice (read, older), Bob (one unread MMS, newer)."""
    acc = customer.account
    add_number(session, acc, NUM)
    a1 = add_message(session, acc, number=NUM, remote=ALICE, at=T0, text="Hi Alice 👋 café")
    a2 = add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND,
                     at=T0 + timedelta(minutes=5), read_at=T0, text="Thanks!")  # fmt: skip
    b1 = add_message(
        session, acc, number=NUM, remote=BOB, direction=Direction.INBOUND,
        at=T0 + timedelta(hours=2, seconds=7), text="Here is the form",
        media=[
            {"id": image.id, "content_type": "image/jpeg", "size": len(JPEG),
             "filename": "form.jpg"},
            {"id": "med_form2", "content_type": "application/pdf",
             "url": "https://media.example.net/form.pdf"},
        ],
    )  # fmt: skip
    session.commit()
    convs = {c.remote_number: c.id for c in session.scalars(select(Conversation))}
    return {"alice": convs[ALICE], "bob": convs[BOB], "a1": a1, "a2": a2, "b1": b1,
            "jpeg": image.id}  # fmt: skip


# --- credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CONVERSATIONS, CONVERSATION, "/api/messaging/v1/media/med_1"])
def test_missing_credentials(client: TestClient, customer: Tenant, path: str) -> None:
    c = creds(customer)
    for params in (
        {},
        {"auth": c["auth"]},
        {"containerID": c["containerID"]},
        {"auth": "", "containerID": c["containerID"]},
        {"auth": c["auth"], "containerId": c["containerID"]},  # names are case-sensitive
        {"Auth": c["auth"], "containerID": c["containerID"]},
    ):
        r = client.get(path, params={**params, "phoneNumber": NUM})
        assert (r.status_code, r.json()) == (401, MISSING), params


@pytest.mark.parametrize("path", [CONVERSATIONS, CONVERSATION, "/api/messaging/v1/media/med_1"])
def test_invalid_keys(
    client: TestClient, session: Session, customer: Tenant, other_customer: Tenant, path: str
) -> None:
    mine, theirs = creds(customer), creds(other_customer)
    for params in (
        {"auth": "csk_nope", "containerID": mine["containerID"]},
        {"auth": theirs["auth"], "containerID": mine["containerID"]},  # another container's key
        {"auth": mine["auth"], "containerID": "000000"},
    ):
        r = client.get(path, params={**params, "phoneNumber": NUM, "conversationID": "1"})
        assert (r.status_code, r.json()) == (401, INVALID), params
    key = session.scalar(select(ApiKey).where(ApiKey.account_id == customer.account.id))
    assert key is not None
    key.revoked_at = T0
    session.commit()
    r = client.get(path, params={**mine, "phoneNumber": NUM, "conversationID": "1"})
    assert (r.status_code, r.json()) == (401, INVALID)


# --- GET conversations ------------------------------------------------------------------------


def test_conversations_shape_and_order(
    client: TestClient, customer: Tenant, inbox: dict[str, Any]
) -> None:
    r = client.get(CONVERSATIONS, params={**creds(customer), "phoneNumber": NUM})
    assert r.status_code == 200
    body = r.json()
    assert body == {
        "conversations": {
            str(inbox["bob"]): {
                "conversationWith": BOB,
                "hasUnreadMessages": 1,
                "lastMessageDate": "2026-01-05 17:00:07",
            },
            str(inbox["alice"]): {
                "conversationWith": ALICE,
                "hasUnreadMessages": 0,
                "lastMessageDate": "2026-01-05 15:05:00",
            },
        }
    }
    assert list(body["conversations"]) == [str(inbox["bob"]), str(inbox["alice"])]


def test_us_number_forms(client: TestClient, customer: Tenant, inbox: dict[str, Any]) -> None:
    expected = client.get(CONVERSATIONS, params={**creds(customer), "phoneNumber": NUM}).json()
    for form in ("3125550100", "13125550100", "+13125550100", "(312) 555-0100"):
        r = client.get(CONVERSATIONS, params={**creds(customer), "phoneNumber": form})
        assert (r.status_code, r.json()) == (200, expected), form
    # An unescaped "+" in a query string arrives as a space.
    c = creds(customer)
    raw = (
        f"{CONVERSATIONS}?auth={c['auth']}&containerID={c['containerID']}&phoneNumber=+13125550100"
    )
    assert client.get(raw).json() == expected


def test_phone_number_missing_or_not_us(client: TestClient, customer: Tenant) -> None:
    for extra in (
        {},
        {"phoneNumber": ""},
        {"phonenumber": NUM},  # case-sensitive name
        {"phoneNumber": "+447700900123"},  # UK
        {"phoneNumber": "5550100"},
        {"phoneNumber": "1234567890"},  # area code cannot start with 1
        {"phoneNumber": "23125550100"},  # 11 digits not starting with 1
        {"phoneNumber": "not a number"},
    ):
        r = client.get(CONVERSATIONS, params={**creds(customer), **extra})
        assert (r.status_code, r.json()) == (400, BAD_NUMBER), extra


def test_number_of_another_container(
    client: TestClient, session: Session, customer: Tenant, other_customer: Tenant
) -> None:
    add_number(session, other_customer.account, NUM)
    session.commit()
    for number in (NUM, "+13125559999"):
        r = client.get(CONVERSATIONS, params={**creds(customer), "phoneNumber": number})
        assert (r.status_code, r.json()) == (404, NOT_HERE)


def test_a_number_without_conversations(
    client: TestClient, session: Session, customer: Tenant
) -> None:
    add_number(session, customer.account, NUM)
    session.commit()
    r = client.get(CONVERSATIONS, params={**creds(customer), "phoneNumber": NUM})
    assert (r.status_code, r.json()) == (200, {"conversations": {}})


# --- GET conversation -------------------------------------------------------------------------


def test_conversation_messages(client: TestClient, customer: Tenant, inbox: dict[str, Any]) -> None:
    r = client.get(CONVERSATION, params={**creds(customer), "conversationID": inbox["alice"]})
    assert r.status_code == 200
    a1, a2 = inbox["a1"], inbox["a2"]
    assert r.json() == {
        "messages": {
            a1.id: {
                "messageDate": "2026-01-05 15:00:00",
                "messageFrom": NUM,
                "messageText": "Hi Alice 👋 café",
            },
            a2.id: {
                "messageDate": "2026-01-05 15:05:00",
                "messageFrom": ALICE,
                "messageText": "Thanks!",
            },
        }
    }
    assert list(r.json()["messages"]) == [a1.id, a2.id]  # oldest first


def test_inbound_mms_carries_media_markers(
    client: TestClient, customer: Tenant, inbox: dict[str, Any]
) -> None:
    r = client.get(CONVERSATION, params={**creds(customer), "conversationID": inbox["bob"]})
    (message,) = r.json()["messages"].values()
    assert message["messageText"] == (
        f"Here is the form\n[MMS image/jpeg media:{inbox['jpeg']}]\n"
        "[MMS application/pdf media:med_form2]"
    )


def test_conversation_id_missing_or_foreign(
    client: TestClient, session: Session, customer: Tenant, other_customer: Tenant,
    inbox: dict[str, Any],
) -> None:  # fmt: skip
    for extra in ({}, {"conversationID": ""}, {"conversationId": inbox["alice"]}):
        r = client.get(CONVERSATION, params={**creds(customer), **extra})
        assert (r.status_code, r.json()) == (400, NO_CONVERSATION_ID), extra
    not_found = {"error": "The conversation you requested does not exist in this container."}
    for value in (inbox["alice"], "999999", "abc", "-1"):
        r = client.get(CONVERSATION, params={**creds(other_customer), "conversationID": value})
        assert (r.status_code, r.json()) == (404, not_found), value


# --- media ------------------------------------------------------------------------------------


def test_media_is_served_with_its_content_type(
    client: TestClient, customer: Tenant, other_customer: Tenant, inbox: dict[str, Any]
) -> None:
    jpeg = f"/api/messaging/v1/media/{inbox['jpeg']}"
    r = client.get(jpeg, params=creds(customer))
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content == JPEG
    r = client.get(
        "/api/messaging/v1/media/med_form2", params=creds(customer), follow_redirects=False
    )
    assert (r.status_code, r.headers["location"]) == (302, "https://media.example.net/form.pdf")
    gone = {"error": "The media you requested does not exist in this container."}
    r = client.get(jpeg, params=creds(other_customer))
    assert (r.status_code, r.json()) == (404, gone)
    r = client.get("/api/messaging/v1/media/med_nothing", params=creds(customer))
    assert (r.status_code, r.json()) == (404, gone)


# --- database unavailable ---------------------------------------------------------------------


@pytest.fixture
def broken_client(
    settings: Settings, clock: FrozenClock, database: Database, tmp_path: Path
) -> Iterator[TestClient]:
    """The API on a database that cannot be reached: a SQLite file in a directory that does not
    exist, or a PostgreSQL server on a port nothing listens on."""
    if database.dialect == "postgresql":
        broken = Database("postgresql+psycopg://postgres@127.0.0.1:1/consentry?connect_timeout=2")
    else:
        broken = Database(f"sqlite:///{tmp_path}/missing-dir/consentry.db")
    app = create_app(settings, clock, broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        (CONVERSATIONS, {"phoneNumber": NUM}),
        (CONVERSATION, {"conversationID": "1"}),
        ("/api/messaging/v1/media/med_1", {}),
    ],
)
def test_database_unavailable(
    broken_client: TestClient, customer: Tenant, path: str, extra: dict[str, str]
) -> None:
    r = broken_client.get(path, params={**creds(customer), **extra})
    assert (r.status_code, r.json()) == (500, DATABASE_DOWN)


def test_database_closed_under_a_running_app(
    client: TestClient, database: Database, customer: Tenant, tmp_path: Path
) -> None:
    """The engine is pointed elsewhere mid-flight (a server gone away) and disposed."""
    app_db: Database = client.app.state.db  # type: ignore[attr-defined]
    app_db.dispose()
    client.app.state.db = Database(f"sqlite:///{tmp_path}/gone/x.db")  # type: ignore[attr-defined]
    r = client.get(CONVERSATIONS, params={**creds(customer), "phoneNumber": NUM})
    assert (r.status_code, r.json()) == (500, DATABASE_DOWN)
