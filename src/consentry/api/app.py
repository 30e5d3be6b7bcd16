"""The FastAPI application factory and the one place errors are rendered."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentry import __version__
from consentry.accounts.endpoints import router as accounts_router
from consentry.api.provider import router as provider_router
from consentry.compliance import CheckInputError
from consentry.consent.endpoints import router as consent_router
from consentry.consent.evidence import router as evidence_router
from consentry.consent.hosted.api import router as optin_api_router
from consentry.consent.hosted.routes import router as optin_router
from consentry.documents.endpoints import router as documents_router
from consentry.kit.clock import Clock, SystemClock
from consentry.kit.db import Database
from consentry.kit.errors import DomainError
from consentry.kit.logging import get_logger
from consentry.kit.settings import Settings, get_settings
from consentry.messaging.endpoints import router as messaging_router
from consentry.messaging.hook_endpoints import router as hooks_router
from consentry.messaging.log_endpoints import router as log_router
from consentry.messaging.numbers.endpoints import router as numbers_router
from consentry.messaging.retention_endpoints import router as retention_router
from consentry.messaging.textback_endpoints import router as textback_router
from consentry.registration.endpoints import review_router
from consentry.registration.endpoints import router as registration_router

__all__ = ["create_app", "error_body"]

log = get_logger(__name__)

_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def error_body(
    code: str, message: str, *, fix: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The project's error shape."""
    return {"error": {"code": code, "message": message, "fix": fix, "details": details or {}}}


def _loc_path(loc: tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _sentence(err: dict[str, Any]) -> str:
    where = _loc_path(tuple(err.get("loc", ())))
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return f"unknown key '{where}'"
    if kind == "missing":
        return f"'{where}' is required"
    if kind == "json_invalid":
        return f"the body is not valid JSON ({err.get('ctx', {}).get('error', 'syntax error')})"
    msg = str(err.get("msg", "invalid value"))
    return f"'{where}': {msg[:1].lower()}{msg[1:]}" if where else msg


def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    problems = [
        {"path": _loc_path(tuple(e.get("loc", ()))), "type": e.get("type"), "message": _sentence(e)}
        for e in errors
    ]
    is_json = any(e.get("type") == "json_invalid" for e in errors)
    first = problems[0]["message"] if problems else "the request is invalid"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    body = error_body(
        "INVALID_JSON" if is_json else "VALIDATION_ERROR",
        f"{first[:1].upper()}{first[1:]}{more}.",
        fix="Send a JSON body with Content-Type: application/json."
        if is_json
        else "Correct the fields named in details.problems; /openapi.json describes each.",
        details={"problems": problems},
    )
    return JSONResponse(body, status_code=422)


def _domain_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(exc.to_dict(), status_code=exc.status)


def _check_input_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CheckInputError)
    return JSONResponse(
        error_body(exc.code, exc.message, fix=exc.fix, details=exc.details), status_code=422
    )


def _http_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"HTTP_{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else "The request failed."
    if exc.status_code == 404:
        message = "No such endpoint."
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


def _internal_handler(request: Request, exc: Exception) -> JSONResponse:
    log.error("api.internal_error", path=request.url.path, error=type(exc).__name__, exc_info=exc)
    return JSONResponse(
        error_body(
            "INTERNAL_ERROR",
            "Something went wrong on our side; nothing was saved.",
            fix="Retry; if it keeps failing, report the time of the request.",
        ),
        status_code=500,
    )


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    database: Database | None = None,
) -> FastAPI:
    """The Consentry API on the configured database (migrations are the caller's job)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Consentry",
        version=__version__,
        description="US business texting: registration, compliance, consent and messaging.",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.db = database or Database(settings.database_url)
    app.add_exception_handler(DomainError, _domain_handler)
    app.add_exception_handler(CheckInputError, _check_input_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _internal_handler)
    app.include_router(registration_router)
    app.include_router(review_router)
    app.include_router(documents_router)
    app.include_router(accounts_router)
    app.include_router(hooks_router)
    app.include_router(log_router)
    app.include_router(provider_router)
    # The web UI shares the app, the services and the database; it keeps API errors JSON.
    from consentry.web import install as install_web

    install_web(app, settings)
    app.include_router(numbers_router)
    # Before the consent router: /consents/export must not read as a consent id.
    app.include_router(evidence_router)
    app.include_router(optin_api_router)
    app.include_router(optin_router)
    app.include_router(consent_router)
    app.include_router(messaging_router)
    app.include_router(textback_router)
    app.include_router(retention_router)
    return app
