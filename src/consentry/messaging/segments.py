"""SMS encoding and segmentation, exactly as a handset and an SMSC count them.

A message is sent in the GSM 03.38 7-bit default alphabet when every character is in it (the
characters of the extension table, ``^{}\\[~]|€`` and form feed, take two septets: an escape and
the code). One character outside it switches the whole message to UCS-2, where every UTF-16 code
unit counts, so a character outside the Basic Multilingual Plane (most emoji) takes two.

A single SMS holds 160 septets or 70 UCS-2 units. A longer message is concatenated: each part
loses room to the 6-byte user data header and holds 153 septets or 67 units. A part never ends in
the middle of an escape pair or a surrogate pair, so some parts hold one unit less.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "GSM7",
    "UCS2",
    "Encoding",
    "Segmentation",
    "analyze",
    "gsm7_decode",
    "gsm7_encode",
    "is_gsm7",
    "split",
    "ucs2_decode",
    "ucs2_encode",
]

Encoding = Literal["GSM-7", "UCS-2"]
GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"

SINGLE_GSM7: Final = 160
MULTI_GSM7: Final = 153
SINGLE_UCS2: Final = 70
MULTI_UCS2: Final = 67

_ESC: Final = 0x1B
# The GSM 03.38 default alphabet in code order; position 0x1B is the escape to the extension
# table and stands for no character of its own.
_BASIC: Final = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x00ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENSION: Final = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
_BASIC_CODE: Final = {ch: code for code, ch in enumerate(_BASIC) if code != _ESC}
_BASIC_CHAR: Final = {code: ch for ch, code in _BASIC_CODE.items()}
_EXTENSION_CHAR: Final = {code: ch for ch, code in _EXTENSION.items()}


@dataclass(frozen=True, slots=True)
class Segmentation:
    """How a text is encoded and how many SMS segments it takes."""

    encoding: Encoding
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    per_segment: int  # capacity of one segment: 160/70 when single, 153/67 when concatenated
    remaining_in_segment: int  # units still free in the last segment
    non_gsm_chars: list[str]  # distinct characters that forced UCS-2, in order of appearance


def _gsm_width(ch: str) -> int:
    """Septets for ch in GSM-7: 1 in the basic table, 2 in the extension table, 0 if absent."""
    if ch in _BASIC_CODE:
        return 1
    if ch in _EXTENSION:
        return 2
    return 0


def _ucs2_width(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def is_gsm7(text: str) -> bool:
    """Whether every character of text is in the GSM 03.38 default alphabet or its extension."""
    return all(ch in _BASIC_CODE or ch in _EXTENSION for ch in text)


def _non_gsm(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for ch in text:
        if _gsm_width(ch) == 0:
            seen.setdefault(ch, None)
    return list(seen)


def _parts(text: str, width: dict[str, int] | None, limit: int) -> tuple[list[str], int]:
    """Split text greedily into parts of at most limit units; return parts and the last's size."""
    parts: list[str] = []
    start = 0
    used = 0
    for i, ch in enumerate(text):
        w = width[ch] if width is not None else _ucs2_width(ch)
        if used + w > limit:
            parts.append(text[start:i])
            start, used = i, 0
        used += w
    parts.append(text[start:])
    return parts, used


def _plan(text: str) -> tuple[Encoding, list[str], int, int, int, list[str]]:
    non_gsm = _non_gsm(text)
    if not non_gsm:
        widths = {ch: _gsm_width(ch) for ch in set(text)}
        units = sum(widths[ch] for ch in text)
        encoding: Encoding = GSM7
        single, multi = SINGLE_GSM7, MULTI_GSM7
        width: dict[str, int] | None = widths
    else:
        units = sum(_ucs2_width(ch) for ch in text)
        encoding = UCS2
        single, multi = SINGLE_UCS2, MULTI_UCS2
        width = None
    if units <= single:
        return encoding, [text], units, single, single - units, non_gsm
    parts, last = _parts(text, width, multi)
    return encoding, parts, units, multi, multi - last, non_gsm


def analyze(text: str) -> Segmentation:
    """Encoding, segment count and room left for text (an empty text is one empty segment)."""
    encoding, parts, units, per_segment, remaining, non_gsm = _plan(text)
    return Segmentation(
        encoding=encoding,
        segments=len(parts),
        units=units,
        per_segment=per_segment,
        remaining_in_segment=remaining,
        non_gsm_chars=non_gsm,
    )


def split(text: str) -> list[str]:
    """The parts text is sent as: one string per SMS segment, joined they give text back."""
    return _plan(text)[1]


def gsm7_encode(text: str) -> bytes:
    """Text as unpacked GSM 03.38 septets, one per octet (SMPP data_coding 0); ValueError if
    a character is outside the alphabet."""
    out = bytearray()
    for ch in text:
        code = _BASIC_CODE.get(ch)
        if code is not None:
            out.append(code)
            continue
        ext = _EXTENSION.get(ch)
        if ext is None:
            raise ValueError(f"character {ch!r} is not in the GSM 03.38 alphabet")
        out += bytes((_ESC, ext))
    return bytes(out)


def gsm7_decode(data: bytes) -> str:
    """Unpacked GSM 03.38 septets back to text; unknown codes become U+FFFD."""
    out: list[str] = []
    escaped = False
    for byte in data:
        code = byte & 0x7F
        if escaped:
            # An escape followed by a code with no extension meaning reads as the basic char.
            out.append(_EXTENSION_CHAR.get(code) or _BASIC_CHAR.get(code, "\ufffd"))
            escaped = False
        elif code == _ESC:
            escaped = True
        else:
            out.append(_BASIC_CHAR.get(code, "\ufffd"))
    if escaped:
        out.append(" ")  # a trailing escape is displayed as a space (3GPP TS 23.038)
    return "".join(out)


def ucs2_encode(text: str) -> bytes:
    """Text as UCS-2 on the wire (UTF-16 big-endian, surrogate pairs for astral characters)."""
    return text.encode("utf-16-be")


def ucs2_decode(data: bytes) -> str:
    """UCS-2/UTF-16 big-endian bytes back to text; a lone surrogate or odd byte becomes U+FFFD."""
    return data.decode("utf-16-be", errors="replace")
