"""Message-log latency on a large database: log pages, deep pages, full text, conversation lists.

Builds (or reuses) a database of N messages — 50 accounts x 4 numbers, ~1,000 remote numbers per
number, bodies drawn from a small vocabulary so full text has common and rare words — then times
the repository functions the API calls (ORM session included):

  log page, first      search_messages(number=...) limit 50
  log page, deep       the same with a cursor 2,000 rows down
  full text            search_messages(q=...) in one account, limit 50
  conversation list    list_conversations(number) limit 50

The bulk load drops the triggers, copies rows in, then builds conversations and the full-text
index in bulk and re-creates the triggers (the migration's own SQL); a final slice of messages is
then inserted with the triggers live, and its rate is reported. Floors (p95): log pages and
conversation list <= 20 ms, full text <= 100 ms on SQLite; exits 1 when one is missed.

    ./run bench logs                                   # SQLite, 1,000,000 messages
    ./run bench logs --database-url postgresql+psycopg://postgres@127.0.0.1/bench   # 200,000
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import structlog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from consentry.kit.db import Database  # noqa: E402
from consentry.messaging.conversations import list_conversations  # noqa: E402
from consentry.messaging.log_models import Conversation  # noqa: E402
from consentry.messaging.models import Message  # noqa: E402
from consentry.messaging.search import MessageFilters, search_messages  # noqa: E402
from consentry.migrations import upgrade  # noqa: E402

FLOORS_MS = {
    "log page, first": 20.0,
    "log page, deep (2,000 rows down)": 20.0,
    "full text": 100.0,
    "conversation list": 20.0,
}
START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 90
LIVE_SLICE = 20_000

# A small vocabulary: every body has a template's words plus a few from the long tail, so some
# words are in most messages and others in a few hundred.
TEMPLATES = [
    "Your appointment is confirmed for {day} at {time}. Reply C to confirm or R to reschedule.",
    "Reminder: your order {n} has shipped and arrives {day}.",
    "Hi, this is {name} from the front desk. Can you call us back about your {thing}?",
    "Thanks for your payment of ${amount}. Your receipt number is {n}.",
    "Can I move my appointment to {day}? Something came up at work.",
    "Yes please, {time} works for me. Thank you!",
    "Your prescription is ready for pickup at the {place} pharmacy.",
    "We're running about {minutes} minutes late today, sorry for the wait.",
    "Is the {place} office open on {day}? I need to drop off the {thing}.",
    "Your verification code is {n}. It expires in 10 minutes.",
]
FILL = {
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "tomorrow"],
    "time": ["9:00", "10:30", "noon", "2:15", "4:45", "5:30"],
    "name": ["Maria", "James", "Priya", "Chen", "Olga", "Kwame", "Lucia", "Sam"],
    "thing": [
        "insurance card",
        "referral",
        "invoice",
        "x-ray",
        "lab results",
        "claim form",
        "warranty",
        "estimate",
        "contract",
        "deposit",
    ],
    "place": ["Lakeview", "Downtown", "Northside", "Riverside", "Airport", "Midtown"],
}
TAIL = [
    "parking", "elevator", "umbrella", "snowstorm", "bicycle", "passport", "hurricane",
    "saxophone", "volcano", "marathon", "lighthouse", "penguin", "telescope", "avalanche",
    "mosaic", "orchestra", "tornado", "waterfall", "cathedral", "sandcastle",
]  # fmt: skip
QUERIES = [
    "appointment",
    "pharmacy",
    "insurance card",
    "warranty",
    "penguin",
    "reschedul*",
    "lab results",
    "snowstorm",
    "Lakeview invoice",
    "verification code",
]
ERRORS = ["30003", "30005", "30006", "30007", "30008", "21610"]


def _migration() -> ModuleType:
    path = ROOT / "src/consentry/migrations/versions/0005_conversations_and_logs.py"
    spec = importlib.util.spec_from_file_location("migration_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _body(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    words = {k: rng.choice(v) for k, v in FILL.items()}
    body = template.format(
        n=rng.randrange(10_000, 99_999),
        amount=f"{rng.randrange(10, 900)}.{rng.randrange(100):02d}",
        minutes=rng.choice([10, 15, 20, 30]),
        **words,
    )
    if rng.random() < 0.15:
        body += " P.S. " + " ".join(rng.sample(TAIL, 2))
    return body


def _rows(
    rng: random.Random, count: int, start_index: int, numbers: list[tuple[str, str]], remotes: int
) -> Iterator[tuple[Any, ...]]:
    step = DAYS * 86_400 / max(count, 1)
    for i in range(start_index, start_index + count):
        which = rng.randrange(len(numbers))
        account_id, number = numbers[which]
        # Each number talks with its own pool of `remotes` people.
        remote = f"+1773{2_000_000 + which * remotes + rng.randrange(remotes):07d}"
        at = START + timedelta(seconds=(i - start_index) * step + rng.random() * step)
        inbound = rng.random() < 0.4
        if inbound:
            status, code = "received", None
        else:
            roll = rng.random()
            status = (
                "delivered"
                if roll < 0.85
                else "undelivered"
                if roll < 0.9
                else "failed"
                if roll < 0.95
                else "sent"
            )
            code = rng.choice(ERRORS) if status in ("undelivered", "failed") else None
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        read = stamp if inbound and rng.random() < 0.8 else None
        yield (
            f"msg_{i:012d}{rng.randrange(16**8):08x}",
            account_id,
            "inbound" if inbound else "outbound",
            remote if inbound else number,
            number if inbound else remote,
            number,
            remote,
            _body(rng),
            "[]",
            status,
            1,
            "GSM-7",
            code,
            0,
            read,
            stamp,
            stamp,
        )


COLUMNS = (
    "id, account_id, direction, from_number, to_number, account_number, remote_number, text, "
    "media, status, segments, encoding, error_code, attempts, read_at, created_at, updated_at"
)


def build(
    db: Database, *, messages: int, accounts: int, per_account: int, remotes: int, seed: int
) -> None:
    """A fresh, migrated database filled with `messages` messages."""
    migration = _migration()
    sqlite = db.dialect == "sqlite"
    if not sqlite:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(db.engine)
    rng = random.Random(seed)
    now = START.strftime("%Y-%m-%d %H:%M:%S")
    numbers: list[tuple[str, str]] = []
    with db.engine.begin() as conn:
        for a in range(accounts):
            account_id = f"acc_bench{a:04d}"
            conn.execute(
                text(
                    "INSERT INTO accounts (id, name, kind, path, container_id, created_at, "
                    "updated_at) VALUES (:id, :name, 'customer', :path, :cid, :t, :t)"
                ),
                {
                    "id": account_id,
                    "name": f"Bench {a}",
                    "path": f"/{account_id}/",
                    "cid": str(100_000 + a),
                    "t": now,
                },
            )
            for n in range(per_account):
                number = f"+1312{5_000_000 + a * per_account + n:07d}"
                numbers.append((account_id, number))
                conn.execute(
                    text(
                        "INSERT INTO phone_numbers (id, account_id, number, settings, "
                        "created_at, updated_at) VALUES (:id, :acc, :num, '{}', :t, :t)"
                    ),
                    {"id": f"num_{number[1:]}", "acc": account_id, "num": number, "t": now},
                )
    bulk = messages - min(LIVE_SLICE, messages // 10)
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if sqlite:
            # A bigger page cache for the load only: nine b-trees on messages are being filled.
            cur.execute("PRAGMA cache_size = -524288")
        for statement in migration.SQLITE_DROP if sqlite else migration.POSTGRES_DROP:
            cur.execute(statement)
        # Secondary indexes are built once after the copy, not row by row during it.
        if sqlite:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'messages' AND sql IS NOT NULL"
            )
        else:
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'messages' "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
        indexes = list(cur.fetchall())
        for name, _sql in indexes:
            cur.execute(f"DROP INDEX {name}")
        rows = _rows(rng, bulk, 0, numbers, remotes)
        if sqlite:
            placeholders = ", ".join("?" * 17)
            sql = f"INSERT INTO messages ({COLUMNS}) VALUES ({placeholders})"
            while chunk := [r for _, r in zip(range(50_000), rows, strict=False)]:
                cur.executemany(sql, chunk)
        else:
            with cur.copy(f"COPY messages ({COLUMNS}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        for _name, sql in indexes:
            cur.execute(sql)
        copied = time.perf_counter() - started
        cur.execute(migration.BACKFILL)
        for statement in migration.SQLITE_CREATE if sqlite else migration.POSTGRES_CREATE:
            cur.execute(statement)
        raw.commit()
        loaded = time.perf_counter() - started
        print(
            f"bulk load: {bulk:,} messages and their indexes in {copied:.1f} s, "
            f"conversations and the full-text index in {loaded - copied:.1f} s"
        )
        live = messages - bulk
        live_rows = list(_rows(rng, live, bulk, numbers, remotes))
        started = time.perf_counter()
        placeholders = ", ".join(["?" if sqlite else "%s"] * 17)
        for i in range(0, live, 1000):
            cur.executemany(
                f"INSERT INTO messages ({COLUMNS}) VALUES ({placeholders})", live_rows[i : i + 1000]
            )
        raw.commit()
        took = time.perf_counter() - started
        print(f"with triggers live: {live:,} more messages at {live / took:,.0f} messages/s")
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _time(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measure(db: Database, *, runs: int, seed: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 (ms) of each query, on random accounts and numbers."""
    rng = random.Random(seed + 1)
    with db.session() as session:
        numbers = session.execute(text("SELECT account_id, number FROM phone_numbers")).all()
        total = session.scalar(select(func.count()).select_from(Message)) or 0
        threads = session.scalar(select(func.count()).select_from(Conversation)) or 0
        print(f"database: {total:,} messages, {threads:,} conversations, {len(numbers)} numbers")
        # Cursors 2,000 rows down (40 pages of 50) for a sample of numbers.
        deep: list[tuple[str, str, str]] = []
        for account_id, number in rng.sample(numbers, min(20, len(numbers))):
            cursor = None
            for _ in range(40):
                page = search_messages(
                    session,
                    account_ids=[account_id],
                    filters=MessageFilters(number=number),
                    cursor=cursor,
                )
                cursor = page.next_cursor
            if cursor is not None:
                deep.append((account_id, number, cursor))
        accounts = sorted({a for a, _ in numbers})

        def first_page() -> object:
            account_id, number = rng.choice(numbers)
            return search_messages(
                session, account_ids=[account_id], filters=MessageFilters(number=number)
            )

        def deep_page() -> object:
            account_id, number, cursor = rng.choice(deep)
            return search_messages(
                session,
                account_ids=[account_id],
                filters=MessageFilters(number=number),
                cursor=cursor,
            )

        def full_text() -> object:
            return search_messages(
                session,
                account_ids=[rng.choice(accounts)],
                filters=MessageFilters(q=rng.choice(QUERIES)),
            )

        def conversations() -> object:
            account_id, number = rng.choice(numbers)
            return list_conversations(session, account_id=account_id, number=number)

        out = {}
        for name, fn in zip(
            FLOORS_MS, (first_page, deep_page, full_text, conversations), strict=True
        ):
            for _ in range(10):
                fn()
            out[name] = _time(fn, runs)
            session.expunge_all()
        return out


def main() -> int:
    """Build or reuse the database, measure, print the table; 1 when a floor is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/consentry-bench-logs.db")
    parser.add_argument(
        "--messages",
        type=int,
        default=None,
        help="default 1,000,000 on SQLite, 200,000 on PostgreSQL",
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--numbers", type=int, default=4, help="numbers per account")
    parser.add_argument("--remotes", type=int, default=1000, help="remote numbers per number")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="measure an existing database")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    url = make_url(args.database_url)
    sqlite = url.get_backend_name() == "sqlite"
    messages = args.messages or (1_000_000 if sqlite else 200_000)
    if not args.reuse and sqlite and url.database:
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
    db = Database(args.database_url)
    try:
        if not args.reuse:
            build(
                db,
                messages=messages,
                accounts=args.accounts,
                per_account=args.numbers,
                remotes=args.remotes,
                seed=args.seed,
            )
        results = measure(db, runs=args.runs, seed=args.seed)
    finally:
        db.dispose()
    failed = False
    print(f"\n{'query':36} {'p50 ms':>8} {'p95 ms':>8}   floor (p95)")
    for name, (p50, p95) in results.items():
        floor = FLOORS_MS[name]
        ok = p95 <= floor
        failed |= not ok
        print(f"{name:36} {p50:8.2f} {p95:8.2f}   <= {floor:.0f} ms {'PASS' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
