"""`consentry documents`: write an application's generated documents and their check verdicts.

Exit codes: 0 every document passes, 1 a document fails the checker, 2 bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from consentry.cli.check import EXIT_BAD_INPUT, EXIT_FAIL, EXIT_PASS
from consentry.compliance import CheckInputError, Severity, load_application
from consentry.documents import FILES, check_documents, generate, render_file

__all__ = ["COMMANDS"]


def _bad_input(err: CheckInputError) -> NoReturn:
    """Explain refused input on stderr (every problem, with its fix) and exit 2."""
    click.echo(f"error [{err.code}]: {err.message}", err=True)
    problems = err.details.get("problems") if err.details else None
    if isinstance(problems, list) and len(problems) > 1:
        for p in problems:
            where = f"line {p['line']}, column {p['column']}: " if "line" in p else ""
            fix = f" ({p['fix']})" if p.get("fix") else ""
            click.echo(f"  - {where}{p.get('message', '')}{fix}", err=True)
    if err.fix:
        click.echo(f"  fix: {err.fix}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@click.command("documents")
@click.argument("app_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the documents to (created if missing).",
)
def documents(app_file: Path, out_dir: Path) -> None:
    """Generate the opt-in forms, privacy policy, SMS terms and keyword replies of APP_FILE."""
    try:
        app = load_application(app_file)
        docs = generate(app)
    except CheckInputError as err:
        _bad_input(err)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            (out_dir / name).write_bytes(render_file(docs, name))
    except OSError as exc:
        _bad_input(
            CheckInputError(
                "OUTPUT_UNWRITABLE",
                f"{out_dir} cannot be written ({exc.strerror or exc}).",
                fix="Choose a folder that exists or can be created, and is writable.",
            )
        )
    reports = check_documents(docs, app)
    width = max(len(n) for n in FILES)
    click.echo(f"Documents for {docs.profile.brand} in {out_dir}:")
    for name, spec in FILES.items():
        report = reports[name]
        verdict = "pass" if report.passed else "FAIL"
        click.echo(
            f"  {name:<{width}}  {verdict}  {report.errors} error(s), "
            f"{report.warnings} warning(s)  {spec.title}"
        )
        for finding in report.findings:
            if finding.severity is not Severity.INFO:
                click.echo(f"      {finding.rule} [{finding.severity}] {finding.message}")
    for reply in docs.replies:
        click.echo(
            f"  {reply.role!s:<20} {reply.segments} segment(s), {reply.encoding}, "
            f"{len(reply.text)} chars: {reply.text}"
        )
    sys.exit(EXIT_PASS if all(r.passed for r in reports.values()) else EXIT_FAIL)


COMMANDS: list[click.Command] = [documents]
