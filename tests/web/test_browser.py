"""The journey in a real browser (Playwright driving the system Chromium against uvicorn):
sign in, build an application with problems, see findings as you type, fix them with one click,
submit, reject as a reviewer, fix, resubmit, approve. axe-core runs on every page visited.

Run: PYTHONPATH=src python -m pytest tests/web/test_browser.py (skipped without Playwright or
Chromium; PostgreSQL when CONSENTRY_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.kit.db import Database
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.models import ApplicationStatus
from consentry.web import wizard
from tests.support.builders import EXAMPLE_NUMBER, example_json
from tests.web.live import CHROMIUM_ARGS, axe_violations, chromium_path, live_server
from tests.web.support import PASSWORD, WebAccount, make_user

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="no system Chromium")

RATES = "Msg & data rates may apply."


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def server(database: Database) -> Iterator[str]:
    with live_server(database) as url:
        yield url


class Visitor:
    """A browser tab that runs axe on every page it lands on and remembers the violations."""

    def __init__(self, browser: Any, base: str, width: int = 1280, height: int = 800) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base = base
        self.violations: list[str] = []

    def audit(self) -> None:
        """axe on the page as it is now."""
        self.page.wait_for_load_state("load")
        self.violations.extend(axe_violations(self.page))
        # Responsive: nothing may push the page wider than the screen (phones included).
        wide = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 0:
            self.violations.append(f"{self.page.url}: {wide}px wider than the viewport")

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.audit()

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.goto("/signin")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.audit()

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(re.compile(r"/signin"))

    def close(self) -> None:
        self.context.close()


def _field(page: Any, path: str) -> Any:
    return page.locator(f'[name="{path}"]')


def _fill_step(page: Any, slug: str, data: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    step = wizard.step(slug)
    assert step is not None
    for f in step.fields:
        if f.widget == "file" or f.path in skip:
            continue
        value = wizard.get_value(data, f.path)
        if f.widget == "checkbox":
            _field(page, f.path).set_checked(bool(value))
        elif f.widget == "select":
            _field(page, f.path).select_option(value or "")
        else:
            _field(page, f.path).fill(value or "")


def _status(session: Session, app_id: str) -> ApplicationStatus:
    session.expire_all()
    row = session.get(ApplicationRow, app_id)
    assert row is not None
    return row.status


def test_sign_in_lockout_in_the_browser(browser: Any, server: str, session: Session) -> None:
    account = make_user(session, email="dana@northsidept.com", numbers=(EXAMPLE_NUMBER,))
    v = Visitor(browser, server)
    try:
        for _ in range(4):
            v.sign_in(account.email, "not the password")
            expect(v.page.get_by_role("alert")).to_contain_text("wrong")
        v.sign_in(account.email, "not the password")
        expect(v.page.get_by_role("alert")).to_contain_text("locked for 15 more minutes")
        v.sign_in(account.email)
        expect(v.page.get_by_role("alert")).to_contain_text("locked")
        assert v.violations == []
    finally:
        v.close()


def test_the_application_journey(browser: Any, server: str, session: Session) -> None:
    customer: WebAccount = make_user(
        session, email="dana@northsidept.com", numbers=(EXAMPLE_NUMBER,)
    )
    reviewer: WebAccount = make_user(
        session, email="rev@provider.example", role=Role.REVIEWER, name="Provider"
    )
    data = example_json()
    without_rates = data["campaign"]["opt_in"]["text"].replace(RATES + " ", "")
    c = Visitor(browser, server)
    r = Visitor(browser, server, width=390, height=844)  # the reviewer works from a phone
    page = c.page
    try:
        c.sign_in(customer.email)
        expect(page.get_by_role("heading", name="Applications")).to_be_visible()
        page.get_by_role("button", name="New application").click()
        page.wait_for_url(re.compile(r"/edit/business$"))
        c.audit()
        app_id = page.url.split("/")[-3]

        # Business identity, with the state written out: the checker offers "TX".
        _fill_step(page, "business", data, skip=("business.address.state",))
        _field(page, "business.address.state").fill("Texas")
        _field(page, "business.address.state").press("End")
        findings = page.locator("#fld-business-address-state-findings")
        expect(findings).to_contain_text("BIZ-ADDRESS")
        c.audit()
        findings.get_by_role("button", name=re.compile("Use “TX”")).click()
        expect(_field(page, "business.address.state")).to_have_value("TX")
        expect(page.locator("#fld-business-address-state-findings")).to_contain_text(
            "No problems found"
        )
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/edit/consent$"))
        c.audit()

        # Consent, without the rates disclosure: typed, flagged live, fixed with one click.
        _fill_step(page, "consent", data, skip=("campaign.opt_in.text",))
        opt_in = _field(page, "campaign.opt_in.text")
        opt_in.fill(without_rates[:-12])
        opt_in.press("End")
        opt_in.press_sequentially(without_rates[-12:], delay=20)
        findings = page.locator("#fld-campaign-opt-in-text-findings")
        expect(findings).to_contain_text("OI-RATES")
        c.audit()
        findings.get_by_role("button", name=re.compile("Msg & data rates may apply")).click()
        expect(opt_in).to_have_value(re.compile(re.escape(RATES) + "$"))
        expect(page.locator("#fld-campaign-opt-in-text-findings")).not_to_contain_text("OI-RATES")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/edit/policies$"))
        c.audit()

        _fill_step(page, "policies", data)
        # "Generate for me" needs the campaign's purpose, which comes on the next step: it says
        # so next to the field and keeps what the user wrote.
        page.get_by_role("button", name="Generate for me").nth(1).click()
        expect(page.get_by_role("alert")).to_contain_text("cannot be generated yet")
        expect(_field(page, "campaign.terms.text")).to_have_value(re.compile("SMS Terms"))
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/edit/campaign$"))
        c.audit()

        # Purpose and messages, but the HELP reply is forgotten: submit stays disabled.
        _fill_step(page, "campaign", data, skip=("campaign.help.message",))
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/edit/review$"))
        c.audit()
        submit = page.get_by_role("button", name="Submit for review")
        expect(submit).to_be_disabled()
        expect(page.locator("#submit-blocked")).to_contain_text("1 required field empty")
        page.get_by_role("link", name="HELP reply").click()
        page.wait_for_url(re.compile(r"/edit/campaign$"))
        help_reply = _field(page, "campaign.help.message")
        help_reply.fill(data["campaign"]["help"]["message"])
        help_reply.press("End")
        expect(page.locator("#fld-campaign-help-message-findings")).to_contain_text(
            "No problems found"
        )
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/edit/review$"))
        expect(page.get_by_text("Complete, and the checker found no errors")).to_be_visible()
        page.get_by_role("button", name="Submit for review").click()
        page.wait_for_url(re.compile(rf"/applications/{app_id}\?notice=submitted$"))
        expect(page.get_by_role("status")).to_contain_text("Expect a decision between")
        c.audit()
        assert _status(session, app_id) is ApplicationStatus.SUBMITTED

        # The reviewer rejects with a normalized reason.
        r.sign_in(reviewer.email)
        expect(r.page.get_by_role("heading", name="Review queue")).to_be_visible()
        r.page.get_by_role("link", name="Northside Physical Therapy", exact=True).click()
        r.audit()
        r.page.get_by_role("button", name="Start review").click()
        r.audit()
        r.page.get_by_text("Reject with reasons…").click()
        r.page.get_by_role("checkbox", name=re.compile(r"^POLICY\.PRIVACY")).check()
        r.page.get_by_label("Note for POLICY.PRIVACY").fill("The policy page returns 404.")
        r.page.get_by_role("button", name="Reject").click()
        expect(r.page.get_by_role("status")).to_contain_text("rejected")
        r.audit()
        assert _status(session, app_id) is ApplicationStatus.REJECTED

        # The customer sees why, fixes, resubmits.
        c.goto("/")
        expect(page.get_by_text("1 of 4")).to_be_visible()
        page.get_by_role("link", name="Northside Physical Therapy", exact=True).click()
        expect(page.get_by_text("The policy page returns 404.")).to_be_visible()
        c.audit()
        page.get_by_role("link", name="Fix and resubmit").click()
        page.get_by_role("link", name=re.compile("Privacy policy and terms")).click()
        page.wait_for_url(re.compile(r"/edit/policies$"))
        _field(page, "campaign.privacy_policy.url").fill("https://northsidept.com/privacy-policy")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/edit/campaign$"))
        c.goto(f"/applications/{app_id}/edit/review")
        expect(page.get_by_text("rejected 1 time")).to_be_visible()
        page.get_by_role("button", name="Resubmit").click()
        page.wait_for_url(re.compile(r"notice=submitted$"))
        assert _status(session, app_id) is ApplicationStatus.SUBMITTED

        # The reviewer approves.
        r.goto(f"/review/{app_id}")
        r.page.get_by_role("button", name="Approve").click()
        expect(r.page.get_by_role("status")).to_contain_text("approved")
        r.audit()
        assert _status(session, app_id) is ApplicationStatus.APPROVED
        c.goto(f"/applications/{app_id}")
        expect(page.locator(".badge")).to_have_text("Approved")
        c.sign_out()
        r.sign_out()
        assert c.violations == [] and r.violations == [], "\n".join(c.violations + r.violations)
    finally:
        c.close()
        r.close()


def test_main_pages_on_a_320px_screen(browser: Any, server: str, database: Database) -> None:
    from tests.web.screenshots import main_pages, seed

    ids = seed(database)
    visitors: dict[str, Visitor] = {}
    try:
        for _name, email, path in main_pages(ids):
            key = email or ""
            if key not in visitors:
                visitors[key] = Visitor(browser, server, width=320, height=640)
                if email:
                    visitors[key].sign_in(email)
            visitors[key].goto(path)
        problems = [line for v in visitors.values() for line in v.violations]
        assert problems == [], "\n".join(problems)
    finally:
        for v in visitors.values():
            v.close()
