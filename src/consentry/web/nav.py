"""The navigation bar: which sections each role sees.

Customers and resellers see their applications and the messaging pages (numbers, inbox, logs,
consents); staff see the review queue. Templates only loop over `nav_for(role)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from consentry.accounts.models import Role

__all__ = ["NAV", "NavItem", "nav_for"]


@dataclass(frozen=True, slots=True)
class NavItem:
    """One link of the navigation bar."""

    label: str
    href: str
    roles: frozenset[Role]

    def active(self, path: str) -> bool:
        """Whether `path` is inside this section."""
        if self.href == "/":
            return path == "/" or path.startswith("/applications")
        return path == self.href or path.startswith(self.href + "/")


_TENANT = frozenset({Role.CUSTOMER, Role.RESELLER})
_STAFF = frozenset({Role.REVIEWER, Role.ADMIN})

NAV: tuple[NavItem, ...] = (
    NavItem("Applications", "/", _TENANT),
    NavItem("Numbers", "/numbers", _TENANT),
    NavItem("Inbox", "/inbox", _TENANT),
    NavItem("Logs", "/logs", _TENANT),
    NavItem("Consents", "/consents", _TENANT),
    NavItem("Review queue", "/review", _STAFF),
)


def nav_for(role: Role) -> list[NavItem]:
    """The sections a user of `role` sees, in order."""
    return [item for item in NAV if role in item.roles]
