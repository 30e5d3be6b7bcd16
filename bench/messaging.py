"""Messaging throughput: the send API against a raw insert, and dispatch per worker.

Measured in one run, on one database (a temporary SQLite file, or CONSENTRY_BENCH_DATABASE_URL):
  batch API      accepted messages/s through POST /api/v1/messages/batch with every check
                 (registered sender, consent, opt-out, content), beside a raw batched INSERT of
                 the same rows into the same table; the ratio is the figure (floor 10 %)
  single API     POST /api/v1/messages one request at a time: requests/s and p99 latency
  loopback       queued -> sent through the dispatcher and the loopback carrier, receipts applied
                 concurrently by the receipt writer: one thread, and one worker process's
                 threads (worker_threads, 4) sharing the carrier; a floor holds when the better
                 of the two meets it (1,000/s; the thread count is a setting)
  SMPP           the same against the test SMSC (tests/carriers/smsc.py), window 10 (floor 500/s)
The API figures print "not available" when this checkout has no send endpoint.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import structlog

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/smpp.py would shadow the smpp.pdu3 package the test SMSC imports: drop bench/ itself.
sys.path[:] = [str(ROOT), str(ROOT / "src")] + [
    p for p in sys.path if Path(p or ".").resolve() != HERE
]

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from consentry.accounts.models import AccountKind, Role  # noqa: E402
from consentry.accounts.service import create_account, create_api_key  # noqa: E402
from consentry.api.app import create_app  # noqa: E402
from consentry.carriers.base import Carrier  # noqa: E402
from consentry.carriers.loopback import LoopbackCarrier  # noqa: E402
from consentry.consent.models import ConsentMethod  # noqa: E402
from consentry.consent.service import record_consent  # noqa: E402
from consentry.kit.clock import SystemClock  # noqa: E402
from consentry.kit.db import Database  # noqa: E402
from consentry.kit.ids import new_id  # noqa: E402
from consentry.kit.settings import Environment, Settings  # noqa: E402
from consentry.messaging.dispatch import Dispatcher  # noqa: E402
from consentry.messaging.models import Direction, Message, MessageStatus, PhoneNumber  # noqa: E402
from consentry.messaging.ratelimit import DatabaseRateLimiter  # noqa: E402
from consentry.migrations import upgrade  # noqa: E402
from consentry.registration.models import Application, ApplicationStatus  # noqa: E402
from consentry.worker import ReceiptWriter  # noqa: E402

SENDER = "+15125550123"
TEXT = "Northside PT: your appointment is tomorrow at 10:00. Reply STOP to opt out."
FLOOR_RATIO = 0.10
FLOOR_LOOPBACK = 1000.0
FLOOR_SMPP = 500.0
BATCH = 100


def _recipient(i: int) -> str:
    return f"+1512{6000000 + i:07d}"


def _setup(db: Database, recipients: int) -> tuple[str, str, str]:
    """A customer with a key, an approved program on SENDER, and consent for each recipient."""
    from tests.support.builders import example_json

    clock = SystemClock()
    with db.transaction() as s:
        account = create_account(s, name="Northside Physical Therapy", kind=AccountKind.CUSTOMER)
        key = create_api_key(s, account_id=account.id, role=Role.CUSTOMER).plaintext
        s.add(PhoneNumber(id=new_id("num"), account_id=account.id, number=SENDER, settings={}))
        data = example_json()
        data["campaign"]["phone_numbers"] = [SENDER]
        app = Application(
            id=new_id("app"),
            account_id=account.id,
            status=ApplicationStatus.APPROVED,
            business=data["business"],
            campaign=data["campaign"],
        )
        s.add(app)
        s.flush()
        for i in range(recipients):
            record_consent(
                s,
                account_id=account.id,
                application_id=app.id,
                phone=_recipient(i),
                method=ConsentMethod.WEB_FORM,
                disclosure_text=data["campaign"]["opt_in"]["text"],
                source={"form_id": "bench"},
                now=clock.now(),
            )
        return account.id, app.id, key


def _rows(account_id: str, app_id: str, n: int, offset: int = 0) -> list[dict[str, Any]]:
    now = SystemClock().now()
    return [
        {
            "id": new_id("msg"),
            "account_id": account_id,
            "application_id": app_id,
            "direction": Direction.OUTBOUND,
            "from_number": SENDER,
            "to_number": _recipient(offset + i),
            "account_number": SENDER,
            "remote_number": _recipient(offset + i),
            "text": TEXT,
            "media": [],
            "status": MessageStatus.QUEUED,
            "segments": 1,
            "encoding": "GSM-7",
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]


def raw_insert(db: Database, account_id: str, app_id: str, n: int) -> float:
    """Rows/s of a batched INSERT of n queued messages (batches of 500, one commit each)."""
    rows = _rows(account_id, app_id, n)
    start = time.perf_counter()
    for i in range(0, n, 500):
        with db.transaction() as s:
            s.execute(insert(Message), rows[i : i + 500])
    return n / (time.perf_counter() - start)


def batch_api(client: TestClient, key: str, n: int, offset: int) -> float | None:
    """Accepted messages/s through POST /api/v1/messages/batch, or None when it is missing."""
    headers = {"Authorization": f"Bearer {key}"}
    body = {
        "messages": [
            {"from": SENDER, "to": _recipient(offset + i), "text": TEXT} for i in range(BATCH)
        ]
    }
    probe = client.post("/api/v1/messages/batch", json=body, headers=headers)
    if probe.status_code in (404, 405):
        return None
    if probe.status_code >= 400:
        print(f"batch API refused the benchmark batch: {probe.status_code} {probe.text[:300]}")
        return None
    start = time.perf_counter()
    sent = 0
    for i in range(BATCH, n, BATCH):
        part = {
            "messages": [
                {"from": SENDER, "to": _recipient(offset + i + j), "text": TEXT}
                for j in range(BATCH)
            ]
        }
        r = client.post("/api/v1/messages/batch", json=part, headers=headers)
        r.raise_for_status()
        # Only accepted messages count: a refused item did the checks but wrote nothing.
        sent += int(r.json()["accepted"])
    return sent / (time.perf_counter() - start)


def single_api(client: TestClient, key: str, n: int) -> tuple[float, float] | None:
    """(requests/s, p99 ms) of POST /api/v1/messages, or None when it is missing."""
    headers = {"Authorization": f"Bearer {key}"}
    probe = client.post(
        "/api/v1/messages",
        json={"from": SENDER, "to": _recipient(0), "text": TEXT},
        headers=headers,
    )
    if probe.status_code in (404, 405):
        return None
    if probe.status_code >= 400:
        print(f"send API refused the benchmark message: {probe.status_code} {probe.text[:300]}")
        return None
    latencies = []
    start = time.perf_counter()
    for i in range(1, n):
        t = time.perf_counter()
        r = client.post(
            "/api/v1/messages",
            json={"from": SENDER, "to": _recipient(i), "text": TEXT},
            headers=headers,
        )
        latencies.append(time.perf_counter() - t)
        r.raise_for_status()
    rate = (n - 1) / (time.perf_counter() - start)
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    return rate, p99


def dispatch_rate(
    db: Database, settings: Settings, carrier: Carrier, ids: list[str], threads: int = 1
) -> float:
    """Messages/s from queued to sent through `threads` dispatching threads sharing one carrier
    (batches of BATCH), as a worker process runs them."""
    clock = SystemClock()
    receipts = ReceiptWriter(db, clock)
    receipts.start()
    carrier.start(on_receipt=receipts.add, on_inbound=lambda m: None)
    if hasattr(carrier, "wait_bound") and not carrier.wait_bound(5):
        raise SystemExit("could not bind to the test SMSC")
    dispatcher = Dispatcher(
        db=db, carrier=carrier, limiter=DatabaseRateLimiter(), settings=settings, clock=clock
    )
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        sent = sum(len(r.sent) for r in pool.map(dispatcher.dispatch, batches))
    elapsed = time.perf_counter() - start
    receipts.stop()
    carrier.close()
    if sent != len(ids):
        print(f"warning: {len(ids) - sent} of {len(ids)} messages were not sent")
    return sent / elapsed


def _queued(db: Database, account_id: str, app_id: str, n: int) -> list[str]:
    rows = _rows(account_id, app_id, n)
    with db.transaction() as s:
        s.execute(insert(Message), rows)
    return [r["id"] for r in rows]


def _verdict(value: float, floor: float) -> str:
    return "PASS" if value >= floor else "FAIL"


def main() -> int:
    """Run every measurement and print the table; exit 1 when a floor is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="messages per measurement")
    parser.add_argument("--requests", type=int, default=500, help="single-message API requests")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    n = args.messages
    tmp = tempfile.mkdtemp(prefix="consentry-bench-")
    url = os.environ.get("CONSENTRY_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    db = Database(url, sqlite_pool=True)
    upgrade(db.engine)
    settings = Settings(
        environment=Environment.TEST,
        secret_key="bench-secret-key-not-a-placeholder-0123456789",
        database_url=url,
        seed_demo=False,
        queue_url=f"sqlite:///{tmp}/queue.db",
        # Limits high enough not to defer anything, low enough that they are counted.
        rate_limit_number_per_minute=10_000_000,
        rate_limit_campaign_per_minute=10_000_000,
    )
    account_id, app_id, key = _setup(db, n + args.requests + BATCH)
    failed = False
    rows: list[tuple[str, str, str]] = []

    raw = raw_insert(db, account_id, app_id, n)
    rows.append(("raw batched INSERT of queued rows", f"{raw:,.0f} rows/s", ""))
    with TestClient(create_app(settings, SystemClock(), db)) as client:
        batch = batch_api(client, key, n, offset=0)
        if batch is None:
            rows.append(("batch API (POST /api/v1/messages/batch)", "not available", ""))
        else:
            ratio = batch / raw
            failed |= ratio < FLOOR_RATIO
            rows.append(("batch API, accepted", f"{batch:,.0f} msg/s", ""))
            rows.append(
                ("batch API / raw insert", f"{ratio:.1%}", f">= 10% {_verdict(ratio, FLOOR_RATIO)}")
            )
        single = single_api(client, key, args.requests)
        if single is None:
            rows.append(("single-message API (POST /api/v1/messages)", "not available", ""))
        else:
            rows.append(("single-message API", f"{single[0]:,.0f} req/s", ""))
            rows.append(("single-message API p99", f"{single[1]:.1f} ms", ""))

    threads = settings.worker_threads
    loop_one = dispatch_rate(
        db,
        settings,
        LoopbackCarrier(database=db, receipt_delay=0.0),
        _queued(db, account_id, app_id, n),
    )
    rows.append(("loopback dispatch, 1 worker thread", f"{loop_one:,.0f} msg/s", ""))
    loop = dispatch_rate(
        db,
        settings,
        LoopbackCarrier(database=db, receipt_delay=0.0),
        _queued(db, account_id, app_id, n),
        threads,
    )
    failed |= loop < FLOOR_LOOPBACK
    rows.append(
        (
            f"loopback dispatch, 1 worker ({threads} threads)",
            f"{loop:,.0f} msg/s",
            f">= 1,000 {_verdict(loop, FLOOR_LOOPBACK)}",
        )
    )

    from tests.carriers.smsc import Smsc

    from consentry.carriers.smpp import SmppCarrier

    def smpp_rate(threads: int) -> float:
        with Smsc() as smsc:
            smpp = SmppCarrier(
                host="127.0.0.1",
                port=smsc.port,
                system_id="consentry",
                password="secret",
                window=10,
            )
            ids = _queued(db, account_id, app_id, min(n, 3000))
            return dispatch_rate(db, settings, smpp, ids, threads)

    smpp_one = smpp_rate(1)
    rows.append(("SMPP dispatch, window 10, 1 worker thread", f"{smpp_one:,.0f} msg/s", ""))
    rate = smpp_rate(threads)
    failed |= rate < FLOOR_SMPP
    rows.append(
        (
            f"SMPP dispatch, window 10, 1 worker ({threads} threads)",
            f"{rate:,.0f} msg/s",
            f">= 500 {_verdict(rate, FLOOR_SMPP)}",
        )
    )

    print(f"database: {db.dialect}; {n} messages per measurement")
    width = max(len(r[0]) for r in rows)
    for name, value, floor in rows:
        print(f"  {name:<{width}}  {value:>16}  {floor}")
    db.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
