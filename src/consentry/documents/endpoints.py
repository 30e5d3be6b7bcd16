"""Generated documents over HTTP: the list with check verdicts, and each file."""

from __future__ import annotations

from fastapi import APIRouter, Response

from consentry.accounts.deps import PrincipalDep
from consentry.documents import service
from consentry.documents.files import FILES
from consentry.documents.schemas import DocumentList, DocumentRead
from consentry.kit.deps import SessionDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["documents"])


@router.get("/applications/{application_id}/documents")
def list_documents(
    application_id: str, session: SessionDep, principal: PrincipalDep
) -> DocumentList:
    """The application's generated documents, each with the checker's verdict."""
    reports = service.document_reports(session, principal, application_id)
    base = f"/api/v1/applications/{application_id}/documents"
    return DocumentList(
        application_id=application_id,
        items=[
            DocumentRead(
                name=name,
                title=spec.title,
                media_type=spec.media_type,
                url=f"{base}/{name}",
                verdict=str(reports[name].verdict),
                errors=reports[name].errors,
                warnings=reports[name].warnings,
            )
            for name, spec in FILES.items()
        ],
    )


@router.get(
    "/applications/{application_id}/documents/{name}",
    response_class=Response,
    responses={
        200: {
            "content": {
                media: {}
                for media in dict.fromkeys(spec.media_type.split(";")[0] for spec in FILES.values())
            }
        }
    },
)
def get_document(
    application_id: str, name: str, session: SessionDep, principal: PrincipalDep
) -> Response:
    """One generated document (optin.html, optin.pdf, privacy.md, replies.json ...)."""
    content, media_type = service.document_file(session, principal, application_id, name)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
