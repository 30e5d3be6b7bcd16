"""Rule implementations, one module per family of spec/rules.md. Importing registers them."""

from consentry.compliance.rules import (  # noqa: F401
    application,
    business,
    content,
    description,
    flow,
    general,
    keywords,
    optin,
    privacy,
    samples,
    terms,
)
