"""The carrier interface: what the send pipeline hands a carrier, and what comes back.

Adapters are synchronous at their edge: worker threads call ``submit``/``submit_many`` and block
until the carrier has accepted or refused each message. Delivery receipts and inbound messages
arrive on the adapter's own thread through the callbacks given to ``start``; a callback must not
block for long (store a row, enqueue an id) and must not raise.

Phone numbers are E.164 strings (``+15551234567``) throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "Carrier",
    "DeliveryReceipt",
    "InboundHandler",
    "InboundMessage",
    "OutboundMessage",
    "ReceiptHandler",
    "ReceiptStatus",
    "SubmissionLedger",
    "SubmitResult",
]

ReceiptStatus = Literal["delivered", "undelivered", "failed"]


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message to send; message_id is Consentry's id, echoed in the SubmitResult."""

    message_id: str
    source: str
    destination: str
    text: str
    media_urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """The carrier's answer to one submit.

    ok=False with permanent=False means the message may be retried later (connection lost,
    throttled, queue full); permanent=True means retrying the same message will fail again.
    error_code is stable and machine-readable (for SMPP: ``SMPP_0x0000000B``).
    """

    message_id: str
    ok: bool
    carrier_message_id: str | None
    error_code: str | None = None
    error_message: str | None = None
    permanent: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """The final outcome of a sent message, keyed by the carrier's message id."""

    carrier_message_id: str
    status: ReceiptStatus
    error_code: str | None
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A message received on one of our numbers."""

    source: str
    destination: str
    text: str
    carrier_message_id: str | None
    received_at: datetime


ReceiptHandler = Callable[[DeliveryReceipt], None]
InboundHandler = Callable[[InboundMessage], None]


@runtime_checkable
class Carrier(Protocol):
    """A connection to a carrier or aggregator that sends and receives messages."""

    name: str

    def submit(self, msg: OutboundMessage) -> SubmitResult:
        """Send one message and wait for the carrier to accept or refuse it."""
        ...

    def submit_many(self, msgs: Sequence[OutboundMessage]) -> list[SubmitResult]:
        """Send several messages, pipelined where the protocol allows; results in input order."""
        ...

    def start(self, *, on_receipt: ReceiptHandler, on_inbound: InboundHandler) -> None:
        """Connect (in the background) and route receipts and inbound messages to the handlers."""
        ...

    def close(self) -> None:
        """Disconnect cleanly and release threads and sockets; the carrier cannot be reused."""
        ...


@runtime_checkable
class SubmissionLedger(Protocol):
    """A carrier that keeps a durable record of what it accepted, so the pipeline can ask
    "was this already submitted?" after a crash instead of sending again, and can ask for the
    outcome of a message whose receipt never arrived (as SMPP's query_sm would)."""

    def lookup(self, message_ids: Sequence[str]) -> dict[str, SubmitResult]:
        """The accepted submissions among message_ids, by message id."""
        ...

    def query(self, carrier_message_ids: Sequence[str]) -> list[DeliveryReceipt]:
        """Final outcomes known for these carrier message ids (unknown ones are left out)."""
        ...
