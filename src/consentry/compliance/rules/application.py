"""Rules APP-*: the application as a whole (completeness, samples, declared attributes, brand).

Division of labour with the BIZ-* rules: APP-COMPLETE reports each seed element that is absent
(one finding per element, at its key path); BIZ-* rules judge the business fields in detail, so
a missing EIN is reported by both (it is both an incomplete application and an invalid brand).

APP-FLAGS-CONSISTENT reads declared attributes three ways: `false` contradicted by the content
is an error; left out (`null`, "not declared") while the content shows the feature is a warning
(the registry needs every attribute answered, but nothing false was said); `true` for a link or
phone number that no sample shows is a warning (reviewers expect the samples to show what is
declared). Declaring age-gated, direct lending or affiliate content without a sign of it in the
texts is never reported: over-declaring is the safe side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import phonenumbers

from consentry.compliance import forms
from consentry.compliance.application import Application
from consentry.compliance.catalog import app_rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern, words
from consentry.compliance.model import Hit, Severity
from consentry.compliance.rules._common import context_missing
from consentry.compliance.rules.business import (
    is_blank,
    is_sole_proprietor,
    real_names,
    website_host,
)
from consentry.compliance.text import Text, brand_variants

_DATA = "application"

MIN_SAMPLES, MAX_SAMPLES = 2, 5
MIN_SAMPLE_CHARS, MAX_SAMPLE_CHARS = 20, 1024
MIN_SUB_USE_CASES, MAX_SUB_USE_CASES = 2, 5

_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_FIRST_WORD = re.compile(r"[A-Za-z0-9]+")
_SEVEN_DIGITS = re.compile(r"\d(?:\D{0,3}\d){6}")


# --- APP-COMPLETE ---------------------------------------------------------------------------


def _missing(field: str, what: str, fix: str) -> Hit:
    return Hit(message=f"The application is missing {what}.", fix=fix, field=field)


@app_rule("APP-COMPLETE")
def complete(app: Application, ctx: Context) -> Iterator[Hit]:
    """Every element of a registration is present: identity, consent, policies, purpose,
    samples, frequency."""
    yield from _business_elements(app)
    yield from _consent_elements(app)
    yield from _purpose_elements(app)


def _business_elements(app: Application) -> Iterator[Hit]:
    b = app.business
    if is_blank(b.legal_name):
        yield _missing(
            "business.legal_name",
            "the business's legal name",
            "Add business.legal_name as on the IRS records.",
        )
    if is_blank(b.ein) and not is_sole_proprietor(b):
        yield _missing(
            "business.ein",
            "the business's EIN",
            'Add business.ein ("NN-NNNNNNN"); only sole proprietors may leave it out.',
        )
    a = b.address
    parts = {"street": a.street, "city": a.city, "state": a.state, "postal_code": a.postal_code}
    absent = [name for name, value in parts.items() if is_blank(value)]
    if absent:
        yield _missing(
            "business.address",
            f"part of the business address ({', '.join(absent)})",
            "Give business.address with street, city, state and postal_code.",
        )
    if is_blank(b.website) and not is_sole_proprietor(b):
        yield _missing(
            "business.website",
            "the business's website",
            "Add business.website (https://...).",
        )
    c = b.contact
    if all(is_blank(v) for v in (c.email, c.phone, b.email, b.phone)):
        yield _missing(
            "business.contact",
            "a way to contact the business (email and phone)",
            "Add business.contact with first_name, last_name, email and phone.",
        )


def _consent_elements(app: Application) -> Iterator[Hit]:
    c = app.campaign
    o = c.opt_in
    if is_blank(o.method):
        yield _missing(
            "campaign.opt_in.method",
            "how people opt in (the opt-in method)",
            "Add campaign.opt_in.method: WEB_FORM, PAPER_FORM, VERBAL, KEYWORD, QR_CODE or IMPORT.",
        )
    if all(is_blank(v) for v in (o.text, o.form_html, o.url, o.image_url)):
        yield _missing(
            "campaign.opt_in.text",
            "the proof of consent (the opt-in language, form, or where it is shown)",
            "Add campaign.opt_in.text with the consent language exactly as people see or hear "
            "it, and campaign.opt_in.url (or form_html_file / image_url).",
        )
    if (o.method or "").strip().upper() == "KEYWORD" and not [k for k in o.keywords if k.strip()]:
        yield _missing(
            "campaign.opt_in.keywords",
            "the opt-in keyword(s) of a keyword opt-in",
            'Add campaign.opt_in.keywords, e.g. ["JOIN"].',
        )
    if is_blank(c.message_flow):
        yield _missing(
            "campaign.message_flow",
            "the message flow (how and where consent is collected)",
            "Add campaign.message_flow: where people opt in, what they see, and where a reviewer "
            "can verify it.",
        )
    if is_blank(c.privacy_policy.text) and is_blank(c.privacy_policy.url):
        yield _missing(
            "campaign.privacy_policy",
            "the privacy policy",
            "Add campaign.privacy_policy with its url and its text (text or text_file).",
        )
    if is_blank(c.terms.text) and is_blank(c.terms.url):
        yield _missing(
            "campaign.terms",
            "the terms and conditions",
            "Add campaign.terms with its url and its text (text or text_file).",
        )


def _purpose_elements(app: Application) -> Iterator[Hit]:
    c = app.campaign
    use_cases = words("business", "use_cases")
    if is_blank(c.use_case):
        yield _missing(
            "campaign.use_case",
            "the campaign's use case",
            "Add campaign.use_case, e.g. CUSTOMER_CARE, ACCOUNT_NOTIFICATION, MARKETING or MIXED.",
        )
    else:
        assert c.use_case is not None
        use_case = c.use_case.strip().upper()
        if use_case.lower() not in use_cases:
            yield Hit(
                message=f"{c.use_case.strip()!r} is not one of the registry's use cases.",
                fix="Use one of: " + ", ".join(sorted(u.upper() for u in use_cases)) + ".",
                field="campaign.use_case",
            )
        elif use_case.lower() in words("business", "mixed_use_cases"):
            yield from _sub_use_cases(use_case, c.sub_use_cases)
    if is_blank(c.description):
        yield _missing(
            "campaign.description",
            "the campaign description (the purpose of the messages)",
            "Add campaign.description: who sends, to whom, what and why.",
        )
    if not [s for s in c.sample_messages if s.strip()]:
        yield _missing(
            "campaign.sample_messages",
            "sample messages",
            f"Add {MIN_SAMPLES} to {MAX_SAMPLES} campaign.sample_messages, written as they will "
            "be sent.",
        )
    if is_blank(c.message_frequency):
        yield _missing(
            "campaign.message_frequency",
            "the message frequency",
            'Add campaign.message_frequency, e.g. "Up to 4 messages per month".',
        )


def _sub_use_cases(use_case: str, subs: Sequence[str]) -> Iterator[Hit]:
    allowed = words("business", "sub_use_cases")
    given = [s.strip().upper() for s in subs if s.strip()]
    unknown = [s for s in given if s.lower() not in allowed]
    if unknown:
        yield Hit(
            message=f"{', '.join(unknown)} cannot be a sub use case.",
            fix="Use standard use cases only: "
            + ", ".join(sorted(a.upper() for a in allowed))
            + ".",
            field="campaign.sub_use_cases",
        )
    if not MIN_SUB_USE_CASES <= len(given) <= MAX_SUB_USE_CASES:
        yield Hit(
            message=f"A {use_case} campaign lists {len(given)} sub use case(s); it needs "
            f"{MIN_SUB_USE_CASES} to {MAX_SUB_USE_CASES}.",
            fix="List in campaign.sub_use_cases the standard use cases the messages cover.",
            field="campaign.sub_use_cases",
        )


# --- APP-SAMPLE-COUNT -----------------------------------------------------------------------


@app_rule("APP-SAMPLE-COUNT")
def sample_count(app: Application, ctx: Context) -> Iterator[Hit]:
    """2-5 samples of 20-1024 characters; one names the brand, one carries opt-out language."""
    samples = app.campaign.sample_messages
    if not samples:
        return  # APP-COMPLETE reports the missing samples
    if len(samples) < MIN_SAMPLES:
        yield Hit(
            message=f"The application has {len(samples)} sample message; reviewers need at "
            f"least {MIN_SAMPLES}.",
            fix=f"Add sample messages until there are {MIN_SAMPLES} to {MAX_SAMPLES}, one for "
            "each kind of message the campaign sends.",
            field="campaign.sample_messages",
        )
    elif len(samples) > MAX_SAMPLES:
        yield Hit(
            message=f"The application has {len(samples)} sample messages; the registry takes at "
            f"most {MAX_SAMPLES}.",
            fix=f"Keep the {MAX_SAMPLES} that best show the kinds of messages sent.",
            field="campaign.sample_messages",
        )
    for i, sample in enumerate(samples):
        length = len(sample.strip())
        if length > MAX_SAMPLE_CHARS:
            yield Hit(
                message=f"Sample message {i + 1} is {length:,} characters; the limit is "
                f"{MAX_SAMPLE_CHARS:,}.",
                fix="Shorten it to the message as it is really sent.",
                field=f"campaign.sample_messages[{i}]",
            )
        elif length < MIN_SAMPLE_CHARS:
            yield Hit(
                message=f"Sample message {i + 1} is {length} characters; a real sample has at "
                f"least {MIN_SAMPLE_CHARS}.",
                fix="Write the whole message as it will be sent, with the brand and the details.",
                field=f"campaign.sample_messages[{i}]",
            )
    texts = [Text(s) for s in samples]
    names = brand_variants(real_names(ctx.brands))
    if not ctx.brands:
        yield context_missing("APP-SAMPLE-COUNT", "the brand name (business.legal_name)")
    elif names and not any(t.mentions_brand(names) for t in texts):
        yield Hit(
            message="No sample message names the brand.",
            fix=f'Start the messages with the brand, e.g. "{ctx.brands[0]}: ...".',
            field="campaign.sample_messages",
        )
    if not ctx.is_otp and not any(t.find_affirmed(pattern(_DATA, "opt_out")) for t in texts):
        yield Hit(
            message="No sample message carries opt-out language.",
            fix='End at least one sample with "Reply STOP to opt out."',
            field="campaign.sample_messages",
        )


# --- APP-FLAGS-CONSISTENT -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sign:
    where: str  # "sample message 2", "the campaign description"
    excerpt: str


def _first_link(sample: str) -> str | None:
    m = pattern(_DATA, "link").search(sample)
    return m.group(0) if m else None


def _first_phone(sample: str) -> str | None:
    # The matcher is the slow part of the rule; a phone number has at least 7 digits.
    if _SEVEN_DIGITS.search(sample):
        for match in phonenumbers.PhoneNumberMatcher(sample, "US"):
            return str(match.raw_string)
    m = pattern(_DATA, "phone_field").search(sample)
    return m.group(0) if m else None


def _in_samples(samples: Sequence[str], probe: Callable[[str], str | None]) -> _Sign | None:
    for i, sample in enumerate(samples):
        found = probe(sample)
        if found:
            return _Sign(f"sample message {i + 1}", str(found))
    return None


def _content(app: Application) -> list[tuple[str, Text]]:
    """The samples and the description, each analysed once for every flag that reads them."""
    texts = [(f"sample message {i + 1}", s) for i, s in enumerate(app.campaign.sample_messages)]
    if app.campaign.description:
        texts.append(("the campaign description", app.campaign.description))
    return [(where, Text(text)) for where, text in texts]


def _in_content(content: list[tuple[str, Text]], key: str) -> _Sign | None:
    """The first affirmed phrase of `key` in the samples or the description."""
    phrase = pattern(_DATA, key)
    for where, text in content:
        m = text.find_affirmed(phrase)
        if m:
            return _Sign(where, m.group(0))
    return None


def _flag_hits(
    flag: str, declared: bool | None, sign: _Sign | None, feature: str, expect_sample: bool
) -> Iterator[Hit]:
    field = f"campaign.attributes.{flag}"
    if sign is not None and declared is False:
        yield Hit(
            message=f"{sign.where.capitalize()} contains {feature} ({sign.excerpt!r}), but "
            f"{flag} is declared false.",
            fix=f"Set campaign.attributes.{flag}: true, or take it out of {sign.where}.",
            field=field,
            excerpt=sign.excerpt,
        )
    elif sign is not None and declared is None:
        yield Hit(
            message=f"{sign.where.capitalize()} contains {feature} ({sign.excerpt!r}), but "
            f"{flag} is not declared.",
            fix=f"Set campaign.attributes.{flag}: true.",
            field=field,
            excerpt=sign.excerpt,
            severity=Severity.WARNING,
        )
    elif sign is None and declared is True and expect_sample:
        yield Hit(
            message=f"{flag} is declared true, but no sample message contains {feature}.",
            fix=f"Add a sample that shows {feature} as it will be sent, or set {flag}: false.",
            field=field,
            severity=Severity.WARNING,
        )


@app_rule("APP-FLAGS-CONSISTENT")
def flags_consistent(app: Application, ctx: Context) -> Iterator[Hit]:
    """Declared attributes agree with what the samples and description show."""
    samples = app.campaign.sample_messages
    attrs = app.campaign.attributes
    content = _content(app)
    yield from _flag_hits(
        "embedded_link", attrs.embedded_link, _in_samples(samples, _first_link), "a link", True
    )
    yield from _flag_hits(
        "embedded_phone",
        attrs.embedded_phone,
        _in_samples(samples, _first_phone),
        "a phone number",
        True,
    )
    yield from _flag_hits(
        "age_gated",
        attrs.age_gated,
        _in_content(content, "age_restricted"),
        "age-restricted content",
        False,
    )
    yield from _flag_hits(
        "direct_lending",
        attrs.direct_lending,
        _in_content(content, "direct_lending"),
        "lending or loan content",
        False,
    )
    yield from _flag_hits(
        "affiliate_marketing",
        attrs.affiliate_marketing,
        _in_content(content, "affiliate"),
        "affiliate or third-party offers",
        False,
    )


# --- APP-BRAND-CONSISTENT -------------------------------------------------------------------


def _squash(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


def _domain_names_brand(host: str, names: Sequence[str]) -> bool:
    """True when the website's domain is recognisably the brand's ("northsidept.com")."""
    labels = host.split(".")
    label = labels[-2] if len(labels) >= 2 else labels[0]
    label = _squash(label)
    if len(label) < 3:
        return False
    for name in names:
        squashed = _squash(name)
        first = _FIRST_WORD.search(name)
        if len(squashed) >= 3 and (squashed in label or label in squashed):
            return True
        if first and len(first.group(0)) >= 4 and _squash(first.group(0)) in label:
            return True
    return False


@app_rule("APP-BRAND-CONSISTENT")
def brand_consistent(app: Application, ctx: Context) -> Iterator[Hit]:
    """The brand named in one document is named in the others and matches the website."""
    if not ctx.brands:
        yield context_missing("APP-BRAND-CONSISTENT", "the brand name (business.legal_name)")
        return
    names = brand_variants(real_names(ctx.brands))
    if not names:
        return  # only placeholder names: BIZ-LEGAL-NAME reports them
    c = app.campaign
    named: dict[str, bool] = {}
    opt_in = c.opt_in.text
    if not opt_in and c.opt_in.form_html:
        opt_in = forms.visible_text(c.opt_in.form_html)
    documents = (
        ("campaign.opt_in.text" if c.opt_in.text else "campaign.opt_in.form_html", opt_in),
        ("campaign.privacy_policy.text", c.privacy_policy.text),
        ("campaign.terms.text", c.terms.text),
    )
    for field, text in documents:
        if not is_blank(text):
            assert text is not None
            named[field] = Text(text).mentions_brand(names) is not None
    samples = [s for s in c.sample_messages if s.strip()]
    if samples:
        named["campaign.sample_messages"] = any(Text(s).mentions_brand(names) for s in samples)
    host = website_host(app.business.website)
    if host:
        named["business.website"] = _domain_names_brand(host, names)
    if len(named) < 2:
        return  # nothing to be consistent with
    brand = ctx.brands[0]
    if not any(named.values()):
        field = "business.display_name" if app.business.display_name else "business.legal_name"
        yield Hit(
            message=f"None of the opt-in, policies, terms, samples or website names the "
            f"registered brand {brand!r}.",
            fix="Register the name the business uses in its texts and documents (legal name, "
            "with the brand as display_name), or use that name in them.",
            field=field,
        )
        return
    for field, ok in named.items():
        if ok:
            continue
        if field == "business.website":
            yield Hit(
                message=f"The website's domain ({host}) does not match the brand {brand!r}.",
                fix="Give the brand's own website, or explain the domain in the description.",
                field=field,
            )
        else:
            yield Hit(
                message=f"The brand {brand!r} is not named in {_label(field)}, though the "
                "other documents name it.",
                fix=f"Name {brand!r} in it, spelled as in the other documents.",
                field=field,
            )


def _label(field: str) -> str:
    return {
        "campaign.opt_in.text": "the opt-in text",
        "campaign.opt_in.form_html": "the opt-in form",
        "campaign.privacy_policy.text": "the privacy policy",
        "campaign.terms.text": "the terms",
        "campaign.sample_messages": "any sample message",
    }.get(field, field)
