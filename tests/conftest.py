"""Shared test configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "consentry" / "examples" / "northside" / "application.yaml"


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE
