"""What the messaging pages show, read from the messaging and consent services.

Only presentation lives here: the segment counter's sentence, a message's direction and status
as words, the filters of the log form, a consent's status and history as words. Every decision
(who may send, what is refused, which messages match, what a consent proves) is the services'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from consentry.consent.models import Consent, ConsentStatus
from consentry.messaging.models import Message
from consentry.messaging.search import MessageFilters
from consentry.messaging.segments import analyze

__all__ = [
    "CONSENT_STATUSES",
    "FILTER_KEYS",
    "LogForm",
    "consent_row",
    "consent_status",
    "consent_view",
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


# -- consent records --------------------------------------------------------------------------

# The consent list's status filter, in lifecycle order.
CONSENT_STATUSES = tuple(str(s) for s in ConsentStatus)
_CONSENT_LABELS = {
    "pending": "Pending",
    "active": "Active",
    "revoked": "Revoked",
    "expired": "Expired",
}
_EVENT_LABELS = {
    "confirmation_requested": "Double opt-in request queued",
    "confirmation_sent": "Opt-in confirmation queued",
    "confirmed": "Confirmed by a YES reply",
    "expired": "Expired",
    "expired_reply": "YES after expiry answered",
}
_TEXT_KINDS = {
    "double_opt_in_request": "Double opt-in request",
    "opt_in_confirmation": "Opt-in confirmation",
    "expired_request_reply": "Reply to a YES after expiry",
}
_EXPIRY_REASONS = {
    "no_reply": "no YES reply by the deadline",
    "superseded": "a newer sign-up replaced it",
}


def _at(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _fmt(value: datetime) -> str:
    from consentry.web.templating import when

    return when(value)


def consent_status(
    status: str,
    *,
    expires_at: datetime | None,
    expired_at: datetime | None,
    expired_reason: str | None = None,
    revoked_at: datetime | None = None,
    confirmed_at: datetime | None = None,
    now: datetime,
) -> dict[str, str]:
    """A consent's status as a badge label and one sentence (the deadline of a pending double
    opt-in, when and why an expired one lapsed)."""
    label = _CONSENT_LABELS.get(status, status)
    if status == "pending":
        if expires_at is None:
            line = "Waiting for the YES reply."
        elif expires_at > now:
            line = f"Waiting for the YES reply until {_fmt(expires_at)}."
        else:
            line = (
                f"The YES reply did not come by {_fmt(expires_at)}; "
                "the record becomes expired at the next check."
            )
    elif status == "expired":
        why = _EXPIRY_REASONS.get(expired_reason or "", "")
        line = "Expired" + (f" {_fmt(expired_at)}" if expired_at else "")
        line += f": {why}." if why else "."
        if expired_reason != "superseded" and expires_at is not None:
            line += f" The deadline was {_fmt(expires_at)}."
        line += " It never became active; the person has to sign up again."
    elif status == "revoked":
        line = "Revoked" + (f" {_fmt(revoked_at)}." if revoked_at else ".")
    else:
        line = "Active" + (
            f": confirmed by a YES reply {_fmt(confirmed_at)}." if confirmed_at else "."
        )
    return {"status": status, "label": label, "line": line}


def consent_row(row: Consent, *, expired_at: datetime | None, now: datetime) -> dict[str, Any]:
    """One consent record as the consent list shows it."""
    note = ""
    if row.status is ConsentStatus.PENDING and row.expires_at is not None:
        passed = row.expires_at <= now
        note = ("deadline passed " if passed else "until ") + _fmt(row.expires_at)
    elif row.status is ConsentStatus.EXPIRED and expired_at is not None:
        note = _fmt(expired_at)
    elif row.status is ConsentStatus.REVOKED and row.revoked_at is not None:
        note = _fmt(row.revoked_at)
    return {
        "id": row.id,
        "phone": row.phone,
        "application_id": row.application_id,
        "method": str(row.method),
        "consented_at": row.consented_at,
        "note": note,
        "status": consent_status(
            str(row.status),
            expires_at=row.expires_at,
            expired_at=expired_at,
            revoked_at=row.revoked_at,
            now=now,
        ),
    }


def consent_view(evidence: Mapping[str, Any], *, now: datetime) -> dict[str, Any]:
    """The consent page: the evidence as `consent.evidence` builds it, with its times as
    datetimes and its status, texts and history in words."""
    when = {k: _at(v) for k, v in evidence["when"].items() if k != "expired_reason"}
    texts = [
        {
            **t,
            "kind_label": _TEXT_KINDS.get(t["kind"], t["kind"]),
            "queued_at": _at(t["queued_at"]),
            "status_at": _at(t["status_at"]),
        }
        for t in evidence["confirmation_texts"]
    ]
    events = []
    for e in evidence["events"]:
        details = {k: v for k, v in e["details"].items() if k != "text"}
        reason = details.pop("reason", None)
        notes = [_EXPIRY_REASONS.get(reason, reason)] if reason else []
        if details.get("expires_at"):
            notes.append(f"deadline {_fmt(datetime.fromisoformat(details.pop('expires_at')))}")
        notes += [f"{k.replace('_', ' ')}: {v}" for k, v in sorted(details.items()) if v]
        events.append(
            {
                "at": _at(e["at"]),
                "action": e["action"],
                "label": _EVENT_LABELS.get(e["action"], e["action"]),
                "message_id": e["message_id"],
                "notes": "; ".join(notes),
            }
        )
    opt_outs = [
        {**o, "opted_out_at": _at(o["opted_out_at"]), "ended_at": _at(o["ended_at"])}
        for o in evidence["opt_outs"]
    ]
    status = consent_status(
        evidence["status"],
        expires_at=when["expires_at"],
        expired_at=when["expired_at"],
        expired_reason=evidence["when"].get("expired_reason"),
        revoked_at=when["revoked_at"],
        confirmed_at=when["confirmed_at"],
        now=now,
    )
    return {
        **evidence,
        "when": when,
        "status": status,
        "confirmation_texts": texts,
        "events": events,
        "opt_outs": opt_outs,
    }
