"""What the documents say about a business, derived once from its application.

Every decision the documents depend on (which name to show, which links, how frequency is worded,
how the program is described) is made here, so the templates only place finished values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from consentry.compliance import Application, CheckInputError

__all__ = [
    "DocumentInputError",
    "Profile",
    "Program",
    "profile_for",
    "program_for",
    "sms_frequency",
    "supported_use_cases",
]

# A web address the documents can print and link: http(s), a host with a dot, no spaces, quotes
# or angle brackets (it is written into HTML attributes and Markdown autolinks).
_URL = re.compile(
    r"^https?://[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
    r"(?::\d{2,5})?(?:/[^\s<>\"'`]*)?$",
    re.I,
)
_EMAIL = re.compile(
    r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_US_E164 = re.compile(r"^\+1(\d{3})(\d{3})(\d{4})$")
_DIGITS = re.compile(r"\D")
# A frequency that counts messages per period or per event: "Up to 4 messages per month",
# "2 texts a week", "1 message per request".
_COUNTED = re.compile(
    r"^(?:up\s+to|about|around|approximately|at\s+most|no\s+more\s+than)?\s*"
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:messages?|msgs?|texts?)\s*"
    r"(?:/|per\s+|a\s+|an\s+|each\s+|every\s+)"
    r"(?:day|week|month|request|order|appointment|visit|transaction|login|purchase|booking)$",
    re.I,
)
# "Weekly", "Daily texts": a periodic word, optionally followed by what is sent.
_PERIODIC = re.compile(r"^(daily|weekly|monthly|bi-?weekly)(?:\s+(?:messages|msgs|texts))?$", re.I)
# "Varies", "Frequency varies", "Msg frequency varies", "Message frequency may vary".
_VARIES = re.compile(
    r"^(?:(?:message|msg|text|sms)s?\.?\s+)?(?:freq(?:uency|\.)?\s+)?(?:may\s+|will\s+)?var(?:y|ies)$",
    re.I,
)
_FREQ_WORDS = (
    (re.compile(r"\bmessages\b", re.I), "msgs"),
    (re.compile(r"\bmessage\b", re.I), "msg"),
    (re.compile(r"\s*(?:per|a|each)\s+month\b", re.I), "/mo"),
    (re.compile(r"\s*(?:per|a|each)\s+week\b", re.I), "/wk"),
    (re.compile(r"\s*(?:per|a|each)\s+day\b", re.I), "/day"),
)
_OPEN_USE_CASES = frozenset({"MIXED", "LOW_VOLUME"})
MAX_FREQUENCY_CHARS = 120


class DocumentInputError(CheckInputError):
    """An application that lacks what the documents must say (refused, never guessed)."""


@dataclass(frozen=True, slots=True)
class Program:
    """What the text program sends."""

    messages: str
    short: str
    marketing: bool


@cache
def _programs() -> dict[str, Program]:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("consentry.documents").joinpath("data", "programs.yaml").read_text("utf-8")
    )
    return {
        key: Program(str(v["messages"]), str(v["short"]), bool(v["marketing"]))
        for key, v in raw.items()
    }


def supported_use_cases() -> tuple[str, ...]:
    """The use cases documents can be generated for (MIXED / LOW_VOLUME via sub-use cases)."""
    return (*_programs(), *sorted(_OPEN_USE_CASES))


@dataclass(frozen=True, slots=True)
class Profile:
    """The finished values the templates place."""

    brand: str
    legal_name: str
    program: Program
    use_case: str
    frequency: str
    frequency_plain: str
    frequency_sms: str
    website: str
    privacy_url: str
    terms_url: str
    optin_url: str | None
    support_email: str | None
    support_phone: str | None
    help_contact: str
    address: str | None

    @property
    def other_name(self) -> bool:
        """True when the brand differs from the legal name (a DBA)."""
        return self.brand != self.legal_name


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _program(use_case: str, subs: list[str], problems: list[dict[str, str]]) -> Program | None:
    programs = _programs()
    if use_case in _OPEN_USE_CASES:
        chosen = [s for s in dict.fromkeys(subs) if s in programs]
        unknown = [s for s in subs if s not in programs]
        if not chosen or unknown:
            problems.append(
                {
                    "path": "campaign.sub_use_cases",
                    "message": f"{use_case} documents are written from the sub-use cases, and "
                    + (f"{', '.join(unknown)} cannot be described" if unknown else "none is given")
                    + ".",
                    "fix": "List 2-5 of: " + ", ".join(programs) + ".",
                }
            )
            return None
        parts = [programs[s] for s in chosen]
        # A marketing part is named first: the opt-in must say plainly that marketing is sent.
        parts.sort(key=lambda p: not p.marketing)
        return Program(
            messages=_join([p.short for p in parts]),
            short=_join([p.short for p in parts[:2]]),
            marketing=any(p.marketing for p in parts),
        )
    program = programs.get(use_case)
    if program is None:
        problems.append(
            {
                "path": "campaign.use_case",
                "message": f"Documents cannot be generated for the {use_case} use case: its "
                "program needs documents written for its own rules.",
                "fix": "Write the documents by hand and check them with `consentry check`, or "
                "use one of: " + ", ".join(supported_use_cases()) + ".",
            }
        )
    return program


def program_for(use_case: str | None, sub_use_cases: list[str]) -> Program | None:
    """What a program with this use case sends, when the documents know how to say it."""
    code = _clean(use_case).upper()
    if not code:
        return None
    return _program(code, [_clean(s).upper() for s in sub_use_cases], [])


def sms_frequency(raw: str | None) -> str:
    """The message frequency as an SMS reply states it ("Up to 4 msgs/mo.", "Msg frequency
    varies.")."""
    given = _clean(raw)
    if len(given) > MAX_FREQUENCY_CHARS:
        given = ""
    return _frequency(given)[2]


def _frequency(raw: str | None) -> tuple[str, str, str]:
    """The frequency as a document sentence, as a statement of its own, and short for SMS.

    Frequencies come in a few shapes readers (and reviewers) recognise: a count per period
    ("Up to 4 messages per month"), a periodic word ("Weekly messages") or "Message frequency
    varies". Anything else is kept as detail after "Message frequency varies".
    """
    given = _clean(raw).rstrip(".").strip()
    periodic = _PERIODIC.match(given)
    if _COUNTED.match(given):
        plain = given[0].upper() + given[1:]
        lowered = given[0].lower() + given[1:]
        return f"Message frequency: {lowered}.", plain + ".", _abbreviate(plain) + "."
    if periodic:
        plain = f"{periodic.group(1).capitalize()} messages"
        return f"Message frequency: {plain.lower()}.", plain + ".", _abbreviate(plain) + "."
    varies = "Message frequency varies"
    if not given or _VARIES.match(given):
        return varies + ".", varies + ".", "Msg frequency varies."
    detail = given[0].lower() + given[1:] if given.split(" ", 1)[0][1:].islower() else given
    return f"{varies} ({detail}).", f"{varies} ({detail}).", "Msg frequency varies."


def _abbreviate(text: str) -> str:
    for regex, abbreviation in _FREQ_WORDS:
        text = regex.sub(abbreviation, text)
    return text


def _url(value: str | None) -> str | None:
    url = _clean(value)
    if not url:
        return None
    if "://" not in url:
        url = "https://" + url
    return url if _URL.match(url) else ""


def _phone(value: str | None) -> str | None:
    raw = _clean(value)
    if not raw:
        return None
    digits = _DIGITS.sub("", raw)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    m = _US_E164.match("+1" + digits) if len(digits) == 10 else None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def _address(app: Application) -> str | None:
    a = app.business.address
    street = ", ".join(p for p in (_clean(a.street), _clean(a.street2)) if p)
    region = " ".join(p for p in (_clean(a.state), _clean(a.postal_code)) if p)
    parts = [p for p in (street, _clean(a.city), region) if p]
    return ", ".join(parts) or None


def profile_for(app: Application) -> Profile:
    """The documents' values for an application, or one error naming everything missing."""
    b, c = app.business, app.campaign
    problems: list[dict[str, str]] = []
    legal = _clean(b.legal_name)
    brand = _clean(b.display_name) or legal
    if not brand:
        problems.append(
            {
                "path": "business.legal_name",
                "message": "The business has no name to put on the documents.",
                "fix": "Give business.legal_name (and business.display_name for a DBA).",
            }
        )
    use_case = _clean(c.use_case).upper()
    program: Program | None = None
    if not use_case:
        problems.append(
            {
                "path": "campaign.use_case",
                "message": "The campaign has no use case, so the documents cannot say what "
                "messages are sent.",
                "fix": "Give campaign.use_case, e.g. CUSTOMER_CARE.",
            }
        )
    else:
        program = _program(use_case, [_clean(s).upper() for s in c.sub_use_cases], problems)

    website = _url(b.website)
    privacy = _url(c.privacy_policy.url)
    terms = _url(c.terms.url)
    optin = _url(c.opt_in.url)
    for path, value in (
        ("business.website", website),
        ("campaign.privacy_policy.url", privacy),
        ("campaign.terms.url", terms),
        ("campaign.opt_in.url", optin),
    ):
        if value == "":
            problems.append(
                {
                    "path": path,
                    "message": f"{path} is not a web address the documents can link to.",
                    "fix": "Use a full https:// address without spaces or quotes.",
                }
            )
    if not website and website != "":
        problems.append(
            {
                "path": "business.website",
                "message": "The business has no website: the documents link to its privacy "
                "policy and terms there.",
                "fix": "Give business.website, e.g. https://yourbrand.com.",
            }
        )
    base = (website or "").rstrip("/")

    # The registration contact is a person, not a support desk: only the business's own email
    # and phone are published.
    email = _clean(b.email)
    if email and not _EMAIL.match(email):
        problems.append(
            {
                "path": "business.email",
                "message": f"{email} is not an email address recipients can write to.",
                "fix": "Give a support address such as support@yourbrand.com.",
            }
        )
        email = ""
    phone = _phone(b.phone)
    if _clean(b.phone) and phone is None:
        problems.append(
            {
                "path": "business.phone",
                "message": f"{_clean(b.phone)} is not a US phone number.",
                "fix": 'Give the support number in E.164 form, e.g. "+15125550100".',
            }
        )
    if not email and not phone and not _clean(b.phone):
        problems.append(
            {
                "path": "business.email",
                "message": "The business has no support email or phone: HELP replies and the "
                "terms must give one.",
                "fix": "Give business.email or business.phone.",
            }
        )
    frequency, frequency_plain, frequency_sms = _frequency(c.message_frequency)
    if len(frequency) > MAX_FREQUENCY_CHARS:
        problems.append(
            {
                "path": "campaign.message_frequency",
                "message": "The message frequency is too long to quote in an opt-in.",
                "fix": 'Say it in a few words, e.g. "Up to 4 messages per month".',
            }
        )
    if problems:
        first = problems[0]["message"]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise DocumentInputError(
            "DOCUMENTS_INPUT_INCOMPLETE",
            f"{first}{more}",
            fix=problems[0]["fix"],
            details={"problems": problems},
        )
    assert program is not None and website
    contacts = [f"call {phone}" if phone else "", f"email {email}" if email else ""]
    return Profile(
        brand=brand,
        legal_name=legal or brand,
        program=program,
        use_case=use_case,
        frequency=frequency,
        frequency_plain=frequency_plain,
        frequency_sms=frequency_sms,
        website=website,
        privacy_url=privacy or f"{base}/privacy",
        terms_url=terms or f"{base}/terms",
        optin_url=optin,
        support_email=email or None,
        support_phone=phone,
        help_contact=" or ".join(p for p in contacts if p),
        address=_address(app),
    )
