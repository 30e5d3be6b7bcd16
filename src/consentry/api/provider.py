"""The provider-compatible messaging API (`/api/messaging/v1/...`, spec/provider-api.md).

Existing integrations call these paths with query-string credentials (`auth`, `containerID`) and
parse `{"error": "<exact sentence>"}` on failure, so this router speaks that dialect rather than
the project's error shape: parameters are read by their exact, case-sensitive names, and every
failure is one of the sentences below with its HTTP status. The database is reached inside the
handler, so an unreachable database is answered with the spec's 500 sentence.

Shapes this server defines where the public text is silent (documented in docs/provider-api.md):
- dates are UTC, "YYYY-MM-DD HH:MM:SS"; numbers are E.164 ("+15551234567");
- `conversationId` is the integer id of a conversation; `messageId` the message's id;
- a message that carries media (an MMS, inbound or outbound) ends its `messageText` with one
  marker per item, each on its own line: "[MMS <content type> media:<media id>]", e.g.
  "[MMS image/jpeg media:med_01jd...]"; the items are the message's `media` list as the send
  path and inbound store it (`{"id", "content_type", "size", "filename"}`);
- the media itself: GET /api/messaging/v1/media/<media id>?auth=...&containerID=... answers the
  stored bytes (the `media` table, `media.media_path`) with their Content-Type, for the
  container's own media only;
- sending: POST /api/messaging/v1/send?auth=...&containerID=... with {"from", "to", "text",
  "media"} goes through `messaging.service.send` like POST /api/v1/messages; its refusals are
  {"error": "<sentence>", "code": "<CODE>"} with the same HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from consentry.accounts.models import Account, ApiKey
from consentry.accounts.repository import api_key_by_hash
from consentry.accounts.scope import Principal
from consentry.accounts.service import hash_key
from consentry.kit.clock import Clock
from consentry.kit.db import Database
from consentry.kit.errors import DomainError
from consentry.kit.logging import get_logger
from consentry.kit.settings import Settings
from consentry.messaging import service
from consentry.messaging.log_models import Conversation
from consentry.messaging.media import media_path
from consentry.messaging.models import Media, Message, PhoneNumber
from consentry.messaging.schemas import MessageCreate, message_read
from consentry.messaging.us_numbers import us_e164

__all__ = [
    "CONTAINER_ID_PARAM",
    "DATE_FORMAT",
    "ERR_CONVERSATION_MISSING",
    "ERR_CONVERSATION_NOT_FOUND",
    "ERR_CREDENTIALS_MISSING",
    "ERR_DATABASE",
    "ERR_KEY_INVALID",
    "ERR_MEDIA_NOT_FOUND",
    "ERR_NUMBER_INVALID",
    "ERR_NUMBER_NOT_FOUND",
    "media_marker",
    "message_text",
    "router",
]

log = get_logger(__name__)

router = APIRouter(prefix="/api/messaging/v1", tags=["provider-compatible"])

AUTH_PARAM = "auth"
CONTAINER_ID_PARAM = "containerID"
PHONE_PARAM = "phoneNumber"
CONVERSATION_PARAM = "conversationID"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

# The spec's sentences, verbatim (integrations compare them).
ERR_CREDENTIALS_MISSING = "API Key and Container ID are both required."
ERR_KEY_INVALID = "The supplied API Key is invalid."
ERR_NUMBER_INVALID = (
    "Either you left out the phoneNumber parameter, or you are trying to text with a non-USA "
    "number."
)
ERR_NUMBER_NOT_FOUND = "The phone number you provided does not exist in this container."
ERR_CONVERSATION_MISSING = "You must include a ConversationID to fetch."
ERR_DATABASE = "Error connecting to the database, please try again later."
# Cases the public text does not cover; worded in the same style.
ERR_CONVERSATION_NOT_FOUND = "The conversation you requested does not exist in this container."
ERR_MEDIA_NOT_FOUND = "The media you requested does not exist in this container."


class _Refusal(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code

    def body(self) -> dict[str, str]:
        """`{"error": sentence}`, with the stable code of a send refusal."""
        return {"error": self.message} | ({"code": self.code} if self.code else {})


def _date(value: datetime) -> str:
    return value.strftime(DATE_FORMAT)


def media_marker(item: Mapping[str, Any]) -> str:
    """The marker naming one media item in `messageText`: "[MMS image/jpeg media:med_1]"."""
    content_type = str(item.get("content_type") or "application/octet-stream")
    return f"[MMS {content_type} media:{item.get('id', '')}]"


def message_text(message: Message) -> str:
    """A message's text as the provider API shows it: the body, then one marker per media item."""
    markers = [media_marker(item) for item in message.media or [] if item.get("id")]
    return "\n".join(([message.text] if message.text else []) + markers)


def _key(session: Session, params: Mapping[str, str], now: datetime) -> ApiKey:
    auth = (params.get(AUTH_PARAM) or "").strip()
    container_id = (params.get(CONTAINER_ID_PARAM) or "").strip()
    if not auth or not container_id:
        raise _Refusal(401, ERR_CREDENTIALS_MISSING)
    key = api_key_by_hash(session, hash_key(auth))
    if key is None or key.revoked_at is not None or key.account.container_id != container_id:
        raise _Refusal(401, ERR_KEY_INVALID)
    # As the bearer-key path: record use at most once a minute.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        key.last_used_at = now
    return key


def _container(session: Session, params: Mapping[str, str], now: datetime) -> Account:
    return _key(session, params, now).account


def _conversations(session: Session, params: Mapping[str, str], now: datetime) -> Response:
    account = _container(session, params, now)
    number = us_e164(params.get(PHONE_PARAM) or "")
    if number is None:
        raise _Refusal(400, ERR_NUMBER_INVALID)
    owned = session.scalar(
        select(PhoneNumber.id).where(
            PhoneNumber.number == number, PhoneNumber.account_id == account.id
        )
    )
    if owned is None:
        raise _Refusal(404, ERR_NUMBER_NOT_FOUND)
    rows = session.scalars(
        select(Conversation)
        .where(Conversation.account_number == number, Conversation.account_id == account.id)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    )
    body = {
        str(c.id): {
            "conversationWith": c.remote_number,
            "hasUnreadMessages": 1 if c.unread_count > 0 else 0,
            "lastMessageDate": _date(c.last_message_at),
        }
        for c in rows
    }
    return JSONResponse({"conversations": body})


def _conversation(session: Session, params: Mapping[str, str], now: datetime) -> Response:
    account = _container(session, params, now)
    raw = (params.get(CONVERSATION_PARAM) or "").strip()
    if not raw:
        raise _Refusal(400, ERR_CONVERSATION_MISSING)
    conversation = None
    if raw.isdigit() and len(raw) < 19:
        conversation = session.scalar(
            select(Conversation).where(
                Conversation.id == int(raw), Conversation.account_id == account.id
            )
        )
    if conversation is None:
        raise _Refusal(404, ERR_CONVERSATION_NOT_FOUND)
    rows = session.scalars(
        select(Message)
        .where(
            Message.account_id == account.id,
            Message.account_number == conversation.account_number,
            Message.remote_number == conversation.remote_number,
        )
        .order_by(Message.created_at, Message.id)
    )
    body = {
        m.id: {
            "messageDate": _date(m.created_at),
            "messageFrom": m.from_number,
            "messageText": message_text(m),
        }
        for m in rows
    }
    return JSONResponse({"messages": body})


def _carrier_item(session: Session, account: Account, media_id: str) -> dict[str, Any] | None:
    """A media item held only at a carrier URL, found through the messages that carry it."""
    if session.get_bind().dialect.name == "postgresql":
        contains = text("messages.media @> CAST(:media_pattern AS jsonb)").bindparams(
            media_pattern=json.dumps([{"id": media_id}])
        )
    else:
        contains = text(
            "EXISTS (SELECT 1 FROM json_each(messages.media) AS item "
            "WHERE json_extract(item.value, '$.id') = :media_id)"
        ).bindparams(media_id=media_id)
    message = session.scalar(
        select(Message).where(Message.account_id == account.id, contains).limit(1)
    )
    if message is None:
        return None
    return next((dict(i) for i in message.media if i.get("id") == media_id), None)


def _media(
    session: Session, params: Mapping[str, str], now: datetime, media_id: str, settings: Settings
) -> Response:
    account = _container(session, params, now)
    row = session.scalar(select(Media).where(Media.id == media_id, Media.account_id == account.id))
    if row is not None:
        path = media_path(settings, row)
        if path.is_file():
            return FileResponse(path, media_type=row.content_type)
        log.error("api.provider.media_file_missing", media_id=row.id)
        raise _Refusal(404, ERR_MEDIA_NOT_FOUND)
    item = _carrier_item(session, account, media_id)
    url = str((item or {}).get("url") or "")
    if url.startswith(("https://", "http://")):
        return RedirectResponse(url, status_code=302)
    raise _Refusal(404, ERR_MEDIA_NOT_FOUND)


def _send(
    session: Session,
    params: Mapping[str, str],
    now: datetime,
    raw: bytes,
    idempotency_key: str | None,
    settings: Settings,
) -> Response:
    key = _key(session, params, now)  # credentials first, then the body
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        raise _Refusal(422, "The body is not valid JSON.", "INVALID_JSON") from None
    try:
        if not isinstance(body, dict):
            raise _Refusal(
                422, 'The body must be a JSON object: {"from", "to", "text", "media"}.',
                "VALIDATION_ERROR",
            )  # fmt: skip
        request = MessageCreate.model_validate(body).to_request(idempotency_key)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        unknown = first.get("type") == "extra_forbidden"
        sentence = f"Unknown field '{where}'." if unknown else f"'{where}': {first['msg']}."
        raise _Refusal(422, sentence, "VALIDATION_ERROR") from None
    caller = Principal(
        api_key_id=key.id, account_id=key.account_id, account_path=key.account.path, role=key.role
    )
    try:
        row = service.send(session, caller=caller, request=request, now=now, settings=settings)
    except DomainError as refusal:
        raise _Refusal(refusal.status, refusal.message, refusal.code) from None
    return JSONResponse(message_read(row).model_dump(mode="json", by_alias=True), status_code=202)


Handler = Callable[[Session, Mapping[str, str], datetime], Response]


def _serve(request: Request, handler: Handler) -> Response:
    database: Database = request.app.state.db
    clock: Clock = request.app.state.clock
    try:
        with database.transaction() as session:
            return handler(session, request.query_params, clock.now())
    except _Refusal as refusal:
        return JSONResponse(refusal.body(), status_code=refusal.status)
    except DBAPIError as exc:
        log.error("api.provider.database_unavailable", error=type(exc.orig).__name__)
        return JSONResponse({"error": ERR_DATABASE}, status_code=500)


@router.get("/conversations")
def conversations(request: Request) -> Response:
    """The conversations of one of the container's numbers (`auth`, `containerID`,
    `phoneNumber`)."""
    return _serve(request, _conversations)


@router.get("/conversation")
def conversation(request: Request) -> Response:
    """The messages of one conversation, oldest first (`auth`, `containerID`,
    `conversationID`)."""
    return _serve(request, _conversation)


@router.get("/media/{media_id}")
def media(media_id: str, request: Request) -> Response:
    """The bytes of one media item of the container, with its Content-Type."""
    settings: Settings = request.app.state.settings
    return _serve(request, lambda s, p, now: _media(s, p, now, media_id, settings))


@router.post(
    "/send",
    status_code=202,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MessageCreate.model_json_schema()}},
        }
    },
)
async def send(request: Request) -> Response:
    """Send one SMS/MMS (`auth`, `containerID`; JSON body) as POST /api/v1/messages does."""
    settings: Settings = request.app.state.settings
    idempotency_key = request.headers.get("Idempotency-Key")
    raw = await request.body()
    # The database work runs in the thread pool, as a synchronous endpoint's would.
    return await run_in_threadpool(
        _serve, request, lambda s, p, now: _send(s, p, now, raw, idempotency_key, settings)
    )
