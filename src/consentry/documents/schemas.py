"""Documents API shapes."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["DocumentList", "DocumentRead"]


class DocumentRead(BaseModel):
    """One generated document and the checker's verdict on its text."""

    name: str
    title: str
    media_type: str
    url: str
    verdict: str
    errors: int
    warnings: int


class DocumentList(BaseModel):
    """Every document generated for an application."""

    application_id: str
    items: list[DocumentRead]
