"""What the messaging pages show, read from the messaging and consent services.

Only presentation lives here: the segment counter's sentence, a message's direction and status
as words, the filters of the log form. Every decision (who may send, what is refused, which
messages match) is the services'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from consentry.messaging.models import Message
from consentry.messaging.search import MessageFilters
from consentry.messaging.segments import analyze

__all__ = [
    "FILTER_KEYS",
    "LogForm",
    "counter_text",
    "log_form",
    "message_view",
]

# The log form's fields, in the query string's names (MessageFilters' aliases).
FILTER_KEYS = ("number", "remote", "direction", "status", "error_code", "from", "to", "q")


def counter_text(text: str) -> str:
    """The reply box's live counter: encoding, segments and room left (or why UCS-2)."""
    shape = analyze(text)
    segments = f"{shape.segments} segment{'s' if shape.segments != 1 else ''}"
    if shape.encoding == "UCS-2" and shape.non_gsm_chars:
        shown = "".join(f"‘{c}’" for c in shape.non_gsm_chars[:3])
        more = " and others" if len(shape.non_gsm_chars) > 3 else ""
        return f"UCS-2 because of {shown}{more} · {segments} · {shape.remaining_in_segment} left"
    return f"{shape.encoding} · {segments} · {shape.remaining_in_segment} left"


def message_view(m: Message) -> dict[str, Any]:
    """One message as the thread and the log show it."""
    return {
        "id": m.id,
        "inbound": str(m.direction) == "inbound",
        "direction": "Received" if str(m.direction) == "inbound" else "Sent",
        "from": m.from_number,
        "to": m.to_number,
        "text": m.text,
        "status": str(m.status),
        "error_code": m.error_code,
        "error_message": m.error_message,
        "segments": m.segments,
        "encoding": m.encoding,
        "at": m.created_at,
        "origin": m.origin,
    }


@dataclass(frozen=True, slots=True)
class LogForm:
    """The log search form as typed, the filters it makes (None when invalid) and why not."""

    values: dict[str, str]
    filters: MessageFilters | None
    errors: list[str]

    def query(self, **extra: str) -> str:
        """The same filters as a query string (for "Older" and the CSV export)."""
        from urllib.parse import urlencode

        pairs = [(k, v) for k, v in self.values.items() if v] + list(extra.items())
        return urlencode(pairs)


def log_form(params: Mapping[str, str]) -> LogForm:
    """Parse the log page's query string into MessageFilters (errors listed, never raised)."""
    values = {k: str(params.get(k) or "").strip() for k in FILTER_KEYS}
    data = {k: v for k, v in values.items() if v}
    try:
        return LogForm(values=values, filters=MessageFilters.model_validate(data), errors=[])
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return LogForm(values=values, filters=None, errors=errors)
