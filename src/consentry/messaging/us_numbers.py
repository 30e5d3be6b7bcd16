"""US phone numbers as people type them: 10 digits, 11 digits with the leading 1, or E.164."""

from __future__ import annotations

import re

__all__ = ["us_e164"]

# Separators people put in numbers; a "+" sent unescaped in a query string arrives as a space.
_SEPARATORS = re.compile(r"[\s().\-]")
# NANP: area code and exchange both start with 2-9.
_NANP = re.compile(r"[2-9]\d{2}[2-9]\d{6}")


def us_e164(value: str) -> str | None:
    """`value` as +1XXXXXXXXXX when it is a US (NANP) number in 10-, 11-digit or E.164 form."""
    digits = _SEPARATORS.sub("", value)
    if digits.startswith("+1"):
        digits = digits[2:]
    elif digits.startswith("+"):
        return None
    elif len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or not _NANP.fullmatch(digits):
        return None
    return f"+1{digits}"
