"""BIZ-* rules: the business identity of an application.

Cases follow what The Campaign Registry and its CSPs (Twilio, Telnyx, Bandwidth) check on a brand:
legal name as on the IRS records, a 9-digit EIN with an IRS-issued prefix (IRS "valid EIN
prefixes"), a US address with the two-letter state code, one of TCR's entity types and verticals,
a stock listing for public companies, an https website, and a reachable contact.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
import pytest

from consentry.compliance import Severity
from consentry.compliance.rules import business
from tests.compliance.builders import check, fields, findings

BIZ = ("BIZ-LEGAL-NAME", "BIZ-EIN", "BIZ-ADDRESS", "BIZ-ENTITY-TYPE", "BIZ-WEBSITE", "BIZ-CONTACT")


def _errors(rule: str, **changes: Any) -> list[str | None]:
    return [f.field for f in findings(check(**changes), rule) if f.severity is Severity.ERROR]


def test_the_example_has_no_business_findings() -> None:
    report = check()
    assert not {f.rule for f in report.findings} & set(BIZ)


# --- BIZ-LEGAL-NAME ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        None,
        "",
        "   ",
        "Company Name",
        "Your Business Name Here",
        "[Company Name]",
        "{{ legal_name }}",
        "Test",
        "test company",
        "N/A",
        "TBD",
        "Lorem ipsum dolor",
        "X",
        "dana@northsidept.com",
    ],
)
def test_legal_name_missing_or_placeholder(name: str | None) -> None:
    assert _errors("BIZ-LEGAL-NAME", **{"business.legal_name": name}) == ["business.legal_name"]


@pytest.mark.parametrize(
    "name",
    [
        "Northside Physical Therapy LLC",
        "A&W Restaurants, Inc.",
        "3M Company",
        "Test Drive Motors LLC",
        "The Company Store LLC",
        "Legal Aid Society of Austin",
        "Example Roofing Co",
    ],
)
def test_real_legal_names_pass(name: str) -> None:
    assert _errors("BIZ-LEGAL-NAME", **{"business.legal_name": name}) == []


def test_a_placeholder_dba_is_reported_on_display_name() -> None:
    assert _errors("BIZ-LEGAL-NAME", **{"business.display_name": "Brand Name"}) == [
        "business.display_name"
    ]


def test_the_dba_is_optional() -> None:
    assert _errors("BIZ-LEGAL-NAME", **{"business.display_name": None}) == []


# --- BIZ-EIN ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ein",
    [
        "74-123456",  # 8 digits
        "74-12345678",  # 10 digits
        "7A-1234567",
        "741-23-4567",  # an SSN's shape
        "74 1234567",
        "00-1234567",  # prefixes the IRS never issues
        "07-1234567",
        "19-1234567",
        "49-1234567",
        "70-1234567",
        "89-1234567",
        "96-1234567",
        "11-1111111",  # placeholders
        "000000000",
        "12-3456789",
        "98-7654321",
    ],
)
def test_malformed_or_placeholder_ein(ein: str) -> None:
    assert _errors("BIZ-EIN", **{"business.ein": ein}) == ["business.ein"]


@pytest.mark.parametrize(
    "ein", ["74-1234567", "741234567", " 74-1234567 ", "01-2468013", "31-4567890", "99-8765432"]
)
def test_well_formed_ein_with_issued_prefix(ein: str) -> None:
    assert _errors("BIZ-EIN", **{"business.ein": ein}) == []


def test_a_misformatted_ein_gets_the_dashed_form_as_fix() -> None:
    (finding,) = findings(check(**{"business.ein": "741-23-4567"}), "BIZ-EIN")
    assert finding.fix is not None and "74-1234567" in finding.fix


@pytest.mark.parametrize("entity", ["PRIVATE_PROFIT", "PUBLIC_PROFIT", "NON_PROFIT", "GOVERNMENT"])
def test_ein_required_unless_sole_proprietor(entity: str) -> None:
    assert _errors("BIZ-EIN", **{"business.ein": None, "business.entity_type": entity}) == [
        "business.ein"
    ]


def test_sole_proprietor_may_omit_the_ein() -> None:
    changes = {"business.ein": None, "business.entity_type": "SOLE_PROPRIETOR"}
    assert _errors("BIZ-EIN", **changes) == []


def test_a_sole_proprietor_ein_when_given_must_be_valid() -> None:
    changes = {"business.ein": "00-1234567", "business.entity_type": "SOLE_PROPRIETOR"}
    assert _errors("BIZ-EIN", **changes) == ["business.ein"]


# --- BIZ-ADDRESS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("business.address.street", None),
        ("business.address.street", "  "),
        ("business.address.city", ""),
        ("business.address.state", None),
        ("business.address.state", "XX"),
        ("business.address.state", "Tex"),
        ("business.address.state", "Texas"),
        ("business.address.state", "Ontario"),
        ("business.address.postal_code", None),
        ("business.address.postal_code", "7870"),
        ("business.address.postal_code", "787011"),
        ("business.address.postal_code", "787011234"),
        ("business.address.postal_code", "78701 1234"),
        ("business.address.postal_code", "ABCDE"),
        ("business.address.postal_code", "00000"),
        ("business.address.country", "CA"),
        ("business.address.country", "USA"),
    ],
)
def test_incomplete_or_invalid_address(path: str, value: str | None) -> None:
    assert _errors("BIZ-ADDRESS", **{path: value}) == [path]


@pytest.mark.parametrize("state", ["TX", "tx", "DC", "PR", "GU", "VI", "AS", "MP", "WY"])
def test_states_districts_and_territories_pass(state: str) -> None:
    assert _errors("BIZ-ADDRESS", **{"business.address.state": state}) == []


@pytest.mark.parametrize(
    ("name", "code"), [("Texas", "TX"), ("new york", "NY"), ("District of Columbia", "DC")]
)
def test_a_written_out_state_gets_its_code_as_fix(name: str, code: str) -> None:
    (finding,) = findings(check(**{"business.address.state": name}), "BIZ-ADDRESS")
    assert finding.fix == f'Use "{code}".'


def test_zip_plus_4_and_us_country_pass() -> None:
    changes = {"business.address.postal_code": "78701-1234", "business.address.country": "us"}
    assert _errors("BIZ-ADDRESS", **changes) == []


def test_a_bare_nine_digit_zip_gets_the_dashed_form_as_fix() -> None:
    (finding,) = findings(check(**{"business.address.postal_code": "787011234"}), "BIZ-ADDRESS")
    assert finding.fix is not None and "78701-1234" in finding.fix


# --- BIZ-ENTITY-TYPE --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity", "suggested"),
    [
        ("LLC", "PRIVATE_PROFIT"),
        ("Corporation", "PRIVATE_PROFIT"),
        ("nonprofit", "NON_PROFIT"),
        ("PRIVATE_PROFT", "PRIVATE_PROFIT"),
        ("private profit", "PRIVATE_PROFIT"),
    ],
)
def test_entity_type_outside_the_registry_gets_a_suggestion(entity: str, suggested: str) -> None:
    report = check(**{"business.entity_type": entity})
    (finding,) = findings(report, "BIZ-ENTITY-TYPE")
    assert finding.field == "business.entity_type"
    assert finding.fix == f'Use "{suggested}".'


def test_missing_entity_type_and_vertical() -> None:
    report = check(**{"business.entity_type": None, "business.vertical": None})
    assert fields(report, "BIZ-ENTITY-TYPE") == {"business.entity_type", "business.vertical"}


@pytest.mark.parametrize(
    ("vertical", "suggested"),
    [
        ("Medical", "HEALTHCARE"),
        ("Real Estate", "REAL_ESTATE"),
        ("FINANCE", "FINANCIAL"),
        ("healthcare", "HEALTHCARE"),
    ],
)
def test_vertical_outside_the_registry_gets_a_suggestion(vertical: str, suggested: str) -> None:
    (finding,) = findings(check(**{"business.vertical": vertical}), "BIZ-ENTITY-TYPE")
    assert finding.field == "business.vertical"
    assert finding.fix == f'Use "{suggested}".'


def test_an_unknown_vertical_lists_the_registry_values() -> None:
    (finding,) = findings(check(**{"business.vertical": "Widgets"}), "BIZ-ENTITY-TYPE")
    assert finding.fix is not None and "TECHNOLOGY" in finding.fix


@pytest.mark.parametrize(
    "vertical",
    ["PROFESSIONAL", "REAL_ESTATE", "HUMAN_RESOURCES", "POSTAL", "GAMBLING", "COMMUNICATION"],
)
def test_registry_verticals_pass(vertical: str) -> None:
    assert _errors("BIZ-ENTITY-TYPE", **{"business.vertical": vertical}) == []


def test_public_company_needs_symbol_and_exchange() -> None:
    report = check(**{"business.entity_type": "PUBLIC_PROFIT"})
    assert fields(report, "BIZ-ENTITY-TYPE") == {"business.stock_symbol", "business.stock_exchange"}


@pytest.mark.parametrize(
    ("symbol", "exchange", "field"),
    [
        ("APPLE INC", "NASDAQ", "business.stock_symbol"),
        ("AAPL", "NASDAQQ", "business.stock_exchange"),
        ("AAPL", "nasdaq", "business.stock_exchange"),
    ],
)
def test_public_company_with_a_bad_listing(symbol: str, exchange: str, field: str) -> None:
    changes = {
        "business.entity_type": "PUBLIC_PROFIT",
        "business.stock_symbol": symbol,
        "business.stock_exchange": exchange,
    }
    assert _errors("BIZ-ENTITY-TYPE", **changes) == [field]


@pytest.mark.parametrize(("symbol", "exchange"), [("AAPL", "NASDAQ"), ("BRK.B", "NYSE")])
def test_public_company_with_its_listing_passes(symbol: str, exchange: str) -> None:
    changes = {
        "business.entity_type": "PUBLIC_PROFIT",
        "business.stock_symbol": symbol,
        "business.stock_exchange": exchange,
    }
    assert _errors("BIZ-ENTITY-TYPE", **changes) == []


def test_a_stock_listing_on_a_private_company_is_inconsistent() -> None:
    changes = {"business.stock_symbol": "NPT", "business.stock_exchange": "NYSE"}
    assert _errors("BIZ-ENTITY-TYPE", **changes) == ["business.entity_type"]


@pytest.mark.parametrize(
    ("entity", "name"),
    [
        ("GOVERNMENT", "Smith Consulting LLC"),
        ("PRIVATE_PROFIT", "City of Austin"),
        ("PRIVATE_PROFIT", "Travis County"),
        ("SOLE_PROPRIETOR", "Acme Widgets Inc."),
    ],
)
def test_entity_type_that_contradicts_the_name(entity: str, name: str) -> None:
    changes = {"business.entity_type": entity, "business.legal_name": name}
    assert _errors("BIZ-ENTITY-TYPE", **changes) == ["business.entity_type"]


@pytest.mark.parametrize(
    ("entity", "name", "vertical", "website"),
    [
        ("GOVERNMENT", "City of Austin", "GOVERNMENT", "https://www.austintexas.gov"),
        ("NON_PROFIT", "Central Texas Food Bank, Inc.", "NGO", "https://centraltexasfoodbank.org"),
        ("PRIVATE_PROFIT", "County Line Barbecue LLC", "HOSPITALITY", "https://countyline.com"),
        ("SOLE_PROPRIETOR", "Dana Reyes", "PROFESSIONAL", None),
    ],
)
def test_entity_type_that_fits_the_name(
    entity: str, name: str, vertical: str, website: str | None
) -> None:
    changes = {
        "business.entity_type": entity,
        "business.legal_name": name,
        "business.display_name": None,
        "business.vertical": vertical,
        "business.website": website,
    }
    assert findings(check(**changes), "BIZ-ENTITY-TYPE") == []


def test_a_vertical_meant_for_another_entity_type_is_a_warning() -> None:
    report = check(**{"business.vertical": "NGO"})
    (finding,) = findings(report, "BIZ-ENTITY-TYPE")
    assert finding.severity is Severity.WARNING and finding.field == "business.vertical"


def test_a_gov_website_on_a_company_is_a_warning() -> None:
    report = check(**{"business.website": "https://clinic.texas.gov"})
    assert [f.severity for f in findings(report, "BIZ-ENTITY-TYPE")] == [Severity.WARNING]


# --- BIZ-WEBSITE ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "http://northsidept.com",
        "northsidept.com",
        "https://192.168.1.10",
        "https://[2001:db8::1]/",
        "https://localhost:8000",
        "https://northsidept",
        "https://northsidept.c0m",
        "https://north side.com",
        "https://northsidept.example",
        "https://www.example.com/clinic",
        "https://clinic.test",
        "https://user:secret@northsidept.com",
        "https://northsidept.com:99999",
        "ftp://northsidept.com",
    ],
)
def test_website_missing_or_malformed(url: str | None) -> None:
    assert _errors("BIZ-WEBSITE", **{"business.website": url}) == ["business.website"]


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("http://northsidept.com/", "https://northsidept.com/"),
        ("northsidept.com", "https://northsidept.com"),
    ],
)
def test_a_non_https_website_gets_the_https_form(url: str, fix: str) -> None:
    (finding,) = findings(check(**{"business.website": url}), "BIZ-WEBSITE")
    assert finding.fix == f'Use "{fix}" (serve the site over HTTPS).'


@pytest.mark.parametrize(
    "url",
    [
        "https://northsidept.com/",
        "https://www.northsidept.com",
        "https://northsidept.com/about?x=1",
        "HTTPS://NorthsidePT.com",
    ],
)
def test_well_formed_https_websites_pass(url: str) -> None:
    assert findings(check(**{"business.website": url}), "BIZ-WEBSITE") == []


def test_sole_proprietor_may_have_no_website() -> None:
    changes = {
        "business.website": None,
        "business.entity_type": "SOLE_PROPRIETOR",
        "business.ein": None,
    }
    assert _errors("BIZ-WEBSITE", **changes) == []


@pytest.mark.parametrize(
    ("path", "email"),
    [
        ("business.contact.email", "dana.reyes@gmail.com"),
        ("business.contact.email", "northsidept@yahoo.com"),
        ("business.email", "frontdesk@outlook.com"),
        ("business.email", "info@proton.me"),
        ("business.contact.email", "dana@northside-therapy.net"),
    ],
)
def test_contact_email_on_free_mail_or_another_domain_is_a_warning(path: str, email: str) -> None:
    report = check(**{path: email})
    (finding,) = findings(report, "BIZ-WEBSITE")
    assert finding.severity is Severity.WARNING and finding.field == path
    assert "BIZ-WEBSITE" not in report.failing_rules()


@pytest.mark.parametrize(
    ("website", "email"),
    [
        ("https://northsidept.com", "dana@mail.northsidept.com"),
        ("https://clinic.northsidept.com", "dana@northsidept.com"),
        ("https://www.northsidept.com", "Dana@NorthsidePT.com"),
    ],
)
def test_email_on_the_website_domain_passes(website: str, email: str) -> None:
    changes = {"business.website": website, "business.contact.email": email}
    assert findings(check(**changes), "BIZ-WEBSITE") == []


# --- BIZ-CONTACT ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("business.contact.last_name", None, "business.contact.last_name"),
        ("business.contact.first_name", " ", "business.contact.first_name"),
        ("business.contact.email", "dana@", "business.contact.email"),
        ("business.contact.email", "dana northsidept.com", "business.contact.email"),
        ("business.contact.email", "dana@northsidept", "business.contact.email"),
        ("business.contact.email", "dana@@northsidept.com", "business.contact.email"),
        ("business.email", "support at northsidept.com", "business.email"),
        ("business.contact.phone", "512-555-0101", "business.contact.phone"),
        ("business.contact.phone", "(512) 555-0101", "business.contact.phone"),
        ("business.contact.phone", "+1 555 555 5555", "business.contact.phone"),
        ("business.contact.phone", "+1 123 456 7890", "business.contact.phone"),
        ("business.contact.phone", "+44 20 7183 8750", "business.contact.phone"),
        ("business.contact.phone", "+1 647 999 0000", "business.contact.phone"),
        ("business.contact.phone", "call the front desk", "business.contact.phone"),
        ("business.phone", "5125550100", "business.phone"),
    ],
)
def test_contact_missing_or_invalid(path: str, value: str | None, field: str) -> None:
    assert _errors("BIZ-CONTACT", **{path: value}) == [field]


def test_no_contact_person() -> None:
    changes = {"business.contact.first_name": None, "business.contact.last_name": None}
    assert _errors("BIZ-CONTACT", **changes) == ["business.contact"]


def test_no_email_and_no_phone_anywhere() -> None:
    changes = {
        "business.email": None,
        "business.contact.email": None,
        "business.phone": None,
        "business.contact.phone": None,
    }
    assert _errors("BIZ-CONTACT", **changes) == ["business.contact.email", "business.contact.phone"]


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("512-555-0101", "+15125550101"),
        ("(512) 555-0101", "+15125550101"),
        ("+1 512 555 0101", "+15125550101"),
        ("1-512-555-0101", "+15125550101"),
    ],
)
def test_a_misformatted_phone_gets_its_e164_form(value: str, e164: str) -> None:
    (finding,) = findings(check(**{"business.contact.phone": value}), "BIZ-CONTACT")
    assert finding.fix == f'Write it as "{e164}".'


_INVALID = "is not a valid phone number (no such area code or length)."


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("+15555555555", f"'+15555555555' {_INVALID}"),
        ("+16479990000", "'+16479990000' is a CA number, not a US one."),
        ("+11234567890", f"'+11234567890' {_INVALID}"),
        ("+1512555010", f"'+1512555010' {_INVALID}"),
        ("+151255501011", f"'+151255501011' {_INVALID}"),
    ],
)
def test_e164_numbers_that_are_not_us_numbers(phone: str, message: str) -> None:
    (finding,) = findings(check(**{"business.contact.phone": phone}), "BIZ-CONTACT")
    assert finding.message == message


@pytest.mark.parametrize(
    "phone", ["+12015550123", "+19999999999", "+15125550101", "+17872345678", "+10125550123"]
)
def test_an_e164_nanp_number_reads_as_the_general_parser_reads_it(phone: str) -> None:
    assert business._parse_phone(phone) == phonenumbers.parse(phone, "US")


@pytest.mark.parametrize("phone", ["+15125550101", "+17872345678", "+16715550123", "+12125550199"])
def test_valid_us_and_territory_numbers_pass(phone: str) -> None:
    assert _errors("BIZ-CONTACT", **{"business.contact.phone": phone}) == []


def test_the_brand_email_and_phone_stand_in_for_the_contact_person_s() -> None:
    changes = {"business.contact.email": None, "business.contact.phone": None}
    assert _errors("BIZ-CONTACT", **changes) == []


@pytest.mark.parametrize(
    "email", ["dana.reyes+sms@northsidept.com", "d_reyes@clinic.northsidept.com", "o'neil@nsp.co"]
)
def test_valid_email_syntax_passes(email: str) -> None:
    assert _errors("BIZ-CONTACT", **{"business.contact.email": email}) == []
