"""MMS media: uploads checked for type and size, stored under the media directory, named by id.

The declared type must be one carriers accept for MMS, and for the formats with a signature
(JPEG, PNG, GIF, MP4, MP3, PDF) the bytes must agree with it, so a renamed file is caught here
rather than by the carrier.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from consentry.accounts.scope import Principal
from consentry.kit.errors import DomainError, Invalid, NotFound
from consentry.kit.ids import new_id
from consentry.kit.logging import get_logger
from consentry.kit.settings import Settings
from consentry.messaging import repository
from consentry.messaging.models import Media

__all__ = ["ALLOWED_TYPES", "MediaTooLarge", "get_media", "media_path", "store_media"]

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
