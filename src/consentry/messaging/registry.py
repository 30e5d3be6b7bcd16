"""Which application (campaign) lets a number send now.

A number can send when the account owns it and an application of the account that lists it in
campaign.phone_numbers is approved, or holds an active temporary registration. Lookups are
set-based: one `SenderIndex` answers for every number of a batch with a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.kit.errors import Forbidden, NotFound
from consentry.kit.phone import normalize_us
from consentry.messaging.models import PhoneNumber
from consentry.registration.models import (
    Application,
    ApplicationStatus,
    TemporaryRegistration,
    TemporaryStatus,
)

__all__ = ["SenderIndex", "SenderState", "sending_registration"]

S = ApplicationStatus

# Why a listed number cannot send yet, by the status of the application that lists it.
_WHY = {
    S.DRAFT: (
        "application {id} that lists it is still a draft",
        "Submit application {id}; its numbers can send once it is approved, or sooner with an "
        "active temporary registration (POST /api/v1/applications/{id}/temporary-registration).",
    ),
    S.SUBMITTED: (
        "application {id} that lists it is awaiting review",
        "Wait for approval, or request a temporary registration "
        "(POST /api/v1/applications/{id}/temporary-registration) to send during review.",
    ),
    S.IN_REVIEW: (
        "application {id} that lists it is in review",
        "Wait for approval, or request a temporary registration "
        "(POST /api/v1/applications/{id}/temporary-registration) to send during review.",
    ),
    S.REJECTED: (
        "application {id} that lists it was rejected",
        "Fix the rejection reasons and resubmit application {id}.",
    ),
    S.INELIGIBLE: (
        "application {id} that lists it is permanently ineligible",
        "Create and submit a new application that lists this number.",
    ),
    S.WITHDRAWN: (
        "application {id} that lists it was withdrawn",
        "Create and submit a new application that lists this number.",
    ),
}
# When several applications list a number, the one closest to sending explains why it cannot.
_RANK = {S.IN_REVIEW: 0, S.SUBMITTED: 1, S.REJECTED: 2, S.DRAFT: 3, S.INELIGIBLE: 4, S.WITHDRAWN: 5}


@dataclass(frozen=True, slots=True)
class SenderState:
    """A number's registration state: the application letting it send, or why none does."""

    number: str
    owned: bool
    application: Application | None
    via: str | None  # "approved" | "temporary_registration"
    listed_in: tuple[str, ...]
    reason: str | None
    fix: str | None

    @property
    def sendable(self) -> bool:
        """Whether the number may send now."""
        return self.application is not None


def _listed_numbers(raw: object) -> set[str]:
    """The E.164 numbers of a campaign's phone_numbers list (anything else is ignored)."""
    out: set[str] = set()
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, str):
            normal = normalize_us(item)
            if normal is not None:
                out.add(normal)
    return out


@dataclass(frozen=True, slots=True)
class _Listing:
    """What the index reads of an application that lists a number."""

    id: str
    status: S
    decided_at: datetime | None


class SenderIndex:
    """The registration state of an account's numbers at one moment (three queries, plus one
    to load each application that lets a number send)."""

    def __init__(
        self, session: Session, *, account_id: str, numbers: Iterable[str] | None, now: datetime
    ) -> None:
        self._session = session
        self._loaded: dict[str, Application] = {}
        wanted = None if numbers is None else sorted(set(numbers))
        owned_stmt = select(PhoneNumber.number).where(PhoneNumber.account_id == account_id)
        if wanted is not None:
            owned_stmt = owned_stmt.where(PhoneNumber.number.in_(wanted))
        self.owned: set[str] = set(session.scalars(owned_stmt))
        # Only statuses and listed numbers: an account may hold hundreds of applications, and
        # their texts are not needed to tell which one lets a number send.
        apps = session.execute(
            select(
                Application.id,
                Application.status,
                Application.decided_at,
                Application.campaign["phone_numbers"],
            )
            .where(Application.account_id == account_id)
            .order_by(Application.id.desc())
        ).all()
        active_temps: set[str] = set()
        if apps:
            temps = session.scalars(
                select(TemporaryRegistration).where(
                    TemporaryRegistration.application_id.in_([a.id for a in apps]),
                    TemporaryRegistration.status == TemporaryStatus.ACTIVE,
                )
            ).all()
            active_temps = {
                t.application_id for t in temps if t.effective_status(now) is TemporaryStatus.ACTIVE
            }
        self._listing: dict[str, list[_Listing]] = {}
        for app_id, status, decided_at, listed in apps:
            for number in _listed_numbers(listed):
                self._listing.setdefault(number, []).append(_Listing(app_id, status, decided_at))
        self._active_temps = active_temps

    def _load(self, listing: _Listing) -> Application:
        # Kept here: the session's identity map holds objects only while they are referenced.
        app = self._loaded.get(listing.id)
        if app is None:
            app = self._session.get(Application, listing.id)
            if app is None:  # deleted since the index was read
                raise NotFound(f"No application {listing.id}.", code="APPLICATION_NOT_FOUND")
            self._loaded[listing.id] = app
        return app

    def state(self, number: str) -> SenderState:
        """The number's state (`number` in E.164)."""
        listing = self._listing.get(number, [])
        ids = tuple(a.id for a in listing)
        if number not in self.owned:
            return SenderState(
                number,
                False,
                None,
                None,
                ids,
                "the account does not own this number",
                "Add the number first: POST /api/v1/numbers.",
            )
        approved = [a for a in listing if a.status is S.APPROVED]
        if approved:
            best = max(approved, key=lambda a: (a.decided_at is not None, a.decided_at, a.id))
            return SenderState(number, True, self._load(best), "approved", ids, None, None)
        temporary = [a for a in listing if a.id in self._active_temps]
        if temporary:
            return SenderState(
                number,
                True,
                self._load(temporary[0]),
                "temporary_registration",
                ids,
                None,
                None,
            )
        if not listing:
            return SenderState(
                number,
                True,
                None,
                None,
                ids,
                "no application lists this number",
                "Add the number to an application's campaign.phone_numbers and submit it.",
            )
        first = min(listing, key=lambda a: _RANK.get(a.status, 9))
        reason, fix = _WHY.get(
            first.status,
            ("application {id} that lists it cannot send", "Check application {id}."),
        )
        return SenderState(
            number, True, None, None, ids, reason.format(id=first.id), fix.format(id=first.id)
        )

    def resolve(self, number: str) -> Application:
        """The application that lets `number` send now; NUMBER_NOT_FOUND or
        SENDER_NOT_REGISTERED otherwise."""
        state = self.state(number)
        if not state.owned:
            raise NotFound(
                f"The number {number} is not one of this account's numbers.",
                code="NUMBER_NOT_FOUND",
                fix="Send from a number of your account (GET /api/v1/numbers lists them), or add "
                "it with POST /api/v1/numbers.",
                details={"from": number},
            )
        if state.application is None:
            raise Forbidden(
                f"The number {number} cannot send: {state.reason}.",
                code="SENDER_NOT_REGISTERED",
                fix=state.fix,
                details={"from": number, "applications": list(state.listed_in)},
            )
        return state.application


def sending_registration(
    session: Session, *, account_id: str, number: str, now: datetime
) -> Application:
    """The account's application that lets `number` send now (approved, or with an active
    temporary registration); raises NUMBER_NOT_FOUND (404) or SENDER_NOT_REGISTERED (403)."""
    return SenderIndex(session, account_id=account_id, numbers=[number], now=now).resolve(number)
