"""Loading application files: every bad input is a CheckInputError with a stable code and a
position a person can find."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from consentry.compliance import CheckInputError, load_application, parse_application
from consentry.compliance.appfile import MAX_FILE_BYTES
from tests.conftest import EXAMPLE


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> CheckInputError:
    with pytest.raises(CheckInputError) as exc:
        load_application(path)
    return exc.value


def test_the_bundled_example_loads_with_its_files() -> None:
    app = load_application(EXAMPLE)
    assert app.business.legal_name == "Northside Physical Therapy LLC"
    assert app.campaign.privacy_policy.text and "Privacy Policy" in app.campaign.privacy_policy.text
    assert app.campaign.opt_in.form_html and "<form" in app.campaign.opt_in.form_html
    assert app.campaign.attributes.embedded_phone is True


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "app.yaml",
        "business:\n  legal_name: Acme Dental LLC\n  address: {street: 1 Main St, city: Austin\n"
        "campaign:\n  use_case: MARKETING\n",
    )
    err = _error(path)
    assert err.code == "APPLICATION_SYNTAX"
    assert "line " in err.message and "column " in err.message
    assert err.details["line"] is not None and err.details["column"] is not None
    assert str(path) in err.message


def test_bad_indentation_is_a_syntax_error_at_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "app.yaml", "business:\n  legal_name: Acme\n ein: '74-1234567'\n")
    err = _error(path)
    assert err.code == "APPLICATION_SYNTAX"
    assert err.details["line"] == 3


def test_unknown_key_names_its_path_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "app.yaml",
        "business:\n  legal_name: Acme Dental LLC\n  address:\n    street: 1 Main St\n"
        "    zip: '78701'\ncampaign:\n  use_case: MARKETING\n",
    )
    err = _error(path)
    assert err.code == "APPLICATION_INVALID"
    assert "business.address.zip" in err.message
    assert "line 5" in err.message
    problems = err.details["problems"]
    assert problems[0]["path"] == "business.address.zip" and problems[0]["line"] == 5


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "app.yaml", "business: {}\ncampaign: {}\nbrand: {}\n")
    err = _error(path)
    assert err.code == "APPLICATION_INVALID"
    assert "'brand'" in err.message and "line 3" in err.message


def test_a_string_where_a_list_belongs_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "app.yaml",
        "campaign:\n  use_case: MARKETING\n  sample_messages: 'Acme: 20% off today. Reply STOP'\n",
    )
    err = _error(path)
    assert err.code == "APPLICATION_INVALID"
    assert "campaign.sample_messages" in err.message
    assert "list" in err.message
    assert err.details["problems"][0]["line"] == 3


def test_a_word_where_a_boolean_belongs_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "app.yaml", "campaign:\n  attributes: {embedded_link: maybe}\n")
    err = _error(path)
    assert err.code == "APPLICATION_INVALID"
    assert "campaign.attributes.embedded_link" in err.message


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = _write(tmp_path, "app.yaml", "business:\n  foo: 1\n  bar: 2\n")
    err = _error(path)
    assert "(and 1 more)" in err.message
    assert [p["path"] for p in err.details["problems"]] == ["business.foo", "business.bar"]


def test_duplicate_keys_are_refused_not_silently_merged(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "app.yaml", "business:\n  ein: '74-1234567'\n  legal_name: Acme\n  ein: '75-1'\n"
    )
    err = _error(path)
    assert err.code == "APPLICATION_INVALID"
    assert "duplicate key 'business.ein'" in err.message and "line 4" in err.message


def test_scalars_keep_the_text_written(tmp_path: Path) -> None:
    # Unquoted, YAML would read the ZIP as octal, drop the phone's "+" and make NO a boolean.
    path = _write(
        tmp_path,
        "app.yaml",
        "business:\n  ein: 741234567\n  phone: +15125550100\n  address: {postal_code: 02134}\n"
        "campaign:\n  opt_out: {keywords: [STOP, NO, 'OFF']}\n"
        "  attributes: {embedded_link: yes, embedded_phone: False}\n",
    )
    app = load_application(path)
    assert app.business.ein == "741234567"
    assert app.business.phone == "+15125550100"
    assert app.business.address.postal_code == "02134"
    assert app.campaign.opt_out.keywords == ["STOP", "NO", "OFF"]
    assert app.campaign.attributes.embedded_link is True
    assert app.campaign.attributes.embedded_phone is False


def test_text_file_that_does_not_exist(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "app.yaml",
        "campaign:\n  privacy_policy: {url: 'https://a.com/p', text_file: nope.md}\n",
    )
    err = _error(path)
    assert err.code == "APPLICATION_FILE_UNREADABLE"
    assert "nope.md" in err.message and "campaign.privacy_policy.text_file" in err.message


def test_text_file_is_read_relative_to_the_application(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    _write(tmp_path / "docs", "terms.md", "Acme SMS terms.")
    path = _write(tmp_path, "app.yaml", "campaign:\n  terms: {text_file: docs/terms.md}\n")
    assert load_application(path).campaign.terms.text == "Acme SMS terms."


def test_text_and_text_file_together_are_refused(tmp_path: Path) -> None:
    _write(tmp_path, "terms.md", "Acme SMS terms.")
    path = _write(
        tmp_path, "app.yaml", "campaign:\n  terms: {text: 'Inline terms', text_file: terms.md}\n"
    )
    err = _error(path)
    assert err.code == "APPLICATION_INVALID"
    assert "text" in err.message and "text_file" in err.message and "campaign.terms" in err.message


def test_a_file_field_without_a_folder_is_refused() -> None:
    with pytest.raises(CheckInputError) as exc:
        parse_application("campaign:\n  terms: {text_file: terms.md}\n")
    assert exc.value.code == "APPLICATION_INVALID"
    assert "campaign.terms.text_file" in exc.value.message


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "app.json", '{\n  "business": {\n    "legal_name": "Acme",\n  }\n}\n')
    err = _error(path)
    assert err.code == "APPLICATION_SYNTAX"
    assert err.details == {"line": 4, "column": 3}
    assert "line 4, column 3" in err.message


def test_valid_json_loads_even_where_yaml_would_refuse_it(tmp_path: Path) -> None:
    # A surrogate-pair escape (an emoji) and tab indentation are valid JSON.
    body = {"business": {"legal_name": "Acme \ud83d\ude00 LLC", "address": {"postal_code": 78701}}}
    path = _write(tmp_path, "app.json", json.dumps(body, indent="\t"))
    app = load_application(path)
    assert app.business.legal_name == "Acme 😀 LLC"
    assert app.business.address.postal_code == "78701"


def test_json_unknown_key_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "app.json", '{\n  "business": {\n    "legal_nam": "Acme"\n  }\n}\n')
    err = _error(path)
    assert err.code == "APPLICATION_INVALID"
    assert "business.legal_nam" in err.message and "line 3" in err.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert _error(_write(tmp_path, "app.yaml", text)).code == "APPLICATION_EMPTY"


@pytest.mark.parametrize("text", ["- business\n- campaign\n", "just a sentence\n", "[1, 2]\n"])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    err = _error(_write(tmp_path, "app.yaml", text))
    assert err.code == "APPLICATION_INVALID"
    assert "top level" in err.message


def test_several_documents_in_one_file_are_refused(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "app.yaml", "business: {}\n---\ncampaign: {}\n"))
    assert err.code == "APPLICATION_SYNTAX"


def test_deep_nesting_is_refused_cleanly(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "app.yaml", "a: " + "[" * 50_000))
    assert err.code == "APPLICATION_SYNTAX"


def test_a_3_mb_file_is_refused_before_parsing(tmp_path: Path) -> None:
    filler = "# " + "x" * 98 + "\n"
    path = _write(tmp_path, "app.yaml", "business: {}\n" + filler * 30_000)
    assert path.stat().st_size > 3_000_000 > MAX_FILE_BYTES
    err = _error(path)
    assert err.code == "APPLICATION_FILE_TOO_LARGE"


def test_a_too_large_text_file_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "privacy.md", "x" * (MAX_FILE_BYTES + 1))
    path = _write(tmp_path, "app.yaml", "campaign:\n  privacy_policy: {text_file: privacy.md}\n")
    assert _error(path).code == "APPLICATION_FILE_TOO_LARGE"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope.yaml").code == "APPLICATION_NOT_FOUND"
    assert _error(tmp_path).code == "APPLICATION_NOT_FOUND"


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_bytes("business: {legal_name: Caf\u00e9}\n".encode("latin-1"))
    assert _error(path).code == "APPLICATION_FILE_ENCODING"


def test_a_copied_example_still_loads(tmp_path: Path) -> None:
    target = tmp_path / "northside"
    shutil.copytree(EXAMPLE.parent, target)
    assert load_application(target / "application.yaml").business.ein == "74-1234567"
