"""The fastest safe YAML loader available (libyaml's when installed)."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["SafeLoader"]

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
