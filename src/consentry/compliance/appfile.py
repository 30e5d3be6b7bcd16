"""Loading an application file (YAML or JSON) with precise errors: line, column and key path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from consentry.compliance._yaml import SafeLoader as _Loader
from consentry.compliance.application import Application
from consentry.compliance.errors import CheckInputError

__all__ = ["load_application", "parse_application", "validation_error"]

MAX_FILE_BYTES = 2_000_000


# (text field, file field) pairs resolved relative to the application file.
_FILE_FIELDS = (
    (("campaign", "opt_in"), "text", "text_file"),
    (("campaign", "opt_in"), "form_html", "form_html_file"),
    (("campaign", "privacy_policy"), "text", "text_file"),
    (("campaign", "terms"), "text", "text_file"),
)


def _path_str(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _mark_for(node: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Mark | None:
    """The source position of the key path `loc` in a composed YAML tree (deepest found)."""
    mark = node.start_mark if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    mark, node = key.start_mark, value
                    break
            else:
                return mark
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            mark = node.start_mark
        else:
            return mark
    return mark


def validation_error(
    exc: ValidationError, tree: yaml.Node | None, source: str | None = None
) -> CheckInputError:
    """One clear error for every problem pydantic found, each with its key path (and line)."""
    problems: list[dict[str, Any]] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _path_str(loc)
        if err["type"] == "extra_forbidden":
            sentence = f"unknown key '{path}'"
        elif err["type"] == "missing":
            sentence = f"'{path}' is required"
        else:
            sentence = f"'{path}': {err['msg'][0].lower()}{err['msg'][1:]}"
        mark = _mark_for(tree, loc)
        problem: dict[str, Any] = {"path": path, "message": sentence}
        if mark is not None:
            problem["line"] = mark.line + 1
            problem["column"] = mark.column + 1
            sentence = f"line {mark.line + 1}, column {mark.column + 1}: {sentence}"
        problems.append(problem)
        problem["text"] = sentence
    where = f"{source}: " if source else ""
    first = problems[0]["text"] if problems else "invalid application"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return CheckInputError(
        "APPLICATION_INVALID",
        f"{where}{first}{more}.",
        fix="Correct the keys and types named; spec/application.md lists every field.",
        details={"problems": [{k: v for k, v in p.items() if k != "text"} for p in problems]},
    )


def parse_application(
    text: str, *, source: str | None = None, base_dir: Path | None = None
) -> Application:
    """Parse YAML or JSON text into an Application; `*_file` fields resolve against `base_dir`."""
    where = f"{source}: " if source else ""
    try:
        tree = yaml.compose(text, Loader=_Loader)
        raw = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        pos = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CheckInputError(
            "APPLICATION_SYNTAX",
            f"{where}{pos}{exc.problem or 'invalid YAML/JSON'}.",
            fix="Fix the syntax at that position (indentation, quotes, colons).",
            details={
                "line": mark.line + 1 if mark else None,
                "column": mark.column + 1 if mark else None,
            },
        ) from None
    except yaml.YAMLError as exc:
        raise CheckInputError("APPLICATION_SYNTAX", f"{where}{exc}.") from None
    if raw is None:
        raise CheckInputError(
            "APPLICATION_EMPTY",
            f"{where}the file is empty.",
            fix="Start from examples/northside/application.yaml.",
        )
    if not isinstance(raw, dict):
        raise CheckInputError(
            "APPLICATION_INVALID",
            f"{where}the top level must be a mapping with 'business' and 'campaign'.",
            fix="Start from examples/northside/application.yaml.",
        )
    _resolve_files(raw, base_dir, where)
    try:
        return Application.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, tree, source) from None


def _resolve_files(raw: dict[str, Any], base_dir: Path | None, where: str) -> None:
    for parents, text_key, file_key in _FILE_FIELDS:
        node: Any = raw
        for p in parents:
            node = node.get(p) if isinstance(node, dict) else None
        if not isinstance(node, dict) or node.get(file_key) is None:
            continue
        name = node[file_key]
        path_str = ".".join((*parents, file_key))
        if not isinstance(name, str):
            raise CheckInputError(
                "APPLICATION_INVALID", f"{where}'{path_str}' must be a file path."
            )
        if node.get(text_key):
            raise CheckInputError(
                "APPLICATION_INVALID",
                f"{where}'{'.'.join(parents)}' has both {text_key} and {file_key}.",
                fix=f"Give the text inline ({text_key}) or as a file ({file_key}), not both.",
            )
        if base_dir is None:
            raise CheckInputError(
                "APPLICATION_INVALID",
                f"{where}'{path_str}' names a file, but this input has no folder to read it from.",
                fix=f"Give the text inline as '{text_key}'.",
            )
        path = (base_dir / name).resolve()
        try:
            node[text_key] = _read_text(path)
        except OSError as exc:
            raise CheckInputError(
                "APPLICATION_FILE_UNREADABLE",
                f"{where}'{path_str}' names {name}, which cannot be read ({exc.strerror or exc}).",
                fix="Check the path; it is relative to the application file.",
            ) from None
        del node[file_key]


def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CheckInputError(
            "APPLICATION_FILE_TOO_LARGE",
            f"{path.name} is larger than {MAX_FILE_BYTES:,} bytes.",
            fix="Check the document itself, not an archive or export of it.",
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CheckInputError(
            "APPLICATION_FILE_ENCODING",
            f"{path.name} is not UTF-8 text.",
            fix="Save it as UTF-8 text.",
        ) from None


def load_application(path: str | Path) -> Application:
    """Load an application file from disk (YAML or JSON)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise CheckInputError(
                "APPLICATION_FILE_TOO_LARGE", f"{p} is larger than {MAX_FILE_BYTES:,} bytes."
            )
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CheckInputError("APPLICATION_NOT_FOUND", f"{p}: no such file.") from None
    except IsADirectoryError:
        raise CheckInputError(
            "APPLICATION_NOT_FOUND", f"{p} is a folder, not an application file."
        ) from None
    except UnicodeDecodeError:
        raise CheckInputError("APPLICATION_FILE_ENCODING", f"{p} is not UTF-8 text.") from None
    if p.suffix.lower() == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise CheckInputError(
                "APPLICATION_SYNTAX",
                f"{p}: line {exc.lineno}, column {exc.colno}: {exc.msg}.",
                details={"line": exc.lineno, "column": exc.colno},
            ) from None
    return parse_application(text, source=str(p), base_dir=p.parent)
