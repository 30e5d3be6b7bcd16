"""The checker commands: check, check-text, check-batch, rules, demo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from consentry.cli import main
from consentry.compliance.text import MAX_TEXT_CHARS
from tests.conftest import EXAMPLE, ROOT

FINDING_KEYS = {"rule", "severity", "field", "span", "excerpt", "message", "fix"}
EXAMPLE_DATA = yaml.safe_load(EXAMPLE.read_text())
COMPANY = EXAMPLE_DATA["business"]["display_name"]
# The bundled example's opt-in language and form check clean; variants without the rates
# disclosure fail OI-RATES.
COMPLIANT_OPT_IN = EXAMPLE_DATA["campaign"]["opt_in"]["text"]
NO_RATES_OPT_IN = COMPLIANT_OPT_IN.replace("Msg & data rates may apply. ", "")
FORM_HTML = (EXAMPLE.parent / "optin.html").read_text()
NO_RATES_FORM_HTML = FORM_HTML.replace("Msg &amp; data rates may apply. ", "")


def run(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def run_on_terminal(args: list[str], *, stream: str, env: dict[str, str]) -> tuple[int, str]:
    """Run `python -m consentry ARGS` with stdout or stderr on a pseudo-terminal."""
    main_fd, tty_fd = os.openpty()
    other = subprocess.DEVNULL if stream == "stderr" else subprocess.PIPE
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "consentry", *args],
            stdout=tty_fd if stream == "stdout" else other,
            stderr=tty_fd if stream == "stderr" else other,
            env=env,
        )
        os.close(tty_fd)
        chunks = []
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = proc.wait(timeout=60)
    finally:
        os.close(main_fd)
    return code, b"".join(chunks).decode()


@pytest.fixture
def failing_app(tmp_path: Path) -> Path:
    """The example with its opt-in text stripped of the rates disclosure."""
    folder = tmp_path / "app"
    shutil.copytree(EXAMPLE.parent, folder)
    data = yaml.safe_load((folder / "application.yaml").read_text())
    data["campaign"]["opt_in"]["text"] = (
        "[ ] I agree to receive appointment reminder texts from Northside Physical Therapy "
        "<script>alert(1)</script>. Up to 4 msgs/month. Reply HELP for help, STOP to opt out."
    )
    path = folder / "application.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# --- check ---------------------------------------------------------------------------------------


def test_check_passes_the_bundled_example() -> None:
    result = run("check", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "Northside Physical Therapy" in result.stdout
    assert "PASS — 0 errors" in result.stdout


def test_python_dash_m_consentry_check_runs_the_example() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "consentry", "check", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "PASS — 0 errors, 0 warnings" in proc.stdout
    assert "\x1b[" not in proc.stdout  # not a terminal: no color codes
    assert proc.stderr == ""


def test_python_dash_m_consentry_check_fails_with_exit_1(failing_app: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "consentry", "check", str(failing_app), "--format", "json"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["verdict"] == "fail"
    assert "OI-RATES" in {f["rule"] for f in data["findings"]}


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("no_color", "colored"), [(None, True), ("1", False)])
def test_text_is_colored_on_a_terminal_unless_no_color(
    failing_app: Path, no_color: str | None, colored: bool
) -> None:
    env = subprocess_env(TERM="xterm-256color", **({"NO_COLOR": no_color} if no_color else {}))
    code, out = run_on_terminal(["check", str(failing_app)], stream="stdout", env=env)
    assert code == 1
    assert "OI-RATES" in out
    assert ("\x1b[" in out) is colored


def test_check_json_matches_the_check_result_shape(failing_app: Path) -> None:
    result = run("check", str(failing_app), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"verdict", "findings", "stats"}
    assert data["verdict"] == "fail"
    for f in data["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] in {"error", "warning", "info"}
        assert f["span"] is None or (len(f["span"]) == 2 and f["span"][0] <= f["span"][1])
    assert data["stats"] == {
        "errors": sum(f["severity"] == "error" for f in data["findings"]),
        "warnings": sum(f["severity"] == "warning" for f in data["findings"]),
    }
    rates = next(f for f in data["findings"] if f["rule"] == "OI-RATES")
    assert rates["field"] == "campaign.opt_in.text" and rates["fix"]


def test_check_html_to_a_file_is_a_full_escaped_document(failing_app: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run("check", str(failing_app), "--format", "html", "-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert str(out) in result.stderr and "FAIL" in result.stderr
    page = out.read_text()
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "OI-RATES" in page
    # The opt-in text is shown under its findings, escaped.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_check_markdown_and_text_formats(failing_app: Path, tmp_path: Path) -> None:
    md = run("check", str(failing_app), "--format", "markdown")
    assert md.exit_code == 1
    assert md.stdout.startswith("# Compliance check: Northside Physical Therapy")
    assert "| `OI-RATES` | error |" in md.stdout
    out = tmp_path / "report.txt"
    text = run("check", str(failing_app), "-o", str(out))
    assert text.exit_code == 1
    content = out.read_text()
    assert "OI-RATES" in content and "\x1b[" not in content
    assert "FAIL — " in content


def test_check_missing_file_is_bad_input() -> None:
    result = run("check", "no/such/application.yaml")
    assert result.exit_code == 2
    assert "APPLICATION_NOT_FOUND" in result.stderr
    assert "Traceback" not in result.output


def test_check_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text("business:\n  legal_name: Acme\ncampaign:\n  use_case: [MARKETING\n  x: 1\n")
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "APPLICATION_SYNTAX" in result.stderr
    assert "line 5" in result.stderr
    assert "fix:" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_unknown_keys_are_listed_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text("business:\n  legal_nam: Acme\n  colour: red\ncampaign: {}\n")
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "unknown key 'business.legal_nam'" in result.stderr
    assert "line 3, column 3: unknown key 'business.colour'" in result.stderr


def test_check_unwritable_output_is_bad_input(failing_app: Path, tmp_path: Path) -> None:
    result = run("check", str(failing_app), "-o", str(tmp_path / "missing" / "r.html"))
    assert result.exit_code == 2
    assert "OUTPUT_UNWRITABLE" in result.stderr


# --- check-text ----------------------------------------------------------------------------------


def test_check_text_from_a_file(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(COMPLIANT_OPT_IN)
    bad = tmp_path / "bad.txt"
    bad.write_text(NO_RATES_OPT_IN)
    assert run("check-text", "--kind", "opt_in", "--company", COMPANY, str(good)).exit_code == 0
    result = run("check-text", "--kind", "opt_in", "--company", COMPANY, str(bad))
    assert result.exit_code == 1
    assert "OI-RATES" in result.stdout


def test_check_text_from_stdin_as_json() -> None:
    result = run("check-text", "--kind", "opt_in", "--format", "json", "-", input=NO_RATES_OPT_IN)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {f["rule"] for f in data["findings"] if f["severity"] == "error"} >= {"OI-RATES"}
    assert {f["field"] for f in data["findings"]} == {"opt_in"}


def test_check_text_accepts_an_html_form_for_opt_in() -> None:
    assert NO_RATES_FORM_HTML != FORM_HTML
    ok = run("check-text", "--kind", "opt_in", "--company", COMPANY, "-", input=FORM_HTML)
    assert ok.exit_code == 0, ok.output
    bad = run("check-text", "--kind", "opt_in", "--format", "html", "-", input=NO_RATES_FORM_HTML)
    assert bad.exit_code == 1
    assert "OI-RATES" in bad.stdout
    # The page shows the visible text of the form, not its markup.
    assert "I agree to receive appointment reminder texts" in bad.stdout
    assert "&lt;input" not in bad.stdout


def test_check_text_with_context_json() -> None:
    result = run(
        "check-text",
        "--kind",
        "sample_message",
        "--context-json",
        '{"use_case": "2FA", "message_role": "message"}',
        "-",
        input="Northside PT: your code is 123456.",
    )
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--kind", "tweet"], "UNKNOWN_KIND"),
        (["--kind", "opt_in", "--context-json", '{"use_case": "2FA"'], "CONTEXT_JSON_INVALID"),
        (["--kind", "opt_in", "--context-json", "[1, 2]"], "CONTEXT_JSON_INVALID"),
        (["--kind", "opt_in", "--context-json", '{"usecase": "2FA"}'], "CONTEXT_UNKNOWN_KEY"),
        (["--kind", "opt_in", "--context-json", '{"message_role": "x"}'], "CONTEXT_INVALID"),
    ],
)
def test_check_text_bad_input_exits_2_with_the_code(args: list[str], code: str) -> None:
    result = run("check-text", *args, "-", input="I agree to texts from Acme.")
    assert result.exit_code == 2
    assert f"[{code}]" in result.stderr
    assert "Traceback" not in result.output


def test_check_text_missing_file_and_too_long_text(tmp_path: Path) -> None:
    missing = run("check-text", "--kind", "terms", str(tmp_path / "nope.md"))
    assert missing.exit_code == 2 and "TEXT_FILE_NOT_FOUND" in missing.stderr
    long = tmp_path / "long.md"
    long.write_text("a" * (MAX_TEXT_CHARS + 10))
    result = run("check-text", "--kind", "terms", str(long))
    assert result.exit_code == 2 and "TEXT_TOO_LONG" in result.stderr


# --- check-batch ---------------------------------------------------------------------------------


def write_batch(path: Path) -> list[bytes]:
    lines = [
        json.dumps({"id": "a", "kind": "opt_in", "company": COMPANY, "text": COMPLIANT_OPT_IN}),
        json.dumps({"id": "b", "kind": "opt_in", "text": NO_RATES_OPT_IN}),
        "{not json",
        json.dumps({"id": "c", "kind": "tweet", "text": "hello"}),
        "",
        json.dumps({"id": "d", "kind": "opt_in"}),
        json.dumps({"id": 5, "kind": "terms", "text": "a" * (MAX_TEXT_CHARS + 1)}),
        json.dumps({"id": "e", "kind": "opt_in", "text": "x", "context": {"bogus": 1}}),
        json.dumps(
            {
                "id": "f",
                "kind": "sample_message",
                "text": "Northside PT: your visit moved to [time]. Reply STOP to opt out.",
                "context": {"use_case": "ACCOUNT_NOTIFICATION", "message_role": "message"},
            }
        ),
    ]
    raw = [line.encode() for line in lines] + [b'{"id": "g", "kind": "opt_in", "text": "\xff"}']
    path.write_bytes(b"\n".join(raw) + b"\n")
    return raw


def test_check_batch_keeps_order_and_reports_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write_batch(src)
    out = tmp_path / "out.jsonl"
    result = run("check-batch", str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", None, "c", "d", 5, "e", "f", None]
    assert rows[0]["verdict"] == "pass" and rows[0]["findings"] == []
    assert rows[1]["verdict"] == "fail"
    assert "OI-RATES" in {f["rule"] for f in rows[1]["findings"]}
    assert set(rows[1]) == {"id", "verdict", "findings"}
    codes = {r["id"]: r["error"]["code"] for r in rows if "error" in r and r["id"] is not None}
    assert codes == {
        "c": "UNKNOWN_KIND",
        "d": "TEXT_MISSING",
        5: "TEXT_TOO_LONG",
        "e": "CONTEXT_UNKNOWN_KEY",
    }
    assert rows[2]["error"]["code"] == "LINE_JSON_INVALID"
    assert rows[2]["error"]["details"]["line"] == 3
    assert rows[8]["error"]["code"] == "LINE_ENCODING"
    assert all(r["error"]["message"] for r in rows if "error" in r)
    assert result.stderr.startswith("9 lines: ")
    assert result.stderr.rstrip().endswith("6 could not be checked")


def test_check_batch_writes_to_stdout_and_reads_stdin(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write_batch(src)
    from_file = run("check-batch", str(src))
    from_stdin = run("check-batch", "-", input=src.read_bytes())
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert from_file.stdout == from_stdin.stdout
    assert len(from_file.stdout.splitlines()) == 9


def test_check_batch_unreadable_input_exits_2(tmp_path: Path) -> None:
    result = run("check-batch", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "BATCH_NOT_FOUND" in result.stderr
    folder = run("check-batch", str(tmp_path))
    assert folder.exit_code == 2


def test_check_batch_in_a_subprocess_shows_no_progress_bar_when_piped(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write_batch(src)
    proc = subprocess.run(
        [sys.executable, "-m", "consentry", "check-batch", str(src)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 9
    # stderr is a pipe: the summary line only, no progress bar.
    assert proc.stderr.startswith("9 lines: ")
    assert len(proc.stderr.splitlines()) == 1 and "\x1b[" not in proc.stderr


# --- rules and demo ------------------------------------------------------------------------------


def test_rules_in_every_format() -> None:
    data = json.loads(run("rules", "--format", "json").stdout)
    assert {"id", "severity", "kinds", "description"} <= set(data[0])
    assert "OI-RATES" in {r["id"] for r in data}
    assert "| `OI-RATES` | error |" in run("rules", "--format", "markdown").stdout
    text = run("rules").stdout
    assert any(line.startswith("OI-RATES") for line in text.splitlines())


def test_demo_checks_the_bundled_example() -> None:
    result = run("demo")
    assert result.exit_code == 0
    assert "Northside Physical Therapy" in result.stdout
    assert "PASS" in result.stdout


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_check_batch_shows_a_progress_bar_when_stderr_is_a_terminal(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write_batch(src)
    out = tmp_path / "out.jsonl"
    code, err = run_on_terminal(
        ["check-batch", str(src), "-o", str(out)],
        stream="stderr",
        env=subprocess_env(TERM="xterm-256color"),
    )
    assert code == 0
    assert "checking" in err
    assert len(out.read_text().splitlines()) == 9
