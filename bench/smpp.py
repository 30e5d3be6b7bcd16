"""Dispatch throughput of the SMPP adapter against the local test SMSC (127.0.0.1).

Ways a worker can drive the adapter, each with a window of 10:
  submit_many   one call with a batch, pipelined inside the window
  8 threads     eight worker threads calling submit() at once (the send pipeline's shape)
  5ms latency   submit_many while the SMSC takes 5 ms to answer each submit_sm
  sequential    one thread, one submit() at a time (latency-bound)
Prints messages/s for each and exits non-zero if the pipelined figures fall below 500/s.
"""

from __future__ import annotations

import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import structlog

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is named smpp.py, which would shadow the smpp.pdu3 package the test SMSC imports.
sys.path[:] = [str(ROOT), str(ROOT / "src")] + [
    p for p in sys.path if Path(p or ".").resolve() != HERE
]

from tests.carriers.smsc import Smsc  # noqa: E402

from consentry.carriers.base import OutboundMessage  # noqa: E402
from consentry.carriers.smpp import SmppCarrier  # noqa: E402

FLOOR = 500.0
WINDOW = 10
TEXT = "Northside Dental: your appointment is tomorrow at 10:00. Reply STOP to opt out."


def _messages(n: int, prefix: str) -> list[OutboundMessage]:
    return [
        OutboundMessage(f"{prefix}{i}", "+15551230001", f"+1555{i % 10_000_000:07d}", TEXT)
        for i in range(n)
    ]


def main() -> int:
    """Run the three measurements and print a table."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    rows: list[tuple[str, int, float]] = []
    with Smsc() as smsc:
        carrier = SmppCarrier(
            host="127.0.0.1",
            port=smsc.port,
            system_id="consentry",
            password="secret",
            window=WINDOW,
        )
        carrier.start(on_receipt=lambda r: None, on_inbound=lambda m: None)
        if not carrier.wait_bound(5):
            print("could not bind to the test SMSC", file=sys.stderr)
            return 1
        try:
            carrier.submit_many(_messages(200, "warm"))

            msgs = _messages(5000, "b")
            start = time.perf_counter()
            results = carrier.submit_many(msgs)
            rows.append(("submit_many", len(msgs), len(msgs) / (time.perf_counter() - start)))
            assert all(r.ok for r in results)

            msgs = _messages(3000, "t")
            start = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                results = list(pool.map(carrier.submit, msgs))
            rows.append(("8 threads", len(msgs), len(msgs) / (time.perf_counter() - start)))
            assert all(r.ok for r in results)

            # With 5 ms of SMSC latency per answer the window, not the SMSC, sets the pace.
            smsc.response_delay = 0.005
            msgs = _messages(3000, "l")
            start = time.perf_counter()
            results = carrier.submit_many(msgs)
            rows.append(("5ms latency", len(msgs), len(msgs) / (time.perf_counter() - start)))
            assert all(r.ok for r in results)
            smsc.response_delay = 0.0

            msgs = _messages(1000, "s")
            start = time.perf_counter()
            results = [carrier.submit(m) for m in msgs]
            rows.append(("sequential", len(msgs), len(msgs) / (time.perf_counter() - start)))
            assert all(r.ok for r in results)
        finally:
            carrier.close()
        outstanding = smsc.max_outstanding

    print(f"SMPP adapter (smpp34) -> test SMSC (smpp.pdu3) on 127.0.0.1, window {WINDOW}")
    print(f"{'mode':<12} {'messages':>8} {'msg/s':>8}")
    for mode, n, rate in rows:
        print(f"{mode:<12} {n:>8} {rate:>8.0f}")
    print(f"max outstanding submit_sm seen by the SMSC: {outstanding}")
    slow = [mode for mode, _, rate in rows[:3] if rate < FLOOR]
    if slow:
        print(f"below the {FLOOR:.0f}/s floor: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
