"""Keyword recognition for inbound messages: the opt-out, help and opt-in families.

The opt-out words are those of the FCC's 2024 revocation order and the CTIA handbook; a message
that is only one of them (any case, spacing, surrounding punctuation, "opt out"/"opt-out") is
that keyword. Longer messages are conversation, not keywords: "please stop texting me" is also
an opt-out (a reasonable means of revocation), recognised by a short list of phrases.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["HELP_WORDS", "OPT_IN_WORDS", "OPT_OUT_WORDS", "KeywordAction", "classify"]


class KeywordAction(StrEnum):
    OPT_OUT = "opt_out"
    HELP = "help"
    OPT_IN = "opt_in"


OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
HELP_WORDS = frozenset({"HELP", "INFO"})
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})

_NOISE = re.compile(r"[\s\-_.!?,;:'\"()*]+")
# Plain-language revocations (FCC 24-24: any reasonable means), matched on the whole message.
_REVOCATION = re.compile(
    r"^\s*(?:please\s+)?(?:stop(?:\s+(?:texting|messaging|sending|all))?|unsubscribe|"
    r"remove\s+me|take\s+me\s+off|leave\s+me\s+alone|do\s*n[o']?t\s+(?:text|message)\s+me|"
    r"no\s+more\s+(?:texts|messages))\b[\s\w,.!']{0,40}$",
    re.I,
)


def _word(text: str) -> str:
    return _NOISE.sub("", text).upper()


def classify(text: str) -> KeywordAction | None:
    """What an inbound message asks for, if it is a keyword: opt out, help, or opt back in."""
    if not text or len(text) > 160:
        return None
    word = _word(text)
    if word in OPT_OUT_WORDS:
        return KeywordAction.OPT_OUT
    if word in HELP_WORDS:
        return KeywordAction.HELP
    if word in OPT_IN_WORDS:
        return KeywordAction.OPT_IN
    if _REVOCATION.match(text):
        return KeywordAction.OPT_OUT
    return None


def keyword_of(text: str) -> str:
    """The normalised keyword of a message ("opt-out " -> "OPTOUT"), for the opt-out record."""
    return _word(text)[:40]
