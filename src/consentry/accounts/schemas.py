"""Account API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from consentry.accounts.models import AccountKind, Role

__all__ = ["AccountCreate", "AccountCreated", "AccountRead"]


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: AccountKind
    parent_id: str | None
    container_id: str | None
    created_at: datetime


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: Role = Role.CUSTOMER


class AccountCreated(BaseModel):
    """A new account and its first API key (shown this once)."""

    id: str
    container_id: str | None
    api_key: str
    account: AccountRead
