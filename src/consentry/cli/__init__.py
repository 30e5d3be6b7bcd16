"""The `consentry` command (spec/interfaces.md)."""

from __future__ import annotations

import click

from consentry import __version__
from consentry.cli import check as _check
from consentry.cli import documents as _documents
from consentry.cli import server as _server

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="consentry")
def main() -> None:
    """Consentry: SMS registration, compliance checking, consent and messaging for US businesses."""


for _command in _check.COMMANDS + _server.COMMANDS + _documents.COMMANDS:
    main.add_command(_command)
