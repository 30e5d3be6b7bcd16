"""The owner's side of a hosted opt-in page: create or enable it, read its public URL."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from consentry.accounts.deps import PrincipalDep
from consentry.consent.hosted import service
from consentry.consent.hosted.models import OptinPage
from consentry.kit.deps import ClockDep, SessionDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["consent"])


class OptinPageWrite(BaseModel):
    """Settings of the hosted page; omitted values keep what the page has."""

    model_config = ConfigDict(extra="forbid")

    double_opt_in: bool | None = Field(
        None, description="Record consent pending until the person replies YES to the text."
    )


class OptinPageRead(BaseModel):
    application_id: str
    slug: str
    url: str
    enabled: bool
    double_opt_in: bool
    serving: bool = Field(
        description="Whether the page is served now (the application is approved or has an "
        "active temporary registration, and lists a number of the account)."
    )


def _read(request: Request, page: OptinPage, serving: bool) -> OptinPageRead:
    return OptinPageRead(
        application_id=page.application_id,
        slug=page.slug,
        url=str(request.url_for("optin_page", slug=page.slug)),
        enabled=page.enabled,
        double_opt_in=page.double_opt_in,
        serving=serving,
    )


@router.post("/applications/{application_id}/optin-page")
def enable_optin_page(
    application_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    body: OptinPageWrite | None = None,
) -> OptinPageRead:
    """Create (or enable) the application's public opt-in page; returns its URL."""
    page = service.enable_page(
        session, principal, application_id, double_opt_in=body.double_opt_in if body else None
    )
    return _read(request, page, service.hosted(session, page.slug, clock.now()) is not None)


@router.get("/applications/{application_id}/optin-page")
def get_optin_page(
    application_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> OptinPageRead:
    """The application's public opt-in page and whether it is served now."""
    page = service.get_page(session, principal, application_id)
    return _read(request, page, service.hosted(session, page.slug, clock.now()) is not None)
