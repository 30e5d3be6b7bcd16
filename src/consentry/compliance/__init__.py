"""The compliance checker: pure functions from text (or a whole application) to findings.

Imports no database, web or network code. Every rule has a stable id (spec/rules.md).
"""

from consentry.compliance.appfile import load_application, parse_application
from consentry.compliance.application import Application
from consentry.compliance.catalog import catalog
from consentry.compliance.context import Context, MessageRole
from consentry.compliance.engine import check_application, check_send_time, check_text
from consentry.compliance.errors import CheckInputError
from consentry.compliance.model import Finding, Kind, Report, Severity, Verdict

__all__ = [
    "Application",
    "CheckInputError",
    "Context",
    "Finding",
    "Kind",
    "MessageRole",
    "Report",
    "Severity",
    "Verdict",
    "catalog",
    "check_application",
    "check_send_time",
    "check_text",
    "load_application",
    "parse_application",
]
