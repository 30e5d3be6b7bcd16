"""The message log: every filter, full text on both databases, keyset pages, number statistics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.kit.errors import Invalid
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.messaging.search import MessageFilters, search_messages
from tests.support.builders import Tenant, make_tenant
from tests.support.messages import T0, add_message, add_number, bulk_insert, message_values

NUM = "+13125550100"
NUM2 = "+13125550101"
ALICE = "+17735550111"
BOB = "+17735550122"


def ids(session: Session, tenant: Tenant, **filters: Any) -> list[str]:
    page = search_messages(
        session,
        account_ids=[tenant.account.id],
        filters=MessageFilters.model_validate(filters),
        limit=200,
    )
    return [m.id for m in page.items]


@pytest.fixture
def log(session: Session, customer: Tenant) -> dict[str, Message]:
    """A small log: one message per line, distinct on every filterable column."""
    acc = customer.account
    rows = {
        "a": add_message(session, acc, number=NUM, remote=ALICE, at=T0,
                         text="Your appointment is confirmed for Monday"),
        "b": add_message(session, acc, number=NUM, remote=ALICE, at=T0 + timedelta(hours=1),
                         direction=Direction.INBOUND, text="Can I reschedule my appointment?"),
        "c": add_message(session, acc, number=NUM, remote=BOB, at=T0 + timedelta(hours=2),
                         status=MessageStatus.FAILED, error_code="30007",
                         text="Reminder: physical therapy tomorrow"),
        "d": add_message(session, acc, number=NUM2, remote=BOB, at=T0 + timedelta(days=1),
                         status=MessageStatus.UNDELIVERED, error_code="30003",
                         text="Café hours changed: we're open late"),
        "e": add_message(session, acc, number=NUM2, remote=ALICE, at=T0 + timedelta(days=2),
                         status=MessageStatus.QUEUED, text="Rescheduling is easy, reply YES"),
    }  # fmt: skip
    session.commit()
    return rows


def test_no_filter_is_everything_newest_first(
    session: Session, customer: Tenant, log: dict[str, Message]
) -> None:
    assert ids(session, customer) == [log[k].id for k in "edcba"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"number": NUM}, "cba"),
        ({"number": "3125550101"}, "ed"),  # 10-digit form of a US number
        ({"remote": ALICE}, "eba"),
        ({"remote": "17735550122"}, "dc"),  # 11-digit form
        ({"direction": "inbound"}, "b"),
        ({"direction": "outbound"}, "edca"),
        ({"status": ["failed", "undelivered"]}, "dc"),
        ({"status": "failed,queued"}, "ec"),
        ({"error_code": "30003"}, "d"),
        ({"from": "2026-01-06T00:00:00Z"}, "ed"),
        ({"to": "2026-01-05T16:00:00+00:00"}, "a"),  # exclusive upper bound
        ({"from": "2026-01-05T16:00:00", "to": "2026-01-06"}, "cb"),  # no zone = UTC
        ({"number": NUM, "remote": BOB, "status": ["failed"]}, "c"),
        ({"q": "appointment"}, "ba"),
        ({"q": "APPOINTMENTS"}, "ba"),  # case and stemming
        ({"q": "reschedul*"}, "eb"),  # prefix
        ({"q": "appointment reschedule"}, "b"),  # every word
        ({"q": "café"}, "d"),
        ({"q": '"physical" -(therap*'}, "c"),  # quotes, minus, brackets are not syntax
        ({"q": "dentist"}, ""),
        ({"q": "!!!"}, "edcba"),  # no word at all: no text filter
        ({"q": "appointment", "direction": "outbound"}, "a"),
    ],
)
def test_each_filter(
    session: Session,
    customer: Tenant,
    log: dict[str, Message],
    filters: dict[str, Any],
    expected: str,
) -> None:
    assert ids(session, customer, **filters) == [log[k].id for k in expected]


def test_sqlite_search_folds_accents(
    session: Session, customer: Tenant, log: dict[str, Message]
) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's english configuration keeps accents")
    assert ids(session, customer, q="cafe") == [log["d"].id]


def test_filters_refuse_unknown_values() -> None:
    for bad in ({"direction": "sideways"}, {"status": ["lost"]}, {"colour": "red"}):
        with pytest.raises(ValidationError):
            MessageFilters.model_validate(bad)


def test_other_tenants_messages_never_match(
    session: Session, customer: Tenant, other_customer: Tenant, log: dict[str, Message]
) -> None:
    add_message(session, other_customer.account, number=NUM, remote=ALICE, text="appointment")
    session.commit()
    assert ids(session, other_customer, q="appointment") != []
    assert ids(session, customer, q="appointment") == [log["b"].id, log["a"].id]
    assert ids(session, other_customer, number=NUM, remote=BOB) == []


def test_full_text_follows_bulk_inserts_updates_and_deletes(
    session: Session, customer: Tenant
) -> None:
    acc = customer.account
    rows = [
        message_values(acc, number=NUM, remote=ALICE, text=f"parcel {i} is on its way")
        for i in range(40)
    ]
    rows.append(message_values(acc, number=NUM, remote=ALICE, text="the invoice is attached"))
    bulk_insert(session, rows)
    session.commit()
    assert len(ids(session, customer, q="parcel")) == 40
    assert ids(session, customer, q="invoice") == [rows[-1]["id"]]
    # Text edited: the old words stop matching, the new ones start.
    session.execute(
        update(Message).where(Message.id == rows[-1]["id"]).values(text="receipt enclosed")
    )
    session.commit()
    assert ids(session, customer, q="invoice") == []
    assert ids(session, customer, q="receipt") == [rows[-1]["id"]]
    session.execute(delete(Message).where(Message.id.in_([r["id"] for r in rows[:10]])))
    session.commit()
    assert len(ids(session, customer, q="parcel")) == 30


def test_keyset_pages_walk_everything_once_even_with_equal_timestamps(
    session: Session, customer: Tenant
) -> None:
    acc = customer.account
    rows = [message_values(acc, number=NUM, remote=ALICE, at=T0 + timedelta(minutes=i // 3))
            for i in range(25)]  # fmt: skip
    bulk_insert(session, rows)
    session.commit()
    seen: list[str] = []
    cursor = None
    filters = MessageFilters(number=NUM)
    while True:
        page = search_messages(
            session, account_ids=[acc.id], filters=filters, cursor=cursor, limit=4
        )
        assert len(page.items) <= 4
        seen.extend(m.id for m in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)
    assert seen == [r["id"] for r in expected]


def test_bad_cursor_and_limit(session: Session, customer: Tenant) -> None:
    with pytest.raises(Invalid) as exc:
        search_messages(
            session, account_ids=[customer.account.id], filters=MessageFilters(), cursor="%%%"
        )
    assert exc.value.code == "INVALID_CURSOR"
    with pytest.raises(Invalid) as exc:
        search_messages(
            session, account_ids=[customer.account.id], filters=MessageFilters(), limit=0
        )
    assert exc.value.code == "INVALID_LIMIT"


# --- HTTP -----------------------------------------------------------------------------------


def test_logs_endpoint_filters_pages_and_shapes(
    client: TestClient, customer: Tenant, log: dict[str, Message]
) -> None:
    r = client.get(
        "/api/v1/logs?status=failed&status=undelivered&limit=1", headers=customer.headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["id"] for m in body["items"]] == [log["d"].id]
    item = body["items"][0]
    assert set(item) == {
        "id", "direction", "from", "to", "text", "media", "status", "segments", "encoding",
        "error_code", "created_at", "updated_at",
    }  # fmt: skip
    assert item["from"] == NUM2 and item["to"] == BOB and item["error_code"] == "30003"
    r = client.get(
        "/api/v1/logs",
        params={"status": "failed,undelivered", "cursor": body["next_cursor"]},
        headers=customer.headers,
    )
    assert [m["id"] for m in r.json()["items"]] == [log["c"].id]
    assert r.json()["next_cursor"] is None
    r = client.get(
        "/api/v1/logs", params={"q": "appointment", "remote": ALICE}, headers=customer.headers
    )
    assert [m["id"] for m in r.json()["items"]] == [log["b"].id, log["a"].id]


def test_logs_endpoint_refuses_bad_filters(client: TestClient, customer: Tenant) -> None:
    for params in ({"direction": "up"}, {"from": "yesterday"}, {"status": "lost"}):
        r = client.get("/api/v1/logs", params=params, headers=customer.headers)
        assert r.status_code == 422, params
        assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert client.get("/api/v1/logs").status_code == 401


def test_logs_are_tenant_scoped(
    client: TestClient, other_customer: Tenant, log: dict[str, Message]
) -> None:
    r = client.get("/api/v1/logs", headers=other_customer.headers)
    assert r.status_code == 200
    assert r.json()["items"] == []


def test_number_stats(
    client: TestClient, session: Session, customer: Tenant, other_customer: Tenant
) -> None:
    acc = customer.account
    add_number(session, acc, NUM)
    for status, code in [
        (MessageStatus.DELIVERED, None),
        (MessageStatus.DELIVERED, None),
        (MessageStatus.DELIVERED, None),
        (MessageStatus.UNDELIVERED, "30003"),
        (MessageStatus.FAILED, "30007"),
        (MessageStatus.FAILED, "30007"),
        (MessageStatus.QUEUED, None),
    ]:
        add_message(session, acc, number=NUM, remote=ALICE, status=status, error_code=code)
    add_message(session, acc, number=NUM, remote=BOB, direction=Direction.INBOUND)
    add_message(session, acc, number=NUM, remote=BOB, at=T0 + timedelta(days=30))
    add_message(session, acc, number=NUM2, remote=BOB, status=MessageStatus.FAILED)
    session.commit()
    r = client.get(
        f"/api/v1/numbers/{NUM}/stats",
        params={"from": "2026-01-01", "to": "2026-01-20"},
        headers=customer.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["number"] == NUM and body["total"] == 8
    assert body["by_direction"] == {"outbound": 7, "inbound": 1}
    assert body["by_status"] == {
        "delivered": 3, "undelivered": 1, "failed": 2, "queued": 1, "received": 1,
    }  # fmt: skip
    assert body["delivery_rate"] == 0.5
    assert body["top_error_codes"] == [
        {"code": "30007", "count": 2},
        {"code": "30003", "count": 1},
    ]
    assert body["from"].startswith("2026-01-01T00:00:00")
    whole = client.get("/api/v1/numbers/3125550100/stats", headers=customer.headers).json()
    assert whole["total"] == 9 and whole["by_status"]["delivered"] == 4
    r = client.get(f"/api/v1/numbers/{NUM}/stats", headers=other_customer.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NUMBER_NOT_FOUND"


def test_stats_of_a_quiet_number_have_no_rate(
    client: TestClient, session: Session, customer: Tenant
) -> None:
    add_number(session, customer.account, NUM)
    session.commit()
    body = client.get(f"/api/v1/numbers/{NUM}/stats", headers=customer.headers).json()
    assert body["total"] == 0 and body["delivery_rate"] is None and body["top_error_codes"] == []


def test_a_reseller_searches_its_customers_logs(
    client: TestClient, session: Session, customer: Tenant
) -> None:
    reseller = make_tenant(session, name="Carolina Resold", role=Role.RESELLER)
    first = make_tenant(session, name="Clinic One", parent=reseller.account)
    second = make_tenant(session, name="Clinic Two", parent=reseller.account)
    m1 = add_message(session, first.account, number=NUM, remote=ALICE, text="lab results ready")
    m2 = add_message(session, second.account, number=NUM2, remote=BOB, text="Lab results soon")
    add_message(session, customer.account, number=NUM, remote=ALICE, text="lab results too")
    session.commit()
    r = client.get("/api/v1/logs", params={"q": "lab result"}, headers=reseller.headers)
    assert [m["id"] for m in r.json()["items"]] == [m2.id, m1.id]
    r = client.get("/api/v1/logs", params={"q": "lab result"}, headers=first.headers)
    assert [m["id"] for m in r.json()["items"]] == [m1.id]
