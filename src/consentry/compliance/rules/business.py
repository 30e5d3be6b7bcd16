"""Rules BIZ-*: the business identity of an application (the brand that sends).

Each rule reads the `business` part of the application and reports on one key path (`field`),
both when a value is absent and when it is malformed. Reference vocabularies (IRS EIN prefixes,
state codes, TCR entity types, verticals, stock exchanges, free-mail domains) live in
data/business.yaml.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from urllib.parse import urlsplit

import phonenumbers

from consentry.compliance.application import Application, Business
from consentry.compliance.catalog import app_rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import data, pattern, words
from consentry.compliance.model import Hit, Severity

__all__ = [
    "email_domain",
    "is_blank",
    "is_sole_proprietor",
    "real_names",
    "website_host",
]

_DATA = "business"

_EIN_DASHED = re.compile(r"\d{2}-\d{7}")
_EIN_BARE = re.compile(r"\d{9}")
_NON_DIGIT = re.compile(r"\D")
_ZIP = re.compile(r"\d{5}(?:-\d{4})?")
_ZIP_BARE9 = re.compile(r"\d{9}")
# RFC 5322 is far looser than what mailbox providers accept; this is the practical subset
# (dot-atoms, a dotted domain with an alphabetic or punycode TLD).
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{2,59}))"
)
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{2,59}")
_STOCK_SYMBOL = re.compile(r"[A-Za-z0-9]{1,6}(?:[.\-][A-Za-z0-9]{1,3})?")
_ENUM_KEY = re.compile(r"[\s\-/()]+")
_HAS_LETTER = re.compile(r"[A-Za-z]")
# Two letters anywhere: stops at the second letter where counting every letter reads it all.
_TWO_LETTERS = re.compile(r"[A-Za-z][^A-Za-z]*[A-Za-z]")
_BRACKETED = re.compile(r"[\[{<]|\{\{|%s|\$\{")
# The US and the territories that share its numbering plan and registration rules.
_US_REGIONS = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
# "+1" and ten digits, the area code not starting with 0 or 1 (those the parser reads apart).
_E164_NANP = re.compile(r"\+1[2-9][0-9]{9}")


# --- shared helpers (also used by the APP-* rules) ------------------------------------------


def is_blank(value: str | None) -> bool:
    """True when a field is absent or only whitespace."""
    return value is None or not value.strip()


def is_sole_proprietor(business: Business) -> bool:
    """True when the brand is registered as a sole proprietor (no EIN needed)."""
    return _enum_key(business.entity_type) == "SOLE_PROPRIETOR"


def website_host(url: str | None) -> str | None:
    """The lower-cased host of a website URL (scheme optional), without a leading "www."."""
    if is_blank(url):
        return None
    assert url is not None
    raw = url.strip()
    if "://" not in raw:
        raw = "https://" + raw
    try:
        host = urlsplit(raw).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


def email_domain(address: str | None) -> str | None:
    """The lower-cased domain of a syntactically valid email address, else None."""
    if is_blank(address):
        return None
    assert address is not None
    m = _EMAIL.fullmatch(address.strip())
    return m.group(1).lower() if m else None


def real_names(names: Sequence[str]) -> tuple[str, ...]:
    """The names that are real business names (placeholders such as "Company Name LLC" dropped)."""
    return tuple(n for n in names if not is_blank(n) and _name_problem(n) is None)


def _enum_key(value: str | None) -> str:
    """An enum-ish value as TCR spells it: upper case, words joined by underscores."""
    if value is None:
        return ""
    return _ENUM_KEY.sub("_", value.strip()).strip("_").upper().replace(".", "")


@cache
def _states() -> Mapping[str, str]:
    states: dict[str, str] = data(_DATA)["states"]
    return states


@cache
def _state_by_name() -> Mapping[str, str]:
    out = {name.lower().replace(".", ""): code for code, name in _states().items()}
    out["virgin islands"] = "VI"
    out["us virgin islands"] = "VI"
    out["washington dc"] = "DC"
    out["washington d c"] = "DC"
    return out


@cache
def _aliases(key: str) -> Mapping[str, str]:
    table: dict[str, str] = data(_DATA)[key]
    return {_enum_key(str(k)): str(v) for k, v in table.items()}


def _suggest(value: str, allowed: frozenset[str], aliases: Mapping[str, str]) -> str | None:
    """The allowed value the user most likely meant, if any."""
    key = _enum_key(value)
    if key in aliases:
        return aliases[key]
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.75)
    return close[0] if close else None


def _one_of(allowed: frozenset[str]) -> str:
    return ", ".join(sorted(allowed))


@cache
def _upper_words(key: str) -> frozenset[str]:
    return frozenset(w.upper() for w in words(_DATA, key))


def _spelling(what: str, given: str | None, code: str, field: str) -> Hit:
    """The registry takes its codes exactly as spelled; a near spelling is refused there."""
    return Hit(
        message=f"The {what} {(given or '').strip()!r} is not written as the registry's code.",
        fix=f'Use "{code}".',
        field=field,
    )


# --- BIZ-LEGAL-NAME -------------------------------------------------------------------------


def _name_problem(name: str) -> str | None:
    """Why a business name is not a real name, or None when it reads as one."""
    stripped = name.strip()
    if _BRACKETED.search(stripped):
        return "still holds a template placeholder"
    if pattern(_DATA, "legal_name_placeholders", bounded=False).fullmatch(stripped.rstrip(".")):
        return "is a placeholder, not a business name"
    if not _TWO_LETTERS.search(stripped):
        return "is too short to be a business name"
    if "@" in stripped:
        return "is an email address, not a business name"
    return None


@app_rule("BIZ-LEGAL-NAME")
def legal_name(app: Application, ctx: Context) -> Iterator[Hit]:
    """The legal name is present and is a real name; a DBA, when given, too."""
    b = app.business
    if is_blank(b.legal_name):
        yield Hit(
            message="The application does not give the business's legal name.",
            fix="Add business.legal_name exactly as on the IRS records (CP 575 / 147C letter), "
            'e.g. "Northside Physical Therapy LLC".',
            field="business.legal_name",
        )
    else:
        assert b.legal_name is not None
        problem = _name_problem(b.legal_name)
        if problem:
            yield Hit(
                message=f"The legal name {b.legal_name.strip()!r} {problem}.",
                fix="Give the business's legal name exactly as on its IRS records.",
                field="business.legal_name",
            )
    if not is_blank(b.display_name):
        assert b.display_name is not None
        problem = _name_problem(b.display_name)
        if problem:
            yield Hit(
                message=f"The brand (DBA) name {b.display_name.strip()!r} {problem}.",
                fix="Give the name customers know the business by, or leave display_name out.",
                field="business.display_name",
            )


# --- BIZ-EIN --------------------------------------------------------------------------------


def _dashed(digits: str) -> str:
    return f"{digits[:2]}-{digits[2:]}"


@app_rule("BIZ-EIN")
def ein(app: Application, ctx: Context) -> Iterator[Hit]:
    """A 9-digit EIN with an IRS-issued prefix; only sole proprietors may omit it."""
    b = app.business
    if is_blank(b.ein):
        if not is_sole_proprietor(b):
            kind = _enum_key(b.entity_type) or "this entity type"
            yield Hit(
                message=f"The application has no EIN; {kind} brands must give their federal "
                "Employer Identification Number.",
                fix='Add business.ein in the form "NN-NNNNNNN" (from the IRS CP 575 or 147C '
                "letter).",
                field="business.ein",
            )
        return
    assert b.ein is not None
    value = b.ein.strip()
    digits = _NON_DIGIT.sub("", value)
    if len(digits) != 9 or _HAS_LETTER.search(value):
        yield Hit(
            message=f"The EIN {value!r} is not 9 digits (it has {len(digits)}).",
            fix='Give the 9-digit EIN in the form "NN-NNNNNNN".',
            field="business.ein",
        )
        return
    if not (_EIN_DASHED.fullmatch(value) or _EIN_BARE.fullmatch(value)):
        yield Hit(
            message=f"The EIN {value!r} is not written as an EIN (NN-NNNNNNN).",
            fix=f'Write it as "{_dashed(digits)}".',
            field="business.ein",
        )
        return
    if len(set(digits)) == 1 or digits in words(_DATA, "ein_placeholders"):
        yield Hit(
            message=f"The EIN {value!r} is a placeholder, not an issued number.",
            fix="Give the business's real EIN, as on its IRS records.",
            field="business.ein",
        )
        return
    if digits[:2] not in words(_DATA, "ein_prefixes"):
        yield Hit(
            message=f"The EIN {value!r} starts with {digits[:2]}, a prefix the IRS never issues.",
            fix=f"Check the number against the IRS letter; as written, {_dashed(digits)} cannot "
            "be a valid EIN.",
            field="business.ein",
        )


# --- BIZ-ADDRESS ----------------------------------------------------------------------------


@app_rule("BIZ-ADDRESS")
def address(app: Application, ctx: Context) -> Iterator[Hit]:
    """Street, city, a US state/territory code, a ZIP or ZIP+4, in the US."""
    a = app.business.address
    if is_blank(a.street):
        yield Hit(
            message="The business address has no street.",
            fix='Add business.address.street, e.g. "100 Main St".',
            field="business.address.street",
        )
    if is_blank(a.city):
        yield Hit(
            message="The business address has no city.",
            fix="Add business.address.city.",
            field="business.address.city",
        )
    yield from _state(a.state)
    yield from _postal_code(a.postal_code)
    yield from _country(a.country)


def _state(state: str | None) -> Iterator[Hit]:
    if is_blank(state):
        yield Hit(
            message="The business address has no state.",
            fix='Add business.address.state as a two-letter code, e.g. "TX".',
            field="business.address.state",
        )
        return
    assert state is not None
    value = state.strip()
    if value.upper() in _states():
        return
    code = _state_by_name().get(" ".join(value.lower().replace(".", " ").split()))
    if code:
        yield Hit(
            message=f"The state is written out ({value!r}); the registry takes the two-letter "
            "code.",
            fix=f'Use "{code}".',
            field="business.address.state",
        )
        return
    yield Hit(
        message=f"{value!r} is not a US state, district or territory code.",
        fix="Use the two-letter USPS code of the state (e.g. TX, NY, DC, PR).",
        field="business.address.state",
    )


def _postal_code(postal_code: str | None) -> Iterator[Hit]:
    if is_blank(postal_code):
        yield Hit(
            message="The business address has no ZIP code.",
            fix='Add business.address.postal_code, e.g. "78701" or "78701-1234".',
            field="business.address.postal_code",
        )
        return
    assert postal_code is not None
    value = postal_code.strip()
    if _ZIP.fullmatch(value) and value[:5] != "00000":
        return
    fix = 'Use a 5-digit ZIP or ZIP+4, e.g. "78701" or "78701-1234" (quote it in YAML).'
    if _ZIP_BARE9.fullmatch(value):
        fix = f'Write the ZIP+4 with its dash: "{value[:5]}-{value[5:]}".'
    yield Hit(
        message=f"The ZIP code {value!r} is not a US ZIP or ZIP+4.",
        fix=fix,
        field="business.address.postal_code",
    )


def _country(country: str | None) -> Iterator[Hit]:
    if is_blank(country):
        return  # the model defaults to US; an explicit blank means the same
    assert country is not None
    value = country.strip()
    if value.upper() == "US":
        return
    aliases = {c.replace(".", "") for c in _upper_words("country_aliases")}
    if value.upper().replace(".", "") in aliases:
        yield Hit(
            message=f'The country is written {value!r}; the registry takes the code "US".',
            fix='Use "US".',
            field="business.address.country",
        )
        return
    yield Hit(
        message=f"The business address is in {value!r}; US texting registration needs a US "
        "address.",
        fix='Give the business\'s US address with country "US".',
        field="business.address.country",
    )


# --- BIZ-ENTITY-TYPE ------------------------------------------------------------------------


@app_rule("BIZ-ENTITY-TYPE")
def entity_type(app: Application, ctx: Context) -> Iterator[Hit]:
    """A registry entity type and vertical; public companies give their stock; the type fits
    the name."""
    b = app.business
    types = _upper_words("entity_types")
    kind = _enum_key(b.entity_type)
    if not kind:
        yield Hit(
            message="The application does not say what kind of entity the business is.",
            fix=f"Add business.entity_type: one of {_one_of(types)}.",
            field="business.entity_type",
        )
    elif kind not in types:
        assert b.entity_type is not None
        guess = _suggest(b.entity_type, types, _aliases("entity_type_aliases"))
        yield Hit(
            message=f"{b.entity_type.strip()!r} is not one of the registry's entity types.",
            fix=f'Use "{guess}".' if guess else f"Use one of {_one_of(types)}.",
            field="business.entity_type",
        )
    elif (b.entity_type or "").strip() != kind:
        yield _spelling("entity type", b.entity_type, kind, "business.entity_type")
    yield from _vertical(b, kind)
    yield from _stock(b, kind)
    yield from _entity_fits_name(b, kind)


def _vertical(b: Business, kind: str) -> Iterator[Hit]:
    verticals = _upper_words("verticals")
    if is_blank(b.vertical):
        yield Hit(
            message="The application does not give the business's industry (vertical).",
            fix=f"Add business.vertical: one of {_one_of(verticals)}.",
            field="business.vertical",
        )
        return
    assert b.vertical is not None
    vertical = _enum_key(b.vertical)
    if vertical not in verticals:
        guess = _suggest(b.vertical, verticals, _aliases("vertical_aliases"))
        yield Hit(
            message=f"{b.vertical.strip()!r} is not one of the registry's verticals.",
            fix=f'Use "{guess}".' if guess else f"Use one of {_one_of(verticals)}.",
            field="business.vertical",
        )
        return
    if b.vertical.strip() != vertical:
        yield _spelling("vertical", b.vertical, vertical, "business.vertical")
    # A vertical that names another kind of entity reads as a mistake a reviewer will question.
    if vertical == "NGO" and kind in ("PRIVATE_PROFIT", "PUBLIC_PROFIT"):
        yield Hit(
            message=f"The vertical NGO is for non-profits, but the entity type is {kind}.",
            fix="Pick the industry the business works in, or set entity_type: NON_PROFIT if it "
            "is one.",
            field="business.vertical",
            severity=Severity.WARNING,
        )
    elif vertical == "GOVERNMENT" and kind not in ("GOVERNMENT", ""):
        yield Hit(
            message="The vertical GOVERNMENT is for government bodies, but the entity type is "
            f"{kind}.",
            fix="Pick the industry the business works in, or set entity_type: GOVERNMENT if it "
            "is a public body.",
            field="business.vertical",
            severity=Severity.WARNING,
        )


def _stock(b: Business, kind: str) -> Iterator[Hit]:
    exchanges = _upper_words("stock_exchanges")
    symbol, exchange = b.stock_symbol, b.stock_exchange
    if kind == "PUBLIC_PROFIT":
        if is_blank(symbol):
            yield Hit(
                message="A publicly traded brand must give its stock symbol.",
                fix='Add business.stock_symbol (the ticker, e.g. "ACME").',
                field="business.stock_symbol",
            )
        elif not _STOCK_SYMBOL.fullmatch((symbol or "").strip()):
            yield Hit(
                message=f"{(symbol or '').strip()!r} does not look like a stock ticker.",
                fix="Give the ticker as listed on the exchange, letters and digits only.",
                field="business.stock_symbol",
            )
        if is_blank(exchange):
            yield Hit(
                message="A publicly traded brand must give the stock exchange it is listed on.",
                fix=f"Add business.stock_exchange: one of {_one_of(exchanges)}.",
                field="business.stock_exchange",
            )
        elif _enum_key(exchange) not in exchanges:
            yield Hit(
                message=f"{(exchange or '').strip()!r} is not one of the registry's stock "
                "exchanges.",
                fix=f"Use one of {_one_of(exchanges)}.",
                field="business.stock_exchange",
            )
        elif (exchange or "").strip() != _enum_key(exchange):
            yield _spelling(
                "stock exchange", exchange, _enum_key(exchange), "business.stock_exchange"
            )
    elif kind and (not is_blank(symbol) or not is_blank(exchange)):
        yield Hit(
            message=f"A stock listing is given, but the entity type is {kind}, not PUBLIC_PROFIT.",
            fix="Set entity_type: PUBLIC_PROFIT if the company is publicly traded; otherwise "
            "remove stock_symbol and stock_exchange.",
            field="business.entity_type",
        )


def _entity_fits_name(b: Business, kind: str) -> Iterator[Hit]:
    if is_blank(b.legal_name) or not kind:
        return
    assert b.legal_name is not None
    name = b.legal_name.strip()
    corporate = pattern(_DATA, "corporate_suffix").search(name)
    governmental = pattern(_DATA, "government_name").search(name)
    host = website_host(b.website) or ""
    if kind == "GOVERNMENT" and corporate:
        yield Hit(
            message=f"The entity type is GOVERNMENT, but {name!r} is a company "
            f"({corporate.group(0)}).",
            fix="Use the entity type that matches the IRS records (PRIVATE_PROFIT for a company "
            "that serves a government).",
            field="business.entity_type",
        )
    elif (
        governmental
        and not corporate
        and kind in ("PRIVATE_PROFIT", "PUBLIC_PROFIT", "SOLE_PROPRIETOR")
    ):
        yield Hit(
            message=f"{name!r} reads as a government body, but the entity type is {kind}.",
            fix="Use entity_type: GOVERNMENT for a government body.",
            field="business.entity_type",
        )
    elif (
        kind == "SOLE_PROPRIETOR"
        and corporate
        and corporate.group(0).lower().rstrip(".")
        in (
            "inc",
            "incorporated",
            "corp",
            "corporation",
            "plc",
        )
    ):
        yield Hit(
            message=f"{name!r} is a corporation, which cannot register as a sole proprietor.",
            fix="Use entity_type: PRIVATE_PROFIT (or PUBLIC_PROFIT) with the company's EIN.",
            field="business.entity_type",
        )
    elif host.endswith((".gov", ".mil")) and kind != "GOVERNMENT":
        yield Hit(
            message=f"The website is on a government domain ({host}), but the entity type is "
            f"{kind}.",
            fix="Use entity_type: GOVERNMENT for a government body, or give the brand's own "
            "website.",
            field="business.entity_type",
            severity=Severity.WARNING,
        )


# --- BIZ-WEBSITE ----------------------------------------------------------------------------


def _host_problem(host: str) -> str | None:
    """Why a host is not a public website's, or None."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return "is an IP address, not a domain name"
    except ValueError:
        pass
    if host == "localhost" or host.endswith(".localhost"):
        return "is this computer (localhost), not a public website"
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return "is not a valid domain name"
    if not _TLD.fullmatch(labels[-1]):
        return "does not end in a real top-level domain"
    for reserved in words(_DATA, "reserved_hosts"):
        # ".test" names a reserved top-level domain; "example.com" a domain and its subdomains.
        suffix = reserved if reserved.startswith(".") else "." + reserved
        if host == reserved or host.endswith(suffix):
            return "is a reserved example/test domain, not the business's website"
    return None


@app_rule("BIZ-WEBSITE")
def website(app: Application, ctx: Context) -> Iterator[Hit]:
    """A well-formed https website on a real domain; contact email on the same domain."""
    b = app.business
    if is_blank(b.website):
        if not is_sole_proprietor(b):
            yield Hit(
                message="The application does not give the business's website.",
                fix='Add business.website, e.g. "https://northsidept.com"; reviewers check the '
                "brand and the opt-in there.",
                field="business.website",
            )
    else:
        assert b.website is not None
        yield from _website_url(b.website.strip())
    yield from _email_domains(b)


def _website_url(url: str) -> Iterator[Hit]:
    scheme_given = "://" in url
    try:
        parts = urlsplit(url if scheme_given else "https://" + url)
        host = (parts.hostname or "").rstrip(".").lower()
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        yield Hit(
            message=f"The website {url!r} is not a well-formed URL.",
            fix='Give the full address, e.g. "https://northsidept.com".',
            field="business.website",
        )
        return
    if not host or " " in url:
        yield Hit(
            message=f"The website {url!r} is not a well-formed URL.",
            fix='Give the full address, e.g. "https://northsidept.com".',
            field="business.website",
        )
        return
    problem = _host_problem(host)
    if problem:
        yield Hit(
            message=f"The website's host {host!r} {problem}.",
            fix="Give the public website of the business, on its own domain.",
            field="business.website",
        )
        return
    if parts.username or parts.password:
        yield Hit(
            message="The website URL carries a user name or password.",
            fix=f'Give the public address only: "https://{host}".',
            field="business.website",
        )
        return
    if not scheme_given or parts.scheme.lower() != "https":
        secure = "https://" + url.split("://", 1)[-1]
        yield Hit(
            message=f"The website {url!r} is not an https:// address.",
            fix=f'Use "{secure}" (serve the site over HTTPS).',
            field="business.website",
        )


def _same_site(a: str, b: str) -> bool:
    """True when two hosts belong to the same site (one is the other or a subdomain of it)."""
    a, b = a.removeprefix("www."), b.removeprefix("www.")
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _email_domains(b: Business) -> Iterator[Hit]:
    host = website_host(b.website)
    free = words(_DATA, "free_mail_domains")
    addresses = (("business.email", b.email), ("business.contact.email", b.contact.email))
    for field, address in addresses:
        domain = email_domain(address)
        if domain is None:
            continue  # absent or malformed: BIZ-CONTACT reports it
        if domain in free:
            yield Hit(
                message=f"The email {address!r} is on a free mail service ({domain}), not the "
                "business's own domain.",
                fix=f"Use an address on the business's domain (e.g. support@{host})."
                if host
                else "Use an address on the business's own domain.",
                field=field,
                severity=Severity.WARNING,
            )
        elif host and not _same_site(domain, host):
            yield Hit(
                message=f"The email domain {domain} differs from the website's ({host}).",
                fix=f"Use an address on {host}, or give the website that matches {domain}.",
                field=field,
                severity=Severity.WARNING,
            )


# --- BIZ-CONTACT ----------------------------------------------------------------------------


@app_rule("BIZ-CONTACT")
def contact(app: Application, ctx: Context) -> Iterator[Hit]:
    """A contact person with a valid email and a valid US phone number in E.164."""
    b = app.business
    c = b.contact
    if is_blank(c.first_name) and is_blank(c.last_name):
        yield Hit(
            message="The application does not name a contact person.",
            fix="Add business.contact.first_name and last_name (the person reviewers may reach).",
            field="business.contact",
        )
    elif is_blank(c.first_name) or is_blank(c.last_name):
        missing = "first_name" if is_blank(c.first_name) else "last_name"
        yield Hit(
            message=f"The contact person's {missing.replace('_', ' ')} is missing.",
            fix=f"Add business.contact.{missing}.",
            field=f"business.contact.{missing}",
        )
    if is_blank(c.email) and is_blank(b.email):
        yield Hit(
            message="The application gives no contact email.",
            fix="Add business.contact.email (an address on the business's domain).",
            field="business.contact.email",
        )
    for field, address in (("business.email", b.email), ("business.contact.email", c.email)):
        if not is_blank(address) and email_domain(address) is None:
            yield Hit(
                message=f"{(address or '').strip()!r} is not a valid email address.",
                fix='Give a full address, e.g. "dana@northsidept.com".',
                field=field,
            )
    if is_blank(c.phone) and is_blank(b.phone):
        yield Hit(
            message="The application gives no contact phone number.",
            fix='Add business.contact.phone in E.164 form, e.g. "+15125550101".',
            field="business.contact.phone",
        )
    for field, number in (("business.phone", b.phone), ("business.contact.phone", c.phone)):
        if not is_blank(number):
            assert number is not None
            yield from _phone(number.strip(), field)


def _parse_phone(value: str) -> phonenumbers.PhoneNumber:
    """`phonenumbers.parse(value, "US")`; an E.164 NANP number (the usual way it is given) is
    built from its digits, which is what the general parser returns for it."""
    if _E164_NANP.fullmatch(value):
        return phonenumbers.PhoneNumber(country_code=1, national_number=int(value[2:]))
    return phonenumbers.parse(value, "US")


def _phone(value: str, field: str) -> Iterator[Hit]:
    try:
        parsed = _parse_phone(value)
    except phonenumbers.NumberParseException:
        yield Hit(
            message=f"{value!r} is not a phone number.",
            fix='Give a US number in E.164 form, e.g. "+15125550100".',
            field=field,
        )
        return
    # is_valid_number finds the region and validates for it; the region is found once here
    # and serves both questions.
    region = phonenumbers.region_code_for_number(parsed)
    if region is None or not phonenumbers.is_valid_number_for_region(parsed, region):
        yield Hit(
            message=f"{value!r} is not a valid phone number (no such area code or length).",
            fix='Give a working US number in E.164 form, e.g. "+15125550100".',
            field=field,
        )
    elif region not in _US_REGIONS:
        yield Hit(
            message=f"{value!r} is a {region} number, not a US one.",
            fix="Give the business's US phone number.",
            field=field,
        )
    else:
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if value != e164:
            yield Hit(
                message=f"The phone number {value!r} is not in E.164 form.",
                fix=f'Write it as "{e164}".',
                field=field,
            )
