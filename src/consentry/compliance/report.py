"""Reports of a check for people and programs: terminal text, JSON, Markdown and HTML.

Pure: a Report plus the texts that were checked (by field, so each finding's span can be shown
in its line) in, a string out. Nothing here reads files, the network or the clock.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text as RichText

from consentry import __version__
from consentry.compliance.catalog import RuleSpec, catalog
from consentry.compliance.model import Finding, Report, Severity

__all__ = [
    "FORMATS",
    "FieldGroup",
    "Located",
    "field_label",
    "group_findings",
    "locate",
    "render",
    "render_catalog",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "summary",
]

FORMATS = ("text", "json", "markdown", "html")
CATALOG_FORMATS = ("text", "json", "markdown")
DEFAULT_TITLE = "Compliance check"

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_SEVERITY_LABEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "cyan"}

# Fields of the application file, named the way the person who filled it in thinks of them.
_LABELS = {
    "campaign.description": "Campaign description",
    "campaign.message_flow": "Message flow (how consent is collected)",
    "campaign.opt_in.text": "Opt-in language",
    "campaign.opt_in.form_html": "Opt-in form (HTML)",
    "campaign.opt_in.confirmation_message": "Opt-in confirmation message",
    "campaign.opt_out.message": "Opt-out (STOP) reply",
    "campaign.help.message": "HELP reply",
    "campaign.privacy_policy.text": "Privacy policy",
    "campaign.terms.text": "Terms of service",
    "opt_in": "Opt-in language",
    "privacy_policy": "Privacy policy",
    "terms": "Terms of service",
    "sample_message": "Sample message",
    "campaign_description": "Campaign description",
    "message_flow": "Message flow (how consent is collected)",
}
_SAMPLE_FIELD = re.compile(r"campaign\.sample_messages\[(\d+)\]")
WHOLE_APPLICATION = "Whole application"


def field_label(name: str | None) -> str:
    """A human name for a finding's field ("Sample message 2" for campaign.sample_messages[1])."""
    if name is None:
        return WHOLE_APPLICATION
    if name in _LABELS:
        return _LABELS[name]
    m = _SAMPLE_FIELD.fullmatch(name)
    if m:
        return f"Sample message {int(m.group(1)) + 1}"
    return name


# ---------------------------------------------------------------------------------------------
# Locating a finding in its text


@dataclass(frozen=True, slots=True)
class Located:
    """A finding's span in its line: the text before, the span itself, and the text after."""

    line: int
    before: str
    marked: str
    after: str
    clipped_before: bool
    clipped_marked: bool
    clipped_after: bool


def _clean(piece: str) -> str:
    # Tabs and carriage returns would break the alignment of the underline.
    return piece.replace("\t", " ").replace("\r", " ")


def locate(
    finding: Finding,
    sources: Mapping[str, str] | None,
    *,
    radius: int = 60,
    max_marked: int = 120,
) -> Located | None:
    """The line around a finding's span, or None when it has no span or the text is unknown.

    A span is trusted only when it lies inside the text and agrees with the finding's excerpt,
    so a report rendered against the wrong text shows the excerpt alone rather than a wrong line.
    """
    if finding.span is None or not sources or finding.field is None:
        return None
    text = sources.get(finding.field)
    if text is None:
        return None
    start, end = finding.span
    if not 0 <= start <= end <= len(text):
        return None
    if finding.excerpt is not None:
        expected = finding.excerpt.removesuffix("…")
        if not text[start:end].startswith(expected):
            return None
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if line_end == -1:
        line_end = len(text)
    mark_end = min(end, line_end, start + max_marked)
    clipped_marked = mark_end < end
    from_ = max(line_start, start - radius)
    if from_ > line_start:
        # Start the window on a word, not in the middle of one.
        space = text.find(" ", from_, start)
        if space != -1:
            from_ = space + 1
    to = min(line_end, mark_end + radius)
    if to < line_end and not clipped_marked:
        space = text.rfind(" ", mark_end, to)
        if space != -1:
            to = space
    return Located(
        line=text.count("\n", 0, start) + 1,
        before=_clean(text[from_:start]),
        marked=_clean(text[start:mark_end]),
        after="" if clipped_marked else _clean(text[mark_end:to]),
        clipped_before=from_ > line_start,
        clipped_marked=clipped_marked,
        clipped_after=not clipped_marked and to < line_end,
    )


# ---------------------------------------------------------------------------------------------
# Grouping and counting


@dataclass(slots=True)
class FieldGroup:
    """The findings of one field, worst first, with the text that was checked there."""

    field: str | None
    label: str
    text: str | None
    findings: list[Finding] = dc_field(default_factory=list)

    @property
    def anchor(self) -> str:
        """An id for links to this group."""
        return "f-" + re.sub(r"[^a-z0-9]+", "-", (self.field or "application").lower()).strip("-")


def _sort_key(f: Finding) -> tuple[int, int, int]:
    return (_RANK.get(f.severity, 3), 0 if f.span is None else 1, f.span[0] if f.span else 0)


def group_findings(report: Report, sources: Mapping[str, str] | None = None) -> list[FieldGroup]:
    """Findings by field: the checked texts' order first, then other fields, the whole last."""
    order: dict[str | None, int] = {name: i for i, name in enumerate(sources or {})}
    groups: dict[str | None, FieldGroup] = {}
    for f in report.findings:
        if f.field not in groups:
            text = (sources or {}).get(f.field) if f.field is not None else None
            groups[f.field] = FieldGroup(f.field, field_label(f.field), text)
            order.setdefault(f.field, len(order) + (10**6 if f.field is None else 0))
        groups[f.field].findings.append(f)
    for g in groups.values():
        g.findings.sort(key=_sort_key)
    return sorted(groups.values(), key=lambda g: order[g.field])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _infos(report: Report) -> int:
    return sum(1 for f in report.findings if f.severity is Severity.INFO)


def summary(report: Report) -> str:
    """One line: the verdict and the counts ("FAIL: 2 errors, 1 warning, 0 notes")."""
    return (
        f"{str(report.verdict).upper()}: {_plural(report.errors, 'error')}, "
        f"{_plural(report.warnings, 'warning')}, {_plural(_infos(report), 'note')}"
    )


def _rule_spec(rule_id: str) -> RuleSpec | None:
    return catalog().get(rule_id)


# ---------------------------------------------------------------------------------------------
# JSON


def render_json(report: Report) -> str:
    """The check result exactly as spec/application.md shows it, indented."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Terminal text


def render_text(
    report: Report,
    sources: Mapping[str, str] | None = None,
    *,
    title: str = DEFAULT_TITLE,
    color: bool = False,
    width: int = 100,
) -> str:
    """A report for a terminal: colored by severity when `color`, plain text otherwise."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=max(width, 40),
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    console.print(RichText(title, style="bold"))
    avail = console.width - 18
    if not report.findings:
        console.print()
        console.print("No findings: every rule that ran passed.")
    for group in group_findings(report, sources):
        console.print()
        heading = RichText()
        heading.append(group.label, style="bold underline")
        if group.field and group.label != group.field:
            heading.append(f"  {group.field}", style="dim")
        console.print(heading, soft_wrap=True)
        for f in group.findings:
            head = RichText()
            head.append(_SEVERITY_LABEL.get(f.severity, str(f.severity)), style=_STYLE[f.severity])
            head.append(" ")
            head.append(f.rule, style="bold")
            head.append("  ")
            head.append(f.message)
            _print_wrapped(console, head, 2)
            _print_location(console, f, sources, avail)
            if f.fix:
                fix = RichText()
                fix.append("fix: ", style="green")
                fix.append(f.fix)
                _print_wrapped(console, fix, 4)
    console.print()
    line = RichText()
    line.append(str(report.verdict).upper(), style="bold green" if report.passed else "bold red")
    line.append(" — " + summary(report).split(": ", 1)[1])
    console.print(line, soft_wrap=True)
    return buf.getvalue()


def _print_wrapped(console: Console, text: RichText, indent: int) -> None:
    # Wrapped lines keep the indent (a hanging indent), and no line carries trailing spaces.
    for line in text.wrap(console, console.width - indent):
        line.rstrip()
        console.print(RichText(" " * indent) + line, soft_wrap=True)


def _print_location(
    console: Console, f: Finding, sources: Mapping[str, str] | None, avail: int
) -> None:
    marked_room = max(avail - 24, 20)
    loc = locate(f, sources, radius=max((avail - marked_room) // 2, 10), max_marked=marked_room)
    if loc is None:
        if f.excerpt:
            piece = RichText("    ")
            piece.append("> ", style="dim")
            piece.append(_clean(f.excerpt).replace("\n", " "), style="underline")
            console.print(piece, soft_wrap=True)
        return
    number = f"line {loc.line} | "
    # Keep the window within the terminal: trim the context, never the span.
    room = avail - cell_len(loc.marked)
    before, after = loc.before, loc.after
    clip_before, clip_after = loc.clipped_before, loc.clipped_after
    while cell_len(before) + cell_len(after) > room and (before or after):
        if cell_len(before) >= cell_len(after):
            before, clip_before = before[1:], True
        else:
            after, clip_after = after[:-1], True
    prefix = ("…" if clip_before else "") + before
    row = RichText("    ")
    row.append(number, style="dim")
    row.append(prefix)
    row.append(loc.marked, style=f"underline {_STYLE[f.severity]}")
    row.append(("…" if loc.clipped_marked else "") + after + ("…" if clip_after else ""))
    console.print(row, soft_wrap=True)
    carets = RichText(" " * (4 + cell_len(number) + cell_len(prefix)))
    carets.append("^" * max(cell_len(loc.marked), 1), style=_STYLE[f.severity])
    console.print(carets, soft_wrap=True)


# ---------------------------------------------------------------------------------------------
# Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_WHITESPACE = re.compile(r"\s+")


def _md(text: str) -> str:
    """Text as literal Markdown: special characters escaped, one line."""
    text = _WHITESPACE.sub(" ", text)
    return _MD_ENTITY.sub(r"\\&", _MD_SPECIAL.sub(r"\\\1", text))


def _md_code(text: str, *, in_table: bool = True) -> str:
    """A code span that holds any text (backticks included)."""
    text = _WHITESPACE.sub(" ", text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def _md_described(text: str) -> str:
    """A catalog description: its `code` pieces as code spans, the rest escaped."""
    pieces = _code_pieces(text)
    return "".join(_md_code(piece) if is_code else _md(piece) for piece, is_code in pieces)


def render_markdown(
    report: Report, sources: Mapping[str, str] | None = None, *, title: str = DEFAULT_TITLE
) -> str:
    """A report in Markdown: a heading, the summary, and a table of findings per field."""
    out = [f"# {_md(title)}", ""]
    verdict = str(report.verdict).upper()
    counts = summary(report).split(": ", 1)[1]
    out.append(f"**Verdict: {verdict}** ({counts}).")
    out.append("")
    if not report.findings:
        out.append("No findings: every rule that ran passed.")
        out.append("")
    for group in group_findings(report, sources):
        heading = _md(group.label)
        if group.field and group.label != group.field:
            heading += f" ({_md_code(group.field, in_table=False)})"
        out += [f"## {heading}", ""]
        out.append("| Rule | Severity | Problem | Where | Fix |")
        out.append("|---|---|---|---|---|")
        for f in group.findings:
            where = ""
            loc = locate(f, sources)
            if f.excerpt:
                where = (f"line {loc.line}: " if loc else "") + _md_code(f.excerpt)
            out.append(
                f"| {_md_code(f.rule)} | {_SEVERITY_LABEL.get(f.severity, f.severity)} "
                f"| {_md(f.message)} | {where} | {_md(f.fix or '')} |"
            )
        out.append("")
    rules = sorted({f.rule for f in report.findings})
    if rules:
        out += ["## Rules", ""]
        for rule_id in rules:
            rule_spec = _rule_spec(rule_id)
            if rule_spec is not None:
                described = _md_described(rule_spec.description).replace("\\|", "|")
                out.append(f"- {_md_code(rule_id, in_table=False)}: {described}")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# HTML


@cache
def _template() -> jinja2.Template:
    source = (
        resources.files("consentry.compliance")
        .joinpath("templates", "report.html")
        .read_text(encoding="utf-8")
    )
    # Autoescape everything: excerpts are user text and may hold markup or script.
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(source)


@dataclass(frozen=True, slots=True)
class _Segment:
    text: str
    marked: bool
    severity: str = ""


def _segments(text: str, findings: Iterable[Finding]) -> list[_Segment]:
    """The text cut into plain and highlighted pieces (overlapping spans merged)."""
    spans = sorted(
        (f.span[0], f.span[1], f.severity)
        for f in findings
        if f.span is not None and 0 <= f.span[0] < f.span[1] <= len(text)
    )
    merged: list[list[Any]] = []
    for start, end, sev in spans:
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if _RANK[sev] < _RANK[last[2]]:
                last[2] = sev
        else:
            merged.append([start, end, sev])
    out: list[_Segment] = []
    pos = 0
    for start, end, sev in merged:
        if start > pos:
            out.append(_Segment(text[pos:start], False))
        out.append(_Segment(text[start:end], True, str(sev)))
        pos = end
    if pos < len(text):
        out.append(_Segment(text[pos:], False))
    return out


def _code_pieces(text: str) -> list[tuple[str, bool]]:
    """A catalog description split on `backticks` into (piece, is_code)."""
    return [(piece, i % 2 == 1) for i, piece in enumerate(text.split("`")) if piece]


# Texts longer than this are not repeated in full under their findings (a long policy would
# bury the findings); the located line still shows each span.
FULL_TEXT_CHARS = 20_000


def render_html(
    report: Report, sources: Mapping[str, str] | None = None, *, title: str = DEFAULT_TITLE
) -> str:
    """A standalone, accessible HTML page of the report (inline CSS, no external assets)."""
    groups = []
    for g in group_findings(report, sources):
        items = []
        for f in g.findings:
            rule_spec = _rule_spec(f.rule)
            items.append(
                {
                    "rule": f.rule,
                    "severity": str(f.severity),
                    "severity_label": _SEVERITY_LABEL.get(f.severity, str(f.severity)).capitalize(),
                    "message": f.message,
                    "fix": f.fix,
                    "excerpt": f.excerpt,
                    "located": locate(f, sources, radius=80, max_marked=200),
                    "description": _code_pieces(rule_spec.description) if rule_spec else None,
                }
            )
        full = None
        if g.text is not None and len(g.text) <= FULL_TEXT_CHARS:
            full = _segments(g.text, g.findings)
        groups.append(
            {
                "anchor": g.anchor,
                "label": g.label,
                "field": g.field if g.field != g.label else None,
                "findings": items,
                "errors": sum(1 for f in g.findings if f.severity is Severity.ERROR),
                "warnings": sum(1 for f in g.findings if f.severity is Severity.WARNING),
                "full_text": full,
            }
        )
    return _template().render(
        title=title,
        verdict=str(report.verdict),
        errors=report.errors,
        warnings=report.warnings,
        infos=_infos(report),
        groups=groups,
        checked=len(sources or {}),
        version=__version__,
    )


# ---------------------------------------------------------------------------------------------
# Dispatch and the catalog


def render(
    report: Report,
    fmt: str,
    sources: Mapping[str, str] | None = None,
    *,
    title: str = DEFAULT_TITLE,
    color: bool = False,
    width: int = 100,
) -> str:
    """The report in one of FORMATS."""
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report, sources, title=title)
    if fmt == "html":
        return render_html(report, sources, title=title)
    if fmt == "text":
        return render_text(report, sources, title=title, color=color, width=width)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def render_catalog(fmt: str = "text", specs: Sequence[RuleSpec] | None = None) -> str:
    """The rule catalog as JSON, aligned text, or a Markdown table."""
    rules = list(specs if specs is not None else catalog().values())
    if fmt == "json":
        return json.dumps([s.to_dict() for s in rules], indent=2, ensure_ascii=False)
    if fmt == "markdown":
        lines = ["| Rule | Severity | Kinds | Requirement |", "|---|---|---|---|"]
        for s in rules:
            kinds = ", ".join(_md_code(str(k)) for k in sorted(s.kinds))
            lines.append(
                f"| {_md_code(s.id)} | {s.severity} | {kinds} | {_md_described(s.description)} |"
            )
        return "\n".join(lines)
    if fmt == "text":
        width = max((len(s.id) for s in rules), default=0) + 2
        return "\n".join(f"{s.id:<{width}}{s.severity!s:<9}{s.description}" for s in rules)
    raise ValueError(f"unknown catalog format {fmt!r}; use one of {', '.join(CATALOG_FORMATS)}")
