"""SMPP 3.4 carrier adapter on the smpp34 client (Rust session engine driven from asyncio).

Threads: one background thread runs an asyncio loop that owns the SMPP session; worker threads
call ``submit``/``submit_many``, which hand coroutines to that loop with
``run_coroutine_threadsafe`` and block on the result. Receipt and inbound handlers run on a
separate single callback thread, in arrival order, so a slow handler never stalls submits.

Session lifecycle, driven by ``_supervise``::

    connecting --bind ok--> bound --socket lost / unbind--> backing off --delay--> connecting
        ^                                                                              |
        +------------------------------ bind refused / connect error -----------------+

While not bound, a submit waits up to ``bind_wait`` seconds for a session, then fails with the
retryable ``SMPP_NOT_BOUND``. Submits in flight when the session drops fail with the retryable
``SMPP_DISCONNECTED``; the sender retries them (a duplicate is possible if the SMSC had accepted
one whose response was lost, as with any SMPP client).

Long messages are sent as concatenated parts with a user data header (esm_class 0x40), the form
every SMSC and handset understands and the one the segment counts in messaging.segments describe.
Each part is its own submit_sm with its own SMSC id; the result carries the first part's id and
receipts for later parts are reported under that id while this process remembers the mapping.
``long_messages="payload"`` sends one submit_sm with the message_payload TLV instead, for SMSCs
that segment themselves: one id, one receipt.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import smpp34
import structlog

from consentry.carriers.base import (
    DeliveryReceipt,
    InboundHandler,
    InboundMessage,
    OutboundMessage,
    ReceiptHandler,
    SubmitResult,
)
from consentry.carriers.smpp import pdu

__all__ = ["SmppCarrier", "SmppConfig"]

log = structlog.get_logger("consentry.carriers.smpp")

_STATUS_IN_ERROR = re.compile(r"\(0x([0-9A-Fa-f]{8})\)")
_PART_MAP_SIZE = 100_000
_INBOUND_PARTS_TTL = 600.0  # seconds an incomplete concatenated inbound message waits


@dataclass(frozen=True)
class SmppConfig:
    """Connection and behaviour settings of one SMPP bind."""

    host: str
    system_id: str
    password: str
    port: int = 2775
    system_type: str = ""
    window: int = 10  # max submit_sm awaiting submit_sm_resp
    long_messages: Literal["udh", "payload"] = "udh"
    registered_delivery: bool = True
    service_type: str = ""
    connect_timeout: float = 10.0
    bind_wait: float = 5.0  # how long a submit waits for a bound session
    response_timeout: float = 45.0  # guard over the engine's own 30 s response timer
    reconnect_min: float = 0.5
    reconnect_max: float = 30.0
    retryable_statuses: frozenset[int] = field(default_factory=frozenset)  # vendor codes


def _mask(number: str) -> str:
    return number[:-4].translate(str.maketrans("0123456789", "**********")) + number[-4:]


def _status_of(exc: BaseException) -> int:
    m = _STATUS_IN_ERROR.search(str(exc))
    return int(m.group(1), 16) if m else 0xFF


class _Refused(Exception):
    def __init__(self, result: SubmitResult) -> None:
        super().__init__(result.error_code)
        self.result = result


@dataclass
class _Pending:
    """Parts of a concatenated inbound message seen so far."""

    total: int
    first_seen: float
    source: str
    destination: str
    parts: dict[int, str] = field(default_factory=dict)


class SmppCarrier:
    """An SMPP 3.4 transceiver bind implementing the Carrier protocol."""

    name = "smpp"

    def __init__(self, config: SmppConfig | None = None, **settings: Any) -> None:
        if config is None:
            if "retryable_statuses" in settings:
                settings["retryable_statuses"] = frozenset(settings["retryable_statuses"])
            config = SmppConfig(**settings)
        if config.window < 1:
            raise ValueError("window must be at least 1")
        self.config = config
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="consentry-smpp", daemon=True
        )
        self._callbacks = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="consentry-smpp-cb"
        )
        self._on_receipt: ReceiptHandler | None = None
        self._on_inbound: InboundHandler | None = None
        self._session: smpp34.Smsc | None = None
        self._client: smpp34.Client | None = None
        self._generation = 0  # bumps on every bind, so a submit can tell its session ended
        self._bound: asyncio.Event | None = None
        self._window: asyncio.Semaphore | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False
        self._refs = itertools.count(random.randrange(256))
        self._part_ids: OrderedDict[str, str] = OrderedDict()
        self._pending: dict[tuple[str, str, int, int], _Pending] = {}

    # ---- Carrier ---------------------------------------------------------------------------

    def start(self, *, on_receipt: ReceiptHandler, on_inbound: InboundHandler) -> None:
        """Start the loop thread and the bind supervisor; returns without waiting for the bind."""
        if self._thread.is_alive():
            raise RuntimeError("SMPP carrier already started")
        self._on_receipt, self._on_inbound = on_receipt, on_inbound
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._begin(), self._loop).result(5)

    def wait_bound(self, timeout: float) -> bool:
        """Block until a session is bound or timeout passes; True when bound."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._session is not None:
                return True
            time.sleep(0.01)
        return self._session is not None

    def submit(self, msg: OutboundMessage) -> SubmitResult:
        """Send one message; blocks until submit_sm_resp (or a failure) for all its parts."""
        return self.submit_many([msg])[0]

    def submit_many(self, msgs: Sequence[OutboundMessage]) -> list[SubmitResult]:
        """Send messages concurrently within the window; results in input order."""
        if not self._thread.is_alive() or self._closing:
            raise RuntimeError("SMPP carrier is not started or already closed")
        if not msgs:
            return []
        future = asyncio.run_coroutine_threadsafe(self._submit_all(msgs), self._loop)
        # The coroutine bounds every wait itself; this outer guard only catches a stuck loop.
        limit = self.config.bind_wait + self.config.response_timeout * (1 + len(msgs)) + 5
        try:
            return future.result(timeout=limit)
        except concurrent.futures.TimeoutError:
            future.cancel()
            return [
                _retryable(m, "SMPP_TIMEOUT", "no answer from the SMPP session in time")
                for m in msgs
            ]

    def close(self) -> None:
        """Unbind, stop the session and the loop thread; in-flight submits fail retryably."""
        if self._closing:
            return
        self._closing = True
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(15)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        if not self._loop.is_running():
            self._loop.close()
        self._callbacks.shutdown(wait=True)

    # ---- session supervision (loop thread) -------------------------------------------------

    async def _begin(self) -> None:
        self._bound = asyncio.Event()
        self._window = asyncio.Semaphore(self.config.window)
        self._supervisor = asyncio.get_running_loop().create_task(self._supervise())

    async def _supervise(self) -> None:
        cfg = self.config
        delay = cfg.reconnect_min
        while not self._closing:
            client = smpp34.Client(
                cfg.host,
                cfg.port,
                cfg.system_id,
                cfg.password,
                bind_type="TRX",
                system_type=cfg.system_type,
                window_size=cfg.window,
                connect_timeout_ms=int(cfg.connect_timeout * 1000),
            )
            try:
                session = await asyncio.wait_for(client.connect(), cfg.connect_timeout + 1)
            except (smpp34.SmppError, OSError, TimeoutError, RuntimeError) as exc:
                log.warning(
                    "carriers.smpp.bind_failed",
                    host=cfg.host,
                    port=cfg.port,
                    error=str(exc),
                    retry_in=round(delay, 2),
                )
                await _stop_client(client)
                # Full jitter keeps a fleet of workers from reconnecting in lockstep.
                await asyncio.sleep(random.uniform(delay / 2, delay))
                delay = min(delay * 2, cfg.reconnect_max)
                continue
            delay = cfg.reconnect_min
            self._generation += 1
            self._client, self._session = client, session
            assert self._bound is not None
            self._bound.set()
            log.info("carriers.smpp.bound", host=cfg.host, port=cfg.port, system_id=cfg.system_id)
            try:
                await self._read(session)
            finally:
                self._bound.clear()
                self._session = self._client = None
                self._generation += 1
                await _stop_client(client)
            if not self._closing:
                log.warning("carriers.smpp.disconnected", host=cfg.host, port=cfg.port)
                await asyncio.sleep(random.uniform(0, cfg.reconnect_min))

    async def _shutdown(self) -> None:
        session, client = self._session, self._client
        if session is not None:
            with contextlib.suppress(smpp34.SmppError, OSError, TimeoutError, RuntimeError):
                await asyncio.wait_for(session.unbind(), 5)
        if client is not None:
            await _stop_client(client)
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor

    # ---- submit (loop thread) --------------------------------------------------------------

    async def _submit_all(self, msgs: Sequence[OutboundMessage]) -> list[SubmitResult]:
        return list(await asyncio.gather(*(self._submit(m) for m in msgs)))

    async def _submit(self, msg: OutboundMessage) -> SubmitResult:
        cfg = self.config
        if msg.media_urls:
            return SubmitResult(
                msg.message_id,
                False,
                None,
                "SMPP_MMS_UNSUPPORTED",
                "SMPP carries SMS only; send media through an MMS-capable carrier",
                True,
            )
        try:
            parts = pdu.plan_parts(msg.text, long_messages=cfg.long_messages, ref=next(self._refs))
        except ValueError as exc:
            return SubmitResult(msg.message_id, False, None, "SMPP_ENCODE", str(exc), True)
        source = pdu.address_from_e164(msg.source)
        dest = pdu.address_from_e164(msg.destination)
        ids: list[str] = []
        try:
            for i, part in enumerate(parts, start=1):
                ids.append(await self._submit_part(msg, source, dest, part, i, len(parts)))
        except _Refused as refused:
            return refused.result
        for later in ids[1:]:
            self._remember_part(later, ids[0])
        log.debug(
            "carriers.smpp.submitted",
            message_id=msg.message_id,
            carrier_message_id=ids[0],
            parts=len(parts),
            destination=_mask(msg.destination),
        )
        return SubmitResult(msg.message_id, True, ids[0])

    async def _submit_part(
        self,
        msg: OutboundMessage,
        source: pdu.Address,
        dest: pdu.Address,
        part: pdu.Part,
        index: int,
        total: int,
    ) -> str:
        cfg = self.config
        assert self._bound is not None and self._window is not None
        where = f" (part {index} of {total})" if total > 1 else ""
        try:
            await asyncio.wait_for(self._bound.wait(), cfg.bind_wait)
        except TimeoutError:
            raise _Refused(
                _retryable(msg, "SMPP_NOT_BOUND", f"no bound SMPP session{where}")
            ) from None
        async with self._window:
            session, generation = self._session, self._generation
            if session is None:
                raise _Refused(_retryable(msg, "SMPP_DISCONNECTED", f"session lost{where}"))
            tlvs = [smpp34.Tlv(pdu.TLV_MESSAGE_PAYLOAD, part.payload)] if part.payload else []
            try:
                resp = await asyncio.wait_for(
                    session.submit_sm(
                        dest.addr,
                        part.short_message,
                        source_addr=source.addr,
                        source_addr_ton=source.ton,
                        source_addr_npi=source.npi,
                        dest_addr_ton=dest.ton,
                        dest_addr_npi=dest.npi,
                        service_type=cfg.service_type,
                        esm_class=part.esm_class,
                        registered_delivery=1 if cfg.registered_delivery else 0,
                        data_coding=part.data_coding,
                        tlvs=tlvs,
                    ),
                    cfg.response_timeout,
                )
            except TimeoutError:
                raise _Refused(
                    _retryable(msg, "SMPP_TIMEOUT", f"no submit_sm_resp in time{where}")
                ) from None
            except (smpp34.SmppError, OSError, RuntimeError) as exc:
                # The engine fails pending requests with ESME_RSYSERR when the socket goes; a
                # generic_nack on a live session carries the SMSC's own status instead.
                if generation != self._generation or not await self._alive():
                    raise _Refused(
                        _retryable(msg, "SMPP_DISCONNECTED", f"connection lost{where}")
                    ) from None
                raise _Refused(self._refusal(msg, _status_of(exc), where, "generic_nack")) from None
        if resp.command_status != 0 or not resp.message_id:
            raise _Refused(self._refusal(msg, resp.command_status, where, "submit_sm_resp"))
        return resp.message_id

    def _refusal(self, msg: OutboundMessage, status: int, where: str, how: str) -> SubmitResult:
        permanent = pdu.is_permanent(status, self.config.retryable_statuses)
        log.info(
            "carriers.smpp.refused",
            message_id=msg.message_id,
            status=pdu.error_code(status),
            via=how,
            permanent=permanent,
        )
        return SubmitResult(
            msg.message_id,
            False,
            None,
            pdu.error_code(status),
            f"SMSC refused the message with {pdu.status_name(status)}{where}",
            permanent,
        )

    async def _alive(self) -> bool:
        client = self._client
        if client is None:
            return False
        try:
            return await asyncio.wait_for(client.is_alive(), 1)
        except (smpp34.SmppError, OSError, TimeoutError, RuntimeError):
            return False

    def _remember_part(self, part_id: str, first_id: str) -> None:
        self._part_ids[part_id] = first_id
        if len(self._part_ids) > _PART_MAP_SIZE:
            self._part_ids.popitem(last=False)

    # ---- deliver_sm (loop thread) ----------------------------------------------------------

    async def _read(self, session: smpp34.Smsc) -> None:
        while True:
            event = await session.next()
            if isinstance(event, smpp34.Disconnected):
                return
            try:
                self._deliver_sm(event)
            except Exception:  # a malformed PDU must not end the session
                log.exception("carriers.smpp.deliver_sm_unreadable", esm_class=event.esm_class)

    def _deliver_sm(self, ev: smpp34.DeliverSmEvent) -> None:
        tlvs = {t.tag: t.value for t in ev.tlvs}
        message_type = ev.esm_class & 0x3C
        if message_type in (0x04, 0x08, 0x10, 0x20):
            self._receipt(ev, tlvs)
        else:
            self._inbound(ev, tlvs)

    def _receipt(self, ev: smpp34.DeliverSmEvent, tlvs: dict[int, bytes]) -> None:
        receipted = tlvs.get(pdu.TLV_RECEIPTED_MESSAGE_ID)
        state = tlvs.get(pdu.TLV_MESSAGE_STATE)
        receipt = pdu.parse_receipt(
            ev.short_message.decode("latin-1"),
            receipted_message_id=receipted.rstrip(b"\0").decode("latin-1") if receipted else None,
            message_state=state[0] if state else None,
            network_error=tlvs.get(pdu.TLV_NETWORK_ERROR_CODE),
        )
        if receipt is None:
            log.debug("carriers.smpp.receipt_not_final", esm_class=ev.esm_class)
            return
        first = self._part_ids.get(receipt.carrier_message_id)
        if first is not None:
            receipt = DeliveryReceipt(first, receipt.status, receipt.error_code, receipt.done_at)
        self._dispatch(self._on_receipt, receipt)

    def _inbound(self, ev: smpp34.DeliverSmEvent, tlvs: dict[int, bytes]) -> None:
        source = pdu.address_to_e164(ev.source_addr, ev.source_addr_ton)
        dest = pdu.address_to_e164(ev.destination_addr, ev.dest_addr_ton)
        body = tlvs.get(pdu.TLV_MESSAGE_PAYLOAD) or ev.short_message
        concat: pdu.Concat | None = None
        if ev.esm_class & pdu.ESM_UDHI:
            concat, body = pdu.parse_udh(body)
        elif pdu.TLV_SAR_MSG_REF_NUM in tlvs:
            concat = pdu.Concat(
                int.from_bytes(tlvs[pdu.TLV_SAR_MSG_REF_NUM], "big"),
                tlvs.get(pdu.TLV_SAR_TOTAL_SEGMENTS, b"\x01")[0],
                tlvs.get(pdu.TLV_SAR_SEGMENT_SEQNUM, b"\x01")[0],
            )
        text = pdu.decode_text(body, ev.data_coding)
        if concat is not None and concat.total > 1:
            joined = self._reassemble(source, dest, concat, text)
            if joined is None:
                return
            text = joined
        self._flush_stale()
        message = InboundMessage(source, dest, text, None, datetime.now(UTC))
        self._dispatch(self._on_inbound, message)

    def _reassemble(self, source: str, dest: str, c: pdu.Concat, text: str) -> str | None:
        key = (source, dest, c.ref, c.total)
        pending = self._pending.setdefault(key, _Pending(c.total, time.monotonic(), source, dest))
        pending.parts[c.seq] = text
        if len(pending.parts) < pending.total:
            return None
        del self._pending[key]
        return "".join(pending.parts[i] for i in sorted(pending.parts))

    def _flush_stale(self) -> None:
        # A part that never came must not swallow the ones that did: deliver what arrived.
        now = time.monotonic()
        for key, p in list(self._pending.items()):
            if now - p.first_seen > _INBOUND_PARTS_TTL:
                del self._pending[key]
                log.warning("carriers.smpp.inbound_incomplete", got=len(p.parts), total=p.total)
                text = "".join(p.parts[i] for i in sorted(p.parts))
                msg = InboundMessage(p.source, p.destination, text, None, datetime.now(UTC))
                self._dispatch(self._on_inbound, msg)

    def _dispatch(self, handler: Callable[[Any], None] | None, item: object) -> None:
        if handler is not None:
            self._callbacks.submit(_call_handler, handler, item)


def _call_handler(handler: Callable[[Any], None], item: object) -> None:
    try:
        handler(item)
    except Exception:
        log.exception("carriers.smpp.handler_failed", item=type(item).__name__)


def _retryable(msg: OutboundMessage, code: str, text: str) -> SubmitResult:
    return SubmitResult(msg.message_id, False, None, code, text, False)


async def _stop_client(client: smpp34.Client) -> None:
    with contextlib.suppress(smpp34.SmppError, OSError, TimeoutError, RuntimeError):
        await asyncio.wait_for(client.stop(), 5)
