"""Conversations: kept by database triggers whatever writes the messages; the /api/v1 endpoints."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from consentry.messaging.log_models import Conversation
from consentry.messaging.models import Direction, Message
from tests.support.builders import Tenant
from tests.support.messages import T0, add_message, add_number, bulk_insert, message_values

NUM = "+13125550100"
NUM2 = "+13125550101"
ALICE = "+17735550111"
BOB = "+17735550122"


def truth(session: Session) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Conversations recomputed from the messages themselves."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for m in session.scalars(select(Message).execution_options(populate_existing=True)):
        key = (m.account_id, m.account_number, m.remote_number)
        c = out.setdefault(key, {"count": 0, "unread": 0, "last": (m.created_at, m.id)})
        c["count"] += 1
        c["unread"] += int(m.direction is Direction.INBOUND and m.read_at is None)
        c["last"] = max(c["last"], (m.created_at, m.id))
    return out


def stored(session: Session) -> dict[tuple[str, str, str], dict[str, Any]]:
    rows = session.scalars(select(Conversation).execution_options(populate_existing=True))
    return {
        (c.account_id, c.account_number, c.remote_number): {
            "count": c.message_count,
            "unread": c.unread_count,
            "last": (c.last_message_at, c.last_message_id),
        }
        for c in rows
    }


def test_orm_inserts_make_one_conversation_per_pair(session: Session, customer: Tenant) -> None:
    acc = customer.account
    add_message(session, acc, number=NUM, remote=ALICE)
    add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND)
    last = add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND)
    add_message(session, acc, number=NUM, remote=BOB)
    add_message(session, acc, number=NUM2, remote=ALICE, direction=Direction.INBOUND)
    session.commit()
    convs = stored(session)
    assert len(convs) == 3
    alice = convs[(acc.id, NUM, ALICE)]
    assert alice == {"count": 3, "unread": 2, "last": (last.created_at, last.id)}
    assert convs[(acc.id, NUM, BOB)]["unread"] == 0
    assert convs == truth(session)


def test_bulk_insert_out_of_order_keeps_counters_right(session: Session, customer: Tenant) -> None:
    acc = customer.account
    rng = random.Random(7)
    remotes = [f"+1773555{1000 + i:04d}" for i in range(6)]
    rows = []
    for _ in range(300):
        direction = rng.choice([Direction.INBOUND, Direction.OUTBOUND])
        at = T0 + timedelta(minutes=rng.randrange(10_000))
        read = at if rng.random() < 0.3 else None
        rows.append(
            message_values(
                acc,
                number=rng.choice([NUM, NUM2]),
                remote=rng.choice(remotes),
                direction=direction,
                at=at,
                read_at=read,
            )
        )
    rng.shuffle(rows)
    bulk_insert(session, rows[:150])
    session.commit()
    bulk_insert(session, rows[150:])
    session.commit()
    assert stored(session) == truth(session)
    assert sum(c["count"] for c in stored(session).values()) == 300


def test_an_older_message_does_not_become_the_last(session: Session, customer: Tenant) -> None:
    acc = customer.account
    newest = add_message(session, acc, number=NUM, remote=ALICE, at=T0 + timedelta(hours=1))
    add_message(session, acc, number=NUM, remote=ALICE, at=T0)
    session.commit()
    conv = stored(session)[(acc.id, NUM, ALICE)]
    assert conv["last"] == (newest.created_at, newest.id)
    assert conv["count"] == 2


def test_reading_and_unreading_through_the_orm_moves_unread(
    session: Session, customer: Tenant
) -> None:
    acc = customer.account
    m1 = add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND)
    add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND)
    session.commit()
    assert stored(session)[(acc.id, NUM, ALICE)]["unread"] == 2
    m1.read_at = T0
    session.commit()
    assert stored(session)[(acc.id, NUM, ALICE)]["unread"] == 1
    m1.read_at = None
    session.commit()
    assert stored(session)[(acc.id, NUM, ALICE)]["unread"] == 2
    # An update that does not touch read_at leaves the counter alone.
    session.execute(update(Message).values(status="received"))
    session.commit()
    assert stored(session) == truth(session)


def test_deletes_move_the_last_message_back_and_drop_empty_threads(
    session: Session, customer: Tenant
) -> None:
    acc = customer.account
    first = add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND)
    last = add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND)
    add_message(session, acc, number=NUM, remote=BOB)
    session.commit()
    session.execute(delete(Message).where(Message.id == last.id))
    session.commit()
    alice = stored(session)[(acc.id, NUM, ALICE)]
    assert alice == {"count": 1, "unread": 1, "last": (first.created_at, first.id)}
    session.execute(delete(Message).where(Message.remote_number == ALICE))
    session.commit()
    assert (acc.id, NUM, ALICE) not in stored(session)
    assert stored(session) == truth(session)


def test_same_pair_in_two_accounts_are_two_conversations(
    session: Session, customer: Tenant, other_customer: Tenant
) -> None:
    add_message(session, customer.account, number=NUM, remote=ALICE)
    add_message(session, other_customer.account, number=NUM, remote=ALICE)
    session.commit()
    assert len(stored(session)) == 2


# --- HTTP -----------------------------------------------------------------------------------


def _thread(session: Session, tenant: Tenant, number: str, remotes: list[str]) -> None:
    for i, remote in enumerate(remotes):
        add_message(
            session,
            tenant.account,
            number=number,
            remote=remote,
            direction=Direction.INBOUND,
            at=T0 + timedelta(minutes=i),
        )


def test_list_conversations_newest_first_with_cursor(
    client: TestClient, session: Session, customer: Tenant
) -> None:
    add_number(session, customer.account, NUM)
    remotes = [f"+1773555{2000 + i:04d}" for i in range(7)]
    _thread(session, customer, NUM, remotes)
    session.commit()
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"number": NUM, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        r = client.get("/api/v1/conversations", params=params, headers=customer.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        seen.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [c["remote_number"] for c in seen] == list(reversed(remotes))
    first = seen[0]
    assert set(first) == {
        "id",
        "number",
        "remote_number",
        "last_message_at",
        "unread",
        "message_count",
    }
    assert first["number"] == NUM and first["unread"] == 1 and first["message_count"] == 1


def test_conversations_accept_a_ten_digit_number(
    client: TestClient, session: Session, customer: Tenant
) -> None:
    add_number(session, customer.account, NUM)
    _thread(session, customer, NUM, [ALICE])
    session.commit()
    r = client.get("/api/v1/conversations?number=3125550100", headers=customer.headers)
    assert r.status_code == 200
    assert len(r.json()["items"]) == 1


def test_conversations_of_a_foreign_or_unknown_number_are_404(
    client: TestClient, session: Session, customer: Tenant, other_customer: Tenant
) -> None:
    add_number(session, other_customer.account, NUM2)
    _thread(session, other_customer, NUM2, [ALICE])
    session.commit()
    for number in (NUM2, "+13125559999"):
        r = client.get("/api/v1/conversations", params={"number": number}, headers=customer.headers)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "NUMBER_NOT_FOUND"


def test_conversation_messages_and_mark_read(
    client: TestClient, session: Session, customer: Tenant, other_customer: Tenant, clock: Any
) -> None:
    add_number(session, customer.account, NUM)
    acc = customer.account
    for i in range(5):
        add_message(
            session,
            acc,
            number=NUM,
            remote=ALICE,
            direction=Direction.INBOUND if i % 2 == 0 else Direction.OUTBOUND,
            at=T0 + timedelta(minutes=i),
            text=f"message {i}",
        )
    session.commit()
    conv = session.scalar(select(Conversation))
    assert conv is not None and conv.unread_count == 3
    url = f"/api/v1/conversations/{conv.id}"

    r = client.get(f"{url}/messages?limit=2", headers=customer.headers)
    assert r.status_code == 200
    page1 = r.json()
    assert [m["text"] for m in page1["items"]] == ["message 4", "message 3"]
    r = client.get(
        f"{url}/messages", params={"cursor": page1["next_cursor"]}, headers=customer.headers
    )
    assert [m["text"] for m in r.json()["items"]] == ["message 2", "message 1", "message 0"]
    assert r.json()["next_cursor"] is None

    # Another tenant cannot read it nor mark it read.
    assert client.get(f"{url}/messages", headers=other_customer.headers).status_code == 404
    assert client.post(f"{url}/read", headers=other_customer.headers).status_code == 404
    missing = client.get("/api/v1/conversations/999999/messages", headers=customer.headers)
    assert missing.status_code == 404

    r = client.post(f"{url}/read", headers=customer.headers)
    assert r.status_code == 200, r.text
    assert r.json()["unread"] == 0 and r.json()["message_count"] == 5
    read_at = session.scalars(
        select(Message.read_at)
        .where(Message.direction == Direction.INBOUND)
        .execution_options(populate_existing=True)
    ).all()
    assert read_at == [clock.now()] * 3
    outbound = session.scalars(
        select(Message.read_at).where(Message.direction == Direction.OUTBOUND)
    ).all()
    assert outbound == [None, None]
    # A new inbound message after reading is unread again.
    add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND)
    session.commit()
    r = client.get("/api/v1/conversations", params={"number": NUM}, headers=customer.headers)
    assert r.json()["items"][0]["unread"] == 1


def test_a_damaged_cursor_is_refused(
    client: TestClient, session: Session, customer: Tenant
) -> None:
    add_number(session, customer.account, NUM)
    session.commit()
    r = client.get(
        "/api/v1/conversations", params={"number": NUM, "cursor": "nope"}, headers=customer.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "INVALID_CURSOR"
