"""The pages over HTTP: wizard saves through the service, live checks, fixes, submit, review."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.compliance import Application
from consentry.kit.clock import FrozenClock
from consentry.registration import service
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.models import ApplicationStatus
from tests.support.builders import example_json, without_rates_disclosure
from tests.web.support import WebAccount, sign_in


def _draft(session: Session, owner: WebAccount, data: dict[str, Any], clock: FrozenClock) -> str:
    from consentry.accounts.models import User
    from consentry.accounts.users import principal_for

    user = session.get(User, owner.user_id)
    assert user is not None
    row = service.create_draft(
        session,
        principal_for(session, user),
        application=Application.model_validate(data),
        clock=clock,
    )
    session.commit()
    return row.id


def _row(session: Session, app_id: str) -> ApplicationRow:
    session.expire_all()
    row = session.get(ApplicationRow, app_id)
    assert row is not None
    return row


def test_new_application_opens_the_wizard(web: TestClient, customer: WebAccount) -> None:
    token = sign_in(web, customer.email)
    response = web.post("/applications", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert re.fullmatch(r"/applications/app_\w+/edit/business", response.headers["location"])
    page = web.get(response.headers["location"])
    assert page.status_code == 200 and 'name="business.legal_name"' in page.text


def test_saving_a_step_updates_the_draft(
    web: TestClient, session: Session, customer: WebAccount, clock: FrozenClock
) -> None:
    app_id = _draft(session, customer, {}, clock)
    token = sign_in(web, customer.email)
    response = web.post(
        f"/applications/{app_id}/edit/business",
        data={
            "csrf_token": token,
            "business.legal_name": "Northside Physical Therapy LLC",
            "business.ein": "74-1234567",
            "business.address.state": "tx",
            "action": "next",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/applications/{app_id}/edit/consent"
    row = _row(session, app_id)
    assert row.business["legal_name"] == "Northside Physical Therapy LLC"
    assert row.business["address"]["state"] == "TX"


def test_samples_and_attributes_round_trip(
    web: TestClient, session: Session, customer: WebAccount, clock: FrozenClock
) -> None:
    app_id = _draft(session, customer, example_json(), clock)
    token = sign_in(web, customer.email)
    web.post(
        f"/applications/{app_id}/edit/campaign",
        data={
            "csrf_token": token,
            "campaign.use_case": "CUSTOMER_CARE",
            "campaign.sample_messages[0]": "Northside PT: first. Reply STOP to opt out.",
            "campaign.sample_messages[1]": "",
            "campaign.sample_messages[2]": "Northside PT: third.",
            "campaign.attributes.embedded_phone": "true",
            "action": "save",
        },
    )
    row = _row(session, app_id)
    assert row.campaign["sample_messages"] == [
        "Northside PT: first. Reply STOP to opt out.",
        "Northside PT: third.",
    ]
    assert row.campaign["attributes"]["embedded_phone"] is True
    assert row.campaign["attributes"]["embedded_link"] is False


def test_live_check_marks_the_excerpt_and_offers_a_fix(
    web: TestClient, session: Session, customer: WebAccount, clock: FrozenClock
) -> None:
    app_id = _draft(session, customer, example_json(), clock)
    token = sign_in(web, customer.email)
    text = "[x] I agree to receive marketing texts from Northside Physical Therapy."
    fragment = web.post(
        f"/applications/{app_id}/check?field=campaign.opt_in.text",
        data={"campaign.opt_in.text": text},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "OI-RATES" in fragment.text
    assert "Add “Msg &amp; data rates may apply.”" in fragment.text
    assert "<mark>[x]</mark>" in fragment.text  # OI-NOT-PRECHECKED, located


def test_identity_fields_show_their_own_findings(
    web: TestClient, session: Session, customer: WebAccount, clock: FrozenClock
) -> None:
    app_id = _draft(session, customer, example_json(), clock)
    token = sign_in(web, customer.email)
    fragment = web.post(
        f"/applications/{app_id}/check?field=business.ein",
        data={"business.ein": "74-123-4567"},
        headers={"X-CSRF-Token": token},
    )
    assert "BIZ-EIN" in fragment.text and "Use “74-1234567”" in fragment.text
    assert "OI-" not in fragment.text


def test_apply_fix_returns_the_field_with_the_sentence_added(
    web: TestClient, session: Session, customer: WebAccount, clock: FrozenClock
) -> None:
    app_id = _draft(session, customer, example_json(), clock)
    token = sign_in(web, customer.email)
    fixed = "Reply HELP for help. Msg & data rates may apply."
    response = web.post(
        f"/applications/{app_id}/fix?field=campaign.opt_in.text",
        data={"campaign.opt_in.text": "Reply HELP for help.", "fix_value": fixed},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert ">Reply HELP for help. Msg &amp; data rates may apply.</textarea>" in response.text
    assert "OI-RATES" not in response.text


def test_check_and_fix_need_the_csrf_header(
    web: TestClient, session: Session, customer: WebAccount, clock: FrozenClock
) -> None:
    app_id = _draft(session, customer, example_json(), clock)
    sign_in(web, customer.email)
    response = web.post(
        f"/applications/{app_id}/check?field=business.ein", data={"business.ein": "1"}
    )
    assert response.status_code == 403


def test_submit_is_disabled_with_the_reason_while_errors_remain(
    web: TestClient, session: Session, customer: WebAccount, clock: FrozenClock
) -> None:
    app_id = _draft(session, customer, without_rates_disclosure(example_json()), clock)
    sign_in(web, customer.email)
    page = web.get(f"/applications/{app_id}/edit/review")
    assert re.search(r'<button type="submit" class="button" disabled[^>]*>Submit', page.text)
    assert "1 error found by the checker" in page.text and "OI-RATES" in page.text


def test_a_forced_submit_with_errors_is_refused_by_the_service(
    web: TestClient, session: Session, customer: WebAccount, clock: FrozenClock
) -> None:
    app_id = _draft(session, customer, without_rates_disclosure(example_json()), clock)
    token = sign_in(web, customer.email)
    response = web.post(f"/applications/{app_id}/submit", data={"csrf_token": token})
    assert response.status_code == 422 and "cannot be submitted" in response.text
    assert _row(session, app_id).status is ApplicationStatus.DRAFT


def test_submit_review_reject_resubmit_approve(
    web: TestClient,
    second_client: TestClient,
    session: Session,
    customer: WebAccount,
    reviewer: WebAccount,
    clock: FrozenClock,
) -> None:
    app_id = _draft(session, customer, example_json(), clock)
    token = sign_in(web, customer.email)
    review_page = web.get(f"/applications/{app_id}/edit/review")
    assert "Tue Jan 27, 2026" in review_page.text  # 15 business days after Mon Jan 5 (MLK day)
    done = web.post(f"/applications/{app_id}/submit", data={"csrf_token": token})
    assert "Submitted." in done.text and "Expect a decision between" in done.text

    rtoken = sign_in(second_client, reviewer.email)
    queue = second_client.get("/review")
    assert f"/review/{app_id}" in queue.text
    detail = second_client.get(f"/review/{app_id}")
    assert "As submitted" in detail.text and "Checker report" in detail.text
    assert "terminal" in detail.text
    second_client.post(f"/review/{app_id}/start", data={"csrf_token": rtoken})
    second_client.post(
        f"/review/{app_id}/reject",
        data={"csrf_token": rtoken, "reason": "POLICY.PRIVACY", "note:POLICY.PRIVACY": "404"},
    )
    assert _row(session, app_id).status is ApplicationStatus.REJECTED

    mine = web.get(f"/applications/{app_id}")
    assert "POLICY.PRIVACY" in mine.text and "Reviewer’s note: 404" in mine.text
    dashboard = web.get("/")
    assert "1 of 4" in dashboard.text and "Fix and resubmit" in dashboard.text
    web.post(f"/applications/{app_id}/submit", data={"csrf_token": token})
    assert _row(session, app_id).status is ApplicationStatus.SUBMITTED

    second_client.post(f"/review/{app_id}/approve", data={"csrf_token": rtoken})
    row = _row(session, app_id)
    assert row.status is ApplicationStatus.APPROVED
    trail = web.get(f"/applications/{app_id}").text
    for action in ("Created", "Submitted", "Rejected", "Resubmitted", "Approved"):
        assert f'<span class="event-action">{action.lower()}' in trail
    assert reviewer.email in trail


def test_reject_without_a_reason_is_explained(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    reviewer: WebAccount,
    clock: FrozenClock,
) -> None:
    app_id = _draft(session, customer, example_json(), clock)
    token = sign_in(web, customer.email)
    web.post(f"/applications/{app_id}/submit", data={"csrf_token": token})
    web.post("/signout", data={"csrf_token": token})
    rtoken = sign_in(web, reviewer.email)
    response = web.post(f"/review/{app_id}/reject", data={"csrf_token": rtoken})
    assert response.status_code == 422 and "at least one reason" in response.text
    assert "<html" in response.text  # a page, not JSON


def test_customers_cannot_open_the_review_console(web: TestClient, customer: WebAccount) -> None:
    sign_in(web, customer.email)
    assert web.get("/review").status_code == 403


def test_another_tenants_application_reads_as_not_found(
    web: TestClient,
    session: Session,
    customer: WebAccount,
    other_customer: WebAccount,
    clock: FrozenClock,
) -> None:
    app_id = _draft(session, other_customer, example_json(), clock)
    sign_in(web, customer.email)
    for path in (f"/applications/{app_id}", f"/applications/{app_id}/edit/business"):
        assert web.get(path).status_code == 404


def test_the_api_still_answers_json(web: TestClient) -> None:
    response = web.get("/api/v1/applications")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    assert web.get("/api/v1/nope").json()["error"]["code"] == "NOT_FOUND"
