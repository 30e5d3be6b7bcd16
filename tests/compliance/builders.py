"""Builders for test applications: the bundled example with some fields changed."""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

from consentry.compliance import Application, Report, check_application, load_application
from consentry.compliance.model import Finding
from tests.conftest import EXAMPLE

_INDEX = re.compile(r"(\w+)\[(\d+)\]")


@cache
def _example_data() -> dict[str, Any]:
    return load_application(EXAMPLE).model_dump()


def example_data() -> dict[str, Any]:
    """A fresh, mutable copy of the bundled example as plain data (files already read)."""
    return copy.deepcopy(_example_data())


def application(**changes: Any) -> Application:
    """The example with fields changed by key path: application(**{"business.ein": None})."""
    data = example_data()
    for path, value in changes.items():
        node: Any = data
        parts = path.split(".")
        for part in parts[:-1]:
            m = _INDEX.fullmatch(part)
            node = node[m.group(1)][int(m.group(2))] if m else node[part]
        last = parts[-1]
        m = _INDEX.fullmatch(last)
        if m:
            node[m.group(1)][int(m.group(2))] = value
        else:
            node[last] = value
    return Application.model_validate(data)


def check(**changes: Any) -> Report:
    """Check the example with fields changed."""
    return check_application(application(**changes))


def findings(report: Report, rule: str) -> list[Finding]:
    """The findings of one rule."""
    return [f for f in report.findings if f.rule == rule]


def fields(report: Report, rule: str) -> set[str | None]:
    """The fields one rule reported on."""
    return {f.field for f in findings(report, rule)}
