"""Loading an application file (YAML or JSON) with precise errors: line, column and key path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from consentry.compliance.application import Application
from consentry.compliance.errors import CheckInputError

__all__ = ["load_application", "parse_application", "validation_error"]

MAX_FILE_BYTES = 2_000_000


def _scalar_text(loader: Any, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


# The safe loader (libyaml when available), except that numbers, dates and booleans stay the text
# that was written: every scalar in an application is text, and YAML's typing corrupts it (ZIP
# 02134 read as the octal number 1116, phone +15125550100 losing its "+", keyword NO read as
# false). Pydantic turns "true"/"false"/"yes"/"no" back into booleans where a boolean belongs.
_Loader: Any = type("_ApplicationLoader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})
for _tag in ("int", "float", "bool", "timestamp"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _scalar_text)

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
    raw, tree = _parse(text, where)
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
    if tree is not None:
        _refuse_duplicate_keys(tree, (), where)
    _resolve_files(raw, base_dir, where)
    try:
        return Application.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, tree, source) from None


def _parse(text: str, where: str) -> tuple[Any, yaml.Node | None]:
    """The parsed document and its YAML node tree (for line numbers), or a syntax error."""
    if text.lstrip().startswith(("{", "[")):
        # JSON: parsed as JSON, since YAML rejects valid JSON such as "\ud83d\ude00" escapes;
        # numbers keep their text as in YAML. The YAML tree, when it parses, gives positions.
        try:
            raw = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
        except (json.JSONDecodeError, RecursionError):
            pass  # YAML flow style, or a JSON error that the YAML parser locates
        else:
            try:
                return raw, _compose(text)
            except (yaml.YAMLError, RecursionError):
                return raw, None
    try:
        return _load(text)
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
    except RecursionError:
        raise CheckInputError(
            "APPLICATION_SYNTAX",
            f"{where}the document is nested too deeply to be an application.",
            fix="Start from examples/northside/application.yaml.",
        ) from None


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def _load(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse once: the node tree, then the Python data built from it."""
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def _refuse_duplicate_keys(node: yaml.Node, path: tuple[Any, ...], where: str) -> None:
    """YAML keeps the last of two equal keys silently; an application must not lose a value."""
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is not None and name in seen:
                dotted = _path_str((*path, name))
                line = key.start_mark.line + 1
                raise CheckInputError(
                    "APPLICATION_INVALID",
                    f"{where}line {line}, column {key.start_mark.column + 1}: duplicate key "
                    f"'{dotted}'.",
                    fix="Keep one value per key; delete or merge the other.",
                    details={
                        "problems": [{"path": dotted, "message": "duplicate key", "line": line}]
                    },
                )
            seen.add(name)
            _refuse_duplicate_keys(value, (*path, name), where)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _refuse_duplicate_keys(item, (*path, i), where)


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
