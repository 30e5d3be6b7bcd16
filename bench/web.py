"""Web UI benchmark: server time to render the dashboard, wizard, review queue and the
messaging pages (numbers, inbox, thread, message log).

    PYTHONPATH=src python bench/web.py [--applications 500] [--messages 10000] [--requests 100]
        [--database-url URL]

Builds a database (a temporary SQLite file unless --database-url names an empty PostgreSQL
database) with one customer holding `--applications` applications (drafts, submitted, in review,
rejected, approved; about a fifth with a temporary registration) and `--messages` messages
with 200 handsets on the customer's number, signs in a customer and a
reviewer, and times full requests through the ASGI app in process (routing, session, CSRF,
queries, the checker on the wizard step, Jinja2 rendering), with no network in between.

Prints p50/p95 per page against the floor (p95 under 200 ms) with PASS/FAIL; exits 1 when a page
misses it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from consentry.accounts.models import AccountKind, Role, User  # noqa: E402
from consentry.accounts.service import create_account  # noqa: E402
from consentry.accounts.users import create_user, principal_for  # noqa: E402
from consentry.api.app import create_app  # noqa: E402
from consentry.compliance import Application, load_application  # noqa: E402
from consentry.kit.clock import FrozenClock  # noqa: E402
from consentry.kit.db import Database  # noqa: E402
from consentry.kit.ids import new_id  # noqa: E402
from consentry.kit.logging import configure_logging  # noqa: E402
from consentry.kit.settings import Environment, Settings  # noqa: E402
from consentry.messaging.log_models import Conversation  # noqa: E402
from consentry.messaging.models import Direction, Message, MessageStatus, PhoneNumber  # noqa: E402
from consentry.migrations import upgrade  # noqa: E402
from consentry.registration import service  # noqa: E402

FLOOR_MS = 200.0
PASSWORD = "benchmark password 123"
NUMBER = "+15125550123"  # the example's number, listed by every application
EXAMPLE = ROOT / "src/consentry/examples/northside/application.yaml"


def seed(db: Database, count: int, clock: FrozenClock, settings: Settings) -> str:
    """`count` applications for one customer; the id of a draft to open in the wizard."""
    data = load_application(EXAMPLE).to_json()
    app = Application.model_validate(data)
    draft_id = ""
    with db.transaction() as s:
        provider = create_account(s, name="Provider", kind=AccountKind.PROVIDER)
        customer = create_account(
            s, name="Northside", kind=AccountKind.CUSTOMER, parent_id=provider.id
        )
        cu = create_user(
            s,
            account_id=customer.id,
            email="c@bench.example",
            password=PASSWORD,
            role=Role.CUSTOMER,
        )
        ru = create_user(
            s,
            account_id=provider.id,
            email="r@bench.example",
            password=PASSWORD,
            role=Role.REVIEWER,
        )
        me, staff = principal_for(s, cu), principal_for(s, ru)
        # Submitting needs the listed number to be the account's.
        s.add(PhoneNumber(id=new_id("num"), account_id=customer.id, number=NUMBER, settings={}))
        s.flush()
        for i in range(count):
            row = service.create_draft(s, me, application=app, clock=clock)
            kind = i % 5
            if kind == 0:
                draft_id = draft_id or row.id
                continue
            service.submit(s, me, application_id=row.id, clock=clock, settings=settings)
            if kind == 1:
                service.request_temporary_registration(s, me, application_id=row.id, clock=clock)
                service.issue_temporary_registration(
                    s, staff, application_id=row.id, clock=clock, settings=settings
                )
            elif kind == 2:
                service.start_review(s, staff, application_id=row.id, clock=clock)
            elif kind == 3:
                service.reject(
                    s,
                    staff,
                    application_id=row.id,
                    reasons_given=[service.ReasonInput("POLICY.PRIVACY")],
                    clock=clock,
                    settings=settings,
                )
            if i % 50 == 49:
                s.flush()
                clock.advance(hours=3)
    assert isinstance(cu, User)
    return draft_id


def seed_messages(db: Database, count: int, clock: FrozenClock) -> int:
    """`count` messages on the customer's number with 200 handsets (a third inbound, some
    failed); the id of the busiest conversation."""
    with db.transaction() as s:
        account_id = s.scalars(select(User.account_id).where(User.email == "c@bench.example")).one()
        start = clock.now() - timedelta(days=30)
        rows = []
        for i in range(count):
            handset = f"+1512555{i % 200:04d}"
            inbound = i % 3 == 0
            at = start + timedelta(minutes=4 * i)
            status = MessageStatus.RECEIVED if inbound else MessageStatus.DELIVERED
            failed = not inbound and i % 37 == 0
            rows.append(
                Message(
                    id=new_id("msg"),
                    account_id=account_id,
                    direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                    from_number=handset if inbound else NUMBER,
                    to_number=NUMBER if inbound else handset,
                    account_number=NUMBER,
                    remote_number=handset,
                    text=f"Northside PT: appointment {i} is confirmed. Reply STOP to opt out.",
                    media=[],
                    status=MessageStatus.FAILED if failed else status,
                    error_code="30006" if failed else None,
                    segments=1,
                    encoding="GSM-7",
                    attempts=0 if inbound else 1,
                    created_at=at,
                    updated_at=at,
                    read_at=at if inbound and i < count - 600 else None,
                )
            )
            if len(rows) == 1000:
                s.add_all(rows)
                s.flush()
                rows = []
        s.add_all(rows)
        s.flush()
        thread = s.scalars(
            select(Conversation.id).order_by(Conversation.last_message_at.desc()).limit(1)
        ).one()
    return int(thread)


def _signed_in(app: Any, email: str) -> TestClient:
    client = TestClient(app, base_url="https://testserver")  # the session cookie is Secure
    page = client.get("/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def _time(client: TestClient, path: str, runs: int) -> list[float]:
    for _ in range(5):  # warm-up: templates compiled, caches filled
        assert client.get(path).status_code == 200
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    """Run the benchmark; 0 when every page meets the floor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        db = Database(url)
        upgrade(db.engine)
        clock = FrozenClock()
        settings = Settings(
            environment=Environment.TEST,
            secret_key="bench-secret-key-0123456789abcdef",
            database_url=url,
            seed_demo=False,
        )
        started = time.perf_counter()
        draft_id = seed(db, args.applications, clock, settings)
        thread_id = seed_messages(db, args.messages, clock)
        seeded = time.perf_counter() - started
        app = create_app(settings, clock, db)
        customer = _signed_in(app, "c@bench.example")
        reviewer = _signed_in(app, "r@bench.example")
        pages = [
            ("dashboard (50 of them)", customer, "/"),
            ("wizard: consent step", customer, f"/applications/{draft_id}/edit/consent"),
            ("wizard: campaign step", customer, f"/applications/{draft_id}/edit/campaign"),
            ("wizard: review step", customer, f"/applications/{draft_id}/edit/review"),
            ("review queue", reviewer, "/review"),
            ("numbers", customer, "/numbers"),
            ("inbox (50 of 200 threads)", customer, "/inbox"),
            ("thread (50 messages)", customer, f"/inbox/{thread_id}"),
            ("logs (50 of them)", customer, "/logs"),
            ("logs: full text q", customer, "/logs?q=confirmed+appointment"),
            ("logs: failed", customer, "/logs?status=failed"),
        ]
        print(
            f"Web UI benchmark: {args.applications} applications and {args.messages} messages "
            f"on {db.dialect} "
            f"(seeded in {seeded:.1f} s), {args.requests} requests per page, "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs\n"
        )
        print(f"{'page':<26} {'p50 ms':>8} {'p95 ms':>8}   floor p95 < {FLOOR_MS:.0f} ms")
        failed = False
        for name, client, path in pages:
            times = _time(client, path, args.requests)
            p50, p95 = statistics.median(times), _pct(times, 0.95)
            ok = p95 < FLOOR_MS
            failed |= not ok
            print(f"{name:<26} {p50:8.1f} {p95:8.1f}   {'PASS' if ok else 'FAIL'}")
        db.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
