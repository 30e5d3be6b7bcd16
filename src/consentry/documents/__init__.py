"""Document generators: the opt-in web form and printable form (PDF), the privacy policy, the
SMS terms and the keyword replies of an application, each checked by the compliance rules."""

from consentry.documents.files import FILES, DocumentFile, check_documents, render_file
from consentry.documents.generate import Documents, Reply, generate, opt_in_confirmation
from consentry.documents.pdf import render_pdf
from consentry.documents.profile import DocumentInputError, supported_use_cases

__all__ = [
    "FILES",
    "DocumentFile",
    "DocumentInputError",
    "Documents",
    "Reply",
    "check_documents",
    "generate",
    "opt_in_confirmation",
    "render_file",
    "render_pdf",
    "supported_use_cases",
]
