"""Who is calling: the authenticated key's account and role, and what it may see."""

from __future__ import annotations

from dataclasses import dataclass

from consentry.accounts.models import Role

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    Customer and reseller keys see their own account and its descendants (`account_path` is a
    prefix of theirs). Reviewer and admin keys are the provider's staff: they see every
    application, because they work the review queue. A signed-in web user is a principal too
    (`user_id` set, no key), with the same scope as a key of their role.
    """

    api_key_id: str | None
    account_id: str
    account_path: str
    role: Role
    user_id: str | None = None

    @property
    def is_staff(self) -> bool:
        """Reviewer or admin: may act on the review queue."""
        return self.role in (Role.REVIEWER, Role.ADMIN)

    @property
    def actor(self) -> str:
        """How audit events name this caller."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"api_key:{self.api_key_id}"

    def sees(self, account_path: str) -> bool:
        """Whether an account with this path is inside the caller's tenant."""
        return self.is_staff or account_path.startswith(self.account_path)
