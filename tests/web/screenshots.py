"""Screenshots of the main pages at desktop (1280x800) and phone (390x844) widths.

    PYTHONPATH=src python -m tests.web.screenshots [OUT_DIR]     (default docs/screenshots)

Builds a throwaway SQLite database with a customer's applications in every state and a review
queue, serves it, and photographs each page with the system Chromium.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from consentry.accounts.models import Role, User
from consentry.accounts.users import principal_for
from consentry.compliance import Application, load_application
from consentry.kit.clock import SystemClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.models import MessageStatus
from consentry.migrations import upgrade
from consentry.registration import service
from tests.support.builders import EXAMPLE_NUMBER, example_json
from tests.web.live import CHROMIUM_ARGS, chromium_path, live_server
from tests.web.support import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "src/consentry/examples/broken/application.yaml"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def _variant(name: str, domain: str, number: str = EXAMPLE_NUMBER) -> dict[str, Any]:
    """The example, renamed everywhere (brand and domain) so it still checks clean, sending
    from `number`."""
    raw = json.dumps(example_json())
    raw = raw.replace("Northside Physical Therapy", name).replace("Northside PT", name)
    data = dict(json.loads(raw.replace("northsidept", domain)))
    data["campaign"]["phone_numbers"] = [number]
    return data


def seed(db: Database) -> dict[str, str]:
    """A customer with applications in several states, and other customers' submissions."""
    clock = SystemClock()
    settings = Settings(database_url=db.url, seed_demo=False)
    ids: dict[str, str] = {}
    with db.transaction() as s:
        customer = make_user(s, email="dana@northsidept.com", numbers=(EXAMPLE_NUMBER,))
        reviewer = make_user(s, email="reviewer@provider.example", role=Role.REVIEWER, name="P")
        cu = s.get(User, customer.user_id)
        ru = s.get(User, reviewer.user_id)
        assert cu is not None and ru is not None
        me, staff = principal_for(s, cu), principal_for(s, ru)

        def draft(data: dict[str, Any]) -> str:
            app = Application.model_validate(data)
            return service.create_draft(s, me, application=app, clock=clock).id

        approved = draft(example_json())
        service.submit(s, me, application_id=approved, clock=clock, settings=settings)
        service.approve(s, staff, application_id=approved, clock=clock)
        rejected = draft(_variant("Northside Pediatrics", "northsidepeds"))
        service.submit(s, me, application_id=rejected, clock=clock, settings=settings)
        service.reject(
            s,
            staff,
            application_id=rejected,
            reasons_given=[service.ReasonInput("POLICY.PRIVACY", "The policy page returns 404.")],
            clock=clock,
            settings=settings,
        )
        waiting = draft(_variant("Northside Sports Rehab", "nsrehab"))
        service.submit(s, me, application_id=waiting, clock=clock, settings=settings)
        service.request_temporary_registration(s, me, application_id=waiting, clock=clock)
        service.issue_temporary_registration(
            s, staff, application_id=waiting, clock=clock, settings=settings
        )
        ids["broken"] = draft(load_application(BROKEN).to_json())
        ids["waiting"] = waiting
        ids.update(_conversations(s, customer.account.id, approved))
        for i, (name, domain) in enumerate(
            [("Elm Street Dental", "elmdental"), ("Harbor Vet Clinic", "harborvet")]
        ):
            number = f"+1512555020{i}"
            other = make_user(s, email=f"owner{i}@example-{i}.com", name=name, numbers=(number,))
            ou = s.get(User, other.user_id)
            assert ou is not None
            op = principal_for(s, ou)
            row = service.create_draft(
                s,
                op,
                application=Application.model_validate(_variant(name, domain, number)),
                clock=clock,
            )
            service.submit(s, op, application_id=row.id, clock=clock, settings=settings)
    return ids


HANDSETS = ("+15125559001", "+15125559002", "+15125559003")
_EXCHANGES = [
    (
        "out",
        "Northside PT: your appointment is Tue 10:00 AM. Reply C to confirm, STOP to opt out.",
    ),
    ("in", "C"),
    ("out", "Thanks, you're confirmed. See you Tuesday! 😀"),
    ("in", "Can I bring my knee brace?"),
]


def _conversations(s: Any, account_id: str, application_id: str) -> dict[str, str]:
    """A few threads on the example number, a consent per handset, one failed message."""
    from datetime import timedelta

    from consentry.consent.models import ConsentMethod
    from consentry.consent.service import record_consent
    from consentry.messaging.inbound import receive
    from consentry.messaging.log_models import Conversation
    from tests.messaging.builders import queue_message

    now = SystemClock().now() - timedelta(hours=3)
    for n, handset in enumerate(HANDSETS):
        record_consent(
            s,
            account_id=account_id,
            application_id=application_id,
            phone=handset,
            method=ConsentMethod.WEB_FORM,
            disclosure_text="Yes, text me appointment reminders from Northside Physical Therapy. "
            "Msg & data rates may apply. Msg freq varies. Reply HELP for help, STOP to opt out.",
            source={"url": "https://northsidept.com/sms", "ip": "203.0.113.7"},
            now=now,
        )
        for i, (way, text) in enumerate(_EXCHANGES[: 4 - n]):
            at = now + timedelta(minutes=10 * i + n)
            if way == "in":
                receive(
                    s,
                    from_number=handset,
                    to_number=EXAMPLE_NUMBER,
                    text=text,
                    carrier="loopback",
                    carrier_message_id=None,
                    now=at,
                )
            else:
                m = queue_message(
                    s, account_id=account_id, to=handset, now=at, text=text, commit=False
                )
                m.status = MessageStatus.DELIVERED if n != 2 else MessageStatus.FAILED
                if n == 2:
                    m.error_code, m.error_message = "30006", "Landline or unreachable carrier"
        s.flush()
    thread = s.scalar(select(Conversation).where(Conversation.remote_number == HANDSETS[0]))
    assert thread is not None
    return {"thread": str(thread.id), "consent": _double_opt_ins(s, account_id, application_id)}


def _double_opt_ins(s: Any, account_id: str, application_id: str) -> str:
    """Two double opt-ins from the hosted page: one waiting for its YES, one that never got it
    (expired); the id of the expired one."""
    from datetime import timedelta

    from consentry.consent.models import ConsentEventAction, ConsentMethod, ConsentStatus
    from consentry.consent.service import expire_pending_consents, record_consent, record_event
    from tests.messaging.builders import queue_message

    now = SystemClock().now()
    ask = (
        "Northside PT: Reply YES to confirm appointment reminders. "
        "Msg & data rates may apply. Reply STOP to opt out."
    )
    ids = []
    for phone, signed_up in (("+15125559004", now - timedelta(hours=80)), ("+15125559005", now)):
        consent = record_consent(
            s,
            account_id=account_id,
            application_id=application_id,
            phone=phone,
            method=ConsentMethod.WEB_FORM,
            disclosure_text="Yes, text me appointment reminders from Northside Physical Therapy. "
            "Msg & data rates may apply. Msg freq varies. Reply HELP for help, STOP to opt out.",
            source={"url": "https://northsidept.com/sms", "ip": "203.0.113.8"},
            now=signed_up,
            status=ConsentStatus.PENDING,
            expires_at=signed_up + timedelta(hours=72),
        )
        consent.created_at = signed_up
        m = queue_message(s, account_id=account_id, to=phone, now=signed_up, text=ask, commit=False)
        m.status, m.sent_at, m.done_at = MessageStatus.DELIVERED, signed_up, signed_up
        record_event(
            s,
            consent,
            ConsentEventAction.CONFIRMATION_REQUESTED,
            at=signed_up,
            message_id=m.id,
            details={"text": ask},
        )
        ids.append(consent.id)
    s.flush()
    expire_pending_consents(s, now=now - timedelta(hours=7))
    return ids[0]


def main_pages(ids: dict[str, str]) -> list[tuple[str, str | None, str]]:
    """(name, the e-mail of who looks, path) of the main pages, on the seeded data."""
    customer, reviewer = "dana@northsidept.com", "reviewer@provider.example"
    broken, waiting = ids["broken"], ids["waiting"]
    return [
        ("signin", None, "/signin"),
        ("dashboard", customer, "/"),
        ("wizard-business", customer, f"/applications/{broken}/edit/business"),
        ("wizard-consent", customer, f"/applications/{broken}/edit/consent"),
        ("wizard-review", customer, f"/applications/{broken}/edit/review"),
        ("application", customer, f"/applications/{waiting}"),
        ("numbers", customer, "/numbers"),
        ("inbox", customer, "/inbox"),
        ("thread", customer, f"/inbox/{ids['thread']}"),
        ("logs", customer, "/logs"),
        ("consents", customer, "/consents"),
        ("consent", customer, f"/consents/{ids['consent']}"),
        ("review-queue", reviewer, "/review"),
        ("review-detail", reviewer, f"/review/{waiting}"),
    ]


def main(argv: list[str]) -> None:
    """Photograph the pages into the output directory."""
    from playwright.sync_api import sync_playwright

    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/screens.db")
        upgrade(db.engine)
        ids = seed(db)
        pages = main_pages(ids)
        with live_server(db) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for size, (width, height) in SIZES.items():
                signed_in: dict[str, Any] = {}
                for name, email, path in pages:
                    if email is None:
                        ctx = browser.new_context(viewport={"width": width, "height": height})
                    elif email not in signed_in:
                        ctx = browser.new_context(viewport={"width": width, "height": height})
                        page = ctx.new_page()
                        page.goto(base + "/signin")
                        page.get_by_label("E-mail").fill(email)
                        page.get_by_label("Password").fill(PASSWORD)
                        page.get_by_role("button", name="Sign in").click()
                        page.wait_for_load_state("load")
                        page.close()
                        signed_in[email] = ctx
                    ctx = signed_in.get(email or "", ctx)
                    page = ctx.new_page()
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    # A sticky bar would be painted mid-page in a full-page capture.
                    page.add_style_tag(content=".sticky-actions { position: static; }")
                    target = out / f"{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=True)
                    page.close()
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
            browser.close()
        db.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
