"""US phone numbers: parse what people type, keep E.164 ("+15125550123")."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

__all__ = ["US_REGIONS", "normalize_us", "region_of", "time_zones"]

# The United States and the territories that share its numbering plan and its carriers' rules,
# most common first (validity is tested region by region: cheaper than finding the region).
_US_REGION_ORDER = ("US", "PR", "VI", "GU", "AS", "MP")
US_REGIONS = frozenset(_US_REGION_ORDER)
_E164_NANP = re.compile(r"\+1\d{10}")

_UNKNOWN_ZONE = "Etc/Unknown"


def _parse(raw: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(raw.strip(), "US")
    except (phonenumbers.NumberParseException, AttributeError):
        return None


def normalize_us(raw: str | None) -> str | None:
    """E.164 for a valid US number ("(512) 555-0123" -> "+15125550123"), else None."""
    if not raw or len(raw) > 40:
        return None
    return _normalize(raw)


@lru_cache(maxsize=65_536)
def _normalize(raw: str) -> str | None:
    # Batches repeat numbers, and E.164 input (the common case) skips the general parser.
    if _E164_NANP.fullmatch(raw):
        parsed: phonenumbers.PhoneNumber | None = phonenumbers.PhoneNumber(
            country_code=1, national_number=int(raw[2:])
        )
    else:
        parsed = _parse(raw)
    if parsed is None or parsed.country_code != 1:
        return None
    if not any(phonenumbers.is_valid_number_for_region(parsed, r) for r in _US_REGION_ORDER):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def region_of(number: str) -> str | None:
    """The region code of an E.164 number ("US", "PR", ...)."""
    parsed = _parse(number)
    return phonenumbers.region_code_for_number(parsed) if parsed is not None else None


def time_zones(number: str) -> tuple[str, ...]:
    """The IANA time zones of a number's area code; empty when unknown."""
    from phonenumbers import timezone  # the zone tables load on first use

    parsed = _parse(number)
    if parsed is None:
        return ()
    return tuple(z for z in timezone.time_zones_for_number(parsed) if z != _UNKNOWN_ZONE)
