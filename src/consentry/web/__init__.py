"""The server-rendered web UI (Jinja2 + htmx), mounted beside the API in the same app."""

from consentry.web.app import install

__all__ = ["install"]
