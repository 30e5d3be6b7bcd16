"""Server commands: serve, worker, accounts create, timeline."""

from __future__ import annotations

import json
import secrets
import sys
from datetime import date
from typing import TYPE_CHECKING

import click
from sqlalchemy import func, select

from consentry.accounts.models import Account, AccountKind, Role
from consentry.accounts.scope import Principal
from consentry.accounts.service import create_account, create_api_key, kind_for_role
from consentry.accounts.users import create_user
from consentry.compliance import load_application
from consentry.compliance.engine import warm_up
from consentry.kit.clock import SystemClock
from consentry.kit.db import Database
from consentry.kit.errors import DomainError
from consentry.kit.logging import configure_logging, get_logger
from consentry.kit.settings import Settings, get_settings
from consentry.messaging.numbers.service import add_number
from consentry.migrations import upgrade
from consentry.registration.calendar import decision_window
from consentry.registration.service import create_draft

if TYPE_CHECKING:
    from consentry.worker import Pipeline

__all__ = ["COMMANDS"]

EXIT_BAD_INPUT = 2
DEMO_USER = "demo@consentry.local"
DEMO_REVIEWER = "reviewer@consentry.local"
log = get_logger(__name__)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        click.echo(f"error [SETTINGS_INVALID]: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)


def _seed_demo(db: Database) -> dict[str, str] | None:
    """On an empty database: a provider with a reviewer key and user, and "Demo Clinic" with a
    customer key, a customer user and a draft. Passwords are random and shown once."""
    from consentry.cli.check import example_path

    with db.transaction() as session:
        if session.scalar(select(func.count()).select_from(Account)):
            return None
        provider = create_account(session, name="Consentry Provider", kind=AccountKind.PROVIDER)
        reviewer = create_api_key(session, account_id=provider.id, role=Role.REVIEWER, name="demo")
        clinic = create_account(
            session, name="Demo Clinic", kind=AccountKind.CUSTOMER, parent_id=provider.id
        )
        customer = create_api_key(session, account_id=clinic.id, role=Role.CUSTOMER, name="demo")
        principal = Principal(
            api_key_id=customer.api_key.id,
            account_id=clinic.id,
            account_path=clinic.path,
            role=Role.CUSTOMER,
        )
        user_password = secrets.token_urlsafe(12)
        reviewer_password = secrets.token_urlsafe(12)
        create_user(
            session,
            account_id=clinic.id,
            email=DEMO_USER,
            password=user_password,
            role=Role.CUSTOMER,
            name="Demo Clinic",
        )
        create_user(
            session,
            account_id=provider.id,
            email=DEMO_REVIEWER,
            password=reviewer_password,
            role=Role.REVIEWER,
            name="Demo reviewer",
        )
        example = load_application(example_path())
        # The demo owns the example's numbers, so the draft can be submitted as it stands.
        for number in example.campaign.phone_numbers:
            add_number(session, principal, number=number)
        draft = create_draft(session, principal, application=example, clock=SystemClock())
        return {
            "customer_key": customer.plaintext,
            "reviewer_key": reviewer.plaintext,
            "application_id": draft.id,
            "container_id": clinic.container_id or "",
            "user_email": DEMO_USER,
            "user_password": user_password,
            "reviewer_email": DEMO_REVIEWER,
            "reviewer_password": reviewer_password,
        }


def _print_demo(seed: dict[str, str], base: str) -> None:
    key, rkey, app_id = seed["customer_key"], seed["reviewer_key"], seed["application_id"]
    click.echo(
        "\nSeeded a demo: customer account 'Demo Clinic' "
        f"(container {seed['container_id']}) with the example application as a draft.\n"
        "Sign in to the web UI at "
        f"{base}/signin (these passwords and keys are shown once):\n"
        f"  customer: {seed['user_email']}  password: {seed['user_password']}\n"
        f"  reviewer: {seed['reviewer_email']}  password: {seed['reviewer_password']}\n"
        "API keys:\n"
        f"  customer key: {key}\n"
        f"  reviewer key: {rkey}\n\n"
        "Try:\n"
        f"  curl -s {base}/api/v1/applications/{app_id} -H 'Authorization: Bearer {key}'\n"
        f"  curl -s -X POST {base}/api/v1/applications/{app_id}/submit "
        f"-H 'Authorization: Bearer {key}'\n"
        f"  curl -s {base}/api/v1/review/queue -H 'Authorization: Bearer {rkey}'\n"
        f"  curl -s -X POST {base}/api/v1/review/applications/{app_id}/approve "
        f"-H 'Authorization: Bearer {rkey}'\n"
        f"  OpenAPI: {base}/docs\n"
    )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the API and web UI on the configured database (migrations applied first)."""
    import uvicorn

    from consentry.api.app import create_app

    settings = _settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    db = Database(settings.database_url, sqlite_pool=True)
    upgrade(db.engine)
    log.info("server.migrated", database=db.engine.url.render_as_string(hide_password=True))
    if settings.seed_demo:
        seed = _seed_demo(db)
        if seed:
            _print_demo(seed, f"http://{host}:{port}")
    clock = SystemClock()
    app = create_app(settings, clock, db)
    # The checker loads its language model and dictionaries now, not on a user's first check.
    warm_up()
    pipeline = _pipeline(settings, db, clock)
    if settings.embedded_worker:
        pipeline.start(settings.worker_threads)
        log.info("server.worker_started", threads=settings.worker_threads)
    else:
        pipeline.install()  # accept here, dispatch in `consentry worker` processes
    click.echo(f"Consentry is running: sign in at http://{host}:{port}/signin")
    try:
        uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())
    finally:
        pipeline.stop()


def _pipeline(settings: Settings, db: Database, clock: SystemClock) -> Pipeline:
    from consentry.worker import Pipeline

    return Pipeline(settings, database=db, clock=clock)


@click.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Consumer threads (default: CONSENTRY_WORKER_THREADS, 4).",
)
def worker(workers: int | None) -> None:
    """Consume the queue in the foreground (scale-out; stop with Ctrl-C or SIGTERM)."""
    settings = _settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    db = Database(settings.database_url, sqlite_pool=True)
    upgrade(db.engine)
    pipeline = _pipeline(settings, db, SystemClock())
    warm_up()  # messages are checked before they are sent
    log.info(
        "worker.started",
        threads=workers or settings.worker_threads,
        queue=settings.effective_queue_url.split("@")[-1],
        carrier=settings.carrier,
    )
    pipeline.run(workers)


@click.group("accounts")
def accounts() -> None:
    """Manage accounts and API keys."""


@accounts.command("create")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.CUSTOMER.value,
    show_default=True,
    help="The role of the account's first API key.",
)
@click.option("--parent", "parent_id", default=None, help="Id of the parent (provider/reseller).")
@click.option("--json", "as_json", is_flag=True, help="Print {id, container_id, api_key} as JSON.")
def accounts_create(name: str, role: str, parent_id: str | None, as_json: bool) -> None:
    """Create an account with its first API key (the key is shown once)."""
    settings = _settings()
    db = Database(settings.database_url)
    upgrade(db.engine)
    the_role = Role(role)
    try:
        with db.transaction() as session:
            account = create_account(
                session, name=name, kind=kind_for_role(the_role), parent_id=parent_id
            )
            issued = create_api_key(session, account_id=account.id, role=the_role)
            out = {
                "id": account.id,
                "container_id": account.container_id,
                "api_key": issued.plaintext,
            }
    except DomainError as err:
        click.echo(f"error [{err.code}]: {err.message}", err=True)
        if err.fix:
            click.echo(f"  fix: {err.fix}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    finally:
        db.dispose()
    if as_json:
        click.echo(json.dumps(out))
        return
    click.echo(f"account {out['id']} ({kind_for_role(the_role)})")
    if out["container_id"]:
        click.echo(f"container id: {out['container_id']}")
    click.echo(f"API key (shown once): {out['api_key']}")


@click.command("timeline")
@click.option("--submitted", "submitted", required=True, help="Submission date, YYYY-MM-DD.")
def timeline(submitted: str) -> None:
    """The expected decision window: 15-20 US business days (federal holidays excluded)."""
    try:
        day = date.fromisoformat(submitted.strip())
    except ValueError:
        click.echo(
            f"error [INVALID_DATE]: '{submitted}' is not a date; use YYYY-MM-DD, e.g. 2026-11-20.",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
    settings = _settings()
    window = decision_window(
        day, min_days=settings.decision_days_min, max_days=settings.decision_days_max
    )
    click.echo(json.dumps(window.to_dict()))


COMMANDS = [serve, worker, accounts, timeline]
