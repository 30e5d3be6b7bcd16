"""A small SMPP 3.4 SMSC for tests and benchmarks, built on the smpp.pdu3 codec.

It is a real peer over TCP on 127.0.0.1 and shares no code with the adapter under test (the
adapter uses smpp34's Rust codec and session engine). It runs its own asyncio loop in a thread so
synchronous tests can drive it, and it records what it saw: binds, submits, enquire_links, the
largest number of submit_sm it held unanswered at once.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import struct
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from smpp.pdu import operations as op
from smpp.pdu.pdu_encoding import DataCodingEncoder, EsmClassEncoder, PDUEncoder
from smpp.pdu.pdu_types import (
    AddrNpi,
    AddrTon,
    CommandId,
    CommandStatus,
    DataCoding,
    DataCodingDefault,
    DataCodingScheme,
    EsmClass,
    EsmClassMode,
    EsmClassType,
    MessageState,
    PriorityFlag,
    RegisteredDelivery,
    RegisteredDeliveryReceipt,
    ReplaceIfPresentFlag,
)

__all__ = ["Bind", "Smsc", "Submitted"]

_HEADER = struct.Struct(">IIII")
_ENQUIRE_LINK_RESP = 0x80000015
_SUBMIT_SM_RESP = 0x80000004
_GENERIC_NACK = 0x80000000


@dataclass(frozen=True)
class Bind:
    """One bind request the SMSC received."""

    system_id: str
    password: str
    system_type: str
    accepted: bool


@dataclass(frozen=True)
class Submitted:
    """One submit_sm the SMSC received, with the fields tests look at."""

    seq: int
    source: str
    destination: str
    data_coding: int
    esm_class: int
    registered_delivery: bool
    short_message: bytes
    message_payload: bytes | None
    message_id: str | None
    status: int

    @property
    def body(self) -> bytes:
        """The user data: short_message, or the message_payload TLV when that carries it."""
        return self.message_payload if self.message_payload is not None else self.short_message


@dataclass
class _Session:
    writer: asyncio.StreamWriter
    bound: bool = False
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class Smsc:
    """A scriptable SMSC: start(), drive it from the test thread, stop()."""

    def __init__(
        self,
        *,
        system_id: str = "consentry",
        password: str = "secret",
        response_delay: float = 0.0,
    ) -> None:
        self.system_id = system_id
        self.password = password
        # Seconds to hold each submit_sm before answering, so a client can fill its window.
        self.response_delay = response_delay
        # When set, submit_sm is never answered (a stalled SMSC).
        self.hold_submits = False
        # Status for the next submit_sm responses (pop from the front); ESME_ROK when empty.
        self.statuses: list[int] = []
        # When set, the next submit_sm is answered with generic_nack carrying this status.
        self.nack_next: int | None = None
        self.binds: list[Bind] = []
        self.submits: list[Submitted] = []
        self.deliver_resps: list[int] = []
        self.enquire_links = 0
        self.enquire_link_resps = 0
        self.outstanding = 0
        self.max_outstanding = 0
        self.connections = 0
        self._ids = itertools.count(1)
        self._sessions: list[_Session] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> Smsc:
        """Listen on 127.0.0.1 on a free port."""
        self._thread.start()
        self._call(self._start()).result(5)
        return self

    def stop(self) -> None:
        """Close every session and the listener, then end the loop thread."""
        self._call(self._stop()).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> Smsc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- controls for tests ----------------------------------------------------------------

    def drop(self) -> None:
        """Cut every TCP connection without an unbind, as a crashed SMSC or a network fault."""
        self._call(self._drop()).result(5)

    def deliver(
        self,
        *,
        source: str,
        destination: str,
        short_message: bytes,
        receipt: bool = False,
        data_coding: int = 0,
        receipted_message_id: str | None = None,
        message_state: MessageState | None = None,
    ) -> None:
        """Send a deliver_sm (an inbound message, or a delivery receipt) to every bound session."""
        self._call(
            self._deliver(
                source,
                destination,
                short_message,
                receipt,
                data_coding,
                receipted_message_id,
                message_state,
            )
        ).result(5)

    def send_enquire_link(self) -> None:
        """Send an enquire_link to every bound session (the ESME must answer it)."""
        self._call(self._enquire_link()).result(5)

    def bound_sessions(self) -> int:
        """How many sessions are bound now."""
        return sum(1 for s in self._sessions if s.bound)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll predicate until it holds or timeout passes."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()

    # ---- loop side -------------------------------------------------------------------------

    def _call(self, coro: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        await self._drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _drop(self) -> None:
        for s in list(self._sessions):
            s.writer.transport.abort()
        self._sessions.clear()
        self.outstanding = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = _Session(writer)
        self._sessions.append(session)
        self.connections += 1
        try:
            while True:
                head = await reader.readexactly(4)
                (length,) = struct.unpack(">I", head)
                body = await reader.readexactly(length - 4)
                await self._handle(session, head + body)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if session in self._sessions:
                self._sessions.remove(session)
            writer.close()

    def _send(self, session: _Session, pdu: Any) -> None:
        if not session.writer.is_closing():
            session.writer.write(PDUEncoder().encode(pdu))

    async def _handle(self, session: _Session, raw: bytes) -> None:
        _, command_id, _, seq = _HEADER.unpack_from(raw)
        if command_id == 0x00000015:  # enquire_link: answered by hand, the codec wants a body
            self.enquire_links += 1
            session.writer.write(_HEADER.pack(16, _ENQUIRE_LINK_RESP, 0, seq))
            return
        if command_id == _ENQUIRE_LINK_RESP:
            self.enquire_link_resps += 1
            return
        pdu = PDUEncoder().decode(io.BytesIO(raw))
        if pdu.id == CommandId.bind_transceiver:
            self._bind(session, pdu)
        elif pdu.id == CommandId.submit_sm:
            asyncio.get_running_loop().create_task(self._submit(session, pdu))
        elif pdu.id == CommandId.deliver_sm_resp:
            self.deliver_resps.append(seq)
        elif pdu.id == CommandId.unbind:
            self._send(session, op.UnbindResp(seqNum=seq))
            session.bound = False
        elif pdu.id in (CommandId.generic_nack, CommandId.unbind_resp):
            pass
        else:
            self._send(session, op.GenericNack(seqNum=seq, status=CommandStatus.ESME_RINVCMDID))

    def _bind(self, session: _Session, pdu: Any) -> None:
        p = pdu.params
        bind = Bind(
            system_id=_text(p["system_id"]),
            password=_text(p["password"]),
            system_type=_text(p["system_type"]),
            accepted=_text(p["system_id"]) == self.system_id
            and _text(p["password"]) == self.password,
        )
        self.binds.append(bind)
        if bind.accepted:
            session.bound = True
            self._send(session, op.BindTransceiverResp(seqNum=pdu.seqNum, system_id="TESTSMSC"))
        else:
            self._send(
                session,
                op.BindTransceiverResp(seqNum=pdu.seqNum, status=CommandStatus.ESME_RINVPASWD),
            )

    async def _submit(self, session: _Session, pdu: Any) -> None:
        self.outstanding += 1
        self.max_outstanding = max(self.max_outstanding, self.outstanding)
        p = pdu.params
        nack = self.nack_next
        self.nack_next = None
        status = self.statuses.pop(0) if self.statuses else 0
        message_id = f"smsc-{next(self._ids)}" if status == 0 and nack is None else None
        receipt = p["registered_delivery"].receipt
        self.submits.append(
            Submitted(
                seq=pdu.seqNum,
                source=_text(p["source_addr"]),
                destination=_text(p["destination_addr"]),
                data_coding=DataCodingEncoder().encode(p["data_coding"])[0],
                esm_class=EsmClassEncoder().encode(p["esm_class"])[0],
                registered_delivery=receipt
                == RegisteredDeliveryReceipt.SMSC_DELIVERY_RECEIPT_REQUESTED,
                short_message=p["short_message"] or b"",
                message_payload=p.get("message_payload"),
                message_id=message_id,
                status=nack if nack is not None else status,
            )
        )
        if self.hold_submits:
            return  # never answered; the outstanding count stays up until the session drops
        if self.response_delay:
            await asyncio.sleep(self.response_delay)
        if session not in self._sessions:
            return
        self.outstanding -= 1
        # Error responses carry no body (SMPP 3.4 section 4.4.2), so any status, vendor codes
        # included, is written as a bare header.
        if nack is not None:
            session.writer.write(_HEADER.pack(16, _GENERIC_NACK, nack, pdu.seqNum))
        elif status:
            session.writer.write(_HEADER.pack(16, _SUBMIT_SM_RESP, status, pdu.seqNum))
        else:
            self._send(session, op.SubmitSMResp(seqNum=pdu.seqNum, message_id=message_id))

    async def _enquire_link(self) -> None:
        for session in [s for s in self._sessions if s.bound]:
            session.writer.write(_HEADER.pack(16, 0x00000015, 0, next(session.seq)))

    async def _deliver(
        self,
        source: str,
        destination: str,
        short_message: bytes,
        receipt: bool,
        data_coding: int,
        receipted_message_id: str | None,
        message_state: MessageState | None,
    ) -> None:
        tlvs: dict[str, Any] = {}
        if receipted_message_id is not None:
            tlvs["receipted_message_id"] = receipted_message_id
        if message_state is not None:
            tlvs["message_state"] = message_state
        coding = DataCoding(
            DataCodingScheme.DEFAULT,
            DataCodingDefault.UCS2 if data_coding == 8 else DataCodingDefault.SMSC_DEFAULT_ALPHABET,
        )
        for session in [s for s in self._sessions if s.bound]:
            pdu = op.DeliverSM(
                seqNum=next(session.seq),
                service_type="",
                source_addr_ton=AddrTon.INTERNATIONAL,
                source_addr_npi=AddrNpi.ISDN,
                source_addr=source,
                dest_addr_ton=AddrTon.INTERNATIONAL,
                dest_addr_npi=AddrNpi.ISDN,
                destination_addr=destination,
                esm_class=EsmClass(
                    EsmClassMode.DEFAULT,
                    EsmClassType.SMSC_DELIVERY_RECEIPT if receipt else EsmClassType.DEFAULT,
                ),
                protocol_id=0,
                priority_flag=PriorityFlag.LEVEL_0,
                registered_delivery=RegisteredDelivery(
                    RegisteredDeliveryReceipt.NO_SMSC_DELIVERY_RECEIPT_REQUESTED
                ),
                replace_if_present_flag=ReplaceIfPresentFlag.DO_NOT_REPLACE,
                data_coding=coding,
                sm_default_msg_id=0,
                short_message=short_message,
                **tlvs,
            )
            self._send(session, pdu)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value
