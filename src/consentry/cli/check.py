"""Checker commands: check, check-text, check-batch, rules, demo (spec/interfaces.md).

Exit codes: 0 pass, 1 fail, 2 bad input. Bad input is always a message on stderr with its code
and fix, never a traceback.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from consentry.compliance import (
    CheckInputError,
    Context,
    Report,
    check_application,
    check_text,
    load_application,
)
from consentry.compliance.batch import BatchStats, check_stream
from consentry.compliance.engine import application_texts, parse_kind, text_as_checked
from consentry.compliance.report import CATALOG_FORMATS, FORMATS, render, render_catalog, summary
from consentry.compliance.text import MAX_TEXT_CHARS
from consentry.examples import example_path

__all__ = ["COMMANDS", "EXIT_BAD_INPUT", "EXIT_FAIL", "EXIT_PASS", "example_path"]

EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2

_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file instead of the terminal.",
)


def _bad_input(err: CheckInputError) -> NoReturn:
    """Explain refused input on stderr and exit 2."""
    click.echo(f"error [{err.code}]: {err.message}", err=True)
    problems = err.details.get("problems") if err.details else None
    if isinstance(problems, list) and len(problems) > 1:
        for p in problems:
            where = f"line {p['line']}, column {p['column']}: " if "line" in p else ""
            click.echo(f"  - {where}{p.get('message', '')}", err=True)
    if err.fix:
        click.echo(f"  fix: {err.fix}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _wants_color(stream: IO[Any]) -> bool:
    """Color only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _emit(
    report: Report,
    fmt: str,
    sources: Mapping[str, str],
    *,
    title: str,
    output: Path | None,
) -> NoReturn:
    """Write the report to `output` or stdout and exit with the verdict's code."""
    if output is not None:
        content = render(report, fmt, sources, title=title)
        try:
            output.write_text(
                content if content.endswith("\n") else content + "\n", encoding="utf-8"
            )
        except OSError as exc:
            _bad_input(
                CheckInputError(
                    "OUTPUT_UNWRITABLE",
                    f"{output} cannot be written ({exc.strerror or exc}).",
                    fix="Choose a path in a folder that exists and is writable.",
                )
            )
        click.echo(f"{summary(report)} — the {fmt} report is in {output}", err=True)
    else:
        stdout = sys.stdout
        color = fmt == "text" and _wants_color(stdout)
        width = min(shutil.get_terminal_size((100, 24)).columns, 120) if color else 100
        content = render(report, fmt, sources, title=title, color=color, width=width)
        click.echo(content.rstrip("\n"), color=color)
    sys.exit(EXIT_PASS if report.passed else EXIT_FAIL)


def _application_title(app_file: Path, name: str | None) -> str:
    return (
        f"Compliance check: {name} ({app_file.name})" if name else f"Compliance check: {app_file}"
    )


@click.command("check")
@click.argument("app_file", type=click.Path(dir_okay=True, path_type=Path))
@_FORMAT
@_OUTPUT
def check(app_file: Path, fmt: str, output: Path | None) -> None:
    """Check a whole application file (exit 0 pass, 1 fail, 2 bad input)."""
    try:
        app = load_application(app_file)
        report = check_application(app)
        sources = application_texts(app)
    except CheckInputError as err:
        _bad_input(err)
    name = app.business.display_name or app.business.legal_name
    _emit(report, fmt, sources, title=_application_title(app_file, name), output=output)


def _read_text(source: str) -> str:
    """The text of FILE, or of stdin for '-', read no further than the checker's limit."""
    try:
        if source == "-":
            stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
            try:
                return stdin.read(MAX_TEXT_CHARS + 1)
            finally:
                stdin.detach()  # leave sys.stdin open
        with open(source, encoding="utf-8") as fh:
            return fh.read(MAX_TEXT_CHARS + 1)
    except FileNotFoundError:
        raise CheckInputError(
            "TEXT_FILE_NOT_FOUND",
            f"{source}: no such file.",
            fix="Check the path, or use - for stdin.",
        ) from None
    except IsADirectoryError:
        raise CheckInputError(
            "TEXT_FILE_NOT_FOUND", f"{source} is a folder, not a text file."
        ) from None
    except UnicodeDecodeError:
        raise CheckInputError(
            "TEXT_FILE_ENCODING", f"{source} is not UTF-8 text.", fix="Save it as UTF-8 text."
        ) from None
    except OSError as exc:
        raise CheckInputError(
            "TEXT_FILE_UNREADABLE", f"{source} cannot be read ({exc.strerror or exc})."
        ) from None


def _parse_context(raw: str | None, company: str | None) -> Context:
    """The context of --context-json (a JSON object) and --company."""
    data: Any = None
    if raw is not None:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CheckInputError(
                "CONTEXT_JSON_INVALID",
                f"--context-json is not valid JSON: {exc.msg} at column {exc.colno}.",
                fix='Pass a JSON object, e.g. --context-json \'{"use_case": "MARKETING"}\'.',
            ) from None
        if not isinstance(data, dict):
            raise CheckInputError(
                "CONTEXT_JSON_INVALID",
                "--context-json must be a JSON object.",
                fix='Pass a JSON object, e.g. --context-json \'{"use_case": "MARKETING"}\'.',
            )
    return Context.from_mapping(data, company=company)


@click.command("check-text")
@click.option(
    "--kind",
    required=True,
    help="opt_in, privacy_policy, terms, sample_message, campaign_description or message_flow.",
)
@click.option("--company", default=None, help="The business that sends (brand or legal name).")
@click.option("--context-json", default=None, help="More context as a JSON object.")
@_FORMAT
@_OUTPUT
@click.argument("file", type=str)
def check_text_command(
    kind: str,
    company: str | None,
    context_json: str | None,
    fmt: str,
    output: Path | None,
    file: str,
) -> None:
    """Check one text from FILE, or from stdin with '-' (exit 0 pass, 1 fail, 2 bad input).

    With --kind opt_in, FILE may be the HTML of the opt-in form.
    """
    try:
        parsed = parse_kind(kind)
        ctx = _parse_context(context_json, company)
        text = _read_text(file)
        report = check_text(parsed, text, ctx)
    except CheckInputError as err:
        _bad_input(err)
    sources = {parsed.value: text_as_checked(parsed, text)}
    where = "stdin" if file == "-" else Path(file).name
    _emit(report, fmt, sources, title=f"Compliance check: {parsed.value} ({where})", output=output)


class _Progress:
    """A progress bar on stderr, by bytes of input read."""

    def __init__(self, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            ProgressColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns: list[ProgressColumn | str] = [TextColumn("checking")]
        if total:
            columns += [BarColumn(), TaskProgressColumn()]
        columns.append(TextColumn("{task.fields[lines]:,} lines"))
        # Input of unknown size (stdin) has no end to estimate: show the time spent instead.
        columns.append(TimeRemainingColumn() if total else TimeElapsedColumn())
        self.bar = Progress(*columns, console=Console(stderr=True), transient=True)
        self.task = self.bar.add_task("check", total=total, lines=0)

    def __enter__(self) -> _Progress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def __call__(self, read: int, stats: BatchStats) -> None:
        self.bar.update(self.task, completed=read, lines=stats.lines)


def run_batch(
    source: IO[bytes], sink: IO[str], *, show_progress: bool, total: int | None, jobs: int = 1
) -> BatchStats:
    """Check a JSON Lines stream into `sink`, with a progress bar on stderr if asked."""
    if not show_progress:
        return check_stream(source, sink, jobs=jobs)
    with _Progress(total) as bar:
        return check_stream(source, sink, progress=bar, jobs=jobs)


def default_jobs() -> int:
    """Worker processes for check-batch: one per core."""
    return max(1, os.cpu_count() or 1)


@click.command("check-batch")
@click.argument("in_file", metavar="IN.jsonl", type=str)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the results here (JSON Lines) instead of stdout.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: one per core; 1 checks in this process).",
)
def check_batch(in_file: str, output: Path | None, jobs: int | None) -> None:
    """Check one text per JSON line of IN.jsonl ('-' for stdin); one result per line, same order.

    A bad line yields {"id", "error": {...}} and the batch goes on. Exit 0 when every line was
    processed, 2 when the input cannot be read.
    """
    total: int | None = None
    try:
        if in_file == "-":
            source: IO[bytes] = sys.stdin.buffer
        else:
            source = open(in_file, "rb")  # noqa: SIM115 - closed below, after the batch
            total = os.fstat(source.fileno()).st_size or None
    except FileNotFoundError:
        _bad_input(CheckInputError("BATCH_NOT_FOUND", f"{in_file}: no such file."))
    except IsADirectoryError:
        _bad_input(
            CheckInputError("BATCH_NOT_FOUND", f"{in_file} is a folder, not a JSON Lines file.")
        )
    except OSError as exc:
        _bad_input(
            CheckInputError(
                "BATCH_UNREADABLE", f"{in_file} cannot be read ({exc.strerror or exc})."
            )
        )
    try:
        if output is not None:
            try:
                sink: IO[str] = open(output, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            except OSError as exc:
                _bad_input(
                    CheckInputError(
                        "OUTPUT_UNWRITABLE",
                        f"{output} cannot be written ({exc.strerror or exc}).",
                        fix="Choose a path in a folder that exists and is writable.",
                    )
                )
        else:
            sink = sys.stdout
        show = bool(getattr(sys.stderr, "isatty", None) and sys.stderr.isatty())
        try:
            stats = run_batch(
                source, sink, show_progress=show, total=total, jobs=jobs or default_jobs()
            )
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly, as other line tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_BAD_INPUT)
        except OSError as exc:
            _bad_input(
                CheckInputError(
                    "BATCH_UNREADABLE", f"Reading or writing failed ({exc.strerror or exc})."
                )
            )
        finally:
            if output is not None:
                sink.close()
    finally:
        if in_file != "-":
            source.close()
    click.echo(
        f"{stats.lines:,} lines: {stats.passed:,} pass, {stats.failed:,} fail, "
        f"{stats.bad:,} could not be checked",
        err=True,
    )
    sys.exit(EXIT_PASS)


@click.command("rules")
@click.option(
    "--format", "fmt", type=click.Choice(CATALOG_FORMATS), default="text", show_default=True
)
def rules(fmt: str) -> None:
    """List the rule catalog: id, severity, kinds, description."""
    click.echo(render_catalog(fmt))


def demo_report() -> int:
    """Check the bundled example, print its text report, and return the exit code."""
    path = example_path()
    app = load_application(path)
    report = check_application(app)
    stdout = sys.stdout
    color = _wants_color(stdout)
    width = min(shutil.get_terminal_size((100, 24)).columns, 120) if color else 100
    title = _application_title(path, app.business.display_name or app.business.legal_name)
    click.echo(
        render(
            report, "text", application_texts(app), title=title, color=color, width=width
        ).rstrip(),
        color=color,
    )
    return EXIT_PASS if report.passed else EXIT_FAIL


@click.command("demo")
def demo() -> None:
    """Check the bundled example application and show the report."""
    demo_report()


COMMANDS = [check, check_text_command, check_batch, rules, demo]
