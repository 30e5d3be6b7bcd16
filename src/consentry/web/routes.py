"""The web UI's pages: sign-in, dashboard, application wizard, reviewer console.

Each route reads the form, calls the accounts or registration service and renders a template;
the request's session dependency commits. Domain errors a person can act on are shown on the
page (and the transaction rolled back), never as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from consentry.accounts.repository import user_by_id
from consentry.accounts.users import sign_in
from consentry.compliance import Application, CheckInputError
from consentry.documents import DocumentInputError
from consentry.documents import generate as generate_documents
from consentry.kit.deps import ClockDep, SessionDep, SettingsDep
from consentry.kit.errors import DomainError
from consentry.kit.settings import Settings
from consentry.registration import service
from consentry.registration.completeness import missing_fields
from consentry.registration.models import Application as ApplicationRow
from consentry.registration.models import ApplicationStatus, AuditEvent, TemporaryStatus
from consentry.registration.reasons import reasons
from consentry.registration.repository import current_temporary
from consentry.web import wizard
from consentry.web.nav import nav_for
from consentry.web.present import (
    STATUS_LABELS,
    finding_views,
    label,
    report_groups,
    summarize,
    summarize_all,
)
from consentry.web.session import (
    CSRF_FIELD,
    StaffDep,
    UserDep,
    WebUser,
    csrf_token,
    end_session,
    start_session,
    verify_csrf,
)
from consentry.web.templating import templates

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
MAX_FORM_UPLOAD = 200_000


def render(
    request: Request,
    name: str,
    *,
    user: WebUser | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page or fragment with what every template needs (user, nav, CSRF token)."""
    base = {
        "user": user,
        "nav": nav_for(user.principal.role) if user else [],
        "csrf": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "path": request.url.path,
        "labels": STATUS_LABELS,
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect a sign-in to another host.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


# -- sign-in -------------------------------------------------------------------------------------


@router.get("/signin", response_class=HTMLResponse)
def signin_page(
    request: Request, next_: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """The sign-in form."""
    return render(request, "signin.html", next=_safe_next(next_), error=None, email="")


@router.post("/signin", response_class=HTMLResponse, dependencies=[Csrf])
async def signin_submit(
    request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> Response:
    """Check the credentials; a failure is recorded (and committed) for the lockout."""
    form = await request.form()
    email = str(form.get("email") or "")
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or "/"))
    try:
        user = sign_in(session, email=email, password=password, clock=clock, settings=settings)
    except DomainError as err:
        # Not re-raised: the failure row must be committed for the lockout to count it.
        return render(
            request,
            "signin.html",
            next=target,
            error=err,
            email=email,
            status_code=err.status,
        )
    start_session(request, user)
    return _see_other(target)


@router.post("/signout", dependencies=[Csrf])
def signout(request: Request) -> Response:
    """End the session."""
    end_session(request)
    return _see_other("/signin")


# -- dashboard -----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    user: UserDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cursor: str | None = None,
) -> Response:
    """The customer's applications (staff go to the review queue)."""
    if user.is_staff:
        return _see_other("/review")
    page = service.list_applications(session, user.principal, cursor=cursor, limit=50)
    now = clock.now()
    apps = summarize_all(session, page.items, now=now, settings=settings)
    return render(
        request,
        "dashboard.html",
        user=user,
        apps=apps,
        next_cursor=page.next_cursor,
        settings=settings,
        title="Applications",
    )


@router.post("/applications", dependencies=[Csrf])
def new_application(user: UserDep, session: SessionDep, clock: ClockDep) -> Response:
    """Start a new draft and open the wizard."""
    row = service.create_draft(session, user.principal, application=Application(), clock=clock)
    return _see_other(f"/applications/{row.id}/edit/business")


def _actor_names(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    names: dict[str, str] = {}
    for e in events:
        if e.actor.startswith("user:") and e.actor not in names:
            found = user_by_id(session, e.actor.removeprefix("user:"))
            names[e.actor] = found.email if found is not None else e.actor
    return names


def _events(session: Session, user: WebUser, application_id: str) -> list[dict[str, Any]]:
    page = service.list_events(session, user.principal, application_id=application_id, limit=200)
    events = list(page.items)
    names = _actor_names(session, events)
    return [
        {
            "at": e.at,
            "action": e.action.replace("_", " ").replace(".", ": "),
            "actor": names.get(e.actor, e.actor),
            "from": e.from_status,
            "to": e.to_status,
            "details": e.details,
        }
        for e in events
    ]


def _rejections(session: Session, row: ApplicationRow) -> list[dict[str, Any]]:
    from consentry.registration.repository import rejections_for

    known = reasons()
    return [
        {
            "number": r.rejection_number,
            "code": r.code,
            "meaning": known[r.code].meaning if r.code in known else "",
            "terminal": r.terminal,
            "note": r.note,
            "at": r.at,
        }
        for r in rejections_for(session, row.id)
    ]


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    application_id: str,
    request: Request,
    user: UserDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """One application: where it stands, what the reviewer said, its audit trail."""
    row = service.get_application(session, user.principal, application_id)
    return render(
        request,
        "application.html",
        user=user,
        app=summarize(session, row, now=clock.now(), settings=settings),
        rejections=_rejections(session, row),
        events=_events(session, user, row.id),
        can_request_temporary=_can_request_temporary(session, row),
        notice=request.query_params.get("notice"),
        title=f"Application {row.id}",
    )


def _can_request_temporary(session: Session, row: ApplicationRow) -> bool:
    if row.first_submitted_at is None or row.status not in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.REJECTED,
    ):
        return False
    temp = current_temporary(session, row.id)
    return temp is None or temp.status not in (TemporaryStatus.REQUESTED, TemporaryStatus.ACTIVE)


@router.post("/applications/{application_id}/temporary-registration", dependencies=[Csrf])
def request_temporary(
    application_id: str, user: UserDep, session: SessionDep, clock: ClockDep
) -> Response:
    """Ask for a temporary registration."""
    service.request_temporary_registration(
        session, user.principal, application_id=application_id, clock=clock
    )
    return _see_other(f"/applications/{application_id}?notice=temporary-requested")


# -- wizard --------------------------------------------------------------------------------------


def _field_views(
    row: ApplicationRow, step: wizard.Step, values: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Each field of a step with its value and, for filled fields, the checker's findings."""
    data = {"business": row.business, "campaign": row.campaign}
    app = _try_application(data)
    out = []
    for f in step.fields:
        value = values.get(f.path) if values is not None else wizard.get_value(data, f.path)
        out.append(_field_view(app, f, value))
    return out


def _try_application(data: Mapping[str, Any]) -> Application:
    try:
        return Application.model_validate(data)
    except ValidationError:
        return Application()


def _field_view(app: Application, f: wizard.Field, value: Any) -> dict[str, Any]:
    text = value if isinstance(value, str) else ("" if value is None else value)
    view: dict[str, Any] = {"field": f, "value": text, "findings": [], "checked": False}
    if f.live and isinstance(text, str) and (text.strip() or f.kind is None):
        view.update(_findings_view(app, f, text))
    return view


def _findings_view(app: Application, f: wizard.Field, text: str) -> dict[str, Any]:
    try:
        result = wizard.check_field(app, f, text)
    except CheckInputError as err:
        return {"checked": True, "findings": [], "input_error": err.message}
    fixes = {}
    for i, finding in enumerate(result.findings):
        fix = wizard.mechanical_fix(finding, text)
        if fix is not None:
            fixes[i] = fix
    return {
        "checked": True,
        "findings": finding_views(result.findings, {f.path: result.text}, fixes=fixes),
    }


def _step_nav(current: str) -> list[dict[str, Any]]:
    slugs = [(s.slug, s.title) for s in wizard.STEPS] + [(wizard.REVIEW_SLUG, "Review and submit")]
    return [{"slug": s, "title": t, "current": s == current} for s, t in slugs]


def _editable_row(session: Session, user: WebUser, application_id: str) -> ApplicationRow:
    return service.get_application(session, user.principal, application_id)


@router.get("/applications/{application_id}/edit/{slug}", response_class=HTMLResponse)
def wizard_page(
    application_id: str,
    slug: str,
    request: Request,
    user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """One step of the wizard (or the review step)."""
    row = _editable_row(session, user, application_id)
    if slug == wizard.REVIEW_SLUG:
        return _review_step(request, user, row, settings)
    step = wizard.step(slug)
    if step is None:
        return render(request, "error.html", user=user, status_code=404, message="No such step.")
    return render(
        request,
        "wizard.html",
        user=user,
        row=row,
        step=step,
        steps=_step_nav(slug),
        fields=_field_views(row, step),
        editable=row.status in service.EDITABLE,
        notice=request.query_params.get("notice"),
        error=None,
        title=step.title,
    )


def _readiness(row: ApplicationRow) -> dict[str, Any]:
    app = service.as_application(row)
    report = service.check(row)
    errors = [f for f in report.findings if str(f.severity) == "error"]
    step_of = {f.path: s.slug for s in wizard.STEPS for f in s.fields}
    missing = missing_fields(app)
    return {
        "missing": [{"path": m, "label": label(m), "step": _step_for(m, step_of)} for m in missing],
        "errors": [
            {"finding": f, "label": label(f.field), "step": _step_for(f.field, step_of)}
            for f in errors
        ],
        "error_count": len(errors),
        "warnings": report.warnings,
        "ready": not missing and not errors,
    }


def _step_for(path: str | None, step_of: Mapping[str, str]) -> str:
    if path is None:
        return wizard.REVIEW_SLUG
    if path in step_of:
        return step_of[path]
    for known, slug in step_of.items():
        if known.startswith(path + ".") or path.startswith(known.split("[")[0]):
            return slug
    return "campaign" if path.startswith("campaign.") else "business"


def _review_step(
    request: Request,
    user: WebUser,
    row: ApplicationRow,
    settings: Settings,
    *,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    from consentry.registration.calendar import decision_window, submission_date

    window = decision_window(
        submission_date(request.app.state.clock.now()),
        min_days=settings.decision_days_min,
        max_days=settings.decision_days_max,
    )
    fine = int(settings.fine_schedule.get(row.rejection_count + 1, 0))
    return render(
        request,
        "review_step.html",
        user=user,
        row=row,
        steps=_step_nav(wizard.REVIEW_SLUG),
        ready=_readiness(row),
        window=window,
        fine_cents=fine,
        editable=row.status in service.SUBMITTABLE,
        error=error,
        settings=settings,
        title="Review and submit",
        status_code=status_code,
    )


async def _upload_text(form: Mapping[str, Any]) -> str | None:
    upload = form.get("campaign.opt_in.form_upload")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    raw = await upload.read(MAX_FORM_UPLOAD + 1)
    if len(raw) > MAX_FORM_UPLOAD:
        raise CheckInputError("FORM_TOO_LARGE", "The uploaded form is larger than 200 KB.")
    return raw.decode("utf-8", errors="replace")


@router.post("/applications/{application_id}/edit/{slug}", dependencies=[Csrf])
async def wizard_save(
    application_id: str,
    slug: str,
    request: Request,
    user: UserDep,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    """Save a step's fields through update_draft, then go on (or back, or stay)."""
    step = wizard.step(slug)
    if step is None:
        return _see_other(f"/applications/{application_id}/edit/business")
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    try:
        uploaded = await _upload_text(form)
        if uploaded is not None:
            values["campaign.opt_in.form_html"] = uploaded
        patch = wizard.form_patch(step.fields, values)
        service.update_draft(
            session, user.principal, application_id=application_id, patch=patch, clock=clock
        )
    except (DomainError, CheckInputError) as err:
        session.rollback()
        row = _editable_row(session, user, application_id)
        return render(
            request,
            "wizard.html",
            user=user,
            row=row,
            step=step,
            steps=_step_nav(slug),
            fields=_field_views(row, step, values),
            editable=row.status in service.EDITABLE,
            notice=None,
            error=err,
            title=step.title,
            status_code=422,
        )
    order = [s.slug for s in wizard.STEPS] + [wizard.REVIEW_SLUG]
    action = str(form.get("action") or "next")
    here = order.index(slug)
    if action == "save":
        return _see_other(f"/applications/{application_id}/edit/{slug}?notice=saved")
    target = order[max(0, here - 1)] if action == "back" else order[here + 1]
    return _see_other(f"/applications/{application_id}/edit/{target}")


def _form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post(
    "/applications/{application_id}/check", response_class=HTMLResponse, dependencies=[Csrf]
)
async def check_field(
    application_id: str,
    request: Request,
    user: UserDep,
    session: SessionDep,
    field: Annotated[str, Query()],
) -> Response:
    """The findings fragment of one field, with the form's unsaved values (htmx, as you type)."""
    f = wizard.FIELDS.get(field)
    if f is None:
        return render(request, "error.html", user=user, status_code=404, message="No such field.")
    row = _editable_row(session, user, application_id)
    form = _form_values(await request.form())
    step = next(s for s in wizard.STEPS if f in s.fields)
    app = _merged(row, step, form)
    view = _field_view(app, f, form.get(f.path, ""))
    return render(request, "_findings.html", user=user, fv=view, row=row)


def _merged(row: ApplicationRow, step: wizard.Step, form: Mapping[str, Any]) -> Application:
    stored = {"business": row.business, "campaign": row.campaign}
    try:
        return wizard.merged_application(stored, wizard.form_patch(step.fields, form))
    except ValidationError:
        return _try_application(stored)


@router.post("/applications/{application_id}/fix", response_class=HTMLResponse, dependencies=[Csrf])
async def apply_fix(
    application_id: str,
    request: Request,
    user: UserDep,
    session: SessionDep,
    field: Annotated[str, Query()],
) -> Response:
    """Apply a mechanical fix to one field: the field comes back with the new value, re-checked.

    The value is not saved until the step is saved, like anything typed.
    """
    f = wizard.FIELDS.get(field)
    if f is None:
        return render(request, "error.html", user=user, status_code=404, message="No such field.")
    row = _editable_row(session, user, application_id)
    form = _form_values(await request.form())
    new_value = str(form.get("fix_value", ""))
    form[f.path] = new_value
    step = next(s for s in wizard.STEPS if f in s.fields)
    app = _merged(row, step, form)
    return render(
        request, "_field.html", user=user, fv=_field_view(app, f, new_value), row=row, editable=True
    )


@router.post(
    "/applications/{application_id}/generate/{document}",
    response_class=HTMLResponse,
    dependencies=[Csrf],
)
async def generate_document(
    application_id: str, document: str, request: Request, user: UserDep, session: SessionDep
) -> Response:
    """Fill the privacy policy or terms text from the documents generator."""
    paths = {"privacy_policy": "campaign.privacy_policy.text", "terms": "campaign.terms.text"}
    if document not in paths:
        return render(
            request, "error.html", user=user, status_code=404, message="No generator for this."
        )
    row = _editable_row(session, user, application_id)
    app = service.as_application(row)
    f = wizard.FIELDS[paths[document]]
    # What the user has typed (sent with the request) is kept if the generator cannot run.
    form = await request.form()
    typed = form.get(f.path)
    current = (
        typed if isinstance(typed, str) else wizard.get_value(app.model_dump(mode="json"), f.path)
    )
    try:
        docs = generate_documents(app)
    except DocumentInputError as err:
        # Say what the generator needs, next to the field, and keep what the user had.
        view = _field_view(app, f, current)
        return render(
            request,
            "_field.html",
            user=user,
            fv=view,
            row=row,
            editable=True,
            generate_error=err,
        )
    text = docs.privacy_md if document == "privacy_policy" else docs.terms_md
    return render(
        request, "_field.html", user=user, fv=_field_view(app, f, text), row=row, editable=True
    )


@router.post("/applications/{application_id}/submit", dependencies=[Csrf])
def submit(
    application_id: str,
    request: Request,
    user: UserDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Submit through the registration service; refused submissions come back with the reasons."""
    try:
        service.submit(
            session, user.principal, application_id=application_id, clock=clock, settings=settings
        )
    except DomainError as err:
        session.rollback()
        row = _editable_row(session, user, application_id)
        return _review_step(request, user, row, settings, error=err, status_code=err.status)
    return _see_other(f"/applications/{application_id}?notice=submitted")


# -- reviewer console ----------------------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def review_queue(
    request: Request,
    user: StaffDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cursor: str | None = None,
) -> Response:
    """Applications awaiting a decision, the nearest deadline first."""
    page = service.review_queue(session, user.principal, cursor=cursor, limit=50)
    now = clock.now()
    apps = summarize_all(session, page.items, now=now, settings=settings)
    return render(
        request,
        "review_queue.html",
        user=user,
        apps=apps,
        next_cursor=page.next_cursor,
        title="Review queue",
    )


def _snapshot_sections(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The submitted application as labelled rows, in the wizard's order."""
    sections = []
    for s in wizard.STEPS:
        rows = []
        for f in s.fields:
            if f.widget == "file":
                continue
            value = wizard.get_value(data, f.path)
            if value in (None, "", []):
                continue
            shown = ("yes" if value else "no") if f.widget == "checkbox" else str(value)
            rows.append({"label": f.label, "value": shown, "long": f.widget == "textarea"})
        sections.append({"title": s.title, "rows": rows})
    return sections


@router.get("/review/{application_id}", response_class=HTMLResponse)
def review_page(
    application_id: str,
    request: Request,
    user: StaffDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """The submitted snapshot beside the checker's report, the actions and the audit trail."""
    row = service.get_application(session, user.principal, application_id)
    data = row.submitted_snapshot or {"business": row.business, "campaign": row.campaign}
    app = _try_application(data)
    from consentry.compliance import check_application
    from consentry.compliance.engine import application_texts

    report = check_application(app)
    temp = current_temporary(session, row.id)
    return render(
        request,
        "review_detail.html",
        user=user,
        row=row,
        app=summarize(session, row, now=clock.now(), settings=settings),
        sections=_snapshot_sections(data),
        report=report,
        groups=report_groups(report, application_texts(app)),
        reasons=list(reasons().values()),
        temporary=temp.effective_status(clock.now()) if temp is not None else None,
        rejections=_rejections(session, row),
        events=_events(session, user, row.id),
        notice=request.query_params.get("notice"),
        error=None,
        title=f"Review {_display_name(row)}",
    )


def _display_name(row: ApplicationRow) -> str:
    business = row.business or {}
    return str(business.get("display_name") or business.get("legal_name") or row.id)


@router.post("/review/{application_id}/start", dependencies=[Csrf])
def review_start(
    application_id: str, user: StaffDep, session: SessionDep, clock: ClockDep
) -> Response:
    """Take the application into review."""
    service.start_review(session, user.principal, application_id=application_id, clock=clock)
    return _see_other(f"/review/{application_id}?notice=review-started")


@router.post("/review/{application_id}/approve", dependencies=[Csrf])
def review_approve(
    application_id: str, user: StaffDep, session: SessionDep, clock: ClockDep
) -> Response:
    """Approve the application."""
    service.approve(session, user.principal, application_id=application_id, clock=clock)
    return _see_other(f"/review/{application_id}?notice=approved")


@router.post("/review/{application_id}/reject", dependencies=[Csrf])
async def review_reject(
    application_id: str,
    request: Request,
    user: StaffDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Reject with the reasons ticked (each with an optional note)."""
    form = await request.form()
    given = [
        service.ReasonInput(code=code, note=(str(form.get(f"note:{code}") or "").strip() or None))
        for code in form.getlist("reason")
        if isinstance(code, str)
    ]
    service.reject(
        session,
        user.principal,
        application_id=application_id,
        reasons_given=given,
        clock=clock,
        settings=settings,
    )
    return _see_other(f"/review/{application_id}?notice=rejected")


@router.post("/review/{application_id}/temporary-registration", dependencies=[Csrf])
def review_issue_temporary(
    application_id: str,
    user: StaffDep,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Issue the requested temporary registration."""
    service.issue_temporary_registration(
        session, user.principal, application_id=application_id, clock=clock, settings=settings
    )
    return _see_other(f"/review/{application_id}?notice=temporary-issued")
