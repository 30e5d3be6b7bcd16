"""Mount the web UI on the FastAPI app: session middleware, static files, pages, HTML errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import RedirectResponse, Response

from consentry.kit.errors import DomainError
from consentry.kit.logging import get_logger
from consentry.kit.settings import Environment, Settings
from consentry.web.session import CsrfFailed, SignInRequired, StaffOnly, csrf_token
from consentry.web.templating import templates

__all__ = ["SESSION_COOKIE", "install", "is_web_path"]

log = get_logger(__name__)

SESSION_COOKIE = "consentry_session"
STATIC_DIR = Path(__file__).resolve().parent / "static"
_API_PREFIXES = ("/api/", "/openapi.json", "/docs", "/redoc", "/static/")


def is_web_path(path: str) -> bool:
    """Whether a request is for the web UI (HTML errors) rather than the API (JSON errors)."""
    return not path.startswith(_API_PREFIXES)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _error_page(request: Request, status: int, message: str, fix: str | None = None) -> Response:
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "user": None,
            "nav": [],
            "csrf": csrf_token(request),
            "csrf_field": "csrf_token",
            "path": request.url.path,
            "message": message,
            "fix": fix,
            "title": "Something is not right",
        },
        status_code=status,
    )


def install(app: FastAPI, settings: Settings) -> None:
    """Add the web UI to `app`; API paths keep their JSON error handlers."""
    api_domain = app.exception_handlers[DomainError]
    api_http = app.exception_handlers[StarletteHTTPException]

    async def sign_in_required(request: Request, _exc: Exception) -> Response:
        target = "/signin?next=" + request.url.path
        if _is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def csrf_failed(request: Request, _exc: Exception) -> Response:
        log.info("web.csrf_failed", path=request.url.path)
        return _error_page(
            request,
            403,
            "This form expired or did not come from this site, so nothing was done.",
            "Go back, reload the page and try again.",
        )

    async def staff_only(request: Request, _exc: Exception) -> Response:
        return _error_page(request, 403, "This page is for reviewers.")

    async def domain_error(request: Request, exc: Exception) -> Any:
        if not is_web_path(request.url.path):
            return await _maybe_await(api_domain(request, exc))
        assert isinstance(exc, DomainError)
        return _error_page(request, exc.status, exc.message, exc.fix)

    async def http_error(request: Request, exc: Exception) -> Any:
        if not is_web_path(request.url.path):
            return await _maybe_await(api_http(request, exc))
        assert isinstance(exc, StarletteHTTPException)
        message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
        return _error_page(request, exc.status_code, message)

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(CsrfFailed, csrf_failed)
    app.add_exception_handler(StaffOnly, staff_only)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_hours * 3600,
        same_site="lax",
        https_only=settings.environment is not Environment.DEV,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    from consentry.web.messaging_routes import router as messaging_router
    from consentry.web.routes import router

    app.include_router(router)
    app.include_router(messaging_router)


async def _maybe_await(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value
