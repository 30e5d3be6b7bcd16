"""Account tables: accounts (a provider -> reseller -> customer tree), users, API keys, and the
failed web sign-ins that lock an e-mail address out for a while."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consentry.kit.db import INT_PK, Base, TimestampMixin, UTCDateTime, str_enum

__all__ = ["Account", "AccountKind", "ApiKey", "Role", "SignInFailure", "User"]


class AccountKind(StrEnum):
    PROVIDER = "provider"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class Role(StrEnum):
    """What an API key may do: customer/reseller act on their tree; reviewer/admin review."""

    CUSTOMER = "customer"
    RESELLER = "reseller"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Account(TimestampMixin, Base):
    """A tenant. `path` lists the ids from the root down to this account ("/acc_a/acc_b/"),
    so a provider's or reseller's descendants are one prefix query away."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    path: Mapped[str] = mapped_column(String(1000), index=True)
    # The 6-digit number a customer quotes to support and the provider's PBX knows them by.
    container_id: Mapped[str | None] = mapped_column(String(6), unique=True)

    parent: Mapped[Account | None] = relationship(remote_side=[id])


class User(TimestampMixin, Base):
    """A person who signs in to the web UI (the API uses keys)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(200))


class ApiKey(TimestampMixin, Base):
    """An API key: only its SHA-256 hash and a short prefix (to recognise it) are stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role))
    name: Mapped[str | None] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship()


class SignInFailure(Base):
    """One failed web sign-in for an e-mail address (known or not, so lockout reveals nothing).

    Rows are counted in a sliding window to lock the address out; a successful sign-in deletes
    the address's rows. Kept in the database so every API process sees the same count.
    """

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(INT_PK, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
