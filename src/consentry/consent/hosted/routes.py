"""The public hosted opt-in page, /optin/{slug}: no sign-in, so it guards itself.

CSRF: a random nonce lives in an HttpOnly, SameSite=Strict cookie scoped to /optin; the form
carries a token signed with settings.secret_key naming the slug, a one-time id and the nonce's
hash, valid for two hours. A post is refused (nothing recorded) when the token is missing,
forged, expired, for another page, not matching the cookie, already used, or when its
Origin/Referer names another host. A filled honeypot field is answered as a success and
ignored; past the abuse limit a 429 page says when to try again.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape
from starlette.datastructures import FormData

from consentry.consent.hosted import service
from consentry.consent.hosted.service import Hosted
from consentry.kit.deps import ClockDep, SessionDep, SettingsDep
from consentry.kit.phone import normalize_us
from consentry.kit.settings import Environment, Settings

__all__ = ["COOKIE", "router"]

router = APIRouter(include_in_schema=False)

COOKIE = "consentry_optin"
TOKEN_FIELD = "optin_token"
HONEYPOT = "company_website"
TOKEN_MAX_AGE = 2 * 3600
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="consentry.optin")


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()[:32]


def _linked(disclosure: str) -> Markup:
    """The disclosure, escaped, with its URLs as links: the visible text stays word for word."""
    out: list[str] = []
    last = 0
    for m in _URL.finditer(disclosure):
        out.append(str(escape(disclosure[last : m.start()])))
        url = escape(m.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        last = m.end()
    out.append(str(escape(disclosure[last:])))
    return Markup("".join(out))


def _client_ip(request: Request) -> str:
    return (request.client.host if request.client else "") or "unknown"


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _not_found(request: Request) -> HTMLResponse:
    return _render(request, "unavailable.html", 404, title="This sign-up page is not available")


def _form_page(
    request: Request,
    settings: Settings,
    h: Hosted,
    *,
    status_code: int = 200,
    error: str | None = None,
    error_field: str | None = None,
    phone: str = "",
) -> HTMLResponse:
    """The form with a fresh one-time token (and the cookie it is tied to)."""
    nonce = request.cookies.get(COOKIE) or secrets.token_urlsafe(24)
    token = _serializer(settings).dumps(
        {"s": h.page.slug, "j": secrets.token_hex(16), "n": _nonce_hash(nonce)}
    )
    p = h.documents.profile
    response = _render(
        request,
        "optin.html",
        status_code,
        title=f"Text messages from {p.brand}",
        p=p,
        consent=_linked(h.disclosure),
        token=token,
        token_field=TOKEN_FIELD,
        honeypot=HONEYPOT,
        error=error,
        error_field=error_field,
        phone=phone,
        double=h.page.double_opt_in,
    )
    response.set_cookie(
        COOKIE,
        nonce,
        max_age=TOKEN_MAX_AGE,
        path="/optin",
        httponly=True,
        samesite="strict",
        secure=settings.environment is not Environment.DEV,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/optin/{slug}", response_class=HTMLResponse)
def optin_page(
    slug: str, request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> HTMLResponse:
    """The hosted opt-in form of one campaign."""
    h = service.hosted(session, slug, clock.now())
    if h is None:
        return _not_found(request)
    return _form_page(request, settings, h)


@dataclass(frozen=True, slots=True)
class _Token:
    token_id: str


def _same_origin(request: Request) -> bool:
    """False when Origin (or, without it, Referer) names another host than this request's."""
    host = (request.headers.get("host") or request.url.netloc).lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() == host
    referer = request.headers.get("referer")
    if referer:
        return urlsplit(referer).netloc.lower() == host
    return True


def _check_token(request: Request, settings: Settings, slug: str, form: FormData) -> _Token | None:
    raw = form.get(TOKEN_FIELD)
    nonce = request.cookies.get(COOKIE)
    if not isinstance(raw, str) or not raw or not nonce:
        return None
    try:
        data = _serializer(settings).loads(raw, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != slug:
        return None
    token_id, given = data.get("j"), data.get("n")
    if not isinstance(token_id, str) or not isinstance(given, str):
        return None
    if not secrets.compare_digest(given, _nonce_hash(nonce)):
        return None
    return _Token(token_id)


def _refused(request: Request) -> HTMLResponse:
    return _render(
        request,
        "refused.html",
        403,
        title="This form could not be accepted",
    )


@router.post("/optin/{slug}", response_class=HTMLResponse)
async def optin_submit(
    slug: str, request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> HTMLResponse:
    """Record the opt-in (or say what to correct) and text the confirmation."""
    now: datetime = clock.now()
    h = service.hosted(session, slug, now)
    if h is None:
        return _not_found(request)
    form = await request.form(max_fields=20, max_files=0)
    token = _check_token(request, settings, slug, form) if _same_origin(request) else None
    if token is None or not service.consume_token(session, token.token_id):
        return _refused(request)
    ip = _client_ip(request)
    raw_phone = form.get("phone")
    typed = raw_phone.strip()[:40] if isinstance(raw_phone, str) else ""
    phone = normalize_us(typed)
    if service.over_limit(session, ip=ip, phone=phone, now=now):
        response = _render(
            request,
            "limited.html",
            429,
            title="Too many tries",
            minutes=service.WINDOW.seconds // 60,
        )
        response.headers["Retry-After"] = str(service.WINDOW.seconds)
        return response
    service.record_submission(
        session, slug=slug, token_id=token.token_id, ip=ip, phone=phone, now=now
    )
    honey = form.get(HONEYPOT)
    if isinstance(honey, str) and honey.strip():
        # A bot filled the hidden field: it sees a success, nothing is recorded or sent.
        return _render(
            request, "thanks.html", title="Thank you", p=h.documents.profile, double=False
        )
    if phone is None:
        return _form_page(
            request,
            settings,
            h,
            status_code=422,
            error="Enter a valid US mobile number, for example (512) 555-0123.",
            error_field="phone",
            phone=typed,
        )
    if form.get("sms_consent") != "yes":
        return _form_page(
            request,
            settings,
            h,
            status_code=422,
            error="Check the box to agree to text messages. Nothing was signed up.",
            error_field="sms_consent",
            phone=typed,
        )
    user_agent = request.headers.get("user-agent", "")[:500]
    service.submit(
        session,
        h,
        phone=phone,
        source={
            "ip": ip,
            "user_agent": user_agent,
            "url": str(request.url.replace(query="", fragment=""))[:500],
            "form_id": f"optin:{slug}",
            "slug": slug,
            "page_id": h.page.id,
            "double_opt_in": h.page.double_opt_in,
        },
        now=now,
        pending_hours=settings.pending_consent_hours,
    )
    return _render(
        request,
        "thanks.html",
        title="Thank you",
        p=h.documents.profile,
        double=h.page.double_opt_in,
        hours=settings.pending_consent_hours,
    )
