"""The printable opt-in form renders to a PDF whose page shows the disclosure."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from consentry.documents import generate, render_file, render_pdf
from tests.support.builders import example_application


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_file(generate(example_application()), "optin.pdf")


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in doc)
    finally:
        doc.close()


def test_pdf_is_one_page_with_the_disclosure(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) == 1
    doc.close()
    text = _text(pdf)
    for phrase in (
        "Text message consent",
        "Northside Physical Therapy",
        "Msg & data rates may apply.",
        "Reply HELP for help and STOP to opt out",
        "Consent is not a condition of any purchase or service.",
        "https://northsidept.com/privacy",
        "Signature",
        "Date",
    ):
        assert phrase in text, phrase


def test_pdf_page_image_shows_the_text(pdf: bytes) -> None:
    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=1).to_pil().convert("L")
    doc.close()
    width, height = image.size
    # Ink on the upper half of the page (title, fields and the disclosure box), paper below.
    upper = image.crop((0, 0, width, height // 2))
    lower = image.crop((0, int(height * 0.8), width, height))
    dark_upper = sum(upper.histogram()[:128])
    dark_lower = sum(lower.histogram()[:128])
    assert dark_upper > 2000
    assert dark_lower == 0


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdftoppm_renders_the_page(pdf: bytes, tmp_path: Path) -> None:
    source = tmp_path / "optin.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(source), str(tmp_path / "page")], check=True
    )
    assert list(tmp_path.glob("page*.png"))


def test_external_resources_are_not_fetched() -> None:
    html = (
        '<html lang="en"><head><link rel="stylesheet" href="file:///etc/hostname">'
        "</head><body><p>Msg &amp; data rates may apply.</p>"
        '<img src="http://192.0.2.1/logo.png" alt="logo"></body></html>'
    )
    text = _text(render_pdf(html))
    assert "Msg & data rates may apply." in text
