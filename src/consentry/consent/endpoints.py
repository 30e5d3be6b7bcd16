"""Consent over HTTP: record and read proof of opt-in, import paper/verbal consent, opt-outs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from starlette.datastructures import UploadFile

from consentry.accounts.deps import PrincipalDep
from consentry.consent import service
from consentry.consent.models import ConsentStatus
from consentry.consent.schemas import (
    ConsentCreate,
    ConsentList,
    ConsentRead,
    ImportRead,
    ImportRowRead,
    OptOutList,
    consent_read,
    opt_out_read,
)
from consentry.kit.deps import ClockDep, SessionDep
from consentry.kit.errors import DomainError, Invalid

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["consent"])

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
MAX_CSV_BYTES = 5_000_000


class PayloadTooLarge(DomainError):
    status = 413
    default_code = "PAYLOAD_TOO_LARGE"


@router.post("/consents", status_code=status.HTTP_201_CREATED)
def create_consent(
    body: ConsentCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ConsentRead:
    """Record proof of one opt-in (the disclosure text is stored with its SHA-256)."""
    row = service.give_consent(
        session,
        principal,
        application_id=body.application_id,
        phone=body.phone,
        method=body.method,
        disclosure_text=body.disclosure_text,
        source=body.source,
        now=clock.now(),
        consented_at=body.consented_at,
    )
    return consent_read(row)


@router.get("/consents")
def list_consents(
    session: SessionDep,
    principal: PrincipalDep,
    application_id: str | None = None,
    phone: str | None = None,
    status: Annotated[
        ConsentStatus | None,
        Query(description="pending, active, revoked or expired"),
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ConsentList:
    """The account's consent records, newest first; filter by application, phone and status."""
    page = service.list_consents(
        session,
        principal,
        application_id=application_id,
        phone=phone,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    return ConsentList(items=[consent_read(r) for r in page.items], next_cursor=page.next_cursor)


async def _csv_text(request: Request) -> str:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw: bytes
    if kind == "multipart/form-data":
        form = await request.form(max_part_size=MAX_CSV_BYTES)
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            raw = await upload.read(MAX_CSV_BYTES + 1)
        elif isinstance(upload, str):
            raw = upload.encode("utf-8")
        else:
            raise Invalid(
                "The form has no 'file' field.",
                code="CSV_MISSING",
                fix="Upload the CSV as the form field 'file', or send it as a text/csv body.",
            )
    else:
        raw = await request.body()
    if len(raw) > MAX_CSV_BYTES:
        raise PayloadTooLarge(
            f"The CSV is larger than {MAX_CSV_BYTES:,} bytes.",
            code="CSV_TOO_LARGE",
            fix="Split it into smaller files.",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(
            "The CSV is not UTF-8 text.",
            code="CSV_ENCODING",
            fix="Save the sheet as 'CSV UTF-8' and upload it again.",
        ) from None


@router.post(
    "/consents/import",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    },
)
async def import_consents(
    request: Request,
    application_id: Annotated[str, Query(description="The application the consents are for")],
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> ImportRead:
    """Import paper/verbal consent from a CSV (phone, method, disclosure_text, consented_at,
    source_*): good rows are imported even when others fail; each row gets its result."""
    text = await _csv_text(request)
    result = service.import_consents(
        session, principal, application_id=application_id, text=text, now=clock.now()
    )
    return ImportRead(
        application_id=application_id,
        imported=result.imported,
        errors=result.errors,
        rows=[ImportRowRead.model_validate(r) for r in result.rows],
    )


@router.get("/consents/{consent_id}")
def get_consent(consent_id: str, session: SessionDep, principal: PrincipalDep) -> ConsentRead:
    """One consent record."""
    return consent_read(service.get_consent(session, principal, consent_id))


@router.get("/opt-outs")
def list_opt_outs(
    session: SessionDep,
    principal: PrincipalDep,
    phone: str | None = None,
    application_id: str | None = None,
    active: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OptOutList:
    """The account's opt-outs, newest first; filter by phone, application, active."""
    page = service.list_opt_outs(
        session,
        principal,
        phone=phone,
        application_id=application_id,
        active=active,
        cursor=cursor,
        limit=limit,
    )
    return OptOutList(items=[opt_out_read(r) for r in page.items], next_cursor=page.next_cursor)
