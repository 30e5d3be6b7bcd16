"""Consentry: US business texting done right — registration, compliance, consent and messaging."""

__version__ = "0.1.0"
