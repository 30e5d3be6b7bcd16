"""Phone number API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from consentry.messaging.numbers.service import NumberState

__all__ = ["NumberCreate", "NumberList", "NumberRead", "number_read"]


class NumberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(max_length=40, description='A US number, E.164: "+15125550123".')
    label: str | None = Field(None, max_length=200)


class NumberRead(BaseModel):
    """A number, the applications that list it, and whether it can send now (and why not)."""

    id: str
    number: str
    label: str | None
    account_id: str
    applications: list[str]
    sendable: bool
    sending_application_id: str | None
    sending_via: Literal["approved", "temporary_registration"] | None
    reason: str | None
    fix: str | None
    created_at: datetime


class NumberList(BaseModel):
    items: list[NumberRead]
    next_cursor: str | None = None


def number_read(item: NumberState) -> NumberRead:
    """The API shape of a number and its state."""
    s = item.state
    via: Literal["approved", "temporary_registration"] | None = None
    if s.via == "approved":
        via = "approved"
    elif s.via == "temporary_registration":
        via = "temporary_registration"
    return NumberRead(
        id=item.row.id,
        number=item.row.number,
        label=item.row.label,
        account_id=item.row.account_id,
        applications=list(s.listed_in),
        sendable=s.sendable,
        sending_application_id=s.application.id if s.application is not None else None,
        sending_via=via,
        reason=s.reason,
        fix=s.fix,
        created_at=item.row.created_at,
    )
