"""Schema migrations (Alembic), shipped inside the package so an installed Consentry can migrate.

No alembic.ini is needed: `upgrade(url)` builds the configuration in code. Developers create a
revision with `python -m consentry.migrations revision -m "..." --autogenerate`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

__all__ = ["alembic_config", "upgrade"]

SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url`, pointing at this package's scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind `engine` to `revision` (the latest by default)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def main(argv: list[str] | None = None) -> None:
    """`python -m consentry.migrations ARGS`: alembic commands on the configured database."""
    from alembic.config import CommandLine

    from consentry.kit.settings import get_settings

    cli = CommandLine(prog="python -m consentry.migrations")
    options = cli.parser.parse_args(argv if argv is not None else sys.argv[1:])
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    cli.run_cmd(alembic_config(get_settings().database_url), options)
