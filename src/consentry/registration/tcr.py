"""Export to TCR-style JSON: `brandRequest` / `campaignRequest` with TCR field names."""

from __future__ import annotations

from typing import Any

from consentry.compliance import Application

__all__ = ["to_tcr"]


def _csv(values: list[str]) -> str | None:
    return ",".join(values) if values else None


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def to_tcr(app: Application) -> dict[str, Any]:
    """The application as TCR CSP API requests (fields that are empty are left out)."""
    b, c = app.business, app.campaign
    brand = _drop_none(
        {
            "entityType": b.entity_type,
            "companyName": b.legal_name,
            "displayName": b.display_name,
            "ein": b.ein,
            "einIssuingCountry": b.ein_issuing_country,
            "vertical": b.vertical,
            "stockSymbol": b.stock_symbol,
            "stockExchange": b.stock_exchange,
            "street": " ".join(p for p in (b.address.street, b.address.street2) if p) or None,
            "city": b.address.city,
            "state": b.address.state,
            "postalCode": b.address.postal_code,
            "country": b.address.country,
            "website": b.website,
            "email": b.email,
            "phone": b.phone,
            "firstName": b.contact.first_name,
            "lastName": b.contact.last_name,
            "businessContactEmail": b.contact.email,
            "mobilePhone": b.contact.phone,
        }
    )
    a = c.attributes
    samples = {f"sample{i}": text for i, text in enumerate(c.sample_messages[:5], start=1)}
    campaign = _drop_none(
        {
            "usecase": c.use_case,
            "subUsecases": c.sub_use_cases or None,
            "description": c.description,
            "messageFlow": c.message_flow,
            **samples,
            "embeddedLink": a.embedded_link,
            "embeddedPhone": a.embedded_phone,
            "numberPool": a.number_pool,
            "ageGated": a.age_gated,
            "directLending": a.direct_lending,
            "affiliateMarketing": a.affiliate_marketing,
            "subscriberOptin": a.subscriber_opt_in if a.subscriber_opt_in is not None else True,
            "subscriberOptout": a.subscriber_opt_out if a.subscriber_opt_out is not None else True,
            "subscriberHelp": a.subscriber_help if a.subscriber_help is not None else True,
            "optinKeywords": _csv(c.opt_in.keywords),
            "optinMessage": c.opt_in.confirmation_message,
            "optoutKeywords": _csv(c.opt_out.keywords),
            "optoutMessage": c.opt_out.message,
            "helpKeywords": _csv(c.help.keywords),
            "helpMessage": c.help.message,
            "privacyPolicyLink": c.privacy_policy.url,
            "termsAndConditionsLink": c.terms.url,
            "termsAndConditions": bool(c.terms.url or c.terms.text),
        }
    )
    return {"brandRequest": brand, "campaignRequest": campaign}
