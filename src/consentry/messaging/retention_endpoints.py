"""Message retention over HTTP: how long the caller's account keeps its messages."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from consentry.accounts.deps import PrincipalDep
from consentry.kit.deps import SessionDep
from consentry.messaging import retention

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["messaging"])

MAX_API_RETENTION_DAYS = 3650


class RetentionSettings(BaseModel):
    """Messages older than `retention_days` are deleted by the hourly purge; null keeps them."""

    model_config = ConfigDict(extra="forbid")

    retention_days: int | None = Field(ge=1, le=MAX_API_RETENTION_DAYS)


@router.get("/account/retention")
def get_retention(session: SessionDep, principal: PrincipalDep) -> RetentionSettings:
    """How many days your account keeps its messages (null: forever)."""
    days = retention.get_retention_days(session, account_id=principal.account_id)
    return RetentionSettings(retention_days=days)


@router.put("/account/retention")
def put_retention(
    body: RetentionSettings, session: SessionDep, principal: PrincipalDep
) -> RetentionSettings:
    """Keep your account's messages this many days (1..3650), or forever (null)."""
    row = retention.set_retention_days(
        session, account_id=principal.account_id, days=body.retention_days
    )
    return RetentionSettings(retention_days=row.retention_days)
