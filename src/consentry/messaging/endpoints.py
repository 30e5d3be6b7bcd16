"""Messaging over HTTP: send (one or a batch), read messages, upload media, serve media to
carriers through signed links.

Each endpoint parses, calls one service function and returns a schema; the session dependency
owns the transaction, so a 202 means the message row is committed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from consentry.accounts.deps import PrincipalDep
from consentry.kit.deps import ClockDep, SessionDep, SettingsDep
from consentry.kit.errors import Invalid
from consentry.messaging import media as media_service
from consentry.messaging import service
from consentry.messaging.conversations import tenant_account_ids
from consentry.messaging.log_endpoints import FiltersDep
from consentry.messaging.schemas import (
    BatchCreate,
    BatchRead,
    MediaRead,
    MessageCreate,
    MessageList,
    MessageRead,
    batch_item_read,
    media_read,
    message_read,
)
from consentry.messaging.search import search_messages

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["messaging"])

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retrying with the same key and body returns the original message.",
    ),
]


@router.post("/messages", status_code=status.HTTP_202_ACCEPTED, response_model_by_alias=True)
def send_message(
    body: MessageCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> MessageRead:
    """Send one SMS/MMS: 202 with the queued message, or the refusal's code, reason and fix."""
    if idempotency_key and body.idempotency_key and idempotency_key != body.idempotency_key:
        raise Invalid(
            "The Idempotency-Key header and the idempotency_key field differ.",
            code="IDEMPOTENCY_KEY_MISMATCH",
            fix="Send the key once, in the header or in the body.",
        )
    row, replayed = service.send_one(
        session,
        caller=principal,
        request=body.to_request(idempotency_key),
        now=clock.now(),
        settings=settings,
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return message_read(row)


@router.post("/messages/batch")
def send_batch(
    body: BatchCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> BatchRead:
    """Send up to 1,000 messages; each item is accepted (with its id) or refused (with why)."""
    outcome = service.send_batch(
        session,
        caller=principal,
        requests=[m.to_request() for m in body.messages],
        now=clock.now(),
        settings=settings,
    )
    return BatchRead(
        accepted=outcome.accepted,
        refused=outcome.refused,
        items=[batch_item_read(i) for i in outcome.items],
    )


@router.get("/messages/{message_id}", response_model_by_alias=True)
def get_message(message_id: str, session: SessionDep, principal: PrincipalDep) -> MessageRead:
    """One message."""
    return message_read(service.get_message(session, principal, message_id))


@router.get("/messages", response_model_by_alias=True)
def list_messages(
    filters: FiltersDep,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> MessageList:
    """The account's messages, newest first: the same search and filters as /api/v1/logs."""
    account_ids = tenant_account_ids(session, principal)
    page = search_messages(
        session, account_ids=account_ids, filters=filters, cursor=cursor, limit=limit
    )
    return MessageList(items=[message_read(r) for r in page.items], next_cursor=page.next_cursor)


@router.post(
    "/media",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def upload_media(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> MediaRead:
    """Upload an MMS file (multipart field 'file', or the raw bytes with their Content-Type)."""
    kind = request.headers.get("content-type")
    filename: str | None = None
    limit = settings.media_max_bytes + 1  # one byte over is enough to know it is too large
    if (kind or "").split(";")[0].strip().lower() == "multipart/form-data":
        form = await request.form(max_files=1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid(
                "The form has no 'file' field.",
                code="MEDIA_MISSING",
                fix="Upload the file as the form field 'file'.",
            )
        data = await upload.read(limit)
        kind, filename = upload.content_type, upload.filename
    else:
        buffer = bytearray()
        async for chunk in request.stream():
            buffer.extend(chunk)
            if len(buffer) >= limit:
                break
        data = bytes(buffer)
    row = media_service.store_media(
        session,
        principal,
        data=bytes(data),
        content_type=kind,
        filename=filename,
        settings=settings,
        now=clock.now(),
    )
    return media_read(row)


@router.get("/media/{media_id}")
def get_media(media_id: str, session: SessionDep, principal: PrincipalDep) -> MediaRead:
    """What an uploaded media file is."""
    return media_read(media_service.get_media(session, principal, media_id))


@router.head("/media/{media_id}/content", response_class=FileResponse, include_in_schema=False)
@router.get(
    "/media/{media_id}/content",
    response_class=FileResponse,
    responses={
        200: {"description": "The file, with its stored Content-Type."},
        403: {"description": "MEDIA_SIGNATURE_INVALID or MEDIA_LINK_EXPIRED."},
        404: {"description": "MEDIA_NOT_FOUND."},
    },
)
def media_content(
    media_id: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    expires: Annotated[str | None, Query(description="Unix time the link ends")] = None,
    signature: Annotated[str | None, Query(description="HMAC of id and expires")] = None,
) -> Response:
    """The bytes of an uploaded file, for the holder of a signed link (no API key: carriers
    fetch MMS media this way)."""
    row = media_service.public_media(
        session,
        media_id=media_id,
        expires=expires,
        signature=signature,
        settings=settings,
        now=clock.now(),
    )
    return FileResponse(
        media_service.media_path(settings, row),
        media_type=row.content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
