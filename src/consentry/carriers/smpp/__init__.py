"""SMPP 3.4 carrier adapter."""

from __future__ import annotations

from consentry.carriers.smpp.carrier import SmppCarrier, SmppConfig

__all__ = ["SmppCarrier", "SmppConfig"]
