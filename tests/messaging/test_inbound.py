"""Inbound messages and keywords through the loopback hook (and SMPP deliver_sm)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.api.app import create_app
from consentry.carriers.smpp import SmppCarrier
from consentry.compliance import Context, Kind, MessageRole, check_text
from consentry.consent.models import OptOut
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.queue import make_huey
from consentry.kit.settings import Environment, Settings
from consentry.messaging.inbound import (
    ORIGIN_HELP,
    ORIGIN_OPT_IN,
    ORIGIN_OPT_OUT,
    default_opt_in_confirmation,
)
from consentry.messaging.models import Direction, Message, MessageStatus
from consentry.worker import Pipeline
from tests.carriers.smsc import Smsc
from tests.messaging.builders import (
    OUR_NUMBER,
    add_number,
    add_program,
    events_of,
    queue_message,
    statuses,
)
from tests.support.builders import Tenant, example_json, make_tenant

S = MessageStatus
HANDSET = "+15125559001"
HOOK = "/api/v1/carriers/loopback/inbound"


def _inbound(
    client: TestClient, tenant: Tenant, text: str, *, frm: str = HANDSET, to: str = OUR_NUMBER
) -> dict:
    r = client.post(HOOK, json={"from": frm, "to": to, "text": text}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _replies(session: Session, origin: str | None = None) -> list[Message]:
    session.expire_all()
    query = select(Message).where(
        Message.direction == Direction.OUTBOUND, Message.origin.is_not(None)
    )
    if origin:
        query = query.where(Message.origin == origin)
    return list(session.scalars(query.order_by(Message.created_at)))


@pytest.fixture
def program(session: Session, customer: Tenant) -> str:
    add_number(session, customer.account.id)
    return add_program(session, customer.account.id).id


def test_inbound_is_stored_on_the_number_owner(
    client: TestClient, session: Session, customer: Tenant, program: str
) -> None:
    body = _inbound(client, customer, "Can I move my appointment?")
    assert body["status"] == "received" and body["direction"] == "inbound"
    assert body["from"] == HANDSET and body["to"] == OUR_NUMBER
    msg = session.get(Message, body["id"])
    assert msg is not None and msg.account_id == customer.account.id
    assert msg.application_id == program and msg.remote_number == HANDSET
    assert _replies(session) == []


def test_stop_opts_out_cancels_waiting_messages_and_confirms_once(
    client: TestClient, session: Session, customer: Tenant, program: str, clock: FrozenClock
) -> None:
    waiting = queue_message(
        session, account_id=customer.account.id, to=HANDSET, now=clock.now(), application_id=program
    )
    sending = queue_message(
        session, account_id=customer.account.id, to=HANDSET, now=clock.now(), application_id=program
    )
    sending.status = S.SENDING
    other = queue_message(
        session,
        account_id=customer.account.id,
        to="+15125559002",
        now=clock.now(),
        application_id=program,
    )
    session.commit()

    _inbound(client, customer, "Stop")
    _inbound(client, customer, "STOP")
    _inbound(client, customer, "unsubscribe")

    confirmations = _replies(session, ORIGIN_OPT_OUT)
    assert len(confirmations) == 1
    confirmation = confirmations[0]
    assert confirmation.text == (
        "Northside PT: You are unsubscribed and will receive no further messages."
    )
    assert confirmation.status is S.QUEUED and confirmation.to_number == HANDSET
    assert confirmation.from_number == OUR_NUMBER
    opt_outs = session.scalars(select(OptOut)).all()
    assert [(o.phone, o.application_id, o.keyword) for o in opt_outs] == [
        (HANDSET, program, "STOP")
    ]
    now = statuses(session, [waiting.id, sending.id, other.id])
    assert now == {waiting.id: S.CANCELED, sending.id: S.SENDING, other.id: S.QUEUED}
    assert events_of(session, waiting.id) == [(S.CANCELED, "RECIPIENT_OPTED_OUT")]


def test_stopall_and_stop_to_a_number_of_no_program_leave_the_whole_account(
    client: TestClient, session: Session, customer: Tenant, clock: FrozenClock
) -> None:
    add_number(session, customer.account.id, "+15125550999")
    queued = queue_message(
        session,
        account_id=customer.account.id,
        to=HANDSET,
        now=clock.now(),
        application_id=None,
        from_="+15125550999",
    )
    _inbound(client, customer, "stop", to="+15125550999")
    opt_out = session.scalars(select(OptOut)).one()
    assert opt_out.application_id is None
    reply = _replies(session, ORIGIN_OPT_OUT)[0]
    assert reply.text.startswith("Northside Physical Therapy: You are unsubscribed")
    assert statuses(session, [queued.id])[queued.id] is S.CANCELED


def test_help_answers_with_the_campaign_help_message(
    client: TestClient, session: Session, customer: Tenant, program: str
) -> None:
    _inbound(client, customer, "help")
    _inbound(client, customer, "INFO")
    replies = _replies(session, ORIGIN_HELP)
    assert len(replies) == 2
    assert replies[0].text.startswith("Northside PT: For help call 512-555-0100")
    assert replies[0].application_id == program


def test_start_after_stop_opts_back_in_and_confirms(
    client: TestClient, session: Session, customer: Tenant, program: str
) -> None:
    _inbound(client, customer, "START")  # never opted out: nothing to confirm
    assert _replies(session, ORIGIN_OPT_IN) == []
    _inbound(client, customer, "STOP")
    _inbound(client, customer, "unstop")
    confirmation = _replies(session, ORIGIN_OPT_IN)
    assert len(confirmation) == 1
    assert confirmation[0].text.startswith("Northside PT: You're subscribed")
    assert all(o.ended_at is not None for o in session.scalars(select(OptOut)))
    # Opted back in, a new STOP is a new opt-out with its own confirmation.
    _inbound(client, customer, "STOP")
    assert len(_replies(session, ORIGIN_OPT_OUT)) == 2


def test_unknown_destination_is_a_clear_404(client: TestClient, customer: Tenant) -> None:
    r = client.post(
        HOOK, json={"from": HANDSET, "to": "+15125550000", "text": "hi"}, headers=customer.headers
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "NUMBER_UNKNOWN"


def test_a_customer_cannot_deliver_to_another_tenants_number(
    client: TestClient, session: Session, customer: Tenant, program: str
) -> None:
    other = make_tenant(session, name="Elsewhere Dental")
    r = client.post(
        HOOK, json={"from": HANDSET, "to": OUR_NUMBER, "text": "hi"}, headers=other.headers
    )
    assert r.status_code == 404


def test_in_production_only_admin_keys_may_use_the_hook(
    settings: Settings,
    clock: FrozenClock,
    database: Database,
    session: Session,
    customer: Tenant,
    program: str,
) -> None:
    prod = settings.model_copy(update={"environment": Environment.PROD})
    admin = make_tenant(session, name="Provider Ops", role=Role.ADMIN)
    with TestClient(create_app(prod, clock, database), raise_server_exceptions=False) as c:
        body = {"from": HANDSET, "to": OUR_NUMBER, "text": "hi"}
        refused = c.post(HOOK, json=body, headers=customer.headers)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "LOOPBACK_HOOK_DISABLED"
        assert c.post(HOOK, json=body, headers=admin.headers).status_code == 201


@pytest.fixture
def smsc() -> Iterator[Smsc]:
    with Smsc() as server:
        yield server


def test_smpp_deliver_sm_reaches_the_same_inbound_handling(
    smsc: Smsc,
    database: Database,
    settings: Settings,
    session: Session,
    customer: Tenant,
    program: str,
    tmp_path: object,
) -> None:
    carrier = SmppCarrier(
        host="127.0.0.1",
        port=smsc.port,
        system_id="consentry",
        password="secret",
        reconnect_min=0.05,
    )
    pipeline = Pipeline(settings, database=database, huey=make_huey("memory:"), carrier=carrier)
    _ = pipeline.dispatcher  # starts the carrier with the pipeline's handlers
    try:
        assert carrier.wait_bound(5)
        smsc.deliver(source=HANDSET, destination=OUR_NUMBER, short_message=b"STOP")

        def stored() -> bool:
            session.expire_all()
            return session.scalars(select(OptOut)).first() is not None

        assert smsc.wait_for(stored, 5)
        inbound = session.scalars(
            select(Message).where(Message.direction == Direction.INBOUND)
        ).one()
        assert inbound.carrier == "smpp" and inbound.text == "STOP"
        assert len(_replies(session, ORIGIN_OPT_OUT)) == 1
    finally:
        pipeline.stop()


def _opt_in_without_confirmation() -> dict[str, Any]:
    opt_in = dict(example_json()["campaign"]["opt_in"])
    del opt_in["confirmation_message"]
    return opt_in


def _passes_as_confirmation(text: str, brand: str) -> None:
    report = check_text(
        Kind.SAMPLE_MESSAGE,
        text,
        Context(company=brand, message_role=MessageRole.OPT_IN_CONFIRMATION),
    )
    assert report.passed, [f.message for f in report.findings]
    assert "KW-CONFIRMATION" not in report.rules()


@pytest.mark.parametrize(
    ("campaign", "website", "expected"),
    [
        # Complete: the generated documents' confirmation.
        (
            {},
            "https://northsidept.com",
            "Northside Physical Therapy: You're subscribed to customer care messages. "
            "Up to 4 msgs/mo. Msg & data rates may apply. Reply HELP for help, STOP to cancel.",
        ),
        # No documents can be generated (no website): built from the program and frequency.
        (
            {"message_frequency": "Weekly"},
            None,
            "Northside Physical Therapy: You're subscribed to customer care messages. "
            "Weekly msgs. Msg & data rates may apply. Reply HELP for help, STOP to cancel.",
        ),
        # Neither use case nor frequency known.
        (
            {"use_case": None, "message_frequency": None},
            None,
            "Northside Physical Therapy: You're subscribed to text messages. Msg frequency "
            "varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.",
        ),
    ],
)
def test_opt_in_without_a_campaign_confirmation_gets_a_compliant_one(
    client: TestClient,
    session: Session,
    customer: Tenant,
    campaign: dict[str, Any],
    website: str | None,
    expected: str,
) -> None:
    add_number(session, customer.account.id)
    row = add_program(
        session, customer.account.id, opt_in=_opt_in_without_confirmation(), **campaign
    )
    row.business = {**row.business, "website": website}
    session.commit()
    _inbound(client, customer, "STOP")
    _inbound(client, customer, "START")
    [confirmation] = _replies(session, ORIGIN_OPT_IN)
    assert confirmation.text == expected
    _passes_as_confirmation(confirmation.text, "Northside Physical Therapy")


def test_default_confirmation_without_any_program_passes_the_checker() -> None:
    _passes_as_confirmation(default_opt_in_confirmation("Acme Dental"), "Acme Dental")
