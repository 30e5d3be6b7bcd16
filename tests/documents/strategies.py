"""Hypothesis strategies for business profiles the document generators must handle."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from consentry.compliance import Application
from consentry.documents import supported_use_cases

SURNAMES = [
    "Reyes",
    "O'Brien",
    "D’Angelo",
    "McAllister",
    "Nguyen",
    "Okafor",
    "Larsen",
    "St. James",
    "Van der Berg",
    "García",
    "Kowalski",
    "Abernathy",
    "Chen",
    "Patel",
    "Hill",
    "DuBois",
]
TRADES = [
    "Dental",
    "Plumbing",
    "Bakery",
    "Auto Repair",
    "Physical Therapy",
    "Landscaping",
    "Roofing",
    "Pet Grooming",
    "Family Medicine",
    "Tutoring",
    "Veterinary Clinic",
    "Hardware",
    "Florist",
    "Yoga Studio",
    "Dry Cleaning",
    "Optometry",
    "Bookshop",
    "Moving",
    "HVAC",
    "Pediatrics",
    "Coffee Roasters",
    "Bike Shop",
    "Insurance Agency",
    "Property Management",
    "Car Wash",
]
PLACES = ["Northside", "Lakeview", "Blue Ridge", "Harbor", "Cedar Hill", "Riverbend", "Maple"]
SUFFIXES = ["", " LLC", " Inc.", " Inc", " Co.", " Corp.", " L.L.C.", " PLLC", " Ltd.", ", Inc."]
CITIES = [
    ("Austin", "TX"),
    ("Portland", "OR"),
    ("St. Louis", "MO"),
    ("Coeur d'Alene", "ID"),
    ("New York", "NY"),
    ("Boise", "ID"),
    ("Miami", "FL"),
    ("Anchorage", "AK"),
    ("San Juan", "PR"),
    ("Burlington", "VT"),
    ("Santa Fe", "NM"),
    ("Winston-Salem", "NC"),
]
AREA_CODES = ["512", "212", "415", "303", "617", "702", "919", "206", "404", "808", "907"]
TLDS = ["com", "net", "org", "us", "co", "health", "shop"]
PERIODS = ["day", "week", "month"]


@st.composite
def legal_names(draw: st.DrawFn) -> str:
    """Legal names with "&", apostrophes, Inc./LLC suffixes and accents."""
    shape = draw(st.sampled_from(["surname_trade", "pair", "place_trade", "possessive"]))
    trade = draw(st.sampled_from(TRADES))
    if shape == "surname_trade":
        core = f"{draw(st.sampled_from(SURNAMES))} {trade}"
    elif shape == "pair":
        a, b = draw(st.lists(st.sampled_from(SURNAMES), min_size=2, max_size=2, unique=True))
        joiner = draw(st.sampled_from([" & ", " and ", " + "]))
        core = f"{a}{joiner}{b} {trade}"
    elif shape == "place_trade":
        core = f"{draw(st.sampled_from(PLACES))} {trade}"
    else:
        apostrophe = draw(st.sampled_from(["'", "’"]))
        owner = draw(st.sampled_from(["Rosa", "Frank", "Mel", "Dot", "Sam"]))
        core = f"{owner}{apostrophe}s {trade}"
    return core + draw(st.sampled_from(SUFFIXES))


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:24] or "shop"


@st.composite
def frequencies(draw: st.DrawFn) -> str | None:
    """Message frequencies as people write them (or none at all)."""
    n = draw(st.integers(min_value=1, max_value=30))
    period = draw(st.sampled_from(PERIODS))
    return draw(
        st.sampled_from(
            [
                f"Up to {n} messages per {period}",
                f"up to {n} msgs/{period}",
                f"{n} messages per {period}",
                f"About {n} texts a {period}",
                "Message frequency varies",
                "Frequency varies",
                "Msg frequency varies.",
                "Varies",
                "Weekly",
                "1 message per request",
                "One message per order",
                "Recurring messages, up to 8 per month",
                "As needed",
                "2-3 per week",
                "Daily texts",
                None,
            ]
        )
    )


@st.composite
def use_cases(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A supported use case; MIXED and LOW_VOLUME with 2-5 sub-use cases."""
    cases = supported_use_cases()
    use_case = draw(st.sampled_from(cases))
    if use_case in ("MIXED", "LOW_VOLUME"):
        singles = [c for c in cases if c not in ("MIXED", "LOW_VOLUME")]
        subs = draw(st.lists(st.sampled_from(singles), min_size=2, max_size=5, unique=True))
        return use_case, subs
    return use_case, []


@st.composite
def applications(draw: st.DrawFn) -> Application:
    """A business and campaign with everything the generators need, in many shapes."""
    legal = draw(legal_names())
    dba = draw(
        st.one_of(
            st.none(),
            st.just(legal.split(" LLC")[0].split(" Inc")[0].split(",")[0]),
            legal_names(),
        )
    )
    brand = dba or legal
    domain = f"{_slug(brand)}.{draw(st.sampled_from(TLDS))}"
    website = draw(
        st.sampled_from([f"https://{domain}", f"https://www.{domain}", f"https://{domain}/"])
    )
    email = draw(st.sampled_from([f"support@{domain}", f"info@{domain}", f"help@{domain}", None]))
    area = draw(st.sampled_from(AREA_CODES))
    number = draw(st.integers(min_value=2_000_000, max_value=9_999_999))
    phone = draw(st.sampled_from([f"+1{area}{number}", None])) if email else f"+1{area}{number}"
    city, state = draw(st.sampled_from(CITIES))
    use_case, subs = draw(use_cases())
    campaign: dict[str, Any] = {
        "use_case": use_case,
        "sub_use_cases": subs,
        "message_frequency": draw(frequencies()),
    }
    if draw(st.booleans()):
        campaign["privacy_policy"] = {"url": f"https://{domain}/legal/privacy-policy"}
        campaign["terms"] = {"url": f"https://{domain}/legal/sms-terms"}
    if draw(st.booleans()):
        campaign["opt_in"] = {"url": f"https://{domain}/text"}
    business: dict[str, Any] = {
        "legal_name": legal,
        "display_name": dba,
        "website": website,
        "email": email,
        "phone": phone,
        "address": {
            "street": draw(st.sampled_from([None, "100 Main St", "2200 O'Connor Rd, Suite 4"])),
            "city": city,
            "state": state,
            "postal_code": draw(st.sampled_from(["78701", "02134", "99501-1234"])),
        },
    }
    return Application.model_validate({"business": business, "campaign": campaign})
