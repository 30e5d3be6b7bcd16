"""Carrier adapters and the registry that builds one by name.

An adapter is registered by name with the import path of a factory (usually its class); the
module is imported only when that carrier is asked for, so an installation that never uses SMPP
never imports its client library. Add a built-in carrier to ``_BUILTIN``; an extension or a test
can add its own at run time with ``register_carrier``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from consentry.carriers.base import (
    Carrier,
    DeliveryReceipt,
    InboundMessage,
    OutboundMessage,
    SubmitResult,
)

__all__ = [
    "Carrier",
    "DeliveryReceipt",
    "InboundMessage",
    "OutboundMessage",
    "SubmitResult",
    "UnknownCarrierError",
    "carrier_names",
    "get_carrier",
    "register_carrier",
]

CarrierFactory = Callable[..., Carrier]

# name -> "module:attribute" of a callable taking the carrier's settings as keyword arguments.
_BUILTIN: dict[str, str] = {
    "loopback": "consentry.carriers.loopback:LoopbackCarrier",
    "smpp": "consentry.carriers.smpp:SmppCarrier",
}
_registered: dict[str, CarrierFactory] = {}


class UnknownCarrierError(LookupError):
    """No carrier is registered under the requested name."""


def register_carrier(name: str, factory: CarrierFactory) -> None:
    """Make get_carrier(name, **config) build a carrier with factory(**config)."""
    _registered[name] = factory


def carrier_names() -> list[str]:
    """Names get_carrier accepts, sorted."""
    return sorted({*_BUILTIN, *_registered})


def _factory(name: str) -> CarrierFactory:
    if name in _registered:
        return _registered[name]
    target = _BUILTIN.get(name)
    if target is None:
        raise UnknownCarrierError(
            f"unknown carrier {name!r}; known carriers: {', '.join(carrier_names())}"
        )
    module, _, attr = target.partition(":")
    factory: CarrierFactory = getattr(importlib.import_module(module), attr)
    return factory


def get_carrier(name: str, **config: Any) -> Carrier:
    """Build the carrier registered as name with its settings (not yet started)."""
    return _factory(name)(**config)
