"""The send pipeline: every check a message must pass, then a committed row, then the queue.

`send()` and `send_batch()` share one path. The questions a send asks (does the number belong
to the caller and to a campaign that may send, has the recipient opted out, is there consent,
did the recipient text us lately, do the media exist, was this idempotency key used) are asked
once for the whole batch with set-based queries; each message is then judged in memory, in
this order, and the first failure is its refusal:

1. idempotency key already used: the original message (same body) or IDEMPOTENCY_CONFLICT
2. the sender number belongs to the caller's account (NUMBER_NOT_FOUND) and to an approved
   application or one with an active temporary registration (SENDER_NOT_REGISTERED)
3. the recipient is a valid US number (RECIPIENT_INVALID)
4. the recipient has not opted out of this program or the account (RECIPIENT_OPTED_OUT)
5. consent for this application, unless the recipient texted this number within the
   conversation window, or the message is an auto textback answering the recipient's call to
   this number within the textback window (CONSENT_MISSING)
6. text present or media given (MESSAGE_EMPTY), not too long (MESSAGE_TOO_LONG)
7. content rules at send time (CONTENT_PROHIBITED, CONTENT_URL_SHORTENER)
8. quiet hours for marketing, in the recipient's local time (QUIET_HOURS)
9. media exist and fit (MEDIA_NOT_FOUND, MEDIA_TOO_LARGE)

Accepted messages are inserted `queued` with their first status change recorded through
messaging.status (the MessageEvent, and the "queued" status callback when the message gives a
status_callback_url); their ids are handed to the queue only after the transaction commits
(messaging.outbox).

HTTP statuses: 403 when the message may not be sent to that person from that number now
(SENDER_NOT_REGISTERED, RECIPIENT_OPTED_OUT, CONSENT_MISSING, QUIET_HOURS); 422 when the
message itself is unacceptable (RECIPIENT_INVALID, NUMBER_INVALID, MESSAGE_EMPTY,
MESSAGE_TOO_LONG, CONTENT_PROHIBITED, CONTENT_URL_SHORTENER); 404 for unknown ids and numbers
(NUMBER_NOT_FOUND, MEDIA_NOT_FOUND); 409 IDEMPOTENCY_CONFLICT; 413 MEDIA_TOO_LARGE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consentry.accounts.scope import Principal
from consentry.compliance import Context, Report, check_send_time
from consentry.compliance.engine import context_for
from consentry.kit.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.kit.phone import normalize_us, time_zones
from consentry.kit.settings import Settings
from consentry.messaging import repository
from consentry.messaging.media import MediaTooLarge
from consentry.messaging.models import (
    Direction,
    Media,
    Message,
    MessageStatus,
)
from consentry.messaging.outbox import enqueue_after_commit
from consentry.messaging.registry import SenderIndex
from consentry.messaging.segments import analyze
from consentry.messaging.status import Change, record_changes
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.service import as_application

__all__ = [
    "MAX_MEDIA_PER_MESSAGE",
    "ORIGIN_TEXTBACK",
    "BatchOutcome",
    "ItemOutcome",
    "SendRequest",
    "get_message",
    "send",
    "send_batch",
    "send_one",
]

log = get_logger(__name__)

MAX_MEDIA_PER_MESSAGE = 10
ORIGIN_TEXTBACK = "textback"
PROHIBITED_RULES = frozenset(
    {"CT-FORBIDDEN", "CT-HIGH-RISK-FINANCIAL", "CT-LEAD-GEN", "CT-AGE-GATE"}
)
# When a number's area code names no zone, the message must fit the quiet hours of the whole
# continental US (the earliest and the latest clock).
_FALLBACK_ZONES = ("America/New_York", "America/Los_Angeles")


@dataclass(frozen=True, slots=True)
class SendRequest:
    """One message to send, as the caller gave it."""

    from_: str
    to: str
    text: str = ""
    media: tuple[str, ...] = ()
    idempotency_key: str | None = None
    marketing: bool = False
    status_callback_url: str | None = None
    # Set when the system sends the message itself ("textback", ...); see Message.origin.
    origin: str | None = None


@dataclass(slots=True)
class ItemOutcome:
    """One message of a batch: accepted (with its row's values) or refused (with why)."""

    index: int
    message_id: str | None = None
    status: MessageStatus | None = None
    segments: int = 0
    encoding: str | None = None
    replayed: bool = False
    error: DomainError | None = None

    @property
    def accepted(self) -> bool:
        """Whether the message was accepted (now or by an earlier request with the same key)."""
        return self.error is None


@dataclass(slots=True)
class BatchOutcome:
    """Per-item results of a batch, in request order."""

    items: list[ItemOutcome] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """How many messages were accepted."""
        return sum(1 for i in self.items if i.accepted)

    @property
    def refused(self) -> int:
        """How many messages were refused."""
        return len(self.items) - self.accepted


def _body(req: SendRequest, from_: str | None, to: str | None) -> tuple[Any, ...]:
    """What an idempotency key promises: the same sender, recipient, text and media."""
    return (from_ or req.from_, to or req.to, req.text, tuple(req.media))


def _stored_body(row: Message) -> tuple[Any, ...]:
    return (row.from_number, row.to_number, row.text, tuple(m.get("id") for m in row.media))


class _Facts:
    """Everything a batch's checks need to know from the database, asked once per batch."""

    def __init__(
        self,
        session: Session,
        *,
        caller: Principal,
        requests: Sequence[SendRequest],
        now: datetime,
        settings: Settings,
    ) -> None:
        account = caller.account_id
        self.froms = [normalize_us(r.from_) for r in requests]
        self.tos = [normalize_us(r.to) for r in requests]
        keys = [r.idempotency_key for r in requests if r.idempotency_key]
        self.by_key = repository.messages_by_idempotency_key(session, account, keys)
        self.senders = SenderIndex(
            session, account_id=account, numbers=[f for f in self.froms if f], now=now
        )
        app_ids = {
            s.application.id
            for f in set(self.froms)
            if f and (s := self.senders.state(f)).application is not None
        }
        phones = [t for t in self.tos if t]
        self.opt_outs = repository.open_opt_outs(session, account, phones)
        self.consents = repository.active_consent_pairs(session, account, app_ids, phones)
        since = now - timedelta(hours=settings.conversation_window_hours)
        self.conversations = repository.recent_inbound_pairs(session, account, phones, since)
        self.calls: set[tuple[str, str]] = set()
        if any(r.origin == ORIGIN_TEXTBACK for r in requests):
            after = now - timedelta(minutes=settings.textback_consent_window_minutes)
            self.calls = repository.recent_call_pairs(session, account, phones, after)
        media_ids = {m for r in requests for m in r.media}
        self.media = repository.media_by_ids(session, account, media_ids)
        self._contexts: dict[str, Context] = {}
        self._content: dict[tuple[str, str], Report] = {}

    def context(self, app: ApplicationRow) -> Context:
        """The compliance context of an application (brand names, use case, age gate)."""
        ctx = self._contexts.get(app.id)
        if ctx is None:
            ctx = self._contexts[app.id] = context_for(as_application(app))
        return ctx

    def content(self, app: ApplicationRow, text: str) -> Report:
        """The send-time content report, computed once per application and text."""
        key = (app.id, text)
        report = self._content.get(key)
        if report is None:
            report = self._content[key] = check_send_time(text, self.context(app))
        return report


def _content_refusal(report: Report) -> DomainError | None:
    errors = [f for f in report.findings if f.severity == "error"]
    prohibited = [f for f in errors if f.rule in PROHIBITED_RULES]
    links = [f for f in errors if f.rule == "SM-LINKS"]
    chosen, code = (
        (prohibited, "CONTENT_PROHIBITED") if prohibited else (links, "CONTENT_URL_SHORTENER")
    )
    if not chosen:
        return None
    first = chosen[0]
    return Invalid(
        first.message,
        code=code,
        fix=first.fix,
        details={"findings": [f.to_dict() for f in chosen]},
    )


def _is_marketing(app: ApplicationRow, req: SendRequest) -> bool:
    use_case = str(app.campaign.get("use_case") or "").upper()
    return req.marketing or use_case == "MARKETING"


def _quiet_hours(to: str, now: datetime, settings: Settings) -> DomainError | None:
    """QUIET_HOURS when it is outside the allowed hours where the recipient lives."""
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    resume: datetime | None = None
    blocked: tuple[str, datetime] | None = None
    for zone in time_zones(to) or _FALLBACK_ZONES:
        local = now.astimezone(ZoneInfo(zone))
        if start <= local.hour < end:
            continue
        day = local.date() if local.hour < start else local.date() + timedelta(days=1)
        opens = datetime(day.year, day.month, day.day, start, tzinfo=ZoneInfo(zone))
        if resume is None or opens > resume:
            resume = opens
        blocked = blocked or (zone, local)
    if blocked is None or resume is None:
        return None
    zone, local = blocked
    resume_utc = resume.astimezone(now.tzinfo)
    return Forbidden(
        f"It is {local:%H:%M} for the recipient ({zone}); marketing messages may be sent only "
        f"between {start:02d}:00 and {end:02d}:00 their time.",
        code="QUIET_HOURS",
        fix=f"Send it at or after {resume:%H:%M} the recipient's time "
        f"({resume_utc:%Y-%m-%d %H:%M} UTC).",
        details={
            "time_zone": zone,
            "local_time": local.isoformat(),
            "resume_at": resume_utc.isoformat(),
        },
    )


def _media_refusal(
    req: SendRequest, facts: _Facts, settings: Settings
) -> tuple[list[Media], DomainError | None]:
    if len(req.media) > MAX_MEDIA_PER_MESSAGE:
        return [], Invalid(
            f"A message carries at most {MAX_MEDIA_PER_MESSAGE} media files.",
            code="MEDIA_TOO_MANY",
            fix="Send the files in several messages.",
        )
    found: list[Media] = []
    for media_id in req.media:
        row = facts.media.get(media_id)
        if row is None:
            return [], NotFound(
                f"No media {media_id}.",
                code="MEDIA_NOT_FOUND",
                fix="Upload the file with POST /api/v1/media and use the id it returns.",
                details={"media": media_id},
            )
        found.append(row)
    total = sum(m.size for m in found)
    if total > settings.media_max_bytes:
        return [], MediaTooLarge(
            f"The message's media total {total:,} bytes; the limit is "
            f"{settings.media_max_bytes:,}.",
            fix="Send fewer or smaller files.",
            details={"size": total, "limit": settings.media_max_bytes},
        )
    return found, None


@dataclass(slots=True)
class _Accepted:
    values: dict[str, Any]
    outcome: ItemOutcome


def _judge(
    index: int,
    req: SendRequest,
    facts: _Facts,
    *,
    caller: Principal,
    now: datetime,
    settings: Settings,
) -> ItemOutcome | _Accepted:
    """One message against every check, in order: a refusal or the row to insert."""
    from_, to = facts.froms[index], facts.tos[index]
    if req.idempotency_key and req.idempotency_key in facts.by_key:
        original = facts.by_key[req.idempotency_key]
        if _stored_body(original) != _body(req, from_, to):
            return ItemOutcome(index, error=_idempotency_conflict(req.idempotency_key))
        return ItemOutcome(
            index,
            message_id=original.id,
            status=original.status,
            segments=original.segments,
            encoding=original.encoding,
            replayed=True,
        )
    try:
        if from_ is None:
            raise Invalid(
                f"{req.from_!r} is not a valid US phone number.",
                code="NUMBER_INVALID",
                fix='Send from one of your numbers in E.164, e.g. "+15125550123".',
                details={"field": "from"},
            )
        app = facts.senders.resolve(from_)
        if to is None:
            raise Invalid(
                f"{req.to!r} is not a valid US phone number.",
                code="RECIPIENT_INVALID",
                fix='Give the recipient in E.164, e.g. "+15125550123".',
                details={"field": "to"},
            )
        if (to, None) in facts.opt_outs or (to, app.id) in facts.opt_outs:
            raise Forbidden(
                f"The recipient {to} has opted out of these messages.",
                code="RECIPIENT_OPTED_OUT",
                fix="Do not text this number unless the person opts in again "
                "(they can reply START, or give consent anew).",
                details={"to": to, "application_id": app.id},
            )
        # A textback answers the recipient's own call: carriers treat it like a reply to a
        # conversation the recipient started, so for a short window after the call it needs no
        # consent record. Only the system's textback gets this; a customer's send does not.
        answers_call = req.origin == ORIGIN_TEXTBACK and (from_, to) in facts.calls
        if (
            (app.id, to) not in facts.consents
            and (from_, to) not in facts.conversations
            and not answers_call
        ):
            raise Forbidden(
                f"There is no record of {to} agreeing to receive messages of application {app.id}.",
                code="CONSENT_MISSING",
                fix="Record the recipient's opt-in first (POST /api/v1/consents, or import "
                "paper/verbal consent with POST /api/v1/consents/import).",
                details={"to": to, "application_id": app.id},
            )
        if not req.text.strip() and not req.media:
            raise Invalid(
                "The message has no text and no media.",
                code="MESSAGE_EMPTY",
                fix='Give "text", or "media" with ids from POST /api/v1/media.',
            )
        if len(req.text) > settings.max_message_chars:
            raise Invalid(
                f"The text is {len(req.text):,} characters; at most "
                f"{settings.max_message_chars:,} can be sent in one message.",
                code="MESSAGE_TOO_LONG",
                fix="Shorten the text, or send it as several messages.",
                details={"length": len(req.text), "limit": settings.max_message_chars},
            )
        if req.text:
            refusal = _content_refusal(facts.content(app, req.text))
            if refusal is not None:
                raise refusal
        if settings.quiet_hours and _is_marketing(app, req):
            refusal = _quiet_hours(to, now, settings)
            if refusal is not None:
                raise refusal
        media, refusal = _media_refusal(req, facts, settings)
        if refusal is not None:
            raise refusal
    except DomainError as err:
        return ItemOutcome(index, error=err)
    seg = analyze(req.text)
    # An MMS is one message whatever its text's length; segments count SMS parts.
    segments = 1 if media else seg.segments
    message_id = new_id("msg")
    values: dict[str, Any] = {
        "id": message_id,
        "account_id": caller.account_id,
        "application_id": app.id,
        "direction": Direction.OUTBOUND,
        "from_number": from_,
        "to_number": to,
        "account_number": from_,
        "remote_number": to,
        "text": req.text,
        "media": [
            {"id": m.id, "content_type": m.content_type, "size": m.size, "filename": m.filename}
            for m in media
        ],
        "status": MessageStatus.QUEUED,
        "segments": segments,
        "encoding": seg.encoding,
        "idempotency_key": req.idempotency_key,
        "status_callback_url": req.status_callback_url,
        "origin": req.origin,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    outcome = ItemOutcome(
        index,
        message_id=message_id,
        status=MessageStatus.QUEUED,
        segments=segments,
        encoding=seg.encoding,
    )
    return _Accepted(values, outcome)


def _idempotency_conflict(key: str) -> Conflict:
    return Conflict(
        "This Idempotency-Key was already used for a different message.",
        code="IDEMPOTENCY_CONFLICT",
        fix="Use a new key for a new message; reuse a key only to retry the same request.",
        details={"idempotency_key": key},
    )


def _judge_all(
    session: Session,
    *,
    caller: Principal,
    requests: Sequence[SendRequest],
    now: datetime,
    settings: Settings,
) -> tuple[list[ItemOutcome], list[_Accepted]]:
    facts = _Facts(session, caller=caller, requests=requests, now=now, settings=settings)
    outcomes: list[ItemOutcome] = []
    accepted: list[_Accepted] = []
    in_batch: dict[str, tuple[tuple[Any, ...], ItemOutcome]] = {}
    for index, req in enumerate(requests):
        key = req.idempotency_key
        if key and key in in_batch and key not in facts.by_key:
            # The same key twice in one batch: the second is a retry of the first.
            body, first = in_batch[key]
            if body != _body(req, facts.froms[index], facts.tos[index]):
                outcomes.append(ItemOutcome(index, error=_idempotency_conflict(key)))
            else:
                outcomes.append(
                    ItemOutcome(
                        index,
                        message_id=first.message_id,
                        status=first.status,
                        segments=first.segments,
                        encoding=first.encoding,
                        replayed=True,
                        error=first.error,
                    )
                )
            continue
        result = _judge(index, req, facts, caller=caller, now=now, settings=settings)
        outcome = result.outcome if isinstance(result, _Accepted) else result
        if isinstance(result, _Accepted):
            accepted.append(result)
        if key:
            in_batch[key] = (_body(req, facts.froms[index], facts.tos[index]), outcome)
        outcomes.append(outcome)
    return outcomes, accepted


def _queued(items: Sequence[_Accepted], now: datetime) -> list[Change]:
    """The first status change of accepted messages: `queued`, with their status callback (the
    customer hears "queued" through messaging.status like every later change)."""
    return [
        Change(
            message_id=item.values["id"],
            account_id=item.values["account_id"],
            status=MessageStatus.QUEUED,
            at=now,
            callback_url=item.values["status_callback_url"],
        )
        for item in items
    ]


def send(
    session: Session,
    *,
    caller: Principal,
    request: SendRequest,
    now: datetime,
    settings: Settings,
) -> Message:
    """Check one message and insert it `queued` (enqueued after commit); raises the refusal.
    A retry with the same idempotency key and body returns the original message."""
    message, _replayed = send_one(
        session, caller=caller, request=request, now=now, settings=settings
    )
    return message


def send_one(
    session: Session,
    *,
    caller: Principal,
    request: SendRequest,
    now: datetime,
    settings: Settings,
) -> tuple[Message, bool]:
    """As send(), also telling whether the message is an earlier one returned again."""
    outcomes, accepted = _judge_all(
        session, caller=caller, requests=[request], now=now, settings=settings
    )
    outcome = outcomes[0]
    if outcome.error is not None:
        log.info("messaging.outbound.refused", code=outcome.error.code)
        raise outcome.error
    if not accepted:
        original = session.get(Message, outcome.message_id)
        assert original is not None
        return original, True
    item = accepted[0]
    row = Message(**item.values)
    try:
        # A savepoint: a concurrent request with the same key loses only this insert.
        with session.begin_nested():
            session.add(row)
            session.flush()
            record_changes(session, _queued([item], now))
    except IntegrityError:
        key = request.idempotency_key
        original = (
            repository.messages_by_idempotency_key(session, caller.account_id, [key]).get(key)
            if key
            else None
        )
        if original is None:
            raise
        if _stored_body(original) != _body(request, row.from_number, row.to_number):
            raise _idempotency_conflict(key or "") from None
        return original, True
    enqueue_after_commit(session, row.id)
    log.info("messaging.outbound.queued", message_id=row.id, segments=row.segments)
    return row, False


def send_batch(
    session: Session,
    *,
    caller: Principal,
    requests: Sequence[SendRequest],
    now: datetime,
    settings: Settings,
) -> BatchOutcome:
    """Check every message of a batch and insert the accepted ones in one bulk statement;
    each item gets its outcome (refusals do not stop the others)."""
    if len(requests) > settings.max_batch_messages:
        raise Invalid(
            f"A batch holds at most {settings.max_batch_messages:,} messages; "
            f"this one has {len(requests):,}.",
            code="BATCH_TOO_LARGE",
            fix="Split it into several batches.",
        )
    outcomes, accepted = _judge_all(
        session, caller=caller, requests=requests, now=now, settings=settings
    )
    if accepted:
        try:
            with session.begin_nested():
                session.execute(insert(Message), [a.values for a in accepted])
                record_changes(session, _queued(accepted, now))
        except IntegrityError:
            raise Conflict(
                "Another request used one of these idempotency keys at the same moment.",
                code="IDEMPOTENCY_CONFLICT",
                fix="Retry the batch: messages already accepted under those keys are returned "
                "as they are.",
            ) from None
        for a in accepted:
            enqueue_after_commit(session, a.values["id"])
    outcome = BatchOutcome(items=outcomes)
    log.info("messaging.outbound.batch", accepted=outcome.accepted, refused=outcome.refused)
    return outcome


def get_message(session: Session, principal: Principal, message_id: str) -> Message:
    """One message of the caller's tenant (another tenant's reads as MESSAGE_NOT_FOUND)."""
    row = repository.visible_message(session, principal, message_id)
    if row is None:
        raise NotFound(
            f"No message {message_id}.",
            code="MESSAGE_NOT_FOUND",
            fix="GET /api/v1/messages lists yours.",
        )
    return row
