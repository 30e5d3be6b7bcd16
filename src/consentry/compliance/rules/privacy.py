"""Rules PP-* and DOC-EMBEDDED-CONSENT: the privacy policy, and consent claims in policy texts.

Policies are long, so every rule here makes a few passes of precompiled patterns over the raw
text and reads sentences from the text's cached sentence list; nothing is split per rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern, words
from consentry.compliance.model import Hit
from consentry.compliance.rules._common import context_missing
from consentry.compliance.text import Sentence, Text, clause_end, clause_start, is_negated

__all__ = ["CARVE_OUT", "NON_SHARING", "embedded_consent", "non_sharing_statement", "sharing"]

NON_SHARING = (
    "No mobile information will be shared with third parties or affiliates for marketing or "
    "promotional purposes."
)
CARVE_OUT = (
    "All the above categories exclude text messaging originator opt-in data and consent; this "
    "information will not be shared with any third parties."
)

# How far before a sharing verb the sharer ("you may share…") is looked for.
_SUBJECT_WINDOW = 40
# How far after a recipient its qualifier ("who perform services on our behalf") is looked for.
_QUALIFIER_WINDOW = 100


def _p(key: str) -> re.Pattern[str]:
    return pattern("privacy", key)


@cache
def _stems(key: str) -> tuple[str, ...]:
    return tuple(sorted(words("privacy", key)))


def _stem_hits(t: Text, key: str) -> list[int]:
    """Sorted offsets where a stem under `key` starts a word: a plain substring search of the
    lower-cased text, several times faster than a case-insensitive regex pass over a policy."""
    low, raw = t.lower, t.raw
    out: list[int] = []
    for stem in _stems(key):
        i = low.find(stem)
        while i >= 0:
            if i == 0 or not raw[i - 1].isalnum():
                out.append(i)
            i = low.find(stem, i + 1)
    out.sort()
    return out


def _scan(t: Text, stems: str, full: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """Matches of `full` that start where a stem under `stems` starts a word."""
    raw = t.raw
    for pos in _stem_hits(t, stems):
        m = full.match(raw, pos)
        if m:
            yield m


def _stem_sentences(t: Text, stems: str) -> list[int]:
    """Indices of the prose sentences that hold a stem under `stems`, in order; computed once
    per text, since several rules (PP-*, TS-SHARING) read the same stems."""
    key = f"privacy.stem_sentences.{stems}"
    found = t.scratch.get(key)
    if not isinstance(found, list):
        found = sorted({t.prose_index(pos) for pos in _stem_hits(t, stems)})
        t.scratch[key] = found
    return found


def non_sharing_statement(t: Text) -> re.Match[str] | None:
    """Where the text says, negated, that mobile/SMS data is not shared (None when it does not).

    The negated verb must be one of sharing, not only selling, and the mobile data must be named
    in the verb's clause, or named earlier and referred back to ("…opt-in data and consent; this
    information will not be shared").
    """
    raw = t.raw
    mobile = _p("mobile_data")
    anaphora = _p("anaphora")
    sentences = t.prose_sentences
    verbs = _p("nonshare_verbs")
    named_in = _stem_sentences(t, "mobile_stems")
    # A sentence that names mobile data, or the one after it (which may refer back to it).
    for i in sorted({*named_in, *(i + 1 for i in named_in if i + 1 < len(sentences))}):
        s = sentences[i]
        for verb in verbs.finditer(raw, s.start, s.end):
            lo = max(clause_start(raw, verb.start()), s.start)
            hi = min(clause_end(raw, verb.end()), s.end)
            named = mobile.search(raw, lo, hi) is not None or (
                anaphora.search(raw, lo, verb.start()) is not None
                and mobile.search(raw, sentences[i - 1].start if i > 0 else s.start, lo) is not None
            )
            # Negation is the costlier test, so it runs last.
            if named and is_negated(raw, verb.start()) and not _narrow_only(raw, verb.end(), hi):
                return verb
    return None


def _narrow_only(raw: str, start: int, end: int) -> bool:
    """True when the recipients refused in raw[start:end] are only narrow ones (telemarketers,
    marketing agencies), leaving third parties and affiliates free."""
    if not _p("narrow_recipients").search(raw, start, end):
        return False
    broad = _p("recipients").search(raw, start, end) or _p("any_recipient").search(raw, start, end)
    return broad is None


def _exempt_recipient(raw: str, r: re.Match[str], s: Sentence, services: list[range]) -> bool:
    """A recipient that only helps deliver the service, or one the text says it never uses."""
    if any(r.start() in span for span in services):
        return True
    if is_negated(raw, r.start()):
        return True
    end = min(clause_end(raw, r.end()), s.end, r.end() + _QUALIFIER_WINDOW)
    return _p("service_qualifier").search(raw, r.end(), end) is not None


def _has_carve_out(t: Text) -> bool:
    """True when the text explicitly excludes SMS opt-in data and consent from its sharing."""
    carve_out = _p("carve_out")
    sentences = t.prose_sentences
    return any(
        carve_out.search(t.raw, sentences[i].start, sentences[i].end)
        for i in _stem_sentences(t, "carve_out_stems")
    )


def _shares(t: Text, s: Sentence, lead: Sentence | None = None) -> bool:
    """True when sentence `s`, which holds an affirmed sharing verb (or is an item of a list
    whose `lead` holds one), lets data go to a recipient that is neither a service provider nor
    a legal or business-transfer necessity."""
    raw = t.raw
    lo, hi = s.start, s.end
    if not _p("data_terms").search(raw, lo, hi) and not (
        lead is not None and _p("data_terms").search(raw, lead.start, lead.end)
    ):
        return False
    services = [range(*m.span()) for m in _p("service_recipients").finditer(raw, lo, hi)]
    recipients = _p("recipients").finditer(raw, lo, hi)
    if all(_exempt_recipient(raw, r, s, services) for r in recipients):
        return False
    marketing = any(
        not is_negated(raw, m.start()) for m in _p("marketing_purpose").finditer(raw, lo, hi)
    )
    if marketing:
        return True
    return not (_p("legal_basis").search(raw, lo, hi) or _p("deidentified").search(raw, lo, hi))


def sharing(t: Text) -> Iterator[tuple[Sentence, bool]]:
    """Sentences that affirmatively let personal data go to third parties, affiliates or
    partners, with whether each names SMS data itself (which no carve-out elsewhere excuses).

    Negated statements, sharing with service providers that help deliver the service, legally
    compelled or business-transfer disclosures and de-identified data are not sharing; a
    sentence that names marketing purposes is sharing whatever else it says. Sentences covered
    by an explicit carve-out of SMS opt-in data are left out. A sentence that offers SMS data
    itself for marketing is sharing even when it names no recipient.
    """
    raw = t.raw
    sentences = t.prose_sentences
    doc_carve_out: bool | None = None
    # Sharing needs a recipient, and recipients are rarer than verbs: start from them.
    with_recipient = _stem_sentences(t, "recipient_stems")
    for i in with_recipient:
        s = sentences[i]
        lead = None
        if not _affirmed_share(raw, s):
            # "We may share your information with:\n- Marketing partners": the item's verb is
            # its list's lead.
            j = _list_lead(t, i)
            if j is None or not _affirmed_share(raw, sentences[j]):
                continue
            lead = sentences[j]
        if not _shares(t, s, lead):
            continue
        if _p("carve_out").search(raw, s.start, s.end):
            continue
        names_sms = (
            _p("sms_data").search(raw, s.start, s.end) is not None
            or (lead is not None and _p("sms_data").search(raw, lead.start, lead.end) is not None)
            # "…including phone numbers, with our partners for their marketing purposes": no
            # carve-out of opt-in data excuses handing the numbers themselves to marketers.
            or (
                _p("mobile_data").search(raw, s.start, s.end) is not None
                and any(
                    not is_negated(raw, m.start())
                    for m in _p("marketing_purpose").finditer(raw, s.start, s.end)
                )
            )
        )
        if not names_sms:
            if doc_carve_out is None:
                doc_carve_out = _has_carve_out(t)
            if doc_carve_out:
                continue
        yield s, names_sms
    # SMS data offered up for marketing needs no named recipient to be sharing ("opt-in data may
    # be shared for marketing purposes if you agree").
    for i in _stem_sentences(t, "marketing_stems"):
        s = sentences[i]
        if i in with_recipient:
            continue
        marketing = any(
            not is_negated(raw, m.start())
            for m in _p("marketing_purpose").finditer(raw, s.start, s.end)
        )
        # The SMS-data pattern is the costliest, so it runs last.
        if marketing and _affirmed_share(raw, s) and _p("sms_data").search(raw, s.start, s.end):
            yield s, True


# A list item's mark: a bullet or a number ("- ", "• ", "2) ").
_MARK = r"(?:[-*•▪◦–]|\d{1,2}[.)])"
_BULLET = re.compile(rf"[ \t]*{_MARK}[ \t]+")
# How far back an item looks for the sentence that introduces its list.
_MAX_ITEMS = 20


def _list_lead(t: Text, i: int) -> int | None:
    """The index of the sentence ending in a colon whose bulleted list holds sentence `i`."""
    raw, sentences = t.raw, t.prose_sentences
    j = i
    while j > 0 and i - j < _MAX_ITEMS:
        line_start = raw.rfind("\n", 0, sentences[j].start) + 1
        if not _BULLET.match(raw, line_start):
            return None
        j -= 1
        if raw[sentences[j].start : sentences[j].end].rstrip().endswith(":"):
            return j
    return None


def _affirmed_share(raw: str, s: Sentence) -> bool:
    """True when sentence `s` holds a sharing verb that is neither negated nor the user's own.

    A refusal with an exception for partners or affiliates ("will not transfer it to any third
    party other than our trusted partners") affirms sharing with them.
    """
    for v in _p("share_verbs").finditer(raw, s.start, s.end):
        before = raw[max(0, v.start() - _SUBJECT_WINDOW) : v.start()]
        if _p("user_subject").search(before):
            continue
        if not is_negated(raw, v.start()):
            return True
        # "except" itself ends the clause, so the exception may start right at its end.
        exception = _p("share_exception").search(raw, v.end(), s.end)
        if exception and not raw[clause_end(raw, v.end()) : exception.start()].strip(" ,"):
            return True
    return False


# "…you consent to receive communications from Acme, including:" followed by its list: bulleted
# lines, or short lines that end no sentence ("Email", "Phone calls", "Text messages (SMS)").
_LIST_ITEM = re.compile(rf"[ \t]*(?:{_MARK}[ \t]+[^\n]*|[^\n]{{1,60}}(?<![.!?:;]))(?:\n|\Z)")
# What a consent claim consents to: only then is the list after its colon what it covers
# ("you consent to receive the following:", not "you agree to the following:").
_TO_RECEIVE = re.compile(r"\b(?:to\s+(?:receive|be\s+contacted|get)|receiving)\b", re.I)
# A consent inside the act that opens the sentence ("By providing your number and consenting to
# receive texts, you agree to…") is a condition the sentence names, not one it claims.
_INSIDE_ACT = re.compile(r"\W*by\b[^,;:.]*\b(?:and|or)\s+$", re.I)
# Acts offered as alternatives: any one of them alone is said to give consent.
_ALTERNATIVE_ACTS = re.compile(
    r",?\s+(?:and/)?or\s+(?:by\s+)?(?:texting|submitting|providing|entering|giving|replying|"
    r"calling|using|visiting|signing|checking|ticking|clicking)\b",
    re.I,
)


def _through_list(raw: str, end: int) -> int:
    """`end`, or the end of the list a sentence ending in a colon introduces."""
    if not raw[:end].rstrip().endswith(":"):
        return end
    pos = raw.find("\n", end)
    if pos == -1:
        return end
    pos += 1
    while (m := _LIST_ITEM.match(raw, pos)) is not None and m.end() > pos:
        pos = m.end()
    return max(end, pos)


def embedded_consent(t: Text) -> Iterator[tuple[Sentence, bool]]:
    """Sentences in which a policy or terms text claims SMS consent itself, with whether each
    bundles SMS with calls or email. An act that is not an express opt-in ("by providing your
    number", "by using our site") with "you agree to receive texts" is such a claim. A claim
    that ends in a colon reads on through the list it introduces ("…communications, including:
    - Phone calls - Text messages")."""
    raw = t.raw
    sms = _p("sms_channel")
    other = _p("other_channels")
    flagged: set[int] = set()
    for claim in _scan(t, "consent_stems", _p("consent_claim")):
        i = t.prose_index(claim.start())
        if i in flagged or is_negated(raw, claim.start()):
            continue
        s = t.prose_sentences[i]
        if claim.group().split()[0].lower().endswith("ing") and _INSIDE_ACT.match(
            raw, s.start, claim.start()
        ):
            continue
        listed = _TO_RECEIVE.search(raw, claim.end(), s.end) is not None
        reach = _through_list(raw, s.end) if listed else s.end
        if not sms.search(raw, claim.end(), reach):
            continue
        # Consent to texts and to calls or email in one clause is bundled consent ("…texts;
        # email us for help" is not); a listed channel belongs to the claim's clause.
        clause = reach if reach > s.end else min(s.end, clause_end(raw, claim.end()))
        bundled = other.search(raw, claim.end(), clause) is not None
        alternatives = _ALTERNATIVE_ACTS.search(raw, s.start, claim.start()) is not None
        if _p("embedded_act").search(raw, s.start, s.end) is not None:
            claimed = alternatives or not _p("express_optin").search(raw, s.start, s.end)
        else:
            # "By checking the box, submitting your number, or texting a keyword, you consent…"
            claimed = (
                alternatives
                and _p("listed_act").search(raw, s.start, claim.start()) is not None
                and _p("express_optin").search(raw, s.start, s.end) is not None
            )
        if bundled or claimed:
            flagged.add(i)
            yield s, bundled


@rule("PP-BRAND")
def brand(t: Text, ctx: Context) -> Iterator[Hit]:
    """The privacy policy must name the company whose policy it is."""
    if not ctx.brands:
        yield context_missing("PP-BRAND", "the company (brand) name")
        return
    if t.mentions_brand(ctx.brands) is None:
        name = ctx.brands[0]
        yield Hit(
            message=f"The privacy policy never names {name}, so it is not clear whose it is.",
            fix=f'Name the business, e.g. "{name} ("we", "us") respects your privacy."',
        )


@rule("PP-NON-SHARING-STATEMENT")
def non_sharing(t: Text, ctx: Context) -> Iterator[Hit]:
    """The policy must say mobile information / SMS opt-in data is not shared."""
    if non_sharing_statement(t) is None:
        yield Hit(
            message=(
                "The privacy policy does not say that mobile information and SMS opt-in data "
                'will not be shared with third parties or affiliates; a general "we do not sell '
                'your data" does not cover it.'
            ),
            fix=f'Add to the SMS section: "{NON_SHARING} {CARVE_OUT}"',
        )


@rule("PP-SHARING-LANGUAGE")
def sharing_language(t: Text, ctx: Context) -> Iterator[Hit]:
    """Nothing in the policy may let personal data or phone numbers go to third parties."""
    for s, names_sms in sharing(t):
        if names_sms:
            yield Hit(
                message="The privacy policy says mobile numbers or SMS opt-in data may be shared "
                "with or sold to third parties, affiliates or partners.",
                fix="Remove this statement; SMS data must never be shared. Say instead: "
                f'"{NON_SHARING}"',
                span=(s.start, s.end),
            )
        else:
            yield Hit(
                message="The privacy policy says personal data may be shared with or sold to "
                "third parties, affiliates or partners, and nothing excludes SMS opt-in data and "
                "consent.",
                fix=f'Remove the statement, or add after it: "{CARVE_OUT}"',
                span=(s.start, s.end),
            )


@rule("DOC-EMBEDDED-CONSENT")
def embedded(t: Text, ctx: Context) -> Iterator[Hit]:
    """A policy or terms text must not itself claim to obtain SMS consent."""
    for s, bundled in embedded_consent(t):
        if bundled:
            message = (
                "The document claims consent to text messages bundled with calls or email; SMS "
                "consent must be its own express opt-in, collected at the opt-in."
            )
        else:
            message = (
                "The document claims consent to text messages from an act that is not an opt-in "
                "(providing a number, using the site, accepting the terms)."
            )
        yield Hit(
            message=message,
            fix='Remove the consent claim; describe the program instead, e.g. "If you opt in to '
            'text messages on our opt-in form, you will receive…"',
            span=(s.start, s.end),
        )
