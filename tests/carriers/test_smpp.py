"""The SMPP adapter against a real SMSC on 127.0.0.1 (tests/carriers/smsc.py, smpp.pdu3 codec)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from smpp.pdu.pdu_types import MessageState

from consentry.carriers import Carrier, UnknownCarrierError, get_carrier, register_carrier
from consentry.carriers.base import DeliveryReceipt, InboundMessage, OutboundMessage
from consentry.carriers.smpp import SmppCarrier
from consentry.carriers.smpp.pdu import parse_receipt, parse_udh
from consentry.messaging.segments import gsm7_decode, gsm7_encode, ucs2_decode, ucs2_encode
from tests.carriers.smsc import Bind, Smsc

SENDER = "+15551230001"
RECIPIENT = "+15559870002"


class Inbox:
    """Collects what the adapter hands to its callbacks."""

    def __init__(self) -> None:
        self.receipts: list[DeliveryReceipt] = []
        self.inbound: list[InboundMessage] = []
        self._changed = threading.Condition()

    def on_receipt(self, receipt: DeliveryReceipt) -> None:
        with self._changed:
            self.receipts.append(receipt)
            self._changed.notify_all()

    def on_inbound(self, message: InboundMessage) -> None:
        with self._changed:
            self.inbound.append(message)
            self._changed.notify_all()

    def wait(self, what: str, count: int = 1, timeout: float = 30.0) -> list[Any]:
        items: list[Any] = getattr(self, what)
        with self._changed:
            self._changed.wait_for(lambda: len(items) >= count, timeout)
        return items


@pytest.fixture
def smsc() -> Iterator[Smsc]:
    with Smsc() as server:
        yield server


def _carrier(smsc: Smsc, inbox: Inbox, **settings: Any) -> SmppCarrier:
    config: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": smsc.port,
        "system_id": "consentry",
        "password": "secret",
        "system_type": "cns",
        "reconnect_min": 0.05,
        "reconnect_max": 0.2,
        **settings,
    }
    carrier = SmppCarrier(**config)
    carrier.start(on_receipt=inbox.on_receipt, on_inbound=inbox.on_inbound)
    return carrier


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def carrier(smsc: Smsc, inbox: Inbox) -> Iterator[SmppCarrier]:
    c = _carrier(smsc, inbox)
    assert c.wait_bound(5)
    yield c
    c.close()


def _msg(text: str, message_id: str = "m1") -> OutboundMessage:
    return OutboundMessage(message_id=message_id, source=SENDER, destination=RECIPIENT, text=text)


def test_binds_as_transceiver_with_credentials(smsc: Smsc, carrier: SmppCarrier) -> None:
    assert smsc.binds == [Bind("consentry", "secret", "cns", accepted=True)]
    assert smsc.bound_sessions() == 1


def test_submit_gsm(smsc: Smsc, carrier: SmppCarrier) -> None:
    text = "Hi {name}, your order shipped. Reply STOP to opt out."
    result = carrier.submit(_msg(text))
    assert result.ok and result.message_id == "m1"
    assert result.carrier_message_id == smsc.submits[0].message_id
    sent = smsc.submits[0]
    assert sent.data_coding == 0
    assert sent.esm_class == 0
    assert sent.registered_delivery
    assert (sent.source, sent.destination) == (SENDER[1:], RECIPIENT[1:])
    assert sent.short_message == gsm7_encode(text)


def test_submit_ucs2(smsc: Smsc, carrier: SmppCarrier) -> None:
    text = "Thanks — see you soon 😀"
    assert carrier.submit(_msg(text)).ok
    sent = smsc.submits[0]
    assert sent.data_coding == 8
    assert ucs2_decode(sent.short_message) == text


def test_long_message_goes_as_udh_parts(smsc: Smsc, carrier: SmppCarrier) -> None:
    text = "".join(f"line {i}: all good. " for i in range(20))  # 370 septets: 3 parts
    result = carrier.submit(_msg(text))
    assert result.ok
    assert len(smsc.submits) == 3
    assert result.carrier_message_id == smsc.submits[0].message_id
    body = ""
    refs = set()
    for i, sent in enumerate(smsc.submits, start=1):
        assert sent.esm_class & 0x40
        assert sent.data_coding == 0
        concat, data = parse_udh(sent.short_message)
        assert concat is not None and (concat.total, concat.seq) == (3, i)
        refs.add(concat.ref)
        assert len(data) <= 153
        body += gsm7_decode(data)
    assert len(refs) == 1
    assert body == text


def test_long_message_as_message_payload(smsc: Smsc, inbox: Inbox) -> None:
    carrier = _carrier(smsc, inbox, long_messages="payload")
    try:
        assert carrier.wait_bound(5)
        text = "Ünïcode ✓ " * 20
        assert carrier.submit(_msg(text)).ok
        assert len(smsc.submits) == 1
        sent = smsc.submits[0]
        assert sent.data_coding == 8 and sent.short_message == b""
        assert sent.message_payload == ucs2_encode(text)
    finally:
        carrier.close()


def test_delivery_receipt_text_reaches_handler(
    smsc: Smsc, carrier: SmppCarrier, inbox: Inbox
) -> None:
    result = carrier.submit(_msg("hello"))
    smsc.deliver(
        source=RECIPIENT[1:],
        destination=SENDER[1:],
        receipt=True,
        short_message=(
            f"id:{result.carrier_message_id} sub:001 dlvrd:001 submit date:2501011200 "
            "done date:2501011201 stat:DELIVRD err:000 text:hello"
        ).encode(),
    )
    [receipt] = inbox.wait("receipts")
    assert receipt == DeliveryReceipt(
        carrier_message_id=result.carrier_message_id or "",
        status="delivered",
        error_code="000",
        done_at=datetime(2025, 1, 1, 12, 1, tzinfo=UTC),
    )


def test_delivery_receipt_tlvs_only(smsc: Smsc, carrier: SmppCarrier, inbox: Inbox) -> None:
    smsc.deliver(
        source=RECIPIENT[1:],
        destination=SENDER[1:],
        receipt=True,
        short_message=b"",
        receipted_message_id="abc-123",
        message_state=MessageState.UNDELIVERABLE,
    )
    [receipt] = inbox.wait("receipts")
    assert (receipt.carrier_message_id, receipt.status) == ("abc-123", "undelivered")


def test_receipt_for_a_later_part_maps_to_the_first_id(
    smsc: Smsc, carrier: SmppCarrier, inbox: Inbox
) -> None:
    result = carrier.submit(_msg("x" * 200))
    second = smsc.submits[1].message_id
    smsc.deliver(
        source=RECIPIENT[1:],
        destination=SENDER[1:],
        receipt=True,
        short_message=f"id:{second} stat:EXPIRED err:027".encode(),
    )
    [receipt] = inbox.wait("receipts")
    assert receipt.carrier_message_id == result.carrier_message_id
    assert (receipt.status, receipt.error_code) == ("failed", "027")


def test_inbound_messages_reach_handler(smsc: Smsc, carrier: SmppCarrier, inbox: Inbox) -> None:
    smsc.deliver(source=RECIPIENT[1:], destination=SENDER[1:], short_message=gsm7_encode("STOP"))
    smsc.deliver(
        source=RECIPIENT[1:],
        destination=SENDER[1:],
        short_message=ucs2_encode("¿Cuándo abren? 🙂"),
        data_coding=8,
    )
    first, second = inbox.wait("inbound", 2)
    assert (first.source, first.destination, first.text) == (RECIPIENT, SENDER, "STOP")
    assert second.text == "¿Cuándo abren? 🙂"
    assert inbox.receipts == []
    assert smsc.wait_for(lambda: len(smsc.deliver_resps) == 2)


def test_enquire_link_from_smsc_is_answered(smsc: Smsc, carrier: SmppCarrier) -> None:
    smsc.send_enquire_link()
    assert smsc.wait_for(lambda: smsc.enquire_link_resps == 1)


@pytest.mark.slow
def test_keepalive_enquire_link_is_sent_and_answered(smsc: Smsc, carrier: SmppCarrier) -> None:
    # The session engine sends enquire_link every 30 s; the link must still carry traffic after.
    assert smsc.wait_for(lambda: smsc.enquire_links >= 1, timeout=40)
    assert carrier.submit(_msg("still here")).ok
    assert smsc.connections == 1


def test_reconnects_after_server_drop_and_continues(smsc: Smsc, carrier: SmppCarrier) -> None:
    assert carrier.submit(_msg("before", "m1")).ok
    smsc.drop()
    assert smsc.wait_for(lambda: smsc.connections == 2 and smsc.bound_sessions() == 1)
    result = carrier.submit(_msg("after", "m2"))
    assert result.ok, result
    assert len(smsc.binds) == 2


def test_in_flight_submit_fails_retryably_when_connection_drops(
    smsc: Smsc, carrier: SmppCarrier
) -> None:
    smsc.hold_submits = True
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(carrier.submit(_msg("held"))))
    worker.start()
    assert smsc.wait_for(lambda: len(smsc.submits) == 1)
    started = time.monotonic()
    smsc.drop()
    worker.join(10)
    assert time.monotonic() - started < 5
    [result] = results
    assert not result.ok and not result.permanent
    assert result.error_code == "SMPP_DISCONNECTED"


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [
        (0x0B, "SMPP_0x0000000B", True),  # ESME_RINVDSTADR
        (0x58, "SMPP_0x00000058", False),  # ESME_RTHROTTLED
        (0x14, "SMPP_0x00000014", False),  # ESME_RMSGQFUL
        (0x0401, "SMPP_0x00000401", True),  # vendor-specific
    ],
)
def test_error_status_becomes_failed_result(
    smsc: Smsc, carrier: SmppCarrier, status: int, code: str, permanent: bool
) -> None:
    smsc.statuses = [status]
    result = carrier.submit(_msg("hello"))
    assert (result.ok, result.error_code, result.permanent) == (False, code, permanent)
    assert result.carrier_message_id is None
    assert carrier.submit(_msg("again", "m2")).ok


def test_generic_nack_becomes_failed_result(smsc: Smsc, carrier: SmppCarrier) -> None:
    smsc.nack_next = 0x03
    result = carrier.submit(_msg("hello"))
    assert (result.ok, result.error_code, result.permanent) == (False, "SMPP_0x00000003", True)
    assert carrier.submit(_msg("again", "m2")).ok


def test_window_limits_unacknowledged_submits(smsc: Smsc, inbox: Inbox) -> None:
    # Each answer waits 0.1 s, so 20 pipelined submits would all be outstanding at once
    # without the window.
    smsc.response_delay = 0.1
    carrier = _carrier(smsc, inbox, window=4)
    try:
        assert carrier.wait_bound(5)
        results = carrier.submit_many([_msg(f"n{i}", f"m{i}") for i in range(20)])
        assert [r.message_id for r in results] == [f"m{i}" for i in range(20)]
        assert all(r.ok for r in results)
        assert smsc.max_outstanding == 4
    finally:
        carrier.close()


def test_refused_bind_gives_retryable_not_bound(smsc: Smsc, inbox: Inbox) -> None:
    # smpp34 reports a refused bind only as a bind timeout, hence the short connect_timeout.
    carrier = _carrier(smsc, inbox, password="wrong", bind_wait=0.3, connect_timeout=0.3)
    try:
        result = carrier.submit(_msg("hello"))
        assert (result.ok, result.error_code, result.permanent) == (False, "SMPP_NOT_BOUND", False)
        assert smsc.wait_for(lambda: len(smsc.binds) >= 2)  # it keeps trying with backoff
        assert not any(b.accepted for b in smsc.binds)
    finally:
        carrier.close()


def test_media_is_refused_permanently(carrier: SmppCarrier) -> None:
    msg = OutboundMessage("m1", SENDER, RECIPIENT, "pic", media_urls=("https://x.test/a.jpg",))
    result = carrier.submit(msg)
    assert (result.ok, result.error_code, result.permanent) == (
        False,
        "SMPP_MMS_UNSUPPORTED",
        True,
    )


def test_registry_builds_smpp_and_accepts_registrations(smsc: Smsc) -> None:
    carrier = get_carrier("smpp", host="127.0.0.1", port=smsc.port, system_id="a", password="b")
    assert isinstance(carrier, SmppCarrier) and isinstance(carrier, Carrier)
    with pytest.raises(UnknownCarrierError):
        get_carrier("no-such-carrier")
    register_carrier("smpp-alias", SmppCarrier)
    other = get_carrier("smpp-alias", host="127.0.0.1", system_id="a", password="b")
    assert other.name == "smpp"


@pytest.mark.parametrize(
    ("stat", "status"),
    [
        ("DELIVRD", "delivered"),
        ("UNDELIV", "undelivered"),
        ("EXPIRED", "failed"),
        ("REJECTD", "failed"),
        ("DELETED", "failed"),
        ("UNKNOWN", "failed"),
        ("ENROUTE", None),
        ("ACCEPTD", None),
    ],
)
def test_receipt_states(stat: str, status: str | None) -> None:
    receipt = parse_receipt(
        f"id:7F3A sub:001 dlvrd:000 submit date:2502281159 done date:250228120005 "
        f"stat:{stat} err:0B1 text:Your code is 1234"
    )
    if status is None:
        assert receipt is None
    else:
        assert receipt is not None
        assert (receipt.carrier_message_id, receipt.status, receipt.error_code) == (
            "7F3A",
            status,
            "0B1",
        )
        assert receipt.done_at == datetime(2025, 2, 28, 12, 0, 5, tzinfo=UTC)


def test_receipt_tlv_state_wins_over_text() -> None:
    receipt = parse_receipt("id:1 stat:DELIVRD err:000", receipted_message_id="1", message_state=8)
    assert receipt is not None and receipt.status == "failed"
