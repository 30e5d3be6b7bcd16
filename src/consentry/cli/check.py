"""Checker commands: check, check-text, check-batch, rules, demo."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import click

from consentry.compliance import CheckInputError, catalog, check_application, load_application

EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


def _bad_input(err: CheckInputError) -> None:
    click.echo(f"error [{err.code}]: {err.message}", err=True)
    if err.fix:
        click.echo(f"  fix: {err.fix}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def example_path() -> Path:
    """The bundled example application."""
    return Path(str(resources.files("consentry.examples").joinpath("northside", "application.yaml")))


@click.command("check")
@click.argument("app_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "markdown"]), default="text")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def check(app_file: Path, fmt: str, output: Path | None) -> None:
    """Check a whole application file (exit 0 pass, 1 fail, 2 bad input)."""
    try:
        report = check_application(load_application(app_file))
    except CheckInputError as err:
        _bad_input(err)
        return
    out = json.dumps(report.to_dict(), indent=2)
    if output:
        output.write_text(out + "\n", encoding="utf-8")
    else:
        click.echo(out)
    sys.exit(EXIT_PASS if report.passed else EXIT_FAIL)


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules(fmt: str) -> None:
    """List the rule catalog."""
    specs = list(catalog().values())
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in specs], indent=2))
        return
    for s in specs:
        click.echo(f"{s.id:<24} {s.severity!s:<8} {s.description}")


@click.command("demo")
def demo() -> None:
    """Check the bundled example application and show the report."""
    path = example_path()
    click.echo(f"Checking the bundled example: {path}")
    report = check_application(load_application(path))
    click.echo(json.dumps(report.to_dict(), indent=2))


COMMANDS = [check, rules, demo]
