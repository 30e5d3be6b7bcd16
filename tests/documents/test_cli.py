"""`consentry documents APP_FILE --out DIR`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from consentry.cli import main
from consentry.documents import FILES
from tests.conftest import EXAMPLE


def test_writes_every_document_and_reports_each_verdict(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    result = CliRunner().invoke(main, ["documents", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (out / name).stat().st_size > 0
        line = next(line for line in result.output.splitlines() if line.strip().startswith(name))
        assert " pass " in line and "0 error(s), 0 warning(s)" in line
    assert (out / "optin.pdf").read_bytes().startswith(b"%PDF-")
    replies = json.loads((out / "replies.json").read_text())
    assert set(replies) == {"opt_in_confirmation", "help_reply", "opt_out_reply"}
    assert replies["help_reply"]["segments"] == 1
    assert "1 segment(s), GSM-7" in result.output
    assert "Msg &amp; data rates may apply." in (out / "optin.html").read_text()
    assert "# Privacy Policy" in (out / "privacy.md").read_text()


def test_incomplete_application_is_bad_input(tmp_path: Path) -> None:
    app_file = tmp_path / "app.yaml"
    app_file.write_text("business: {legal_name: Sunny Bakery LLC}\ncampaign: {}\n")
    result = CliRunner().invoke(main, ["documents", str(app_file), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "DOCUMENTS_INPUT_INCOMPLETE" in result.output
    # Every problem is listed with its fix, not only the first.
    assert "Give campaign.use_case" in result.output
    assert "Give business.website" in result.output
    assert not (tmp_path / "o").exists()


def test_unreadable_file_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["documents", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2


def test_unknown_key_is_bad_input(tmp_path: Path) -> None:
    app_file = tmp_path / "app.yaml"
    app_file.write_text("business: {legal_name: X, colour: red}\n")
    result = CliRunner().invoke(main, ["documents", str(app_file), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2


def test_out_is_required(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["documents", str(EXAMPLE)])
    assert result.exit_code == 2
