"""The checker's contract under any input: it never raises anything but CheckInputError, spans
lie inside the text, the verdict fails iff an error is found, and the same input gives the same
findings. These properties hold whichever rules are implemented."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentry.compliance import CheckInputError, Context, Kind, check_text
from consentry.compliance.model import TEXT_KINDS, Report, Severity, Verdict
from consentry.compliance.text import MAX_TEXT_CHARS

CTX = Context(company="Acme Dental LLC", brand_names=("Acme",))
EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

kinds = st.sampled_from(TEXT_KINDS)
contexts = st.sampled_from(
    [
        None,
        Context(),
        CTX,
        Context(company="Acme", use_case="2FA", age_gated=True),
        Context(company="  ", age_gated=False, message_role=None),
    ]
)

# SMS-ish vocabulary mixed with anything: keeps the rules' interesting paths reachable.
_WORDS = st.sampled_from(
    [
        "Acme",
        "STOP",
        "HELP",
        "Reply",
        "Msg & data rates may apply",
        "[ ]",
        "[x]",
        "[Company Name]",
        "{{ phone }}",
        "https://bit.ly/x",
        "example.com",
        "CBD",
        "wine",
        "payday loans",
        "not",
        "never",
        "share",
        "partners",
        "\n",
        "\n\n- ",
        ":",
        ".",
        ",",
        "’",
        "İ",
        "ß",
        "\u200b",
        "\x00",
        "\ud800",
        "😀",
        "<b>",
        "</form>",
        "<input type=checkbox checked>",
        "%",
        "$",
        "{",
    ]
)
_MIXED = st.lists(st.one_of(_WORDS, st.text(max_size=20)), max_size=40).map(" ".join)

_HTML_TAGS = st.sampled_from(
    ["form", "input", "label", "div", "p", "span", "button", "script", "style", "a", "textarea"]
)
_ATTRS = st.sampled_from(
    [
        "",
        ' type="checkbox"',
        " checked",
        " required",
        ' name="phone"',
        ' type="tel"',
        ' href="x"',
        ' value="<>"',
        " type=date name=dob",
        ' class="a"',
        "=",
        '"',
        "'",
    ]
)


@st.composite
def _htmlish(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(_HTML_TAGS)
        choice = draw(st.integers(0, 3))
        if choice == 0:
            parts.append(f"<{tag}{draw(_ATTRS)}>")
        elif choice == 1:
            parts.append(f"</{tag}>")
        elif choice == 2:
            parts.append(draw(_MIXED))
        else:
            parts.append(draw(st.text(max_size=15)))
    return "<form>" + "".join(parts)


_bytes_text = st.binary(max_size=400).map(lambda b: b.decode("utf-8", "surrogateescape"))


def _assert_contract(report: Report, text: str) -> None:
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert (report.verdict is Verdict.FAIL) == bool(errors)
    assert report.errors == len(errors)
    data = report.to_dict()
    assert data["verdict"] == str(report.verdict)
    assert data["stats"]["errors"] == len(errors)
    for f in report.findings:
        assert isinstance(f.rule, str) and f.rule
        assert isinstance(f.message, str) and f.message
        if f.span is not None:
            start, end = f.span
            assert 0 <= start <= end <= len(text), (f.rule, f.span, len(text))


def _check(kind: Kind, text: str, ctx: Context | None) -> Report | None:
    try:
        report = check_text(kind, text, ctx)
    except CheckInputError:
        return None
    return report


def _checked_text(kind: Kind, text: str) -> str:
    """The text the spans index: an HTML opt-in is checked on its visible text."""
    from consentry.compliance import forms

    if kind is Kind.OPT_IN and forms.looks_like_html(text):
        return forms.visible_text(text)
    return text


@EXAMPLES
@given(kind=kinds, text=st.text(), ctx=contexts)
def test_any_unicode_text(kind: Kind, text: str, ctx: Context | None) -> None:
    report = _check(kind, text, ctx)
    if report is not None:
        _assert_contract(report, _checked_text(kind, text))


@EXAMPLES
@given(kind=kinds, text=_MIXED, ctx=contexts)
def test_sms_like_noise(kind: Kind, text: str, ctx: Context | None) -> None:
    report = _check(kind, text, ctx)
    if report is not None:
        _assert_contract(report, _checked_text(kind, text))


@EXAMPLES
@given(kind=kinds, text=_bytes_text, ctx=contexts)
def test_undecodable_bytes_kept_as_surrogates(kind: Kind, text: str, ctx: Context | None) -> None:
    report = _check(kind, text, ctx)
    if report is not None:
        _assert_contract(report, _checked_text(kind, text))


@EXAMPLES
@given(text=_htmlish(), ctx=contexts)
def test_random_html_for_opt_in(text: str, ctx: Context | None) -> None:
    report = _check(Kind.OPT_IN, text, ctx)
    if report is not None:
        _assert_contract(report, _checked_text(Kind.OPT_IN, text))


@settings(max_examples=60, deadline=None)
@given(kind=kinds, text=st.one_of(st.text(max_size=200), _MIXED, _bytes_text), ctx=contexts)
def test_checking_is_deterministic(kind: Kind, text: str, ctx: Context | None) -> None:
    first = _check(kind, text, ctx)
    second = _check(kind, text, ctx)
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        assert first.to_dict() == second.to_dict()


@pytest.mark.parametrize("kind", TEXT_KINDS)
@pytest.mark.parametrize("text", ["", " ", "\n\t \r\n", "\u00a0\u2003", "\x00"])
def test_empty_and_blank_texts(kind: Kind, text: str) -> None:
    report = check_text(kind, text, CTX)
    _assert_contract(report, _checked_text(kind, text))


@pytest.mark.parametrize("kind", TEXT_KINDS)
def test_long_repeated_text_up_to_the_limit(kind: Kind) -> None:
    unit = (
        "Acme Dental: Reply STOP to opt out, HELP for help. Msg & data rates may apply. "
        "We never share your mobile number with third parties. [first name] "
    )
    text = (unit * (MAX_TEXT_CHARS // len(unit) + 1))[:MAX_TEXT_CHARS]
    started = time.monotonic()
    report = check_text(kind, text, CTX)
    _assert_contract(report, text)
    assert time.monotonic() - started < 30  # bounded, not a benchmark


@pytest.mark.parametrize("kind", TEXT_KINDS)
def test_ten_megabytes_is_refused_quickly(kind: Kind) -> None:
    text = "a" * 10_000_000
    started = time.monotonic()
    with pytest.raises(CheckInputError) as exc:
        check_text(kind, text, CTX)
    assert exc.value.code == "TEXT_TOO_LONG"
    assert time.monotonic() - started < 5


def test_a_non_string_is_an_input_error() -> None:
    with pytest.raises(CheckInputError):
        check_text(Kind.TERMS, b"bytes are not text", CTX)  # type: ignore[arg-type]
