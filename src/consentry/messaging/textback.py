"""Auto textback: a text to a caller whose call to one of the account's numbers went unanswered.

    POST /api/v1/call-events ─▶ call event row ─▶ rule enabled? ─▶ rule hours? ─▶ cooldown?
                                                 ─▶ messaging.service.send (origin "textback")

Each number's rule lives in PhoneNumber.settings["textback"] (validated by `TextbackRule`).
The textback goes through the normal send pipeline, so every check of a customer's send applies
(a registered sender, opt-outs, content, quiet hours); a refusal is recorded on the call event
as "refused:<CODE>". The one difference is consent: a textback answers the caller's own call, so
for settings.textback_consent_window_minutes after the call it needs no consent record (see
messaging.service).

Two call events from one caller at once must not both text back: the number's row is locked
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite the call event's INSERT takes the database's
write lock) before the cooldown is read, so the second event sees the first one's textback.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.accounts.models import Account
from consentry.accounts.scope import Principal
from consentry.compliance import Context, check_text
from consentry.compliance.engine import context_for
from consentry.kit.clock import as_utc
from consentry.kit.errors import DomainError, Invalid, NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.kit.pagination import Page, paginate
from consentry.kit.phone import time_zones
from consentry.kit.settings import Settings
from consentry.messaging import service
from consentry.messaging.models import CallEvent, CallType, PhoneNumber
from consentry.messaging.numbers import repository as numbers
from consentry.messaging.numbers.service import parse_number
from consentry.messaging.registry import SenderIndex
from consentry.registration.service import as_application

__all__ = [
    "DAYS",
    "BusinessHours",
    "CallOutcome",
    "TextbackRule",
    "default_zone",
    "get_rule",
    "list_call_events",
    "on_call",
    "rule_of",
    "set_rule",
]

log = get_logger(__name__)

SETTINGS_KEY = "textback"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_ZONE = "America/New_York"  # a number whose area code names no zone
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _clock_time(value: str) -> time:
    if value == "24:00":
        return time.max
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class BusinessHours(BaseModel):
    """When the business is open: an IANA time zone and, per weekday, [opens, closes]."""

    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(
        None, description="IANA zone, e.g. America/Chicago; default: the number's area code's."
    )
    days: dict[str, tuple[str, str]] = Field(
        default_factory=dict,
        description='Open hours per day, e.g. {"mon": ["09:00", "17:00"]}; a missing day is '
        "closed all day.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Chicago)") from None
        return value

    @field_validator("days")
    @classmethod
    def _valid_days(cls, value: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        for day, (opens, closes) in value.items():
            key = day.strip().lower()[:3]
            if key not in DAYS:
                raise ValueError(f"{day!r} is not a weekday (mon, tue, ... sun)")
            for moment in (opens, closes):
                if not _HHMM.match(moment):
                    raise ValueError(f"{moment!r} is not a time of day as HH:MM")
            if _clock_time(opens) >= _clock_time(closes):
                raise ValueError(f"{day}: the opening time must come before the closing time")
            out[key] = (opens, closes)
        return out

    def is_open(self, at: datetime, zone: str) -> bool:
        """Whether `at` falls inside the open hours, in `zone` (or self.timezone)."""
        local = at.astimezone(ZoneInfo(self.timezone or zone))
        hours = self.days.get(DAYS[local.weekday()])
        if hours is None:
            return False
        return _clock_time(hours[0]) <= local.time() < _clock_time(hours[1])


class TextbackRule(BaseModel):
    """A number's auto textback rule (stored in PhoneNumber.settings["textback"])."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    message: str = Field("", max_length=1600, description="The text sent back to the caller.")
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    when: Literal["always", "outside_hours", "inside_hours"] = Field(
        "always", description="Text back always, only outside business hours, or only inside."
    )
    cooldown_minutes: int = Field(
        1440, ge=0, le=525_600, description="At most one textback per caller in this window."
    )
    answered_announcement: bool = Field(
        False, description="Also text back after a call that ended after an announcement."
    )


CallOutcome = str  # "sent" | "cooldown" | "disabled" | "outside_rule_hours" | "refused:<CODE>"


def _number(session: Session, principal: Principal, number_id: str) -> PhoneNumber:
    row = numbers.visible_number(session, principal, number_id)
    if row is None:
        raise NotFound(
            f"No number {number_id}.",
            code="NUMBER_NOT_FOUND",
            fix="GET /api/v1/numbers lists your numbers.",
        )
    return row


def _rule_of(row: PhoneNumber) -> TextbackRule:
    raw = (row.settings or {}).get(SETTINGS_KEY)
    if not raw:
        return TextbackRule()
    try:
        return TextbackRule.model_validate(raw)
    except ValidationError:
        # A stored rule that no longer validates is treated as off, never guessed at.
        log.warning("messaging.textback.rule_unreadable", number_id=row.id)
        return TextbackRule()


def default_zone(number: str) -> str:
    """The time zone of a number's area code (the first when it spans several)."""
    zones = time_zones(number)
    return zones[0] if zones else DEFAULT_ZONE


def get_rule(session: Session, principal: Principal, number_id: str) -> tuple[PhoneNumber, str]:
    """The number and the zone its business hours are read in (the rule: `rule_of`)."""
    row = _number(session, principal, number_id)
    return row, _rule_of(row).business_hours.timezone or default_zone(row.number)


def rule_of(row: PhoneNumber) -> TextbackRule:
    """The number's textback rule (a disabled default when none is set)."""
    return _rule_of(row)


def _context(session: Session, row: PhoneNumber, now: datetime) -> Context:
    """The compliance context of the program that speaks for the number (its brand names)."""
    state = SenderIndex(session, account_id=row.account_id, numbers=[row.number], now=now).state(
        row.number
    )
    if state.application is not None:
        # Without the application's other samples: a textback is the only message the caller
        # gets, so it must carry the brand and opt-out itself (a sibling sample does not count).
        return context_for(as_application(state.application)).with_(sample_messages=())
    account = session.get(Account, row.account_id)
    return Context(company=account.name if account else None)


def set_rule(
    session: Session, principal: Principal, number_id: str, rule: TextbackRule, *, now: datetime
) -> PhoneNumber:
    """Store a number's rule; an enabled rule's message must pass the sample-message rules."""
    row = _number(session, principal, number_id)
    if rule.enabled and not rule.message.strip():
        raise Invalid(
            "An enabled textback needs a message.",
            code="TEXTBACK_MESSAGE_MISSING",
            fix='Give "message", e.g. "Northside PT: Sorry we missed your call. '
            'We will call you back soon. Reply STOP to opt out."',
        )
    if rule.message.strip():
        report = check_text("sample_message", rule.message, _context(session, row, now))
        errors = [f for f in report.findings if f.severity == "error"]
        if errors:
            first = errors[0]
            raise Invalid(
                f"The textback message would be refused: {first.message}",
                code="TEXTBACK_MESSAGE_INVALID",
                fix=first.fix,
                details={"findings": [f.to_dict() for f in errors]},
            )
    # A new dict, so the JSON column is seen as changed.
    row.settings = {**(row.settings or {}), SETTINGS_KEY: rule.model_dump(mode="json")}
    session.flush()
    log.info("messaging.textback.rule_set", number_id=row.id, enabled=rule.enabled)
    return row


def _decide(rule: TextbackRule, kind: CallType, at: datetime, zone: str) -> CallOutcome | None:
    """Why no textback is due by the rule alone, or None when one is."""
    if not rule.enabled or (kind is CallType.ANNOUNCEMENT and not rule.answered_announcement):
        return "disabled"
    if kind is CallType.ANSWERED:
        return "disabled"
    if rule.when != "always":
        open_now = rule.business_hours.is_open(at, zone)
        if open_now != (rule.when == "inside_hours"):
            return "outside_rule_hours"
    return None


def _in_cooldown(session: Session, event: CallEvent, rule: TextbackRule, now: datetime) -> bool:
    since = now - timedelta(minutes=rule.cooldown_minutes)
    count = session.scalar(
        select(func.count())
        .select_from(CallEvent)
        .where(
            CallEvent.account_id == event.account_id,
            CallEvent.number == event.number,
            CallEvent.caller == event.caller,
            CallEvent.outcome == "sent",
            CallEvent.created_at >= since,
            CallEvent.id != event.id,
        )
    )
    return bool(count)


def on_call(
    session: Session,
    principal: Principal,
    *,
    kind: CallType,
    caller: str,
    to: str,
    at: datetime | None,
    now: datetime,
    settings: Settings,
) -> CallEvent:
    """Record a call to one of the caller's numbers and text the caller back when the rule says."""
    ours = parse_number(to, field="to")
    theirs = parse_number(caller, field="from")
    # Lock the number's row: concurrent calls to it decide their textbacks one at a time.
    row = session.scalar(
        select(PhoneNumber)
        .where(PhoneNumber.number == ours, PhoneNumber.account_id == principal.account_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound(
            f"{ours} is not one of this account's numbers.",
            code="NUMBER_NOT_FOUND",
            fix="Report calls to numbers added with POST /api/v1/numbers.",
            details={"to": ours},
        )
    # A call reported with a future time is taken as happening now.
    occurred = min(as_utc(at), now) if at is not None else now
    event = CallEvent(
        id=new_id("call"),
        account_id=row.account_id,
        number=ours,
        caller=theirs,
        type=kind,
        occurred_at=occurred,
        outcome="pending",
        created_at=now,
    )
    session.add(event)
    session.flush()  # on SQLite this INSERT takes the write lock before the cooldown is read
    rule = _rule_of(row)
    zone = rule.business_hours.timezone or default_zone(ours)
    outcome = _decide(rule, kind, occurred, zone)
    if outcome is None and _in_cooldown(session, event, rule, now):
        outcome = "cooldown"
    if outcome is None:
        outcome = _send(session, principal, event, rule, now=now, settings=settings)
    event.outcome = outcome
    session.flush()
    log.info("messaging.textback.call", call_event_id=event.id, outcome=outcome)
    return event


def _send(
    session: Session,
    principal: Principal,
    event: CallEvent,
    rule: TextbackRule,
    *,
    now: datetime,
    settings: Settings,
) -> CallOutcome:
    request = service.SendRequest(
        from_=event.number, to=event.caller, text=rule.message, origin=service.ORIGIN_TEXTBACK
    )
    try:
        message = service.send(
            session, caller=principal, request=request, now=now, settings=settings
        )
    except DomainError as err:
        return f"refused:{err.code}"
    event.textback_message_id = message.id
    return "sent"


def list_call_events(
    session: Session,
    principal: Principal,
    *,
    number: str | None,
    cursor: str | None,
    limit: int,
) -> Page[CallEvent]:
    """The calls to the caller's numbers (one number when given), newest first."""
    stmt = select(CallEvent).where(CallEvent.account_id == principal.account_id)
    if number is not None:
        stmt = stmt.where(CallEvent.number == parse_number(number))
    return paginate(session, stmt, CallEvent.id, cursor=cursor, limit=limit, descending=True)
