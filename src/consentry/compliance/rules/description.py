"""Rules CD-*: the campaign description (messaging purpose)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern
from consentry.compliance.model import Hit
from consentry.compliance.rules._common import context_missing, span
from consentry.compliance.rules.samples import UseCaseScope, is_promotional, sender_names
from consentry.compliance.text import Text, analysed

# TCR accepts 40 characters at least; a shorter purpose cannot say who, what and why.
MIN_DESCRIPTION_CHARS = 40

_EXAMPLE = (
    '"Acme Dental sends appointment reminders and rescheduling notices to its patients who '
    'opted in on acme.com, to help them keep their appointments."'
)


@rule("CD-WHO-WHAT-WHY")
def who_what_why(t: Text, ctx: Context) -> Iterator[Hit]:
    """Who sends, who receives, what and why, specific enough to verify."""
    if len(t.stripped) < MIN_DESCRIPTION_CHARS:
        yield Hit(
            message=f"The description is {len(t.stripped)} characters: too short to say who "
            "sends what to whom and why.",
            fix=f"Follow the pattern [brand] sends [message types] to [audience] to [purpose], "
            f"e.g. {_EXAMPLE}",
        )
        return
    missing: list[str] = []
    if ctx.brands and not t.mentions_brand(sender_names(ctx)):
        missing.append(f"who sends them ({ctx.brands[0]})")
    if not t.find(pattern("description", "audience")):
        missing.append("who receives them (customers, patients, members... who opted in)")
    what = t.find(pattern("description", "specific_what"))
    if not what:
        missing.append("what messages are sent (e.g. appointment reminders, order updates)")
    elif not t.find(pattern("description", "purpose")) and what.group(0).lower() in _BARE:
        missing.append("why they are sent")
    if missing:
        yield Hit(
            message="The description does not say " + _join(missing) + ".",
            fix=f"Name the sender, the audience, the message types and their purpose, e.g. "
            f"{_EXAMPLE}",
        )
    if not ctx.brands:
        yield context_missing("CD-WHO-WHAT-WHY", "the brand name (company), to check the sender")


# Message types too generic to imply their own purpose ("surveys" says what, not why).
_BARE = frozenset({"surveys", "survey", "polls", "poll", "feedback requests"})


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


@rule("CD-FREQUENCY")
def frequency(t: Text, ctx: Context) -> Iterator[Hit]:
    """States expected frequency/volume."""
    if not t.find(pattern("description", "frequency")):
        yield Hit(
            message="The description does not state how often messages are sent.",
            fix='Add the expected frequency, e.g. "Up to 4 messages per month." or "One message '
            'per order."',
        )


@rule("CD-END-BRAND")
def end_brand(t: Text, ctx: Context) -> Iterator[Hit]:
    """The end business texting its own customers: not a platform for others, not personal use."""
    m = t.find_affirmed(pattern("description", "end_brand"))
    if m:
        yield Hit(
            message=f'The description reads as a platform or personal sender ("{m.group(0)}"), '
            "not a business texting its own customers.",
            fix="Each business registers its own campaign, describing the messages it sends to "
            "its own customers; personal texting cannot be registered.",
            span=span(m),
        )


@rule("CD-USE-CASE-MATCH")
def use_case_match(t: Text, ctx: Context) -> Iterator[Hit]:
    """Matches the declared use case and the samples."""
    described = pattern("usecases", "marketing_described")
    says_marketing = t.find_affirmed(described)
    if ctx.use_case:
        yield from _against_use_case(t, ctx, says_marketing)
    else:
        yield context_missing("CD-USE-CASE-MATCH", "the campaign's use case")
    if ctx.sample_messages and not says_marketing:
        for sample in ctx.sample_messages:
            promo = is_promotional(analysed(sample))
            if promo:
                yield Hit(
                    message=f'A sample message is promotional ("{promo.group(0)}") but the '
                    "description does not mention marketing or promotions.",
                    fix='Describe every kind of message the samples show (e.g. "... and '
                    'promotional offers"), or remove the promotional sample.',
                )
                return


def _against_use_case(t: Text, ctx: Context, says_marketing: re.Match[str] | None) -> Iterator[Hit]:
    assert ctx.use_case is not None
    scope = UseCaseScope(ctx.use_case, ctx.sub_use_cases)
    if says_marketing and not scope.marketing_ok:
        yield Hit(
            message=f'The description mentions marketing ("{says_marketing.group(0)}") but the '
            f"use case is {scope.label}, which may not carry marketing.",
            fix="Remove the marketing content from this campaign, or register it as MARKETING "
            "(or MIXED with MARKETING).",
            span=span(says_marketing),
        )
        return
    if scope.declared == ("MARKETING",) and not says_marketing:
        yield Hit(
            message="The use case is MARKETING but the description names no marketing or "
            "promotional messages.",
            fix="Describe the promotional messages the campaign sends, or choose the use case "
            "that fits what it describes.",
        )
        return
    if scope.declared == ("2FA",) and not t.find(pattern("usecases", "code_words")):
        yield Hit(
            message="The use case is 2FA but the description does not mention one-time codes, "
            "verification or login.",
            fix='Say what the codes are for, e.g. "Acme sends one-time passcodes to users who '
            'sign in to their Acme account."',
        )
        return
    if ctx.use_case == "MIXED" and len(ctx.sub_use_cases) == 1:
        yield Hit(
            message="The use case is MIXED but only one sub-use case is given.",
            fix="Choose that single use case instead of MIXED, or list the 2-5 use cases the "
            "messages cover.",
        )
    best = scope.foreign(t.raw)
    if best:
        yield Hit(
            message=f"The description reads as {best}, not as {scope.label} (the declared use "
            "case).",
            fix=f"Choose the {best} use case, or describe the {scope.label} messages this "
            "campaign sends.",
        )
