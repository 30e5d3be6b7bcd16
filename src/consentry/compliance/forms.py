"""Opt-in HTML forms: detection, visible text, and the markup rules (required fields,
pre-checked boxes, bundled checkboxes, consent hidden in terms)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import lxml.etree
import lxml.html

from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern
from consentry.compliance.model import Hit
from consentry.compliance.optin_language import bundles_channels, is_sms_consent, merges_terms

__all__ = ["check_markup", "looks_like_html", "visible_text"]

# Markup: form and block tags, inline tags ("Reply <b>STOP</b>") and character references
# ("Msg &amp; data rates", "vehicle&#39;s"), so escaped consent language is read as it shows.
_TAG = re.compile(
    r"<\s*(?:form|input|label|html|body|div|p|span|button|textarea|select|a|b|strong|em|i|u|br"
    r"|small|ul|ol|li|h[1-6]|section|fieldset)\b"
    r"|&(?:amp|quot|apos|nbsp|lt|gt|#\d{2,5}|#x[0-9a-f]{2,4});",
    re.I,
)

# Source offsets: comments, scripts and styles are blanked (same length) before the opening tags
# are listed, so the n-th <input> in the source is the n-th input element the parser built.
_HIDDEN_SOURCE = re.compile(
    r"<!--.*?-->|<(script|style|template)\b.*?</\1\s*>|<!\[CDATA\[.*?\]\]>", re.I | re.S
)
_OPEN_TAG = re.compile(r"""<([A-Za-z][A-Za-z0-9-]*)(?:\s(?:[^>"']|"[^"]*"|'[^']*')*)?/?>""")

_PHONE_NAME = re.compile(r"phone|mobile|cell|(?<![a-z])tel(?![a-z])|msisdn", re.I)
_SMS_NAME = re.compile(r"sms|(?<![a-z])te?xt_?(?:opt|consent|msg|alert)|txt|mobile_?opt", re.I)
_PERSON_NAME = re.compile(r"name|first|last|given|family", re.I)
_TERMS_BLOCK = re.compile(r"terms|(?<![a-z])tos(?![a-z])|conditions|agreement|privacy|polic", re.I)
_NOT_DATA = frozenset({"hidden", "submit", "button", "reset", "image", "checkbox", "radio"})
_CONTROLS = ("input", "select", "textarea", "button")


def looks_like_html(text: str) -> bool:
    """True when the text is HTML markup rather than plain consent language."""
    return bool(_TAG.search(text[:4096]))


# Characters XML cannot hold (C0 controls but tab/newline/return, lone surrogates): lxml
# refuses them mid-tree, so they become spaces before parsing.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _parse(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(_XML_UNSAFE.sub(" ", html))
    except (ValueError, lxml.etree.ParserError):
        return None


# Elements a browser lays out as blocks of their own: their text is a paragraph apart, so a
# field's label ("Email") does not run into the consent language below it.
_BLOCK_TAGS = (
    "address article aside blockquote dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul"
)
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_INVISIBLE = frozenset({"script", "style", "template", "noscript"})


def visible_text(html: str) -> str:
    """The text a person sees on the form (scripts and styles dropped): each block element's
    text (a paragraph, a list item, a field's box) is a paragraph of its own, separated by a
    blank line, with the whitespace inside it collapsed."""
    root = _parse(html)
    if root is None:
        return html
    parts: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        block = el.tag in _BLOCKS
        if block:
            parts.append("\n\n")
        parts.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str) and child.tag not in _INVISIBLE:
                walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append("\n\n")

    try:
        walk(root)
    except (ValueError, lxml.etree.ParserError):
        return html
    paragraphs = (_squash(p) for p in "".join(parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _squash(text: str | None) -> str:
    return " ".join((text or "").split())


class _Source:
    """Where each element's opening tag sits in the HTML string (found when first asked: a
    form without problems never needs it)."""

    def __init__(self, html: str, root: lxml.html.HtmlElement) -> None:
        self._html = html
        self._root = root
        self._tags: dict[str, list[tuple[int, int]]] | None = None
        self._spans: dict[int, tuple[int, int]] = {}
        # lxml builds element proxies on demand; keeping them alive keeps their id() stable.
        self._alive: list[lxml.html.HtmlElement] = []

    def _index(self) -> dict[str, list[tuple[int, int]]]:
        if self._tags is not None:
            return self._tags
        masked = _HIDDEN_SOURCE.sub(lambda m: " " * len(m.group()), self._html)
        tags: dict[str, list[tuple[int, int]]] = {}
        for m in _OPEN_TAG.finditer(masked):
            tags.setdefault(m.group(1).lower(), []).append((m.start(), m.end()))
        for name in ("input", "label", "div", "section", "fieldset", "details", "p", "form"):
            elements = list(self._root.iter(name))
            self._alive.extend(elements)
            found = tags.get(name, [])
            if len(elements) == len(found):
                for el, where in zip(elements, found, strict=True):
                    self._spans[id(el)] = where
        self._tags = tags
        return tags

    def span(self, el: lxml.html.HtmlElement) -> tuple[int, int] | None:
        """The opening tag of `el` in the source, or None when it cannot be placed."""
        tags = self._index()
        where = self._spans.get(id(el))
        if where is not None:
            return where
        # The parser added or dropped an element of this kind: place it by its id or name.
        for key in ("id", "name"):
            value = el.get(key)
            if not value:
                continue
            attr = re.compile(rf"""\b{key}\s*=\s*["']?{re.escape(value)}["'\s>/]""", re.I)
            for start, end in tags.get(str(el.tag).lower(), []):
                if attr.search(self._html, start, end):
                    return (start, end)
        return None


@dataclass(frozen=True, slots=True)
class _Box:
    element: lxml.html.HtmlElement
    label: str
    sms: bool


def _label_of(
    inp: lxml.html.HtmlElement, by_for: dict[str, str], root: lxml.html.HtmlElement
) -> str:
    """The text that labels a control: <label for>, a wrapping <label>, ARIA, or what follows."""
    parts: list[str] = []
    ident = inp.get("id")
    if ident and ident in by_for:
        parts.append(by_for[ident])
    wrapper = next(inp.iterancestors("label"), None)
    if wrapper is not None:
        parts.append(wrapper.text_content())
    if inp.get("aria-label"):
        parts.append(inp.get("aria-label", ""))
    for ref in (inp.get("aria-labelledby") or "").split():
        found = root.xpath("//*[@id=$ref]", ref=ref)
        if found:
            parts.append(found[0].text_content())
    if not parts:
        parts.append(_text_after(inp))
    return _squash(" ".join(parts))


def _text_after(inp: lxml.html.HtmlElement, limit: int = 800) -> str:
    """The text right after a control, up to the next control (one level up if it is alone)."""
    node: lxml.html.HtmlElement | None = inp
    out: list[str] = []
    for _ in range(2):
        if node is None:
            break
        out.append(node.tail or "")
        for sib in node.itersiblings():
            if not isinstance(sib.tag, str):
                out.append(sib.tail or "")
                continue
            if sib.tag in _CONTROLS or any(True for _ in sib.iter(*_CONTROLS)):
                return " ".join(out)
            out.append(sib.text_content())
            out.append(sib.tail or "")
            if sum(map(len, out)) > limit:
                return " ".join(out)
        if _squash(" ".join(out)):
            break
        node = node.getparent()
    return " ".join(out)


def _input_type(inp: lxml.html.HtmlElement) -> str:
    return (inp.get("type") or "text").strip().lower()


def _required(inp: lxml.html.HtmlElement) -> bool:
    return inp.get("required") is not None or (inp.get("aria-required") or "").lower() == "true"


def _is_phone(inp: lxml.html.HtmlElement) -> bool:
    kind = _input_type(inp)
    if kind == "tel":
        return True
    if kind not in ("text", "number", ""):
        return False
    names = " ".join(inp.get(a) or "" for a in ("name", "id", "autocomplete"))
    return bool(_PHONE_NAME.search(names))


def _scopes(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    forms = list(root.iter("form"))
    return forms or [root]


def _multi_purpose(scope: lxml.html.HtmlElement) -> bool:
    """True when the form collects more than a name and a number for texts (a booking, an order)."""
    for el in scope.iter("input", "select", "textarea"):
        if el.tag != "input":
            return True
        kind = _input_type(el)
        if kind in _NOT_DATA or _is_phone(el) or _is_person_name(el):
            continue
        return True
    return _button_of_another_purpose(scope)


def _is_person_name(inp: lxml.html.HtmlElement) -> bool:
    names = " ".join(inp.get(a) or "" for a in ("name", "id", "autocomplete"))
    return _input_type(inp) == "text" and _PERSON_NAME.search(names) is not None


def _button_of_another_purpose(scope: lxml.html.HtmlElement) -> bool:
    """True when the form's submit button books, orders, checks out... ("Place order")."""
    purpose = pattern("optin", "other_purpose")
    for button in scope.iter("button", "input"):
        label = button.text_content() if button.tag == "button" else button.get("value") or ""
        if (button.tag == "button" or _input_type(button) == "submit") and purpose.search(label):
            return True
    return False


def _terms_blocks(root: lxml.html.HtmlElement) -> Iterable[lxml.html.HtmlElement]:
    for el in root.iter("div", "section", "fieldset", "details", "p"):
        marks = f"{el.get('id') or ''} {el.get('class') or ''}"
        if el.tag == "details" or _TERMS_BLOCK.search(marks):
            yield el


def _text_outside(root: lxml.html.HtmlElement, blocks: list[lxml.html.HtmlElement]) -> str:
    skip = {id(b) for b in blocks}
    out: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        if id(el) in skip:
            out.append(el.tail or "")
            return
        out.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str) and child.tag not in ("script", "style", "template"):
                walk(child)
            else:
                out.append(child.tail or "")
        out.append(el.tail or "")

    walk(root)
    return _squash(" ".join(out))


def check_markup(html: str, ctx: Context) -> Iterator[Hit]:
    """Hits of the form rules on the markup; each Hit names its rule."""
    root = _parse(html)
    if root is None:
        return
    source = _Source(html, root)
    by_for = _labels_by_target(root)
    sms = pattern("optin", "sms")
    any_sms_box = False
    for scope in _scopes(root):
        boxes: list[_Box] = []
        for inp in scope.iter("input"):
            if _input_type(inp) != "checkbox":
                continue
            label = _label_of(inp, by_for, root)
            names = " ".join(inp.get(a) or "" for a in ("name", "id"))
            boxes.append(_Box(inp, label, bool(sms.search(label) or _SMS_NAME.search(names))))
        sms_boxes = [b for b in boxes if b.sms]
        any_sms_box = any_sms_box or bool(sms_boxes)
        for box in sms_boxes:
            yield from _box_hits(box, source, scope)
        if not sms_boxes and _multi_purpose(scope):
            for inp in scope.iter("input"):
                if _is_phone(inp) and _required(inp):
                    yield Hit(
                        rule="OI-OPTIONAL",
                        message=(
                            "The phone number is required on a form that serves another purpose, "
                            "so submitting it cannot be optional consent to texts."
                        ),
                        fix=(
                            "Remove `required` from the phone field, or add a separate, optional, "
                            "unchecked SMS consent checkbox."
                        ),
                        span=source.span(inp),
                    )
    if not any_sms_box:
        yield from _buried_blocks(root, source)


# A template binding ("checked={form.sms}", "checked="{{ $on }}"") decides at run time, and a
# form that starts empty starts unchecked: only a literal `checked` is checked by default.
_BINDING = re.compile(r"^\s*(?:\{|<\?)|\{\{|\{%")


def _prechecked(box: lxml.html.HtmlElement) -> bool:
    value = box.get("checked")
    return value is not None and not _BINDING.search(value)


def _labels_by_target(root: lxml.html.HtmlElement) -> dict[str, str]:
    """The text of every <label for=…>, by the id it names."""
    by_for: dict[str, str] = {}
    for label in root.iter("label"):
        # JSX writes the attribute "htmlFor" (lower-cased by the parser).
        target = label.get("for") or label.get("htmlfor")
        if target:
            by_for[target] = by_for.get(target, "") + " " + label.text_content()
    return by_for


def _sms_only(scope: lxml.html.HtmlElement, box: _Box) -> bool:
    """True when the form does nothing but sign up for texts: besides the number and a name it
    requires nothing, has no message box or choice list, and no button of another purpose
    (booking, ordering). There a required consent box only makes the sign-up need consent."""
    sms = pattern("optin", "sms")
    by_for = _labels_by_target(scope)
    for field in scope.iter("select", "textarea"):
        # "Reason for texts" is part of the sign-up; "Message" or "Service" is another purpose.
        if not sms.search(_label_of(field, by_for, scope)):
            return False
    for inp in scope.iter("input"):
        if inp is box.element or _is_phone(inp):
            continue
        kind = _input_type(inp)
        if kind == "checkbox":
            # Another box the form requires (treatment consent, a records release) is another
            # purpose the submission serves.
            if _required(inp):
                return False
            continue
        if kind in _NOT_DATA:
            continue
        if _required(inp) and not _is_person_name(inp):
            return False
    if _button_of_another_purpose(scope):
        return False
    return pattern("optin", "other_purpose").search(_squash(scope.text_content())) is None


def _box_hits(box: _Box, source: _Source, scope: lxml.html.HtmlElement) -> Iterator[Hit]:
    merged = merges_terms(box.label)
    # A box that also accepts the terms serves more than texts, whatever the form is.
    if _required(box.element) and (merged is not None or not _sms_only(scope, box)):
        yield Hit(
            rule="OI-OPTIONAL",
            message="The SMS consent checkbox is required, so the form cannot be sent without it.",
            fix="Remove `required` from the SMS consent checkbox.",
            span=source.span(box.element),
        )
    if _prechecked(box.element):
        yield Hit(
            rule="OI-NOT-PRECHECKED",
            message="The SMS consent checkbox is checked by default.",
            fix="Remove `checked` so the person checks the box themselves.",
            span=source.span(box.element),
        )
    channel = bundles_channels(box.label, checkbox=True)
    if channel is not None:
        yield Hit(
            rule="OI-BUNDLED-CHANNELS",
            message=(
                f"One checkbox covers text messages and {channel.group().strip()}; texts need "
                "their own checkbox."
            ),
            fix="Use a separate, unchecked checkbox for texts; ask for calls/e-mail apart.",
            span=source.span(box.element),
        )
    if merged is not None:
        yield Hit(
            rule="OI-BURIED-IN-TERMS",
            message="The SMS consent is part of the checkbox that accepts the terms or privacy.",
            fix="Give SMS consent its own optional checkbox, apart from accepting the Terms.",
            span=source.span(box.element),
        )


def _buried_blocks(root: lxml.html.HtmlElement, source: _Source) -> Iterator[Hit]:
    """SMS consent language that appears only inside a terms/policy block of the page."""
    blocks = [b for b in _terms_blocks(root) if is_sms_consent(_squash(b.text_content()))]
    if not blocks:
        return
    outside = _text_outside(root, blocks)
    if is_sms_consent(outside):
        return
    yield Hit(
        rule="OI-BURIED-IN-TERMS",
        message="The consent to texts appears only inside the terms/policy text of the form.",
        fix="Show the SMS consent language next to its own optional, unchecked checkbox.",
        span=source.span(blocks[0]),
    )
