"""Rules OI-*: the opt-in / call to action."""

from __future__ import annotations

from collections.abc import Iterator

from consentry.compliance.catalog import rule
from consentry.compliance.context import Context
from consentry.compliance.lexicon import pattern
from consentry.compliance.model import Hit
from consentry.compliance.rules._common import require
from consentry.compliance.text import Text


@rule("OI-RATES")
def rates(t: Text, ctx: Context) -> Iterator[Hit]:
    """The opt-in must say that message and data rates may apply."""
    yield from require(
        t,
        pattern("optin", "rates"),
        "The opt-in does not say that message and data rates may apply.",
        'Add: "Msg & data rates may apply."',
    )
