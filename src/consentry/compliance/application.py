"""The application file (spec/application.md) as typed models.

Types are checked here (a list where a list belongs, no unknown keys); *values* are judged by
the BIZ-* and APP-* rules, so a draft with a malformed EIN still loads and gets an explained
finding instead of a parse error.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Address",
    "Application",
    "Attributes",
    "Business",
    "Campaign",
    "Contact",
    "Document",
    "KeywordReply",
    "OptIn",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=True)


class Address(_Model):
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = "US"


class Contact(_Model):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None


class Business(_Model):
    entity_type: str | None = None
    legal_name: str | None = None
    display_name: str | None = None
    ein: str | None = None
    ein_issuing_country: str | None = "US"
    vertical: str | None = None
    stock_symbol: str | None = None
    stock_exchange: str | None = None
    address: Address = Field(default_factory=Address)
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    contact: Contact = Field(default_factory=Contact)

    @property
    def brand_names(self) -> tuple[str, ...]:
        """Names the business goes by: DBA first, then the legal name."""
        return tuple(n for n in (self.display_name, self.legal_name) if n and n.strip())


class OptIn(_Model):
    method: str | None = None
    text: str | None = None
    text_file: str | None = None
    form_html: str | None = None
    form_html_file: str | None = None
    url: str | None = None
    image_url: str | None = None
    keywords: list[str] = Field(default_factory=list)
    confirmation_message: str | None = None


class KeywordReply(_Model):
    keywords: list[str] = Field(default_factory=list)
    message: str | None = None


class Document(_Model):
    url: str | None = None
    text: str | None = None
    text_file: str | None = None


class Attributes(_Model):
    embedded_link: bool | None = None
    embedded_phone: bool | None = None
    number_pool: bool | None = None
    age_gated: bool | None = None
    direct_lending: bool | None = None
    affiliate_marketing: bool | None = None
    subscriber_opt_in: bool | None = None
    subscriber_opt_out: bool | None = None
    subscriber_help: bool | None = None


class Campaign(_Model):
    use_case: str | None = None
    sub_use_cases: list[str] = Field(default_factory=list)
    description: str | None = None
    message_frequency: str | None = None
    message_flow: str | None = None
    sample_messages: list[str] = Field(default_factory=list)
    opt_in: OptIn = Field(default_factory=OptIn)
    opt_out: KeywordReply = Field(default_factory=KeywordReply)
    help: KeywordReply = Field(default_factory=KeywordReply)
    privacy_policy: Document = Field(default_factory=Document)
    terms: Document = Field(default_factory=Document)
    attributes: Attributes = Field(default_factory=Attributes)
    phone_numbers: list[str] = Field(default_factory=list)


class Application(_Model):
    """One SMS/MMS registration application: the brand and its campaign."""

    business: Business = Field(default_factory=Business)
    campaign: Campaign = Field(default_factory=Campaign)

    def to_json(self) -> dict[str, Any]:
        """The application as the file's JSON, without empty optional parts."""
        return self.model_dump(mode="json", exclude_none=True)
