"""Rules TS-*: the SMS terms (terms of service, SMS section)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern
from consentry.compliance.model import Hit
from consentry.compliance.rules._common import context_missing, require
from consentry.compliance.rules.privacy import CARVE_OUT, sharing
from consentry.compliance.text import Text


def _p(key: str) -> re.Pattern[str]:
    return pattern("terms", key)


def _missing(t: Text, key: str, message: str, fix: str) -> Iterator[Hit]:
    """A finding when `key` occurs nowhere; for statements that carry their own negation
    ("Carriers are not liable", "no more than 4 msgs/month")."""
    if t.find(_p(key)) is None:
        yield Hit(message=message, fix=fix)


@rule("TS-BRAND")
def brand(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms must name the brand or program."""
    if not ctx.brands:
        yield context_missing("TS-BRAND", "the company (brand) name")
        return
    if t.mentions_brand(ctx.brands) is None:
        name = ctx.brands[0]
        yield Hit(
            message=f"The SMS terms never name {name}, the brand that sends the messages.",
            fix=f'Name the program, e.g. "{name} sends … by text message to customers who opt in."',
        )


@rule("TS-PROGRAM")
def program(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms must describe the kinds of messages sent."""
    yield from require(
        t,
        _p("program"),
        "The SMS terms do not say what kinds of messages the program sends.",
        'Describe the program, e.g. "We send appointment reminders and order updates by text."',
    )


@rule("TS-FREQUENCY")
def frequency(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms must state how often messages come, or that it varies."""
    yield from _missing(
        t,
        "frequency",
        "The SMS terms do not say how often messages are sent.",
        'Add: "Message frequency varies." or an estimate such as "Up to 4 messages per month."',
    )


@rule("TS-RATES")
def rates(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms must say that message and data rates may apply."""
    if t.find_affirmed(pattern("optin", "rates")) is None and t.find_affirmed(_p("rates")) is None:
        yield Hit(
            message="The SMS terms do not say that message and data rates may apply.",
            fix='Add: "Message and data rates may apply."',
        )


@rule("TS-STOP")
def stop(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms must say how to opt out with STOP."""
    yield from require(
        t,
        _p("stop"),
        "The SMS terms do not say how to opt out with the STOP keyword.",
        'Add: "Reply STOP at any time to cancel; you will receive one confirmation message."',
    )


@rule("TS-HELP")
def help_(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms must say how to get help: the HELP keyword or a support contact."""
    if t.find_affirmed(_p("help")) is None and t.find(_p("contact")) is None:
        yield Hit(
            message="The SMS terms give no way to get help: neither the HELP keyword nor a "
            "support email or phone number.",
            fix='Add: "Reply HELP for help, or contact support@yourdomain.com."',
        )


@rule("TS-PRIVACY-LINK")
def privacy_link(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms must say where to find the privacy policy."""
    yield from _missing(
        t,
        "privacy",
        "The SMS terms do not say where to find the privacy policy.",
        'Add: "See our Privacy Policy at https://yourdomain.com/privacy."',
    )


@rule("TS-CARRIER-LIABILITY")
def carrier_liability(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms should carry the carrier disclaimer."""
    yield from _missing(
        t,
        "carrier_liability",
        "The SMS terms do not say that carriers are not liable for delayed or undelivered "
        "messages.",
        'Add: "Carriers are not liable for delayed or undelivered messages."',
    )


@rule("TS-SHARING")
def no_sharing(t: Text, ctx: Context) -> Iterator[Hit]:
    """The terms must not permit sharing mobile numbers or SMS consent with third parties."""
    for s, names_sms in sharing(t):
        what = "mobile numbers or SMS consent" if names_sms else "personal data"
        fix = (
            "Remove this statement: mobile numbers and SMS consent are never shared. Say instead: "
            '"We do not share or sell your mobile number or SMS consent with third parties or '
            'affiliates."'
        )
        if not names_sms:
            fix = f'Remove the statement, or add after it: "{CARVE_OUT}"'
        yield Hit(
            message=f"The SMS terms permit sharing {what} with third parties, affiliates or "
            "partners.",
            fix=fix,
            span=(s.start, s.end),
        )
