"""HTML to PDF with WeasyPrint (imported on first use: it loads Pango through cffi)."""

from __future__ import annotations

__all__ = ["render_pdf"]


def render_pdf(html: str) -> bytes:
    """The PDF of a standalone HTML document (inline CSS; nothing is fetched but data: URLs)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # The documents are standalone: a link to an external stylesheet or image is not followed, so
    # rendering never reaches the network or the file system.
    fetcher = URLFetcher(allowed_protocols=["data"])
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)
