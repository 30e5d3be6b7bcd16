"""What a submission must contain, field by field (the registry refuses an incomplete one)."""

from __future__ import annotations

from consentry.compliance import Application

__all__ = ["missing_fields"]


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def missing_fields(app: Application) -> list[str]:
    """The paths of required fields that are empty, in file order."""
    b, c = app.business, app.campaign
    missing: list[str] = []
    required_business: list[tuple[str, str | None]] = [
        ("business.entity_type", b.entity_type),
        ("business.legal_name", b.legal_name),
        ("business.vertical", b.vertical),
        ("business.address.street", b.address.street),
        ("business.address.city", b.address.city),
        ("business.address.state", b.address.state),
        ("business.address.postal_code", b.address.postal_code),
        ("business.website", b.website),
        ("business.email", b.email),
        ("business.phone", b.phone),
    ]
    if (b.entity_type or "").upper() != "SOLE_PROPRIETOR":
        required_business.insert(2, ("business.ein", b.ein))
    missing.extend(path for path, value in required_business if _blank(value))
    required_campaign: list[tuple[str, str | None]] = [
        ("campaign.use_case", c.use_case),
        ("campaign.description", c.description),
        ("campaign.message_flow", c.message_flow),
        ("campaign.opt_in.method", c.opt_in.method),
    ]
    missing.extend(path for path, value in required_campaign if _blank(value))
    if not [s for s in c.sample_messages if s and s.strip()]:
        missing.append("campaign.sample_messages")
    if _blank(c.opt_in.text) and _blank(c.opt_in.form_html):
        missing.append("campaign.opt_in.text")
    if _blank(c.opt_out.message):
        missing.append("campaign.opt_out.message")
    if _blank(c.help.message):
        missing.append("campaign.help.message")
    if _blank(c.privacy_policy.url) and _blank(c.privacy_policy.text):
        missing.append("campaign.privacy_policy")
    if _blank(c.terms.url) and _blank(c.terms.text):
        missing.append("campaign.terms")
    return missing
