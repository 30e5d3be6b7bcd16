"""HTTP for the delivery pipeline: the loopback carrier's inbound hook, failure switches and
record of what it was handed, and the account's status-callback signing secret.

The loopback endpoints exist for development and tests: any key may use them in the dev and
test environments (a customer only on its own numbers), admin keys only in production, unless
CONSENTRY_LOOPBACK_HOOK_ENABLED says otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from consentry.accounts.deps import PrincipalDep
from consentry.accounts.models import Account, Role
from consentry.accounts.scope import Principal
from consentry.carriers.loopback import service as loopback
from consentry.carriers.loopback.models import LoopbackFailureRule, LoopbackSubmission
from consentry.kit.deps import ClockDep, SessionDep, SettingsDep
from consentry.kit.errors import Forbidden, NotFound
from consentry.kit.settings import Settings
from consentry.messaging import service as messaging
from consentry.messaging.inbound import receive
from consentry.messaging.models import PhoneNumber
from consentry.messaging.webhooks import SIGNATURE_HEADER, signing_secret

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["carriers"])


class LoopbackInbound(BaseModel):
    """A message from a handset to one of the accounts' numbers."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", pattern=r"^\+[1-9]\d{6,14}$")
    to: str = Field(pattern=r"^\+[1-9]\d{6,14}$")
    text: str = Field(max_length=1600)


class InboundRead(BaseModel):
    """The stored inbound message."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    direction: str
    from_: str = Field(serialization_alias="from")
    to: str
    text: str
    status: str
    segments: int
    encoding: str
    created_at: datetime


class FailureRuleCreate(BaseModel):
    """Make the loopback carrier fail messages to one destination."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(pattern=r"^\+[1-9]\d{6,14}$")
    error_code: str = Field("LOOPBACK_FAILURE", min_length=1, max_length=40)
    permanent: bool = True
    stage: Literal["submit", "receipt"] = "submit"
    count: int | None = Field(None, ge=1, description="Fail this many submits, then stop.")


class FailureRuleRead(BaseModel):
    """A failure rule in force."""

    to: str
    error_code: str
    permanent: bool
    stage: str
    remaining: int | None
    created_at: datetime


class FailureRuleList(BaseModel):
    """Every failure rule."""

    items: list[FailureRuleRead]


class SubmissionRead(BaseModel):
    """One message as the loopback carrier received it."""

    model_config = ConfigDict(populate_by_name=True)

    message_id: str
    carrier_message_id: str
    from_: str = Field(serialization_alias="from")
    to: str
    text: str
    media_urls: list[str] = Field(description="The MMS media links the carrier was handed.")
    submitted_at: datetime
    receipt_status: str
    receipt_error_code: str | None


class SubmissionList(BaseModel):
    """What the loopback carrier recorded for one message."""

    items: list[SubmissionRead]


class SigningSecret(BaseModel):
    """How to verify status callbacks."""

    secret: str
    header: str
    algorithm: str


def _require_hook(principal: Principal, settings: Settings) -> None:
    if principal.role is not Role.ADMIN and not settings.loopback_hook_open:
        raise Forbidden(
            "The loopback carrier's test endpoints are for admin keys in this environment.",
            code="LOOPBACK_HOOK_DISABLED",
            fix="Use an admin key, or set CONSENTRY_LOOPBACK_HOOK_ENABLED=true on a test system.",
        )


@router.post("/carriers/loopback/inbound", status_code=201, response_model=InboundRead)
def loopback_inbound(
    body: LoopbackInbound,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> InboundRead:
    """Deliver a message from a handset to one of the account's numbers, as a carrier would."""
    _require_hook(principal, settings)
    if principal.role is not Role.ADMIN:
        owner = session.execute(
            select(Account.path)
            .join(PhoneNumber, PhoneNumber.account_id == Account.id)
            .where(PhoneNumber.number == body.to)
        ).scalar()
        if owner is None or not principal.sees(owner):
            raise NotFound(
                f"{body.to} is not one of your numbers.",
                code="NUMBER_UNKNOWN",
                fix="Send to a number added with POST /api/v1/numbers.",
            )
    msg = receive(
        session,
        from_number=body.from_,
        to_number=body.to,
        text=body.text,
        carrier="loopback",
        carrier_message_id=None,
        now=clock.now(),
    )
    return InboundRead(
        id=msg.id,
        direction=str(msg.direction),
        from_=msg.from_number,
        to=msg.to_number,
        text=msg.text,
        status=str(msg.status),
        segments=msg.segments,
        encoding=msg.encoding,
        created_at=msg.created_at,
    )


def _rule_read(rule: LoopbackFailureRule) -> FailureRuleRead:
    return FailureRuleRead.model_validate(
        {
            "to": rule.to_number,
            "error_code": rule.error_code,
            "permanent": rule.permanent,
            "stage": rule.stage,
            "remaining": rule.remaining,
            "created_at": rule.created_at,
        }
    )


def _require_admin_or_open(principal: Principal, settings: Settings) -> None:
    _require_hook(principal, settings)
    if principal.role not in (Role.ADMIN, Role.REVIEWER) and not settings.loopback_hook_open:
        raise Forbidden("Only staff keys may change the loopback carrier.")


@router.post("/carriers/loopback/failures", status_code=201, response_model=FailureRuleRead)
def add_failure(
    body: FailureRuleCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> FailureRuleRead:
    """Make the loopback carrier refuse (stage "submit") or not deliver (stage "receipt")
    messages to one destination."""
    _require_admin_or_open(principal, settings)
    rule = loopback.set_failure_rule(
        session,
        to_number=body.to,
        error_code=body.error_code,
        permanent=body.permanent,
        stage=body.stage,
        count=body.count,
        now=clock.now(),
    )
    return _rule_read(rule)


@router.get("/carriers/loopback/failures", response_model=FailureRuleList)
def list_failures(
    session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> FailureRuleList:
    """The failure rules in force."""
    _require_admin_or_open(principal, settings)
    return FailureRuleList(items=[_rule_read(r) for r in loopback.list_failure_rules(session)])


@router.delete("/carriers/loopback/failures/{to}", status_code=204)
def remove_failure(
    to: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    """Stop failing messages to `to`."""
    _require_admin_or_open(principal, settings)
    if not loopback.clear_failure_rule(session, to_number=to):
        raise NotFound(f"No failure rule for {to}.", code="RULE_NOT_FOUND")
    return Response(status_code=204)


def _submission_read(row: LoopbackSubmission) -> SubmissionRead:
    return SubmissionRead(
        message_id=row.message_id,
        carrier_message_id=row.carrier_message_id,
        from_=row.from_number,
        to=row.to_number,
        text=row.text,
        media_urls=list(row.media_urls or []),
        submitted_at=row.submitted_at,
        receipt_status=row.receipt_status,
        receipt_error_code=row.receipt_error_code,
    )


@router.get(
    "/carriers/loopback/submissions/{message_id}",
    response_model=SubmissionList,
    response_model_by_alias=True,
)
def loopback_submissions(
    message_id: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> SubmissionList:
    """What the loopback carrier was handed for one of your messages: text and media links."""
    _require_hook(principal, settings)
    messaging.get_message(session, principal, message_id)
    rows = loopback.submissions_of(session, message_id=message_id)
    return SubmissionList(items=[_submission_read(r) for r in rows])


@router.get("/webhooks/signing-secret", response_model=SigningSecret, tags=["webhooks"])
def webhook_secret(settings: SettingsDep, principal: PrincipalDep) -> SigningSecret:
    """The secret that signs this account's status callbacks (HMAC-SHA256 of the raw body)."""
    return SigningSecret(
        secret=signing_secret(settings, principal.account_id),
        header=SIGNATURE_HEADER,
        algorithm="sha256=HMAC-SHA256(secret, body) in hex",
    )
