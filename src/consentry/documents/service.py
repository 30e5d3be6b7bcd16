"""The documents of a stored application, in the caller's tenant."""

from __future__ import annotations

from sqlalchemy.orm import Session

from consentry.accounts.scope import Principal
from consentry.compliance import Application, Report
from consentry.documents.files import FILES, check_documents, render_file
from consentry.documents.generate import Documents, generate
from consentry.kit.errors import NotFound
from consentry.registration import service as registration

__all__ = ["application_documents", "document_file", "document_reports"]


def application_documents(
    session: Session, principal: Principal, application_id: str
) -> tuple[Application, Documents]:
    """The application (another tenant's id reads as not found) and its generated documents."""
    row = registration.get_application(session, principal, application_id)
    app = registration.as_application(row)
    return app, generate(app)


def document_reports(
    session: Session, principal: Principal, application_id: str
) -> dict[str, Report]:
    """The checker's report on each generated document of the application."""
    app, docs = application_documents(session, principal, application_id)
    return check_documents(docs, app)


def document_file(
    session: Session, principal: Principal, application_id: str, name: str
) -> tuple[bytes, str]:
    """One document's bytes and media type."""
    _app, docs = application_documents(session, principal, application_id)
    spec = FILES.get(name)
    if spec is None:
        raise NotFound(
            f"No document named {name!r}.",
            code="DOCUMENT_NOT_FOUND",
            fix=f"Use one of: {', '.join(FILES)}.",
        )
    return render_file(docs, name), spec.media_type
