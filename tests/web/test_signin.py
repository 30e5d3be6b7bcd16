"""Sign-in, sessions, CSRF and lockout."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from tests.web.support import PASSWORD, WebAccount, csrf_of, sign_in


def _attempt(client: TestClient, email: str, password: str) -> int:
    token = csrf_of(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    return response.status_code


def test_pages_need_a_signed_in_user(web: TestClient) -> None:
    response = web.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/"


def test_sign_in_and_out(web: TestClient, customer: WebAccount) -> None:
    token = sign_in(web, customer.email)
    page = web.get("/")
    assert page.status_code == 200 and customer.email in page.text
    out = web.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert web.get("/", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_httponly_lax_and_secure(
    web: TestClient, customer: WebAccount
) -> None:
    token = csrf_of(web.get("/signin").text)
    response = web.post(
        "/signin",
        data={"email": customer.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie


def test_email_is_case_insensitive(web: TestClient, customer: WebAccount) -> None:
    assert _attempt(web, customer.email.upper(), PASSWORD) == 303


def test_a_post_without_the_csrf_token_is_refused(web: TestClient, customer: WebAccount) -> None:
    web.get("/signin")
    response = web.post("/signin", data={"email": customer.email, "password": PASSWORD})
    assert response.status_code == 403
    assert web.get("/", follow_redirects=False).status_code == 303  # not signed in


def test_a_post_with_another_sessions_token_is_refused(
    web: TestClient, second_client: TestClient, customer: WebAccount
) -> None:
    foreign = sign_in(second_client, customer.email)
    sign_in(web, customer.email)
    response = web.post("/applications", data={"csrf_token": foreign}, follow_redirects=False)
    assert response.status_code == 403


def test_wrong_password_says_how_many_attempts_are_left(
    web: TestClient, customer: WebAccount
) -> None:
    token = csrf_of(web.get("/signin").text)
    response = web.post(
        "/signin", data={"email": customer.email, "password": "nope nope nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "4 more attempts" in response.text


def test_five_failures_lock_the_address_even_for_the_right_password(
    web: TestClient, customer: WebAccount, clock: FrozenClock
) -> None:
    for _ in range(4):
        assert _attempt(web, customer.email, "wrong password!") == 401
        clock.advance(minutes=1)
    assert _attempt(web, customer.email, "wrong password!") == 429
    assert _attempt(web, customer.email, PASSWORD) == 429
    clock.advance(minutes=14)
    page = web.post(
        "/signin",
        data={
            "email": customer.email,
            "password": PASSWORD,
            "csrf_token": csrf_of(web.get("/signin").text),
        },
    )
    assert page.status_code == 429 and "locked for 1 more minute" in page.text
    clock.advance(timedelta(minutes=1, seconds=1))
    assert _attempt(web, customer.email, PASSWORD) == 303


def test_failures_spread_over_more_than_the_window_do_not_lock(
    web: TestClient, customer: WebAccount, clock: FrozenClock
) -> None:
    for _ in range(6):
        assert _attempt(web, customer.email, "wrong password!") == 401
        clock.advance(minutes=4)
    assert _attempt(web, customer.email, PASSWORD) == 303


def test_unknown_addresses_lock_the_same_way(web: TestClient) -> None:
    codes = [_attempt(web, "nobody@nowhere.example", "whatever123") for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]


def test_a_successful_sign_in_resets_the_count(web: TestClient, customer: WebAccount) -> None:
    for _ in range(4):
        _attempt(web, customer.email, "wrong password!")
    assert _attempt(web, customer.email, PASSWORD) == 303
    for _ in range(4):
        assert _attempt(web, customer.email, "wrong password!") == 401


def test_next_never_leaves_the_site(web: TestClient, customer: WebAccount) -> None:
    token = csrf_of(web.get("/signin").text)
    response = web.post(
        "/signin",
        data={
            "email": customer.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_the_demo_seed_creates_users_who_can_sign_in(web: TestClient, database: Database) -> None:
    from consentry.cli.server import _seed_demo

    seed = _seed_demo(database)
    assert seed is not None
    sign_in(web, seed["user_email"], seed["user_password"])
    assert "Northside Physical Therapy" in web.get("/").text
    web.post("/signout", data={"csrf_token": csrf_of(web.get("/").text)})
    sign_in(web, seed["reviewer_email"], seed["reviewer_password"])
    assert web.get("/", follow_redirects=False).headers["location"] == "/review"
