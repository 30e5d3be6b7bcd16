"""MMS media: uploads checked for type and size, stored under the media directory, named by id.

The declared type must be one carriers accept for MMS, and for the formats with a signature
(JPEG, PNG, GIF, MP4, MP3, PDF) the bytes must agree with it, so a renamed file is caught here
rather than by the carrier.

A carrier fetches an MMS's media itself, without an API key, so dispatch hands it a signed,
expiring link per file::

    <public_url>/api/v1/media/<media id>/content?expires=<unix time>&signature=<hex>

where the signature is HMAC-SHA256 under the secret key of "media:<media id>:<expires>". The link
opens the file until `expires` and no other file; a link that was altered or has expired is
refused with 403 (MEDIA_SIGNATURE_INVALID, MEDIA_LINK_EXPIRED).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from consentry.accounts.scope import Principal
from consentry.kit.errors import DomainError, Forbidden, Invalid, NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.kit.settings import Settings
from consentry.messaging import repository
from consentry.messaging.models import Media

__all__ = [
    "ALLOWED_TYPES",
    "MediaTooLarge",
    "get_media",
    "media_path",
    "public_media",
    "signed_url",
    "store_media",
]

log = get_logger(__name__)

ALLOWED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "video/mp4",
        "audio/mpeg",
        "text/vcard",
        "application/pdf",
    }
)
_ALIASES = {"image/jpg": "image/jpeg", "text/x-vcard": "text/vcard", "audio/mp3": "audio/mpeg"}


class MediaTooLarge(DomainError):
    """An upload (or a message's media) over the size limit."""

    status = 413
    default_code = "MEDIA_TOO_LARGE"


def _signature_ok(content_type: str, data: bytes) -> bool:
    if content_type == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/gif":
        return data[:6] in (b"GIF87a", b"GIF89a")
    if content_type == "video/mp4":
        return data[4:8] == b"ftyp"
    if content_type == "audio/mpeg":
        return data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] >= 0xE0)
    if content_type == "application/pdf":
        return data.startswith(b"%PDF-")
    if content_type == "text/vcard":
        return data.lstrip(b"\xef\xbb\xbf \r\n\t").upper().startswith(b"BEGIN:VCARD")
    return False


def normalize_type(raw: str | None) -> str:
    """The MIME type without parameters, lower case, common aliases folded."""
    kind = (raw or "").split(";")[0].strip().lower()
    return _ALIASES.get(kind, kind)


def media_path(settings: Settings, media: Media) -> Path:
    """Where a media file's bytes are stored."""
    return Path(settings.media_dir) / media.storage_key


def store_media(
    session: Session,
    principal: Principal,
    *,
    data: bytes,
    content_type: str | None,
    filename: str | None,
    settings: Settings,
    now: datetime,
) -> Media:
    """Check and store one upload (MEDIA_TYPE, MEDIA_TOO_LARGE, MEDIA_EMPTY)."""
    kind = normalize_type(content_type)
    allowed = ", ".join(sorted(ALLOWED_TYPES))
    if kind not in ALLOWED_TYPES:
        raise Invalid(
            f"{kind or 'an unknown type'} is not a media type MMS carries.",
            code="MEDIA_TYPE",
            fix=f"Upload one of: {allowed}.",
            details={"content_type": kind, "allowed": sorted(ALLOWED_TYPES)},
        )
    if len(data) > settings.media_max_bytes:
        raise MediaTooLarge(
            f"The file is {len(data):,} bytes; the limit is {settings.media_max_bytes:,}.",
            fix="Compress or resize it (most carriers deliver MMS reliably up to about 1 MB).",
            details={"size": len(data), "limit": settings.media_max_bytes},
        )
    if not data:
        raise Invalid("The file is empty.", code="MEDIA_EMPTY", fix="Upload the file's contents.")
    if not _signature_ok(kind, data):
        raise Invalid(
            f"The file's contents are not {kind}.",
            code="MEDIA_TYPE",
            fix="Send the file's real type in Content-Type, or convert the file.",
            details={"content_type": kind},
        )
    media_id = new_id("med")
    storage_key = f"{principal.account_id}/{media_id}"
    row = Media(
        id=media_id,
        account_id=principal.account_id,
        content_type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        filename=(filename or None) and Path(filename).name[:255],
        storage_key=storage_key,
        created_at=now,
        updated_at=now,
    )
    path = media_path(settings, row)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written before the row commits: a rolled-back upload leaves an unreferenced file at worst,
    # never a row without its bytes. The rename makes a partial write invisible.
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, path)
    session.add(row)
    session.flush()
    log.info("messaging.media.stored", media_id=media_id, content_type=kind, size=len(data))
    return row


def get_media(session: Session, principal: Principal, media_id: str) -> Media:
    """One media row of the caller's tenant (MEDIA_NOT_FOUND otherwise)."""
    row = repository.visible_media(session, principal, media_id)
    if row is None:
        raise NotFound(
            f"No media {media_id}.",
            code="MEDIA_NOT_FOUND",
            fix="Upload the file with POST /api/v1/media and use the id it returns.",
        )
    return row


def _signature(settings: Settings, media_id: str, expires: int) -> str:
    message = f"media:{media_id}:{expires}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def signed_url(settings: Settings, media_id: str, *, now: datetime) -> str:
    """A link that opens one stored file without an API key until media_url_ttl_seconds from now."""
    expires = int((now + timedelta(seconds=settings.media_url_ttl_seconds)).timestamp())
    base = settings.public_url.rstrip("/")
    signature = _signature(settings, media_id, expires)
    return f"{base}/api/v1/media/{media_id}/content?expires={expires}&signature={signature}"


def public_media(
    session: Session,
    *,
    media_id: str,
    expires: str | None,
    signature: str | None,
    settings: Settings,
    now: datetime,
) -> Media:
    """The file a signed link opens (MEDIA_SIGNATURE_INVALID, MEDIA_LINK_EXPIRED,
    MEDIA_NOT_FOUND)."""
    # The signature is checked before anything is looked up, so a guessed link learns nothing
    # about which ids exist.
    valid = (
        expires is not None
        and expires.isascii()
        and expires.isdigit()
        and len(expires) <= 10
        and signature is not None
        and hmac.compare_digest(
            signature.lower().encode(), _signature(settings, media_id, int(expires)).encode()
        )
    )
    if not valid:
        raise Forbidden(
            "This media link is not valid: its signature does not match.",
            code="MEDIA_SIGNATURE_INVALID",
            fix="Use the link exactly as it was given, with its expires and signature.",
        )
    assert expires is not None
    if int(expires) < now.timestamp():
        raise Forbidden(
            "This media link has expired.",
            code="MEDIA_LINK_EXPIRED",
            fix="Links are made when a message is handed to the carrier; send the message again "
            "for a new one.",
            details={"expired_at": datetime.fromtimestamp(int(expires), UTC).isoformat()},
        )
    row = session.get(Media, media_id)
    if row is None or not media_path(settings, row).is_file():
        if row is not None:
            log.error("messaging.media.file_missing", media_id=media_id)
        raise NotFound(f"No media {media_id}.", code="MEDIA_NOT_FOUND")
    return row
