"""A real Consentry server (uvicorn in a thread, on 127.0.0.1) and a Chromium for browser tests.

Chromium is the system's (/usr/bin/chromium, or CONSENTRY_TEST_CHROMIUM); Playwright's own
browser downloads are never used. axe-core is vendored beside this file (vendor/axe.min.js,
MPL-2.0, see vendor/axe.LICENSE) so a fresh clone needs no npm.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from consentry.api.app import create_app
from consentry.kit.clock import Clock, SystemClock
from consentry.kit.db import Database
from consentry.kit.settings import Environment, Settings

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "browser-test-secret-key-0123456789abcdef"


def chromium_path() -> str | None:
    """The system Chromium, or None."""
    configured = os.environ.get("CONSENTRY_TEST_CHROMIUM")
    if configured:
        return configured
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(name).exists():
            return name
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(database: Database, clock: Clock | None = None) -> Iterator[str]:
    """Serve the app on the database; yields the base URL. Development settings, so the session
    cookie works over plain http://127.0.0.1 (it is Secure everywhere else)."""
    settings = Settings(
        environment=Environment.DEV,
        secret_key=SECRET,
        database_url=database.url,
        seed_demo=False,
    )
    app = create_app(settings, clock or SystemClock(), database)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def axe_violations(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of the given impacts on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for v in result["violations"]:
        if v.get("impact") in impacts:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            lines.append(f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {targets}")
    return lines
