"""The application wizard's steps and fields, and the mapping between a form and the application.

A field is named by its path in the application file ("business.ein",
"campaign.sample_messages[2]"); the same path is the HTML input name, the finding's `field`, and
the key of the live check. Nothing here touches the database: the routes call the registration
service with the patches built here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from consentry.compliance import Application, Finding, Kind, MessageRole, Report, check_application
from consentry.compliance import check_text as _check_text
from consentry.compliance.engine import context_for, text_as_checked
from consentry.compliance.lexicon import data as lexicon_data

__all__ = [
    "FIELDS",
    "SAMPLE_SLOTS",
    "STEPS",
    "Field",
    "FieldCheck",
    "Step",
    "check_field",
    "form_patch",
    "get_value",
    "mechanical_fix",
    "merged_application",
    "step",
]

SAMPLE_SLOTS = 5
OPT_IN_METHODS = ("WEB_FORM", "PAPER_FORM", "VERBAL", "KEYWORD", "QR_CODE", "IMPORT")
ATTRIBUTES = (
    ("embedded_link", "Messages contain links"),
    ("embedded_phone", "Messages contain phone numbers"),
    ("number_pool", "Sent from a pool of numbers"),
    ("age_gated", "Age-gated content (alcohol, tobacco, ...)"),
    ("direct_lending", "Direct lending or loan arrangement"),
    ("affiliate_marketing", "Affiliate marketing"),
)


@dataclass(frozen=True, slots=True)
class Field:
    """One input of the wizard."""

    path: str
    label: str
    widget: str = "text"  # text | textarea | select | email | url | tel | checkbox | file
    help: str | None = None
    kind: Kind | None = None  # checked with check_text as this kind of text
    role: MessageRole | None = None
    options: tuple[str, ...] = ()
    rows: int = 3
    autocomplete: str | None = None

    @property
    def dom_id(self) -> str:
        """An HTML id derived from the path."""
        return "fld-" + re.sub(r"[^a-z0-9]+", "-", self.path.lower()).strip("-")

    @property
    def live(self) -> bool:
        """Whether the checker's findings are shown as the user types."""
        return self.widget not in ("checkbox", "file")


@dataclass(frozen=True, slots=True)
class Step:
    """One page of the wizard."""

    slug: str
    title: str
    intro: str
    fields: tuple[Field, ...] = field(default=())


def _vocabulary(key: str) -> tuple[str, ...]:
    return tuple(str(v) for v in lexicon_data("business")[key])


def _steps() -> tuple[Step, ...]:
    samples = tuple(
        Field(
            f"campaign.sample_messages[{i}]",
            f"Sample message {i + 1}",
            "textarea",
            help="Exactly as it will be sent: brand first, real content, "
            "and opt-out language in at least one."
            if i == 0
            else None,
            kind=Kind.SAMPLE_MESSAGE,
            role=MessageRole.MESSAGE,
            rows=2,
        )
        for i in range(SAMPLE_SLOTS)
    )
    attributes = tuple(
        Field(f"campaign.attributes.{name}", label, "checkbox") for name, label in ATTRIBUTES
    )
    return (
        Step(
            "business",
            "Business identity",
            "Who sends the messages, exactly as on the business's IRS records.",
            (
                Field(
                    "business.legal_name",
                    "Legal name",
                    autocomplete="organization",
                    help="As on the IRS CP 575 or 147C letter.",
                ),
                Field(
                    "business.display_name",
                    "Brand name (DBA)",
                    help="The name customers know; leave empty if it is the legal name.",
                ),
                Field(
                    "business.entity_type",
                    "Entity type",
                    "select",
                    options=_vocabulary("entity_types"),
                ),
                Field("business.ein", "EIN", help="Nine digits, written NN-NNNNNNN."),
                Field("business.vertical", "Industry", "select", options=_vocabulary("verticals")),
                Field("business.address.street", "Street", autocomplete="address-line1"),
                Field("business.address.city", "City", autocomplete="address-level2"),
                Field(
                    "business.address.state",
                    "State",
                    autocomplete="address-level1",
                    help="Two-letter code, e.g. TX.",
                ),
                Field("business.address.postal_code", "ZIP code", autocomplete="postal-code"),
                Field("business.website", "Website", "url", autocomplete="url"),
                Field("business.email", "Business e-mail", "email"),
                Field("business.phone", "Business phone", "tel", help="E.164, e.g. +15125550100."),
                Field("business.contact.first_name", "Contact first name"),
                Field("business.contact.last_name", "Contact last name"),
                Field("business.contact.email", "Contact e-mail", "email"),
                Field("business.contact.phone", "Contact phone", "tel"),
            ),
        ),
        Step(
            "consent",
            "Consent",
            "How people agree to receive the texts, and the words they agree to.",
            (
                Field("campaign.opt_in.method", "Opt-in method", "select", options=OPT_IN_METHODS),
                Field(
                    "campaign.opt_in.text",
                    "Opt-in language",
                    "textarea",
                    rows=5,
                    kind=Kind.OPT_IN,
                    help="The words next to the checkbox or sign-up field, as shown.",
                ),
                Field(
                    "campaign.opt_in.url",
                    "Opt-in form URL",
                    "url",
                    help="Where reviewers can see the form.",
                ),
                Field(
                    "campaign.opt_in.form_html",
                    "Opt-in form HTML",
                    "textarea",
                    rows=4,
                    kind=Kind.OPT_IN,
                    help="Paste the form's HTML, or upload it below.",
                ),
                Field("campaign.opt_in.form_upload", "Upload the form's HTML file", "file"),
                Field(
                    "campaign.message_flow",
                    "Message flow",
                    "textarea",
                    rows=4,
                    kind=Kind.MESSAGE_FLOW,
                    help="Step by step, how a person opts in, with the URL and the consent "
                    "language quoted.",
                ),
                Field(
                    "campaign.opt_in.confirmation_message",
                    "Opt-in confirmation text",
                    "textarea",
                    rows=2,
                    kind=Kind.SAMPLE_MESSAGE,
                    role=MessageRole.OPT_IN_CONFIRMATION,
                ),
            ),
        ),
        Step(
            "policies",
            "Privacy policy and terms",
            "Give each as a link, as text, or both; the text is what the checker reads.",
            (
                Field("campaign.privacy_policy.url", "Privacy policy URL", "url"),
                Field(
                    "campaign.privacy_policy.text",
                    "Privacy policy text",
                    "textarea",
                    rows=8,
                    kind=Kind.PRIVACY_POLICY,
                ),
                Field("campaign.terms.url", "Terms URL", "url"),
                Field("campaign.terms.text", "Terms text", "textarea", rows=8, kind=Kind.TERMS),
            ),
        ),
        Step(
            "campaign",
            "Purpose and messages",
            "What the messages are for, how often they come, and what they look like.",
            (
                Field("campaign.use_case", "Use case", "select", options=_vocabulary("use_cases")),
                Field(
                    "campaign.description",
                    "Campaign description",
                    "textarea",
                    rows=4,
                    kind=Kind.CAMPAIGN_DESCRIPTION,
                    help="[Brand] sends [message types] to [audience] to [purpose].",
                ),
                Field(
                    "campaign.message_frequency",
                    "Message frequency",
                    help="e.g. Up to 4 messages per month.",
                ),
                *samples,
                Field(
                    "campaign.opt_out.message",
                    "STOP reply",
                    "textarea",
                    rows=2,
                    kind=Kind.SAMPLE_MESSAGE,
                    role=MessageRole.OPT_OUT_REPLY,
                ),
                Field(
                    "campaign.help.message",
                    "HELP reply",
                    "textarea",
                    rows=2,
                    kind=Kind.SAMPLE_MESSAGE,
                    role=MessageRole.HELP_REPLY,
                ),
                *attributes,
            ),
        ),
    )


STEPS: tuple[Step, ...] = _steps()
REVIEW_SLUG = "review"
FIELDS: dict[str, Field] = {f.path: f for s in STEPS for f in s.fields}
_SAMPLE = re.compile(r"campaign\.sample_messages\[(\d+)\]")


def step(slug: str) -> Step | None:
    """The step with this slug."""
    return next((s for s in STEPS if s.slug == slug), None)


def get_value(data: Mapping[str, Any], path: str) -> Any:
    """The value at `path` in the application JSON (None when absent)."""
    m = _SAMPLE.fullmatch(path)
    if m:
        samples = (data.get("campaign") or {}).get("sample_messages") or []
        i = int(m.group(1))
        return samples[i] if i < len(samples) else None
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _set(patch: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = patch
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def form_patch(fields: Iterable[Field], form: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON merge patch of the application from the submitted values of `fields`.

    An emptied field removes its key (null); unchecked checkboxes are false; the sample slots
    become one list without the empty ones.
    """
    patch: dict[str, Any] = {}
    samples: list[str] | None = None
    for f in fields:
        if f.widget == "file":
            continue
        raw = form.get(f.path)
        if f.widget == "checkbox":
            _set(patch, f.path, raw is not None)
            continue
        value = raw.strip() if isinstance(raw, str) else None
        if _SAMPLE.fullmatch(f.path):
            samples = samples if samples is not None else []
            if value:
                samples.append(value)
            continue
        if f.path == "business.address.state" and value:
            value = value.upper()
        _set(patch, f.path, value or None)
    if samples is not None:
        _set(patch, "campaign.sample_messages", samples)
    return patch


def _merge(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge(out.get(key), value)
    return out


def merged_application(stored: Mapping[str, Any], patch: Mapping[str, Any]) -> Application:
    """The stored application with the form's unsaved values applied (for a live check)."""
    return Application.model_validate(_merge(dict(stored), dict(patch)))


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """The checker's findings for one field, and the text their spans index."""

    field: Field
    text: str
    findings: list[Finding]

    @property
    def errors(self) -> int:
        """How many findings are errors."""
        return sum(1 for f in self.findings if str(f.severity) == "error")


def check_field(app: Application, f: Field, value: str) -> FieldCheck:
    """The checker's findings on one field of `app` (whose values include the form's)."""
    value = value or ""
    if f.kind is not None and value.strip():
        ctx = context_for(app)
        if f.role is not None:
            ctx = ctx.with_(message_role=f.role)
        report: Report = _check_text(f.kind, value, ctx, field=f.path)
        findings = list(report.findings)
        if f.path == "campaign.opt_in.form_html":
            return FieldCheck(f, value, findings)
        return FieldCheck(f, text_as_checked(f.kind, value), findings)
    whole = check_application(app)
    return FieldCheck(f, value, [x for x in whole.findings if x.field == f.path])


# A fix is mechanical when it says to add one quoted sentence ('Add: "Reply STOP to opt out."')
# or to replace a short value with a quoted one ('Use "TX".', 'Write it as "74-1234567".').
_ADD = re.compile(r'^Add: "([^"]{3,120})"')
_REPLACE = re.compile(r'^(?:Use|Write it as) "([^"]{1,80})"\.?$')


def mechanical_fix(finding: Finding, current: str) -> tuple[str, str] | None:
    """(button label, the field's new value) when the fix can be applied with one click."""
    if not finding.fix:
        return None
    add = _ADD.match(finding.fix)
    if add:
        sentence = add.group(1)
        if sentence in current:
            return None
        joined = current.rstrip()
        sep = "" if not joined else (" " if joined[-1] in ".!?" else ". ")
        return f"Add “{sentence}”", f"{joined}{sep}{sentence}"
    replace = _REPLACE.match(finding.fix)
    if replace and "\n" not in current and len(current) <= 200:
        return f"Use “{replace.group(1)}”", replace.group(1)
    return None
