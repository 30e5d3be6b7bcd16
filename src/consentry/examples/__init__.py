"""Bundled example applications: `northside` (compliant) and `broken` (fails many rules)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["example_path"]


def example_path(name: str = "northside") -> Path:
    """The application file of a bundled example."""
    return Path(str(resources.files("consentry.examples").joinpath(name, "application.yaml")))
