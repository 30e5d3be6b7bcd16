"""Consent API shapes: one schema per direction."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from consentry.consent.models import Consent, ConsentMethod, ConsentStatus, OptOut

__all__ = [
    "ConsentCreate",
    "ConsentList",
    "ConsentRead",
    "ImportRead",
    "ImportRowRead",
    "OptOutList",
    "OptOutRead",
    "consent_read",
    "opt_out_read",
]


class ConsentCreate(BaseModel):
    """Proof of one opt-in: who, for which application, how, when, and the words shown."""

    model_config = ConfigDict(extra="forbid")

    application_id: str = Field(max_length=40)
    phone: str = Field(max_length=40, description='The subscriber, E.164: "+15125550123".')
    method: ConsentMethod
    disclosure_text: str = Field(
        min_length=1, max_length=20_000, description="The exact disclosure shown or read."
    )
    source: dict[str, Any] = Field(
        default_factory=dict,
        description='Where the opt-in came from: {"ip", "user_agent", "form_id", "url", '
        '"operator", "document", ...}.',
    )
    consented_at: datetime | None = Field(
        None, description="When the person agreed; defaults to now. Never in the future."
    )

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("consented_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give a time zone (e.g. 2026-01-05T15:00:00Z)")
        return value


class ConsentRead(BaseModel):
    id: str
    application_id: str
    phone: str
    method: ConsentMethod
    status: ConsentStatus
    consented_at: datetime
    disclosure_text: str
    disclosure_sha256: str
    source: dict[str, Any]
    revoked_at: datetime | None
    # A double opt-in's deadline for the YES reply (pending, and kept once expired).
    expires_at: datetime | None
    created_at: datetime


class ConsentList(BaseModel):
    items: list[ConsentRead]
    next_cursor: str | None


class OptOutRead(BaseModel):
    id: str
    phone: str
    application_id: str | None
    keyword: str | None
    message_id: str | None
    opted_out_at: datetime
    ended_at: datetime | None
    active: bool


class OptOutList(BaseModel):
    items: list[OptOutRead]
    next_cursor: str | None


class RowErrorRead(BaseModel):
    code: str
    message: str


class ImportRowRead(BaseModel):
    row: int
    status: Literal["imported", "error"]
    id: str | None = None
    error: RowErrorRead | None = None


class ImportRead(BaseModel):
    """The result of one CSV import: counts and one result per data row."""

    application_id: str
    imported: int
    errors: int
    rows: list[ImportRowRead]


def consent_read(row: Consent) -> ConsentRead:
    """The API shape of a consent record."""
    return ConsentRead(
        id=row.id,
        application_id=row.application_id,
        phone=row.phone,
        method=row.method,
        status=row.status,
        consented_at=row.consented_at,
        disclosure_text=row.disclosure_text,
        disclosure_sha256=row.disclosure_sha256,
        source=row.source,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
        created_at=row.created_at,
    )


def opt_out_read(row: OptOut) -> OptOutRead:
    """The API shape of an opt-out."""
    return OptOutRead(
        id=row.id,
        phone=row.phone,
        application_id=row.application_id,
        keyword=row.keyword,
        message_id=row.message_id,
        opted_out_at=row.opted_out_at,
        ended_at=row.ended_at,
        active=row.ended_at is None,
    )
