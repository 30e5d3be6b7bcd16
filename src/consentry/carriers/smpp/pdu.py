"""Pure SMPP 3.4 helpers: addresses, status codes, message bodies, UDH and delivery receipts.

Nothing here does I/O, so every rule about what goes on the wire is testable on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from consentry.carriers.base import DeliveryReceipt, ReceiptStatus
from consentry.messaging.segments import (
    GSM7,
    analyze,
    gsm7_decode,
    gsm7_encode,
    split,
    ucs2_decode,
    ucs2_encode,
)

__all__ = [
    "DATA_CODING_GSM7",
    "DATA_CODING_UCS2",
    "Address",
    "Part",
    "address_from_e164",
    "address_to_e164",
    "decode_text",
    "error_code",
    "is_permanent",
    "parse_receipt",
    "parse_udh",
    "plan_parts",
    "status_name",
]

DATA_CODING_GSM7: Final = 0x00  # SMSC default alphabet, GSM 03.38 unpacked, one septet per octet
DATA_CODING_UCS2: Final = 0x08
ESM_UDHI: Final = 0x40
TON_UNKNOWN, TON_INTERNATIONAL, TON_ALPHANUMERIC = 0, 1, 5
NPI_UNKNOWN, NPI_ISDN = 0, 1

# Optional parameter (TLV) tags used by the adapter, from SMPP 3.4 section 5.3.2.
TLV_RECEIPTED_MESSAGE_ID: Final = 0x001E
TLV_SAR_MSG_REF_NUM: Final = 0x020C
TLV_SAR_TOTAL_SEGMENTS: Final = 0x020E
TLV_SAR_SEGMENT_SEQNUM: Final = 0x020F
TLV_NETWORK_ERROR_CODE: Final = 0x0423
TLV_MESSAGE_PAYLOAD: Final = 0x0424
TLV_MESSAGE_STATE: Final = 0x0427

_STATUS_NAMES: Final = {
    0x00: "ESME_ROK",
    0x01: "ESME_RINVMSGLEN",
    0x02: "ESME_RINVCMDLEN",
    0x03: "ESME_RINVCMDID",
    0x04: "ESME_RINVBNDSTS",
    0x05: "ESME_RALYBND",
    0x06: "ESME_RINVPRTFLG",
    0x07: "ESME_RINVREGDLVFLG",
    0x08: "ESME_RSYSERR",
    0x0A: "ESME_RINVSRCADR",
    0x0B: "ESME_RINVDSTADR",
    0x0C: "ESME_RINVMSGID",
    0x0D: "ESME_RBINDFAIL",
    0x0E: "ESME_RINVPASWD",
    0x0F: "ESME_RINVSYSID",
    0x11: "ESME_RCANCELFAIL",
    0x13: "ESME_RREPLACEFAIL",
    0x14: "ESME_RMSGQFUL",
    0x15: "ESME_RINVSERTYP",
    0x33: "ESME_RINVNUMDESTS",
    0x34: "ESME_RINVDLNAME",
    0x40: "ESME_RINVDESTFLAG",
    0x42: "ESME_RINVSUBREP",
    0x43: "ESME_RINVESMCLASS",
    0x44: "ESME_RCNTSUBDL",
    0x45: "ESME_RSUBMITFAIL",
    0x48: "ESME_RINVSRCTON",
    0x49: "ESME_RINVSRCNPI",
    0x50: "ESME_RINVDSTTON",
    0x51: "ESME_RINVDSTNPI",
    0x53: "ESME_RINVSYSTYP",
    0x54: "ESME_RINVREPFLAG",
    0x55: "ESME_RINVNUMMSGS",
    0x58: "ESME_RTHROTTLED",
    0x61: "ESME_RINVSCHED",
    0x62: "ESME_RINVEXPIRY",
    0x63: "ESME_RINVDFTMSGID",
    0x64: "ESME_RX_T_APPN",
    0x65: "ESME_RX_P_APPN",
    0x66: "ESME_RX_R_APPN",
    0x67: "ESME_RQUERYFAIL",
    0xC0: "ESME_RINVOPTPARSTREAM",
    0xC1: "ESME_ROPTPARNOTALLWD",
    0xC2: "ESME_RINVPARLEN",
    0xC3: "ESME_RMISSINGOPTPARAM",
    0xC4: "ESME_RINVOPTPARAMVAL",
    0xFE: "ESME_RDELIVERYFAILURE",
    0xFF: "ESME_RUNKNOWNERR",
}

# Statuses that describe the SMSC's or the session's state, not the message: the same message
# can succeed later. Every other status (bad address, bad parameters, rejected content, and
# vendor codes we cannot interpret) is permanent, so a bad message is not retried for ever.
_TRANSIENT: Final = frozenset(
    {
        0x04,  # ESME_RINVBNDSTS: the session was not bound (yet)
        0x08,  # ESME_RSYSERR
        0x14,  # ESME_RMSGQFUL
        0x45,  # ESME_RSUBMITFAIL: generic submit failure, usually capacity
        0x58,  # ESME_RTHROTTLED
        0x64,  # ESME_RX_T_APPN: temporary application error
        0xFE,  # ESME_RDELIVERYFAILURE: used by data_sm transactions, temporary by definition
        0xFF,  # ESME_RUNKNOWNERR
    }
)


def status_name(status: int) -> str:
    """The SMPP 3.4 name of a command_status, or a hex form for reserved and vendor codes."""
    return _STATUS_NAMES.get(status, f"status 0x{status:08X}")


def error_code(status: int) -> str:
    """Stable error code for a command_status: ``SMPP_0x0000000B``."""
    return f"SMPP_0x{status:08X}"


def is_permanent(status: int, retryable: frozenset[int] = frozenset()) -> bool:
    """Whether a refusal with this status will recur on retry (extra retryable codes allowed)."""
    return status not in _TRANSIENT and status not in retryable


@dataclass(frozen=True, slots=True)
class Address:
    """An SMPP address with its type of number and numbering plan."""

    addr: str
    ton: int
    npi: int


def address_from_e164(number: str) -> Address:
    """E.164 as international/ISDN digits, short codes as unknown/ISDN, names alphanumeric."""
    if number.startswith("+") and number[1:].isdigit():
        return Address(number[1:], TON_INTERNATIONAL, NPI_ISDN)
    if number.isdigit():
        return Address(number, TON_UNKNOWN, NPI_ISDN)
    return Address(number, TON_ALPHANUMERIC, NPI_UNKNOWN)


def address_to_e164(addr: str, ton: int) -> str:
    """An SMPP address back to E.164 when it is international; digits otherwise unchanged."""
    if ton == TON_INTERNATIONAL and addr.isdigit():
        return "+" + addr
    if addr.isdigit() and len(addr) == 11 and addr.startswith("1"):
        return "+" + addr  # US SMSCs often send NANP numbers as national/unknown with the 1
    return addr


@dataclass(frozen=True, slots=True)
class Part:
    """One submit_sm body: data_coding, esm_class and either short_message or message_payload."""

    data_coding: int
    esm_class: int
    short_message: bytes
    payload: bytes | None = None


def _encode(text: str, encoding: str) -> bytes:
    return gsm7_encode(text) if encoding == GSM7 else ucs2_encode(text)


def plan_parts(text: str, *, long_messages: Literal["udh", "payload"], ref: int) -> list[Part]:
    """The submit_sm bodies for text: one part when it fits, else UDH parts or one payload."""
    seg = analyze(text)
    coding = DATA_CODING_GSM7 if seg.encoding == GSM7 else DATA_CODING_UCS2
    if seg.segments == 1:
        return [Part(coding, 0, _encode(text, seg.encoding))]
    if long_messages == "payload":
        return [Part(coding, 0, b"", _encode(text, seg.encoding))]
    parts = split(text)
    if len(parts) > 255:
        raise ValueError(f"message needs {len(parts)} segments; at most 255 can be concatenated")
    total = len(parts)
    # 3GPP TS 23.040 concatenation IE with an 8-bit reference: 05 00 03 ref total seq.
    return [
        Part(
            coding,
            ESM_UDHI,
            bytes((0x05, 0x00, 0x03, ref & 0xFF, total, i)) + _encode(part, seg.encoding),
        )
        for i, part in enumerate(parts, start=1)
    ]


@dataclass(frozen=True, slots=True)
class Concat:
    """Where one part belongs in a concatenated message."""

    ref: int
    total: int
    seq: int


def parse_udh(data: bytes) -> tuple[Concat | None, bytes]:
    """Split user data with a header into (concatenation info if any, the remaining body)."""
    if not data:
        return None, data
    length = data[0]
    header, body = data[1 : 1 + length], data[1 + length :]
    concat = None
    i = 0
    while i + 2 <= len(header):
        iei, ie_len = header[i], header[i + 1]
        value = header[i + 2 : i + 2 + ie_len]
        if iei == 0x00 and ie_len == 3:
            concat = Concat(value[0], value[1], value[2])
        elif iei == 0x08 and ie_len == 4:
            concat = Concat(int.from_bytes(value[:2], "big"), value[2], value[3])
        i += 2 + ie_len
    return concat, body


def decode_text(data: bytes, data_coding: int) -> str:
    """Decode a deliver_sm body by its data_coding (GSM 03.38, ASCII, Latin-1 or UCS-2)."""
    scheme = data_coding & 0x0F if data_coding & 0xF0 == 0xF0 else data_coding
    if data_coding & 0xF0 == 0xF0:
        # Message class coding group: bit 2 selects 8-bit data, else the default alphabet.
        return data.decode("latin-1") if scheme & 0x04 else gsm7_decode(data)
    if scheme == DATA_CODING_UCS2:
        return ucs2_decode(data)
    if scheme == 0x01:
        return data.decode("ascii", errors="replace")
    if scheme == DATA_CODING_GSM7:
        return gsm7_decode(data)
    return data.decode("latin-1")


# The de-facto receipt format from SMPP 3.4 Appendix B; vendors vary case and add fields.
_RECEIPT_FIELD = re.compile(
    r"(?i)\b(id|sub|dlvrd|submit date|done date|stat|err|text):(.*?)"
    r"(?=\s+(?:id|sub|dlvrd|submit date|done date|stat|err|text):|$)",
    re.DOTALL,
)
_FINAL_STATES: Final[dict[str, ReceiptStatus]] = {
    "DELIVRD": "delivered",
    "UNDELIV": "undelivered",
    "EXPIRED": "failed",
    "REJECTD": "failed",
    "DELETED": "failed",
    "UNKNOWN": "failed",
}
# message_state TLV values (SMPP 3.4 section 5.2.28) that are final.
_STATE_TLV: Final[dict[int, ReceiptStatus]] = {
    2: "delivered",
    3: "failed",  # EXPIRED
    4: "failed",  # DELETED
    5: "undelivered",
    7: "failed",  # UNKNOWN
    8: "failed",  # REJECTED
}


def _receipt_time(value: str) -> datetime | None:
    # YYMMDDhhmm, some SMSCs add ss; SMSC clocks are taken as UTC.
    digits = value.strip()
    fmt = {10: "%y%m%d%H%M", 12: "%y%m%d%H%M%S"}.get(len(digits))
    if fmt is None or not digits.isdigit():
        return None
    try:
        return datetime.strptime(digits, fmt).replace(tzinfo=UTC)
    except ValueError:
        return None


def parse_receipt(
    text: str,
    *,
    receipted_message_id: str | None = None,
    message_state: int | None = None,
    network_error: bytes | None = None,
) -> DeliveryReceipt | None:
    """A final delivery receipt from the receipt text and/or TLVs; None if it is not final.

    TLVs win over the text when both are present, since they are typed and not truncated.
    """
    fields = {m.group(1).lower(): m.group(2).strip() for m in _RECEIPT_FIELD.finditer(text)}
    message_id = receipted_message_id or fields.get("id")
    if not message_id:
        return None
    status: ReceiptStatus | None = None
    if message_state is not None:
        status = _STATE_TLV.get(message_state)
    elif "stat" in fields:
        status = _FINAL_STATES.get(fields["stat"].upper())
    if status is None:
        return None  # ENROUTE, ACCEPTD, or a state we cannot read: not a final outcome
    err = fields.get("err")
    if network_error is not None and len(network_error) == 3:
        # network_error_code TLV: network type (1 = ANSI-136, 2 = IS-95, 3 = GSM, ...) + code.
        err = f"{network_error[0]}:{int.from_bytes(network_error[1:], 'big')}"
    return DeliveryReceipt(
        carrier_message_id=message_id,
        status=status,
        error_code=err or None,
        done_at=_receipt_time(fields.get("done date", "")),
    )
