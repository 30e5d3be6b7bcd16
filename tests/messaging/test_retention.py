"""Retention: messages older than the account's setting are purged; conversations stay right."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.kit.errors import Invalid
from consentry.messaging.log_models import AccountSettings, Conversation
from consentry.messaging.models import Direction, Message, MessageEvent, MessageStatus
from consentry.messaging.retention import purge_expired_messages, set_retention_days
from consentry.messaging.search import MessageFilters, search_messages
from tests.support.builders import Tenant
from tests.support.messages import T0, add_message, bulk_insert, message_values

NUM = "+13125550100"
ALICE = "+17735550111"
BOB = "+17735550122"
NOW = T0 + timedelta(days=100)


def count(session: Session, account_id: str) -> int:
    stmt = select(func.count()).select_from(Message).where(Message.account_id == account_id)
    return session.scalar(stmt) or 0


def test_no_setting_keeps_everything(session: Session, customer: Tenant) -> None:
    add_message(session, customer.account, number=NUM, remote=ALICE, at=T0)
    session.commit()
    assert purge_expired_messages(session, NOW) == 0
    set_retention_days(session, account_id=customer.account.id, days=None)
    assert purge_expired_messages(session, NOW) == 0
    assert count(session, customer.account.id) == 1


def test_purge_deletes_only_expired_messages_of_accounts_with_retention(
    session: Session, customer: Tenant, other_customer: Tenant
) -> None:
    acc = customer.account
    old_alice = add_message(session, acc, number=NUM, remote=ALICE, at=NOW - timedelta(days=31),
                            direction=Direction.INBOUND)  # fmt: skip
    keep_alice = add_message(session, acc, number=NUM, remote=ALICE,
                             at=NOW - timedelta(days=29), direction=Direction.INBOUND)  # fmt: skip
    bulk_insert(session, [
        message_values(acc, number=NUM, remote=BOB, at=NOW - timedelta(days=40 + i),
                       text="expired appointment note")
        for i in range(5)
    ])  # fmt: skip
    session.add(MessageEvent(message_id=old_alice.id, at=old_alice.created_at,
                             status=MessageStatus.RECEIVED))  # fmt: skip
    add_message(session, other_customer.account, number=NUM, remote=ALICE, at=T0)
    set_retention_days(session, account_id=acc.id, days=30)
    session.commit()

    assert purge_expired_messages(session, NOW) == 6
    session.commit()
    assert count(session, acc.id) == 1
    assert count(session, other_customer.account.id) == 1  # no retention set there
    assert session.scalar(select(func.count()).select_from(MessageEvent)) == 0

    convs = {
        c.remote_number: c
        for c in session.scalars(
            select(Conversation)
            .where(Conversation.account_id == acc.id)
            .execution_options(populate_existing=True)
        )
    }
    assert set(convs) == {ALICE}  # Bob's thread had only expired messages
    alice = convs[ALICE]
    assert (alice.message_count, alice.unread_count) == (1, 1)
    assert (alice.last_message_at, alice.last_message_id) == (
        keep_alice.created_at,
        keep_alice.id,
    )
    # The full-text index lost the purged bodies too.
    page = search_messages(session, account_ids=[acc.id], filters=MessageFilters(q="expired"))
    assert page.items == []
    # Running again finds nothing more.
    assert purge_expired_messages(session, NOW) == 0


def test_each_account_uses_its_own_retention(
    session: Session, customer: Tenant, other_customer: Tenant
) -> None:
    for tenant, days in ((customer, 7), (other_customer, 60)):
        for age in (3, 10, 45, 90):
            add_message(session, tenant.account, number=NUM, remote=ALICE,
                        at=NOW - timedelta(days=age))  # fmt: skip
        set_retention_days(session, account_id=tenant.account.id, days=days)
    session.commit()
    assert purge_expired_messages(session, NOW) == 3 + 1
    session.commit()
    assert count(session, customer.account.id) == 1
    assert count(session, other_customer.account.id) == 3
    threads = session.scalars(
        select(Conversation.message_count)
        .order_by(Conversation.message_count)
        .execution_options(populate_existing=True)
    ).all()
    assert threads == [1, 3]


def test_retention_setting_bounds(session: Session, customer: Tenant) -> None:
    for bad in (0, -1, 100_000):
        with pytest.raises(Invalid):
            set_retention_days(session, account_id=customer.account.id, days=bad)
    row = set_retention_days(session, account_id=customer.account.id, days=90)
    assert row.retention_days == 90
    set_retention_days(session, account_id=customer.account.id, days=None)
    session.commit()
    stored = session.get(AccountSettings, customer.account.id)
    assert stored is not None and stored.retention_days is None
