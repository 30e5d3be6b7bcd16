"""The hosted opt-in page: what a submission records and sends, and what it refuses."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from consentry.api.app import create_app
from consentry.compliance import Context, Kind, MessageRole, check_text
from consentry.consent.hosted.models import OptinSubmission
from consentry.consent.hosted.routes import COOKIE
from consentry.consent.models import (
    Consent,
    ConsentEvent,
    ConsentEventAction,
    ConsentMethod,
    ConsentStatus,
)
from consentry.consent.service import active_consent
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.queue import make_huey
from consentry.kit.settings import Settings
from consentry.messaging.models import Direction, Message, MessageEvent, MessageStatus
from consentry.registration.models import Application as ApplicationRow
from consentry.worker import Pipeline
from tests.support.builders import EXAMPLE_NUMBER, Tenant, example_json
from tests.support.messaging import application, approved

PHONE = "+15125550142"
_TOKEN = re.compile(r'name="optin_token" value="([^"]+)"')
_LABEL = re.compile(r'<label for="sms_consent" id="disclosure">(.*?)</label>', re.S)
_TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def web(settings: Settings, clock: FrozenClock, database: Database) -> Iterator[TestClient]:
    """The app over HTTPS (the page's cookie is Secure outside development)."""
    app = create_app(settings, clock, database)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def program(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> ApplicationRow:
    return approved(session, customer, reviewer, clock, settings)


def _enable(web: TestClient, tenant: Tenant, app_id: str, **body: Any) -> dict[str, Any]:
    r = web.post(f"/api/v1/applications/{app_id}/optin-page", json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def page(web: TestClient, customer: Tenant, program: ApplicationRow) -> str:
    """The path of the program's hosted page."""
    body = _enable(web, customer, program.id)
    assert body["serving"] is True and body["url"].endswith("/optin/" + body["slug"])
    return "/optin/" + body["slug"]


def _open(web: TestClient, path: str) -> tuple[str, str]:
    """The page's HTML and a fresh token."""
    r = web.get(path)
    assert r.status_code == 200, r.text
    found = _TOKEN.search(r.text)
    assert found is not None
    return r.text, found.group(1)


def _post(web: TestClient, path: str, token: str | None, **form: str) -> Any:
    data = {"phone": PHONE, "sms_consent": "yes", **form}
    if token is not None:
        data["optin_token"] = token
    headers = {"Origin": "https://testserver"}
    return web.post(path, data=data, headers=headers)


def _consents(session: Session) -> list[Consent]:
    session.expire_all()
    return list(session.scalars(select(Consent).order_by(Consent.created_at)))


def _confirmations(session: Session) -> list[Message]:
    session.expire_all()
    return list(
        session.scalars(
            select(Message).where(
                Message.direction == Direction.OUTBOUND, Message.origin == "opt_in_confirmation"
            )
        )
    )


def _shown(html: str) -> str:
    """The checkbox label's visible text, as a person reads it."""
    found = _LABEL.search(html)
    assert found is not None
    text = _TAG.sub("", found.group(1))
    return " ".join(text.replace("&amp;", "&").replace("&#39;", "'").split())


def test_valid_submission_records_consent_and_queues_the_confirmation(
    web: TestClient, page: str, session: Session, program: ApplicationRow
) -> None:
    html, token = _open(web, page)
    assert 'type="checkbox"' in html and "checked" not in html.split('id="sms_consent"')[1][:80]
    assert "Privacy Policy" in html and "Text Messaging Terms" in html
    r = _post(web, page, token, phone="(512) 555-0142")
    assert r.status_code == 200 and "You are signed up" in r.text

    [consent] = _consents(session)
    assert consent.phone == PHONE and consent.method is ConsentMethod.WEB_FORM
    assert consent.status is ConsentStatus.ACTIVE and consent.application_id == program.id
    # The exact text shown on the page is what was stored and hashed.
    assert consent.disclosure_text == _shown(html)
    assert consent.disclosure_sha256 == hashlib.sha256(consent.disclosure_text.encode()).hexdigest()
    assert consent.source["ip"] == "testclient" and consent.source["user_agent"]
    assert consent.source["url"] == "https://testserver" + page
    assert consent.source["slug"] == page.rsplit("/", 1)[1]
    [sms] = _confirmations(session)
    assert sms.status is MessageStatus.QUEUED and sms.to_number == PHONE
    assert sms.from_number == EXAMPLE_NUMBER and sms.application_id == program.id
    assert "STOP" in sms.text and "YES" not in sms.text


def test_missing_checkbox_records_nothing_and_says_why(
    web: TestClient, page: str, session: Session
) -> None:
    _, token = _open(web, page)
    r = web.post(
        page,
        data={"phone": PHONE, "optin_token": token},
        headers={"Origin": "https://testserver"},
    )
    assert r.status_code == 422 and "Check the box" in r.text
    assert 'value="+15125550142"' in r.text or 'value="' + PHONE + '"' in r.text
    assert _consents(session) == [] and _confirmations(session) == []
    # The page came back with a new token that works.
    again = _TOKEN.search(r.text)
    assert again is not None
    assert _post(web, page, again.group(1)).status_code == 200
    assert len(_consents(session)) == 1


@pytest.mark.parametrize("phone", ["555-0142", "+44 20 7946 0958", "call me", ""])
def test_invalid_number_is_refused(
    web: TestClient, page: str, session: Session, phone: str
) -> None:
    _, token = _open(web, page)
    r = _post(web, page, token, phone=phone)
    assert r.status_code == 422 and "valid US mobile number" in r.text
    assert 'aria-invalid="true"' in r.text
    assert _consents(session) == [] and _confirmations(session) == []


def test_replayed_token_is_refused(web: TestClient, page: str, session: Session) -> None:
    _, token = _open(web, page)
    assert _post(web, page, token).status_code == 200
    replay = _post(web, page, token, phone="+15125550143")
    assert replay.status_code == 403
    assert [c.phone for c in _consents(session)] == [PHONE]


def test_missing_forged_or_cookieless_token_is_refused(
    web: TestClient, page: str, session: Session
) -> None:
    _, token = _open(web, page)
    assert _post(web, page, None).status_code == 403
    assert _post(web, page, token[:-2] + "xx").status_code == 403
    web.cookies.delete(COOKIE, domain="testserver.local", path="/optin")
    web.cookies.clear()
    assert _post(web, page, token).status_code == 403
    assert _consents(session) == []


def test_token_of_another_page_is_refused(
    web: TestClient,
    page: str,
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
    reviewer: Tenant,
) -> None:
    second = approved(session, customer, reviewer, clock, settings)
    other = "/optin/" + _enable(web, customer, second.id)["slug"]
    _, token = _open(web, other)
    assert _post(web, page, token).status_code == 403
    assert _consents(session) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/form"},
    ],
)
def test_cross_site_post_is_refused(
    web: TestClient, page: str, session: Session, headers: dict[str, str]
) -> None:
    _, token = _open(web, page)
    r = web.post(
        page, data={"phone": PHONE, "sms_consent": "yes", "optin_token": token}, headers=headers
    )
    assert r.status_code == 403 and "nothing was signed up" in r.text
    assert _consents(session) == []


def test_cookie_is_strict_and_http_only(web: TestClient, page: str) -> None:
    r = web.get(page)
    cookie = r.headers["set-cookie"].lower()
    assert "samesite=strict" in cookie and "httponly" in cookie and "path=/optin" in cookie
    assert "secure" in cookie and r.headers["cache-control"] == "no-store"


def test_rate_limit_per_ip_and_per_phone(web: TestClient, page: str, session: Session) -> None:
    for n in range(5):
        _, token = _open(web, page)
        assert _post(web, page, token, phone=f"+1512555015{n}").status_code == 200
    _, token = _open(web, page)
    limited = _post(web, page, token, phone="+15125550160")
    assert limited.status_code == 429 and "Too many tries" in limited.text
    assert limited.headers["retry-after"] == "600"
    assert len(_consents(session)) == 5


def test_rate_limit_per_phone_across_addresses(
    web: TestClient, page: str, session: Session, clock: FrozenClock
) -> None:
    slug = page.rsplit("/", 1)[1]
    # Earlier posts for this phone from other addresses use up its window.
    for n in range(5):
        session.add(
            OptinSubmission(
                slug=slug, token_id=f"t{n}", ip=f"198.51.100.{n}", phone=PHONE, at=clock.now()
            )
        )
    session.commit()
    _, token = _open(web, page)
    assert _post(web, page, token).status_code == 429
    assert _consents(session) == []


def test_honeypot_looks_like_success_and_records_nothing(
    web: TestClient, page: str, session: Session
) -> None:
    _, token = _open(web, page)
    r = _post(web, page, token, company_website="https://spam.example")
    assert r.status_code == 200 and "Thank you" in r.text
    assert _consents(session) == [] and _confirmations(session) == []
    count = session.scalar(select(func.count()).select_from(OptinSubmission))
    assert count == 1


def test_double_opt_in_is_pending_until_yes(
    web: TestClient, customer: Tenant, program: ApplicationRow, session: Session
) -> None:
    body = _enable(web, customer, program.id, double_opt_in=True)
    assert body["double_opt_in"] is True
    path = "/optin/" + body["slug"]
    _, token = _open(web, path)
    r = _post(web, path, token)
    assert r.status_code == 200 and "Reply YES" in r.text
    [consent] = _consents(session)
    assert consent.status is ConsentStatus.PENDING
    [ask] = _confirmations(session)
    assert "Reply YES" in ask.text

    hook = web.post(
        "/api/v1/carriers/loopback/inbound",
        json={"from": PHONE, "to": EXAMPLE_NUMBER, "text": "Yes"},
        headers=customer.headers,
    )
    assert hook.status_code == 201, hook.text
    [consent] = _consents(session)
    assert consent.status is ConsentStatus.ACTIVE and consent.source["confirmed_by"] == "YES"
    confirmations = _confirmations(session)
    assert len(confirmations) == 2 and "YES" not in confirmations[-1].text


def test_yes_without_a_pending_consent_sends_nothing(
    web: TestClient, customer: Tenant, program: ApplicationRow, session: Session
) -> None:
    hook = web.post(
        "/api/v1/carriers/loopback/inbound",
        json={"from": PHONE, "to": EXAMPLE_NUMBER, "text": "YES"},
        headers=customer.headers,
    )
    assert hook.status_code == 201
    assert _confirmations(session) == []


def test_page_of_an_application_that_cannot_send_is_a_friendly_404(
    web: TestClient, customer: Tenant, session: Session, clock: FrozenClock
) -> None:
    draft = application(session, customer, clock)
    body = _enable(web, customer, draft.id)
    assert body["serving"] is False
    r = web.get("/optin/" + body["slug"])
    assert r.status_code == 404 and "not available" in r.text
    assert web.get("/optin/no-such-page").status_code == 404
    post = web.post("/optin/" + body["slug"], data={"phone": PHONE, "sms_consent": "yes"})
    assert post.status_code == 404 and _consents(session) == []


def test_owner_api_reads_the_page_and_other_tenants_cannot(
    web: TestClient, customer: Tenant, other_customer: Tenant, program: ApplicationRow
) -> None:
    missing = web.get(f"/api/v1/applications/{program.id}/optin-page", headers=customer.headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "OPTIN_PAGE_NOT_FOUND"
    created = _enable(web, customer, program.id)
    again = _enable(web, customer, program.id)
    assert again["slug"] == created["slug"]
    got = web.get(f"/api/v1/applications/{program.id}/optin-page", headers=customer.headers)
    assert got.json() == created
    foreign = web.post(
        f"/api/v1/applications/{program.id}/optin-page", json={}, headers=other_customer.headers
    )
    assert foreign.status_code == 404


# -- double opt-in: the deadline for the YES ---------------------------------------------------


def _double_page(web: TestClient, tenant: Tenant, app_id: str) -> str:
    return "/optin/" + _enable(web, tenant, app_id, double_opt_in=True)["slug"]


def _sign_up(web: TestClient, path: str) -> None:
    _, token = _open(web, path)
    r = _post(web, path, token)
    assert r.status_code == 200 and "Reply YES to it within 72 hours" in r.text


def _text_in(web: TestClient, tenant: Tenant, text: str) -> None:
    hook = web.post(
        "/api/v1/carriers/loopback/inbound",
        json={"from": PHONE, "to": EXAMPLE_NUMBER, "text": text},
        headers=tenant.headers,
    )
    assert hook.status_code == 201, hook.text


def _events(session: Session, consent_id: str) -> list[ConsentEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.consent_id == consent_id)
            .order_by(ConsentEvent.id)
        )
    )


def _outbound(session: Session) -> list[Message]:
    session.expire_all()
    return list(
        session.scalars(
            select(Message)
            .where(Message.direction == Direction.OUTBOUND)
            .order_by(Message.created_at, Message.id)
        )
    )


def _pipeline(settings: Settings, database: Database, clock: FrozenClock) -> Pipeline:
    return Pipeline(settings, database=database, clock=clock, huey=make_huey("memory:"))


def test_pending_consent_expires_at_its_deadline_with_an_event(
    web: TestClient,
    customer: Tenant,
    program: ApplicationRow,
    session: Session,
    settings: Settings,
    database: Database,
    clock: FrozenClock,
) -> None:
    assert settings.pending_consent_hours == 72
    signed_up = clock.now()
    _sign_up(web, _double_page(web, customer, program.id))
    [consent] = _consents(session)
    assert consent.expires_at == signed_up + timedelta(hours=72)
    pipeline = _pipeline(settings, database, clock)

    clock.advance(hours=71)
    pipeline.expire_pending_consents()
    [consent] = _consents(session)
    assert consent.status is ConsentStatus.PENDING

    clock.advance(hours=1)
    pipeline.expire_pending_consents()
    [consent] = _consents(session)
    assert consent.status is ConsentStatus.EXPIRED
    actions = [(e.action, e.details.get("reason")) for e in _events(session, consent.id)]
    assert actions == [
        (ConsentEventAction.CONFIRMATION_REQUESTED, None),
        (ConsentEventAction.EXPIRED, "no_reply"),
    ]
    # Running it again changes nothing.
    pipeline.expire_pending_consents()
    assert len(_events(session, consent.id)) == 2


def test_the_deadline_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_PENDING_CONSENT_HOURS", "24")
    assert Settings().pending_consent_hours == 24


def test_the_worker_expires_pending_consents_on_its_schedule(
    web: TestClient,
    customer: Tenant,
    program: ApplicationRow,
    session: Session,
    settings: Settings,
    database: Database,
    clock: FrozenClock,
) -> None:
    _sign_up(web, _double_page(web, customer, program.id))
    clock.advance(hours=73)
    tuned = settings.model_copy(update={"pending_consent_sweep_interval_seconds": 0.1})
    pipeline = _pipeline(tuned, database, clock)
    pipeline.start(workers=1)
    try:
        deadline = time.monotonic() + 10
        while _consents(session)[0].status is ConsentStatus.PENDING:
            assert time.monotonic() < deadline, "the pending consent never expired"
            time.sleep(0.05)
    finally:
        pipeline.stop()
    assert _consents(session)[0].status is ConsentStatus.EXPIRED


def test_yes_after_expiry_activates_nothing_and_is_answered_once(
    web: TestClient,
    customer: Tenant,
    program: ApplicationRow,
    session: Session,
    clock: FrozenClock,
) -> None:
    _sign_up(web, _double_page(web, customer, program.id))
    # No sweep ran yet: the late YES itself finds the deadline passed.
    clock.advance(hours=72, seconds=1)
    _text_in(web, customer, "YES")
    [consent] = _consents(session)
    assert consent.status is ConsentStatus.EXPIRED and "confirmed_at" not in consent.source
    _, late = _outbound(session)
    assert late.origin == "opt_in_expired" and late.to_number == PHONE
    assert "expired" in late.text and "not subscribed" in late.text
    assert late.text.startswith("Northside Physical Therapy:")
    actions = [e.action for e in _events(session, consent.id)]
    assert actions == [
        ConsentEventAction.CONFIRMATION_REQUESTED,
        ConsentEventAction.EXPIRED,
        ConsentEventAction.EXPIRED_REPLY,
    ]
    # A second YES gets nothing: one answer per expired request, no reply loop.
    _text_in(web, customer, "yes")
    assert len(_outbound(session)) == 2
    # No consent covers the number (a reply within the conversation window is another matter).
    assert (
        active_consent(
            session, account_id=consent.account_id, application_id=program.id, phone=PHONE
        )
        is None
    )


def test_new_submission_after_expiry_starts_a_fresh_pending_consent(
    web: TestClient,
    customer: Tenant,
    program: ApplicationRow,
    session: Session,
    settings: Settings,
    database: Database,
    clock: FrozenClock,
) -> None:
    path = _double_page(web, customer, program.id)
    _sign_up(web, path)
    clock.advance(hours=80)
    _pipeline(settings, database, clock).expire_pending_consents()
    _sign_up(web, path)
    old, fresh = _consents(session)
    assert old.status is ConsentStatus.EXPIRED and fresh.status is ConsentStatus.PENDING
    assert fresh.expires_at == clock.now() + timedelta(hours=72)
    _text_in(web, customer, "YES")
    old, fresh = _consents(session)
    assert old.status is ConsentStatus.EXPIRED and fresh.status is ConsentStatus.ACTIVE
    assert [m.origin for m in _outbound(session)] == ["opt_in_confirmation"] * 3


def test_new_submission_while_pending_supersedes_the_earlier_request(
    web: TestClient, customer: Tenant, program: ApplicationRow, session: Session
) -> None:
    path = _double_page(web, customer, program.id)
    _sign_up(web, path)
    _sign_up(web, path)
    first, second = _consents(session)
    assert first.status is ConsentStatus.EXPIRED and second.status is ConsentStatus.PENDING
    [*_, expired] = _events(session, first.id)
    assert expired.action is ConsentEventAction.EXPIRED
    assert expired.details["reason"] == "superseded"
    _text_in(web, customer, "YES")
    first, second = _consents(session)
    assert first.status is ConsentStatus.EXPIRED and second.status is ConsentStatus.ACTIVE
    # The superseded request is not "expired waiting": no late-YES reply for it either.
    assert "opt_in_expired" not in [m.origin for m in _outbound(session)]


# -- evidence lists the texts sent for the consent ---------------------------------------------


def test_evidence_lists_the_confirmation_texts_with_their_status(
    web: TestClient,
    customer: Tenant,
    other_customer: Tenant,
    program: ApplicationRow,
    session: Session,
    clock: FrozenClock,
) -> None:
    _sign_up(web, _double_page(web, customer, program.id))
    asked_at = clock.now()
    clock.advance(minutes=5)
    _text_in(web, customer, "YES")
    [consent] = _consents(session)
    ask, confirmation = _outbound(session)
    session.execute(
        update(Message)
        .where(Message.id == ask.id)
        .values(status=MessageStatus.DELIVERED, sent_at=asked_at, done_at=asked_at)
    )
    session.commit()

    r = web.get(f"/api/v1/consents/{consent.id}/evidence", headers=customer.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "active" and body["when"]["confirmed_at"] == clock.now().isoformat()
    texts = body["confirmation_texts"]
    assert [(t["kind"], t["message_id"]) for t in texts] == [
        ("double_opt_in_request", ask.id),
        ("opt_in_confirmation", confirmation.id),
    ]
    assert texts[0]["text"] == ask.text and "Reply YES" in texts[0]["text"]
    assert texts[0]["status"] == "delivered" and texts[0]["queued_at"] == asked_at.isoformat()
    assert texts[0]["status_at"] == asked_at.isoformat() and texts[0]["message_kept"] is True
    assert texts[1]["text"] == confirmation.text and texts[1]["status"] == "queued"
    assert texts[1]["queued_at"] == clock.now().isoformat()
    assert [e["action"] for e in body["events"]] == [
        "confirmation_requested",
        "confirmed",
        "confirmation_sent",
    ]

    page = web.get(f"/api/v1/consents/{consent.id}/evidence.html", headers=customer.headers)
    assert page.status_code == 200
    assert "Texts sent for this consent" in page.text
    assert ask.id in page.text and confirmation.id in page.text
    assert "Double opt-in request" in page.text and "delivered" in page.text
    foreign = web.get(f"/api/v1/consents/{consent.id}/evidence", headers=other_customer.headers)
    assert foreign.status_code == 404


def test_evidence_keeps_the_text_of_a_purged_confirmation(
    web: TestClient, page: str, customer: Tenant, session: Session
) -> None:
    _, token = _open(web, page)
    assert _post(web, page, token).status_code == 200
    [consent] = _consents(session)
    [sms] = _confirmations(session)
    text = sms.text
    session.execute(delete(MessageEvent).where(MessageEvent.message_id == sms.id))
    session.execute(delete(Message).where(Message.id == sms.id))
    session.commit()
    body = web.get(f"/api/v1/consents/{consent.id}/evidence", headers=customer.headers).json()
    [shown] = body["confirmation_texts"]
    assert shown["kind"] == "opt_in_confirmation" and shown["message_id"] == sms.id
    assert shown["text"] == text and shown["status"] is None and shown["message_kept"] is False
    html = web.get(f"/api/v1/consents/{consent.id}/evidence.html", headers=customer.headers)
    assert "message deleted by retention" in html.text


# -- the confirmation after YES when the campaign gives none -----------------------------------


def _without_confirmation() -> dict[str, Any]:
    opt_in = dict(example_json()["campaign"]["opt_in"])
    del opt_in["confirmation_message"]
    return {"opt_in": opt_in}


def test_yes_without_a_campaign_confirmation_gets_a_compliant_one(
    web: TestClient,
    customer: Tenant,
    reviewer: Tenant,
    session: Session,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    program = approved(
        session, customer, reviewer, clock, settings, changes=_without_confirmation()
    )
    _sign_up(web, _double_page(web, customer, program.id))
    _text_in(web, customer, "YES")
    [consent] = _consents(session)
    assert consent.status is ConsentStatus.ACTIVE
    _, confirmation = _outbound(session)
    text = confirmation.text
    assert text == (
        "Northside Physical Therapy: You're subscribed to customer care messages. "
        "Up to 4 msgs/mo. Msg & data rates may apply. Reply HELP for help, STOP to cancel."
    )
    report = check_text(
        Kind.SAMPLE_MESSAGE,
        text,
        Context(
            company="Northside Physical Therapy",
            use_case="CUSTOMER_CARE",
            message_role=MessageRole.OPT_IN_CONFIRMATION,
        ),
    )
    assert report.passed, report.failing_rules
    assert "KW-CONFIRMATION" not in report.rules()
