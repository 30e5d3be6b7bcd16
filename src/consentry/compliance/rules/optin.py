"""Rules OI-*: the opt-in / call to action.

They run on the consent language itself (kind opt_in) and on the message flow, which quotes it
and must carry the same elements. An HTML form reaches them as its visible text; its markup
(required fields, pre-checked boxes) is judged by forms.check_markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern
from consentry.compliance.model import Hit, Kind
from consentry.compliance.optin_language import (
    bundles_channels,
    is_sms_consent,
    merges_terms,
    statement_of,
    text_may_match,
    text_statements,
    text_urls,
    third_party_match,
)
from consentry.compliance.rules._common import context_missing, require, span
from consentry.compliance.text import Text, brand_pattern, is_negated

# A form's links: the visible text of an HTML form keeps "Privacy Policy" but loses its href.
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a\s*>", re.I | re.S)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_CHECKBOX_INPUT = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?checkbox\b", re.I)
# A statement about one checkbox ("a checkbox to receive emails and SMS"): checking it is the
# consent, so the statement needs no consent verb of its own.
_CHECKBOX_WORD = re.compile(r"\b(?:check|tick)[\s-]?box(?:es)?\b", re.I)
_MARKER = re.compile(r"\[[xX✓✔]\]|\([xX✓✔]\)|[☑☒✓✔✅]")
# A checkbox drawn in text ("☐ I agree ...", "[ ] I agree ...").
_BOX_GLYPHS = ("[", "☐", "☑", "☒", "✅")
_BOX_LINE = re.compile(r"(?:^|(?<=\s))(?:\[\s?\]|\[[xX✓✔]\]|[☐☑☒✅])")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_PRIVACY_WORD = re.compile(r"privacy|polic", re.I)
_TERMS_WORD = re.compile(r"terms|\btos\b|conditions|/legal\b", re.I)

# Use cases whose messages are marketing: the opt-in must say so, and (TCPA prior express
# written consent) that consent is not a condition of purchase.
_MARKETING_USE_CASES = frozenset({"MARKETING", "SWEEPSTAKE"})


def _is_marketing(ctx: Context) -> bool:
    return bool({ctx.use_case, *ctx.sub_use_cases} & _MARKETING_USE_CASES)


def _names_brand(t: Text, names: tuple[str, ...]) -> re.Match[str] | None:
    """Where the text names the brand outside a web address ("acmedental.com" names no one),
    or as itself when the brand is a domain name ("texts from farmersmarketing.app")."""
    for name in names:
        found = brand_pattern(name)
        if found is None:
            continue
        for m in t.finditer(found):
            inside = [(a, b) for a, b, _ in text_urls(t) if a <= m.start() < b]
            if not inside or all(a == m.start() and b <= m.end() for a, b in inside):
                return m
    return None


def _statements_with(t: Text, *keys: str) -> list[tuple[int, int]]:
    """The statements holding a match of any of `keys`, in order, each once."""
    found: list[tuple[int, int]] = []
    for key in keys:
        if not text_may_match(t, key):
            continue
        for m in t.finditer(pattern("optin", key)):
            where = statement_of(t.raw, m.start(), text_statements(t))
            if where not in found:
                found.append(where)
    return sorted(found)


def _box_labels(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each checkbox label written with a box ("☐ I agree ..."): from its box to
    the next box or blank line."""
    if not any(c in raw for c in _BOX_GLYPHS):
        return []
    starts = [m.start() for m in _BOX_LINE.finditer(raw)]
    labels = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(raw)
        blank = _BLANK_LINE.search(raw, start, end)
        labels.append((start, blank.start() if blank else end))
    return labels


@rule("OI-BRAND")
def brand(t: Text, ctx: Context) -> Iterator[Hit]:
    """The opt-in must name the business that sends the messages."""
    if not ctx.brands:
        yield context_missing("OI-BRAND", "the company (brand) name")
        return
    if _names_brand(t, ctx.brands) is None:
        yield Hit(
            message="The opt-in does not name the business that will send the messages.",
            fix=f'Name the sender, e.g. "I agree to receive text messages from {ctx.brands[0]}".',
        )


@rule("OI-SMS-EXPLICIT")
def sms_explicit(t: Text, ctx: Context) -> Iterator[Hit]:
    """The consent must be for text messages, not unnamed "communications"."""
    if t.find(pattern("optin", "sms")) is not None:
        return
    vague = t.find(pattern("optin", "vague_consent"))
    yield Hit(
        message="The opt-in does not say that the consent is for text (SMS) messages.",
        fix='Say it is for texts, e.g. "I agree to receive text messages from …".',
        span=span(vague) if vague else None,
    )


# "...will not be shared or used for marketing purposes": a use of data refused, not a kind of
# message sent.
_PURPOSES = re.compile(r"(?:\s*(?:,|or|and|/)\s*[\w-]+)*\s+purposes?\b", re.I)


def _names_message_type(t: Text, key: str = "msg_types") -> bool:
    urls: list[tuple[int, int]] | None = None
    for m in t.finditer(pattern("optin", key)):
        if _PURPOSES.match(t.raw, m.end()) and is_negated(t.raw, m.start(), max_words=14):
            continue
        # "…/sales-leads/new_account.php" names no kind of message.
        if urls is None:
            urls = [(a, b) for a, b, _ in text_urls(t)]
        if any(a <= m.start() < b for a, b in urls):
            continue
        return True
    return False


@rule("OI-MSG-TYPE")
def message_type(t: Text, ctx: Context) -> Iterator[Hit]:
    """The opt-in must say what kind of messages will be sent (and name marketing if sent)."""
    if not _names_message_type(t):
        yield Hit(
            message="The opt-in does not say what kind of messages will be sent.",
            fix='Name them, e.g. "appointment reminders", "order updates" or "promotional offers".',
        )
    elif _is_marketing(ctx) and not _names_message_type(t, "marketing"):
        yield Hit(
            message="The campaign sends marketing, but the opt-in does not say so.",
            fix='Name it, e.g. "…to receive promotional offers and marketing text messages…".',
        )


@rule("OI-FREQUENCY")
def frequency(t: Text, ctx: Context) -> Iterator[Hit]:
    """The opt-in must disclose how often messages are sent."""
    yield from require(
        t,
        pattern("optin", "frequency"),
        "The opt-in does not say how often messages will be sent.",
        'Add: "Msg frequency varies." or "Up to 4 msgs/month."',
    )


@rule("OI-RATES")
def rates(t: Text, ctx: Context) -> Iterator[Hit]:
    """The opt-in must say that message and data rates may apply."""
    yield from require(
        t,
        pattern("optin", "rates"),
        "The opt-in does not say that message and data rates may apply.",
        'Add: "Msg & data rates may apply."',
    )


@rule("OI-STOP")
def stop(t: Text, ctx: Context) -> Iterator[Hit]:
    """The opt-in must say how to opt out with a standard keyword (not for passcodes)."""
    if ctx.is_otp or t.find(pattern("optin", "stop")) is not None:
        return
    other = t.find(pattern("optin", "opt_out_mention"))
    if other is not None:
        yield Hit(
            message="The opt-out instruction does not use a standard keyword such as STOP.",
            fix='Write: "Reply STOP to opt out."',
            span=statement_of(t.raw, other.start(), text_statements(t)),
        )
    else:
        yield Hit(
            message="The opt-in does not say how to stop the messages.",
            fix='Add: "Reply STOP to opt out."',
        )


@rule("OI-HELP")
def help_(t: Text, ctx: Context) -> Iterator[Hit]:
    """The opt-in must say how to get help: HELP or a support contact (not for passcodes)."""
    if ctx.is_otp or t.find(pattern("optin", "help")) is not None:
        return
    yield Hit(
        message="The opt-in does not say how to get help.",
        fix='Add: "Reply HELP for help." (or a support phone number or e-mail).',
    )


def _named_with_place(t: Text, named: re.Pattern[str]) -> bool:
    where = pattern("optin", "policy_where")
    for m in t.finditer(named):
        start, end = statement_of(t.raw, m.start(), text_statements(t))
        if any(start <= a < end for a, _, _ in text_urls(t)) or where.search(t.raw, start, end):
            return True
    return False


_MD_LINK = re.compile(r"\[([^\]\n]{1,80})\]\(([^)\s]+)\)")


def _form_links(html: str | None) -> tuple[bool, bool]:
    """(privacy linked, terms linked) by the anchors of an opt-in form."""
    privacy = terms = False
    if not html:
        return privacy, terms
    for m in _ANCHOR.finditer(html):
        href_m = _HREF.search(m.group(1))
        href = next((g for g in href_m.groups() if g), "") if href_m else ""
        if not href or href.startswith("#") or href.lower().startswith("javascript:"):
            continue
        where = f"{href} {m.group(2)}"
        privacy = privacy or bool(_PRIVACY_WORD.search(where))
        terms = terms or bool(_TERMS_WORD.search(where))
    return privacy, terms


@rule("OI-POLICY-LINKS")
def policy_links(t: Text, ctx: Context) -> Iterator[Hit]:
    """The opt-in must say where to find the Privacy Policy and the Terms."""
    addresses = [u for _, _, u in text_urls(t)]
    privacy = any(_PRIVACY_WORD.search(u) for u in addresses)
    terms = any(_TERMS_WORD.search(u) for u in addresses)
    if not (privacy and terms):
        linked_privacy, linked_terms = _form_links(ctx.form_html)
        privacy = privacy or linked_privacy
        terms = terms or linked_terms
    if not (privacy and terms) and "](" in t.raw:
        # Markdown links: "[Privacy Policy](privacy.html) · [Terms of Service](terms.html)"
        for m in _MD_LINK.finditer(t.raw):
            where = f"{m.group(2)} {m.group(1)}"
            privacy = privacy or bool(_PRIVACY_WORD.search(where))
            terms = terms or bool(_TERMS_WORD.search(where))
    privacy = privacy or _named_with_place(t, pattern("optin", "privacy_named"))
    terms = terms or _named_with_place(t, pattern("optin", "terms_named"))
    missing = [name for name, ok in (("Privacy Policy", privacy), ("Terms", terms)) if not ok]
    if not missing:
        return
    verbal = (ctx.opt_in_method or "").upper() == "VERBAL"
    how = "read aloud where they are published" if verbal else "link them"
    yield Hit(
        message=f"The opt-in does not say where to find the {' and the '.join(missing)}.",
        fix=(
            f'Name and {how}, e.g. "Privacy Policy: https://example.com/privacy; '
            'Terms: https://example.com/terms".'
        ),
    )


@rule("OI-OPTIONAL")
def optional(t: Text, ctx: Context) -> Iterator[Hit]:
    """SMS consent must not be a condition of purchase, service or submitting a form."""
    found = (
        t.finditer(pattern("optin", "required_consent"))
        if text_may_match(t, "required_consent")
        else ()
    )
    for m in found:
        if not is_negated(t.raw, m.start(), max_words=16):
            yield Hit(
                message="The opt-in makes consent to texts a requirement.",
                fix='Make texts optional and say so: "Consent is not a condition of purchase."',
                span=span(m),
            )
            return
    if text_may_match(t, "signature_consent") and text_may_match(t, "contract_accept"):
        # "Sign the estimate to accept the contract; that signature constitutes consent to
        # receive SMS": no contract without the texts.
        signed = t.find_affirmed(pattern("optin", "signature_consent"))
        if signed is not None and t.find_affirmed(pattern("optin", "contract_accept")):
            yield Hit(
                message="Signing the contract is what gives consent to texts, so texts are a "
                "condition of the contract.",
                fix="Ask for text consent with its own optional, unchecked box, apart from the "
                "signature on the contract.",
                span=span(signed),
            )
            return
    if _is_marketing(ctx) and t.find(pattern("optin", "not_a_condition")) is None:
        yield Hit(
            message="The marketing opt-in does not say consent is not a condition of purchase.",
            fix='Add: "Consent is not a condition of purchase."',
        )


def _marker_span(m: re.Match[str]) -> tuple[int, int]:
    # The match may include the line's indentation or bullet; point at the marker itself.
    mark = _MARKER.search(m.string, m.start(), m.end())
    return (mark.start(), mark.end()) if mark else span(m)


@rule("OI-NOT-PRECHECKED")
def not_prechecked(t: Text, ctx: Context) -> Iterator[Hit]:
    """A consent checkbox must not be checked by default."""
    boxes = pattern("optin", "prechecked_box", bounded=False)
    for m in t.finditer(boxes) if text_may_match(t, "prechecked_box") else ():
        yield Hit(
            message="The consent checkbox is shown already checked.",
            fix='Show it unchecked ("[ ]") so the person checks it themselves.',
            span=_marker_span(m),
        )
    m2 = None
    if text_may_match(t, "prechecked"):
        m2 = t.find_affirmed(pattern("optin", "prechecked"))
    if m2 is not None:
        yield Hit(
            message="The consent checkbox is described as checked by default.",
            fix="Leave the checkbox unchecked so the person checks it themselves.",
            span=span(m2),
        )


def _listed_channel(t: Text, start: int, end: int) -> re.Match[str] | None:
    for m in pattern("optin", "listed_channels").finditer(t.raw, start, end):
        if not is_negated(t.raw, m.start()):
            return m
    return None


@rule("OI-BUNDLED-CHANNELS")
def bundled_channels(t: Text, ctx: Context) -> Iterator[Hit]:
    """SMS consent must not share one statement or checkbox with calls or e-mail."""
    consent: bool | None = None
    for start, end in _statements_with(t, "other_channel"):
        checkbox = _CHECKBOX_WORD.search(t.raw, start, end) is not None
        m = bundles_channels(t.raw, start, end, checkbox=checkbox)
        if m is None and text_may_match(t, "listed_channels"):
            # A statement of a consent text listing texts with calls or e-mail as what will be
            # sent bundles them, even when its consent verb sits in the sentence before.
            if consent is None:
                consent = is_sms_consent(t.raw)
            m = _listed_channel(t, start, end) if consent else None
        if m is not None:
            yield Hit(
                message=(
                    f"One consent covers text messages and {m.group().strip()}; "
                    "texts need their own consent."
                ),
                fix="Give texts their own statement and checkbox; ask for calls/e-mail separately.",
                span=(start, end),
            )


@rule("OI-BUNDLED-PURPOSES")
def bundled_purposes(t: Text, ctx: Context) -> Iterator[Hit]:
    """Marketing and non-marketing texts need distinct consent on a form with another purpose."""
    if not text_may_match(t, "other_purpose") or t.find(pattern("optin", "other_purpose")) is None:
        return
    marketing, informational = pattern("optin", "marketing"), pattern("optin", "non_marketing")
    for start, end in text_statements(t):
        if (
            is_sms_consent(t.raw, start, end)
            and marketing.search(t.raw, start, end)
            and informational.search(t.raw, start, end)
        ):
            yield Hit(
                message=(
                    "One consent covers both marketing and informational texts on a form that "
                    "serves another purpose."
                ),
                fix=(
                    "Use two optional, unchecked boxes: one for reminders/updates, one for "
                    "promotional texts."
                ),
                span=(start, end),
            )


@rule("OI-BURIED-IN-TERMS")
def buried_in_terms(t: Text, ctx: Context) -> Iterator[Hit]:
    """Consent to texts must not be merged with acceptance of terms or the privacy policy."""
    merged = False
    for start, end in _statements_with(t, "terms_accept", "terms_and", "contract_accept"):
        if merges_terms(t.raw, start, end) is not None:
            merged = True
            yield Hit(
                message="Consent to texts is merged with accepting the terms or privacy policy.",
                fix=(
                    "Ask for text consent in its own statement and checkbox, apart from "
                    "accepting the Terms."
                ),
                span=(start, end),
            )
    if not merged and text_may_match(t, "terms_accept"):
        # One checkbox label is one consent however many sentences it has: accepting the terms
        # anywhere in the label that consents to texts merges the two.
        accepting = pattern("optin", "terms_accept")
        sms = pattern("optin", "sms")
        for start, end in _box_labels(t.raw):
            m = accepting.search(t.raw, start, end)
            if m and not is_negated(t.raw, m.start()) and sms.search(t.raw, start, end):
                merged = True
                yield Hit(
                    message="The checkbox that consents to texts also accepts the terms or "
                    "privacy policy.",
                    fix="Give text consent its own checkbox, apart from accepting the Terms.",
                    span=(start, end),
                )
                break
    if merged:
        return
    if text_may_match(t, "consent_in_terms"):
        # A flow that says the consent clause sits inside the terms or a contract.
        inside = t.find_affirmed(pattern("optin", "consent_in_terms"))
        if inside is not None:
            yield Hit(
                message="The consent to texts is a clause inside the terms or a contract.",
                fix="Ask for text consent in its own statement and checkbox, apart from the "
                "terms or contract the person signs.",
                span=span(inside),
            )
            return
    if not text_may_match(t, "terms_accept"):
        return
    # A call to action whose only agreement is to the terms ("By clicking Submit, you agree to
    # our Terms.") leaves any consent to texts inside those terms.
    accept = t.find_affirmed(pattern("optin", "terms_accept"))
    if accept is None:
        return
    if t.find(pattern("optin", "sms")) is None:
        yield Hit(
            message="The only agreement asked for is to the terms or privacy policy, so any "
            "consent to texts is hidden in them.",
            fix='Ask for text consent in its own statement: "I agree to receive text messages '
            'from …", apart from accepting the Terms.',
            span=span(accept),
        )
    elif _one_click_for_terms_and_texts(t, ctx, accept):
        yield Hit(
            message="The same click accepts the terms and gives consent to texts.",
            fix="Ask for text consent with its own unchecked box, apart from the button that "
            "accepts the Terms.",
            span=span(accept),
        )


def _one_click_for_terms_and_texts(t: Text, ctx: Context, accept: re.Match[str]) -> bool:
    """ "By clicking Submit, you agree to our Terms. You consent to receive texts…": the button
    that accepts the terms is the only act, and the next statement consents to texts."""
    statements = text_statements(t)
    where = statement_of(t.raw, accept.start(), statements)
    if not pattern("optin", "implied_conditional").search(t.raw, *where):
        return False
    if pattern("optin", "sms").search(t.raw, *where):
        return False
    following = [s for s in statements if s[0] >= where[1]]
    if not following or not is_sms_consent(t.raw, *following[0]):
        return False
    return not _has_express_act(t, ctx)


@rule("OI-THIRD-PARTY")
def third_party(t: Text, ctx: Context) -> Iterator[Hit]:
    """Consent must be for the named sender only, not partners, affiliates or lead buyers."""
    if not text_may_match(t, "third_party"):
        return
    brand_at = _names_brand(t, ctx.brands) if ctx.brands else None
    pos = 0
    while (m := third_party_match(t.raw, pos)) is not None:
        pos = m.end()
        if brand_at is not None and brand_at.start() <= m.start() < brand_at.end():
            continue
        yield Hit(
            message=f'The consent extends to "{m.group()}", not only the named sender.',
            fix="Make consent one-to-one: texts only from the named business, shared with no one.",
            span=span(m),
        )
        return


def _has_express_act(t: Text, ctx: Context) -> bool:
    if t.find(pattern("optin", "affirmative")) is not None:
        return True
    return bool(ctx.form_html and _CHECKBOX_INPUT.search(ctx.form_html))


@rule("OI-IMPLIED")
def implied(t: Text, ctx: Context) -> Iterator[Hit]:
    """Consent must be an express act, not assumed from a number, site use or a relationship
    (entering a number to get a one-time passcode is the request itself)."""
    needs = pattern("optin", "implied_needs")
    sms = pattern("optin", "sms")
    express: bool | None = None
    for key in ("implied", "implied_act", "implied_conditional"):
        if not text_may_match(t, key):
            continue
        for m in t.finditer(pattern("optin", key)):
            if is_negated(t.raw, m.start()):
                continue
            start, end = statement_of(t.raw, m.start(), text_statements(t))
            if key == "implied_conditional":
                if not (needs.search(t.raw, start, end) and sms.search(t.raw, start, end)):
                    continue
            elif not (needs.search(t.raw, start, end) or sms.search(t.raw, start, end)):
                continue
            if key != "implied":
                # A one-time passcode is sent because the person asked for it by entering the
                # number: for 2FA that act is the request itself.
                if ctx.is_otp:
                    continue
                if t.kind is Kind.MESSAGE_FLOW:
                    # A flow describes each way in on its own: an express act elsewhere ("text
                    # START to opt back in") does not make this one express.
                    if pattern("optin", "affirmative").search(t.raw, start, end):
                        continue
                else:
                    if express is None:
                        express = _has_express_act(t, ctx)
                    if express:
                        continue
            yield Hit(
                message="Consent is assumed from an act that is not consent to texts.",
                fix=(
                    'Ask for an express act, e.g. an unchecked box: "[ ] I agree to receive text '
                    'messages from …".'
                ),
                span=span(m),
            )
            return
