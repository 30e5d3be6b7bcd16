"""Rules SM-*: sample messages.

SM rules judge ordinary messages (context role `message`, or no role). Keyword replies (opt-in
confirmation, STOP and HELP replies) are judged by the KW rules instead: a STOP reply must not
carry opt-out language, and use-case fit is about the program's messages, not its replies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context, MessageRole
from consentry.compliance.lexicon import data, pattern, words
from consentry.compliance.model import Hit, Severity
from consentry.compliance.rules._common import context_missing, span
from consentry.compliance.text import Text, analysed, brand_pattern, brand_variants, is_negated

__all__ = [
    "Link",
    "UseCaseScope",
    "find_links",
    "has_opt_out_language",
    "is_promotional",
    "registrable_domain",
    "sender_names",
    "use_case_scores",
]

_MESSAGE_ROLES = (None, MessageRole.MESSAGE)

# A link: with a scheme, with "www.", or a bare "name.tld" (kept only when the TLD is a common
# one or the host is a known shortener, so "msg.freq" is not taken for a link). Not part of an
# email address (no "@" before it).
_URL = re.compile(
    r"(?<![@\w.\-/])(?:(?P<scheme>https?)://)?"
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?P<tld>[a-z]{2,24}))"
    r"(?![\w@-])(?::\d{2,5})?(?P<path>/[^\s<>\"'\]\[)(]*)?",
    re.I,
)
_TRAILING = ".,;:!?"
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu"})

# Bracketed variable fields: "[first name]", "{order_id}", "{{ date }}", "<name>".
_FIELD = re.compile(r"\[[^\[\]\n]{0,40}\]|\{\{?[^{}\n]{0,40}\}?\}|<[^<>\n]{1,30}>")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
_SELECTED = re.compile(r"select|chos|pick|approv|qualif", re.I)

MIN_SAMPLE_CHARS = 20


def _applies(ctx: Context) -> bool:
    return ctx.message_role in _MESSAGE_ROLES


def sender_names(ctx: Context) -> tuple[str, ...]:
    """The sender's names and their obvious short forms, plus its website's name."""
    names = list(brand_variants(ctx.brands))
    label = _website_label(ctx.website)
    if label and len(label) >= 4 and label not in (n.lower() for n in names):
        names.append(label)
    return tuple(names)


def _website_label(website: str | None) -> str | None:
    domain = registrable_domain(_host_of(website)) if website else None
    return domain.split(".")[0] if domain else None


def _host_of(url: str | None) -> str | None:
    if not url:
        return None
    m = _URL.search(url.strip())
    return m.group("host").lower() if m else None


def registrable_domain(host: str | None) -> str | None:
    """The domain a host belongs to: "go.acme.com" -> "acme.com", "a.b.co.uk" -> "b.co.uk"."""
    if not host:
        return None
    labels = host.lower().rstrip(".").split(".")
    if labels and labels[0] == "www":
        labels = labels[1:]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:]) if len(labels) >= 2 else None


class Link:
    """One link found in a message."""

    __slots__ = ("end", "host", "scheme", "start", "url")

    def __init__(self, url: str, host: str, scheme: str | None, start: int, end: int) -> None:
        self.url, self.host, self.scheme, self.start, self.end = url, host, scheme, start, end


def _is_shortener(host: str) -> str | None:
    shorteners = words("samples", "shorteners")
    labels = host.lower().split(".")
    if labels[0] == "www":
        labels = labels[1:]
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in shorteners:
            return candidate
    return None


def find_links(raw: str) -> list[Link]:
    """Every link in `raw`, with its host and offsets (trailing punctuation left out)."""
    out: list[Link] = []
    tlds = words("samples", "common_tlds")
    for m in _URL.finditer(raw):
        host = m.group("host").lower()
        if not (
            m.group("scheme")
            or host.startswith("www.")
            or m.group("tld").lower() in tlds
            or _is_shortener(host)
        ):
            continue
        url = m.group(0).rstrip(_TRAILING)
        out.append(Link(url, host, m.group("scheme"), m.start(), m.start() + len(url)))
    return out


def _site_label(raw: str, link: Link) -> tuple[int, int]:
    """Where, in `raw`, the link's own site is: "acme.com" in "https://www.acme.com/track"
    (a brand may be the name alone or the whole domain, "farmersmarketing.app")."""
    at = raw.lower().find(link.host, link.start)
    labels = link.host.split(".")
    own = len(labels) - (3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL else 2)
    start = at + sum(len(label) + 1 for label in labels[:own])
    return start, start + len(".".join(labels[own:]))


def brand_mentions(t: Text, names: Sequence[str]) -> Iterator[re.Match[str]]:
    """Every place `t` names one of `names` (suffix-, case- and possessive-tolerant)."""
    for name in names:
        found = brand_pattern(name)
        if found is not None:
            yield from t.finditer(found)


def names_sender(raw: str, names: Sequence[str]) -> bool:
    """True when `raw` names one of `names` in its words or as the site a link is on.

    A link on the sender's own site ("northsidept.com") says who is texting; the brand as a
    subdomain or path of another site ("gatsby.viewyouroffers.com") does not.
    """
    links: list[Link] | None = None
    for m in brand_mentions(analysed(raw), names):
        if links is None:
            links = find_links(raw)
        inside = next((link for link in links if link.start <= m.start() < link.end), None)
        if inside is None:
            return True
        start, end = _site_label(raw, inside)
        if start <= m.start() and m.end() <= end:
            return True
    return False


def has_opt_out_language(raw: str) -> bool:
    """True when `raw` carries opt-out instructions with a properly spaced standard keyword."""
    return analysed(raw).find(pattern("keywords", "opt_out_instruction")) is not None


def is_promotional(t: Text) -> re.Match[str] | None:
    """Where the message promotes (a discount, a sale, a coupon), if it does."""
    return t.find_affirmed(pattern("usecases", "promotional"))


@cache
def _use_case_names() -> tuple[str, ...]:
    # Use-case vocabularies are the upper-case keys; empty lists (open use cases) score nothing.
    vocab = data("usecases")
    return tuple(k for k, v in vocab.items() if k.isupper() and isinstance(v, list) and v)


def use_case_scores(raw: str, only: Iterable[str] | None = None) -> dict[str, int]:
    """How many distinct phrases of each use case's vocabulary (or of those in `only`) `raw`
    contains; use cases scoring nothing are left out."""
    names = _use_case_names() if only is None else [n for n in only if n in _use_case_names()]
    scores: dict[str, int] = {}
    t = analysed(raw)
    for name in names:
        found = {m.group(0).lower() for m in t.finditer(pattern("usecases", name))}
        if found:
            scores[name] = len(found)
    return scores


class UseCaseScope:
    """What a campaign's declared use case lets its messages carry."""

    __slots__ = ("allowed", "declared", "marketing_ok", "open_ended")

    def __init__(self, use_case: str, sub_use_cases: Sequence[str]) -> None:
        open_cases = words("usecases", "open_use_cases")
        # MIXED / LOW_VOLUME are narrowed by their sub-use cases; without any they are open.
        is_open = use_case.lower() in open_cases
        self.open_ended = is_open and not sub_use_cases
        self.declared: tuple[str, ...] = (
            tuple(sub_use_cases) if is_open and sub_use_cases else (use_case,)
        )
        marketing_like = words("usecases", "marketing_like")
        self.marketing_ok = self.open_ended or any(
            d.lower() in marketing_like for d in self.declared
        )
        compatible = data("usecases")["compatible"]
        allowed = set(self.declared)
        for d in self.declared:
            allowed.update(compatible.get(d, ()))
        self.allowed = frozenset(allowed)

    @property
    def label(self) -> str:
        """The declared use cases as the user wrote them ("MARKETING / CUSTOMER_CARE")."""
        return " / ".join(self.declared)

    def foreign(self, raw: str) -> str | None:
        """The use case `raw` clearly belongs to when that is none the campaign allows."""
        if self.open_ended or use_case_scores(raw, self.declared):
            return None
        # Only use cases the campaign does not allow can make a mismatch: score just those.
        scores = use_case_scores(raw, (n for n in _use_case_names() if n not in self.allowed))
        if not scores:
            return None
        t = analysed(raw)
        if scores.get("2FA") == 1 and _shows_code(t) and not is_promotional(t):
            # A passcode shown as sent ("one-time passcode: 123456") is a one-time passcode
            # message even when only one 2FA phrase names it; a promo code is not.
            scores["2FA"] = 2
        best, score = max(scores.items(), key=lambda kv: kv[1])
        return best if score >= 2 else None


def _others_have(ctx: Context, raw: str, test: Callable[[str], bool]) -> bool:
    """True when another sample of the same application passes `test`."""
    return any(s.strip() != raw.strip() and test(s) for s in ctx.sample_messages)


@rule("SM-BRAND")
def brand(t: Text, ctx: Context) -> Iterator[Hit]:
    """The message identifies the sending brand."""
    if not _applies(ctx):
        return
    if not ctx.brands:
        yield context_missing("SM-BRAND", "the brand name (company)")
        return
    names = sender_names(ctx)
    if names_sender(t.raw, names):
        return
    # The application only needs one branded sample (APP-SAMPLE-COUNT); an unbranded one beside
    # branded ones is a recommendation, not a rejection.
    others = _others_have(ctx, t.raw, lambda s: names_sender(s, names))
    yield Hit(
        message=f"The message does not say who sends it: it never names {ctx.brands[0]}.",
        fix=f'Start the message with the brand, e.g. "{ctx.brands[0]}: ..."',
        severity=Severity.WARNING if others else None,
    )


@rule("SM-OPT-OUT")
def opt_out(t: Text, ctx: Context) -> Iterator[Hit]:
    """Opt-out language with a properly spaced standard keyword; one-time passcodes exempt."""
    if not _applies(ctx):
        return
    glued = t.find(pattern("keywords", "opt_out_unspaced"))
    if glued:
        yield Hit(
            message=f'The opt-out keyword is run together with other words ("{glued.group(0)}"), '
            "which carriers reject.",
            fix='Space the words out: "Reply STOP to opt out."',
            span=span(glued),
        )
        return
    if ctx.is_otp or has_opt_out_language(t.raw) or (_mixed_allows_2fa(ctx) and _is_passcode(t)):
        return
    # APP-SAMPLE-COUNT asks for opt-out language in at least one sample; when another sample of
    # the application has it, the missing instruction here is reported as a warning.
    others = _others_have(ctx, t.raw, has_opt_out_language)
    yield Hit(
        message="The message does not tell recipients how to opt out with a standard keyword.",
        fix='Add: "Reply STOP to opt out."',
        severity=Severity.WARNING if others else None,
    )


@rule("SM-LINKS")
def links(t: Text, ctx: Context) -> Iterator[Hit]:
    """No public URL shorteners, no plain-http links, links on the sender's own domain."""
    if not _applies(ctx):
        return
    own = registrable_domain(_host_of(ctx.website))
    for link in find_links(t.raw):
        shortener = _is_shortener(link.host)
        where = (link.start, link.end)
        if shortener:
            yield Hit(
                message=f"The link uses the public URL shortener {shortener}, which carriers "
                "filter as spam.",
                fix="Use the full link on your own domain (e.g. https://yourbrand.com/offer) or a "
                "branded short domain you own.",
                span=where,
            )
            continue
        if own and registrable_domain(link.host) != own:
            yield Hit(
                message=f"The link points to {link.host}, not to the sender's own domain {own}.",
                fix=f"Link to a page on {own} (or a subdomain of it), so recipients and carriers "
                "can see the link belongs to the sender.",
                span=where,
            )
        if (link.scheme or "").lower() == "http":
            yield Hit(
                message=f"The link {link.url} is not secure (http://).",
                fix="Use an https:// link.",
                span=where,
                severity=Severity.WARNING,
            )


# Words of brand lines, opt-out/help instructions and disclosures: not message content.
_BOILERPLATE_WORDS = (
    "reply text txt send respond stop to 2 4 opt out optout unsubscribe cancel end quit help "
    "info for msg msgs message messages data rates rate may apply and or the a at any time "
    "anytime std standard freq frequency varies hi hello hey"
)
_BOILERPLATE = frozenset(_BOILERPLATE_WORDS.split())
# A message with this many content words is more than a label; the full stub test is skipped.
_ENOUGH_CONTENT = 6


def _content_words(t: Text, ctx: Context) -> int:
    """A quick upper bound of the message's own words (brand and boilerplate left out)."""
    brand_words = {w.lower() for n in sender_names(ctx) for w in _WORD.findall(n)}
    body = _FIELD.sub(" ", t.raw)
    skip = _BOILERPLATE | brand_words
    return sum(1 for w in _WORD.findall(body) if w.lower() not in skip)


def _residual(t: Text, ctx: Context) -> str:
    """The message with the brand, variable fields and opt-out/help instructions set aside."""
    raw = _FIELD.sub(" ", t.raw)
    for name in sender_names(ctx):
        found = Text(raw).mentions_brand((name,))
        while found:
            raw = raw[: found.start()] + " " + raw[found.end() :]
            found = Text(raw).mentions_brand((name,))
    raw = pattern("keywords", "opt_out_instruction").sub(" ", raw)
    raw = pattern("keywords", "help_instruction").sub(" ", raw)
    raw = pattern("keywords", "rates").sub(" ", raw)
    return " ".join(_WORD.findall(raw))


@rule("SM-SPECIFIC")
def specific(t: Text, ctx: Context) -> Iterator[Hit]:
    """A realistic, specific message, not a label or stub."""
    if not _applies(ctx):
        return
    anywhere = t.find(pattern("samples", "stub_anywhere"))
    if anywhere:
        yield Hit(
            message=f'The sample is stand-in text ("{anywhere.group(0)}"), not a real message.',
            fix="Write the exact text recipients will receive, with your brand, the content and "
            '"Reply STOP to opt out."',
            span=span(anywhere),
        )
        return
    if len(t.stripped) < MIN_SAMPLE_CHARS:
        yield Hit(
            message=f"The sample is only {len(t.stripped)} characters: too short to show what "
            "recipients will receive.",
            fix='Write the full message as sent, e.g. "Acme: Hi [first name], your appointment '
            'is on [date] at [time]. Reply STOP to opt out."',
        )
        return
    if _content_words(t, ctx) >= _ENOUGH_CONTENT:
        return
    residual = _residual(t, ctx)
    stub = pattern("samples", "stub").fullmatch(residual) if residual else None
    if not residual or stub or len(residual.split()) < 3:
        yield Hit(
            message="The sample is a label or placeholder, not the message recipients will "
            "actually receive.",
            fix='Write the full message, e.g. "Acme: Hi [first name], your appointment is on '
            '[date] at [time]. Reply STOP to opt out." Brackets may mark variable fields.',
        )


@rule("SM-COLD-OUTREACH")
def cold_outreach(t: Text, ctx: Context) -> Iterator[Hit]:
    """The message does not read as unsolicited first contact."""
    if not _applies(ctx):
        return
    for m in t.finditer(pattern("samples", "cold_strong")):
        # "You've been selected / pre-approved" is fine for what the person entered or applied for.
        if _SELECTED.search(m.group(0)) and t.find(pattern("samples", "cold_carveout")):
            continue
        if is_negated(t.raw, m.start()):
            continue
        yield _cold_hit(m.group(0), span(m))
        return
    pitch = t.find(pattern("samples", "cold_pitch"))
    intro = t.find(pattern("samples", "cold_intro")) if pitch else None
    # "Kate here from Acme. Thanks for subscribing…": an introduction to a subscriber.
    if intro and pitch and not t.find(pattern("samples", "cold_carveout")):
        yield _cold_hit(t.raw[intro.start() : pitch.end()].strip(), (intro.start(), pitch.end()))


def _cold_hit(phrase: str, where: tuple[int, int]) -> Hit:
    short = phrase if len(phrase) <= 60 else phrase[:57] + "..."
    return Hit(
        message=f'The message reads as first contact with someone who never opted in ("{short}").',
        fix="Write to people who asked for your texts, as their existing relationship with you "
        "implies: name what they signed up for instead of introducing yourself or pitching.",
        span=where,
    )


@rule("SM-USE-CASE-MATCH")
def use_case_match(t: Text, ctx: Context) -> Iterator[Hit]:
    """The content fits the declared use case and the campaign description."""
    if not _applies(ctx):
        return
    if not ctx.use_case:
        yield context_missing("SM-USE-CASE-MATCH", "the campaign's use case")
        return
    scope = UseCaseScope(ctx.use_case, ctx.sub_use_cases)
    promo = is_promotional(t)
    if promo:
        description = analysed(ctx.campaign_description or "")
        described = pattern("usecases", "marketing_described")
        if not scope.marketing_ok:
            yield Hit(
                message=f'The message is promotional ("{promo.group(0)}") but the campaign\'s use '
                f"case is {scope.label}, which may not carry marketing.",
                fix="Remove the promotional content, or register it in a MARKETING (or MIXED "
                "with MARKETING) campaign.",
                span=span(promo),
            )
            return
        if description.find_negated(described) and not description.find_affirmed(described):
            yield Hit(
                message=f'The message is promotional ("{promo.group(0)}") but the campaign '
                "description says no marketing is sent.",
                fix="Remove the promotional content, or describe the promotions in the campaign "
                "description.",
                span=span(promo),
            )
            return

    if scope.declared == ("2FA",) and not _shows_code(t):
        yield Hit(
            message="The campaign's use case is 2FA but the message shows no one-time code.",
            fix='Show the code as sent, e.g. "Acme: Your verification code is 123456. It '
            'expires in 10 minutes."',
        )
        return
    best = scope.foreign(t.raw)
    if best:
        yield Hit(
            message=f"The message reads as {best} content, not as {scope.label} (the declared "
            "use case).",
            fix=f"Rewrite the sample as a {scope.label} message, or register this content under "
            f"the {best} use case.",
        )


def _mixed_allows_2fa(ctx: Context) -> bool:
    """True when a mixed campaign may carry one-time passcodes: it lists 2FA among its sub-use
    cases, or lists none."""
    mixed = {u.upper() for u in data("business")["mixed_use_cases"]}
    return ctx.use_case in mixed and (not ctx.sub_use_cases or "2FA" in ctx.sub_use_cases)


def _is_passcode(t: Text) -> bool:
    """True when the message is itself a one-time passcode: a code shown as sent, named by at
    least two passcode phrases ("verification code ... code expires"), with nothing promoted."""
    return (
        use_case_scores(t.raw, ("2FA",)).get("2FA", 0) >= 2
        and _shows_code(t)
        and not is_promotional(t)
    )


def _shows_code(t: Text) -> bool:
    return (
        t.find(pattern("usecases", "code_value")) is not None
        and t.find(pattern("usecases", "code_words")) is not None
    )
