"""Reference data (keyword lists, phrase patterns, shorteners, vocabularies) from `data/*.yaml`.

Each data file maps a name to a list of regular-expression fragments (or plain words) and is
documented in its own header. Patterns compile once, case-insensitive, with word boundaries, and
an apostrophe in a fragment also matches a typographic one.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["data", "pattern", "words"]

from consentry.compliance._yaml import SafeLoader as _Loader
from consentry.compliance.literals import register_twin


@cache
def data(name: str) -> dict[str, Any]:
    """The parsed data file `data/{name}.yaml`."""
    text = (
        resources.files("consentry.compliance")
        .joinpath("data", f"{name}.yaml")
        .read_text(encoding="utf-8")
    )
    loaded = yaml.load(text, Loader=_Loader)
    if not isinstance(loaded, dict):
        raise ValueError(f"data/{name}.yaml must hold a mapping")
    return loaded


def _fragments(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = value.get("patterns", value.get("words", []))
    if not isinstance(value, list):
        raise ValueError(f"expected a list of patterns, got {type(value).__name__}")
    return [str(v) for v in value]


def _prepare(fragment: str) -> str:
    return fragment.replace("'", "['’]")


@cache
def pattern(name: str, key: str, *, bounded: bool = True) -> re.Pattern[str]:
    """One alternation of every fragment under `key` in `data/{name}.yaml`."""
    frags = [_prepare(f) for f in _fragments(data(name)[key])]
    body = "|".join(f"(?:{f})" for f in frags)
    if bounded:
        body = rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])"
    compiled = re.compile(body, re.I)
    register_twin(compiled, frags, bounded=bounded)
    return compiled


@cache
def words(name: str, key: str) -> frozenset[str]:
    """A set of lower-cased words or names under `key` in `data/{name}.yaml`."""
    return frozenset(w.lower() for w in _fragments(data(name)[key]))
