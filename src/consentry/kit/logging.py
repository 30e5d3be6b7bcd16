"""Structured logging: dotted event names, key-values, phone numbers masked."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["configure_logging", "get_logger", "mask_phone_numbers", "mask_phones_processor"]

# E.164 and common US renderings; digits in the middle are replaced, the last 4 kept.
_PHONE = re.compile(r"(?<![\w])(\+?1?[\s.-]?)\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})(?![\w])")


def mask_phone_numbers(text: str) -> str:
    """Hide all but the last four digits of every phone number in `text`."""
    return _PHONE.sub(lambda m: f"{m.group(1).strip()}***{m.group(4)}", text)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_phone_numbers(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def mask_phones_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask phone numbers in every value."""
    for key, value in list(event_dict.items()):
        event_dict[key] = _mask(value)
    return event_dict


def configure_logging(level: str = "INFO", *, json_lines: bool = False) -> None:
    """Set up structlog once for the process."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_phones_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None) -> Any:
    """A structlog logger; log with dotted event names: log.info("registration.submitted", ...)."""
    return structlog.get_logger(name)


# Until the process configures logging, log to stderr so stdout stays clean for command output.
if not structlog.is_configured():
    configure_logging()
