"""Issue 12 item 7: the PDF sheet is written only with a font for its text (fontconfig, as WeasyPrint)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from maildoctor.export.fonts import INSTALL_COMMAND, font_language, fonts_for, needs_japanese_font
from maildoctor.export.sheet import PdfUnavailableError, ensure_pdf_support

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture
def no_fonts(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig knows no font at all (an empty font directory)."""
    (tmp_path / "fonts").mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=tmp_path / "fonts", cache=tmp_path / "cache"), encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _sheet(target: Path, lang: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "maildoctor", "settings", "taro@docomo.ne.jp", "--format", "sheet"]
    command += ["--output", str(target), "--dns", "127.0.0.1:9", "--timeout", "1", "--lang", lang]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def _pdf_renderer_or_skip() -> None:
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    try:
        ensure_pdf_support()
    except PdfUnavailableError as exc:
        pytest.skip(f"WeasyPrint cannot run here: {exc.reason}")


@pytest.mark.parametrize(("lang", "words"), [("ja", "日本語のフォントがない"), ("en", "no font the PDF")])
def test_no_pdf_without_a_font_and_the_command_that_installs_one(
    no_fonts: dict[str, str], tmp_path: Path, lang: str, words: str
) -> None:
    _pdf_renderer_or_skip()
    target = tmp_path / "sheet.pdf"
    completed = _sheet(target, lang, no_fonts)
    assert completed.returncode == 3, completed.stderr
    assert not target.exists()
    lines = completed.stderr.splitlines()
    assert f"  {INSTALL_COMMAND}" in lines  # whole, on its own line, to copy
    assert words.replace(" ", "") in "".join(completed.stderr.split())
    assert "Warning" not in completed.stderr  # no English library warnings


def test_a_japanese_sheet_with_a_japanese_font_embeds_it(tmp_path: Path) -> None:
    _pdf_renderer_or_skip()
    if not fonts_for("ja"):
        pytest.skip("no Japanese font on this machine")
    target = tmp_path / "sheet.pdf"
    completed = _sheet(target, "ja")
    assert completed.returncode == 0, completed.stderr
    assert target.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdffonts"):
        listed = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, check=True).stdout
        families = [family.split(",")[0].replace(" ", "") for family in fonts_for("ja") or ()]
        assert any(family in listed for family in families), listed


def test_which_font_a_text_needs() -> None:
    assert needs_japanese_font("受信メールサーバ")
    assert needs_japanese_font("ｔａｒｏ")
    assert not needs_japanese_font("Incoming mail server — port 993")
    assert font_language("NTTドコモ mail") == "ja"
    assert font_language("Settings") == "en"


def test_fontconfig_is_asked_as_weasyprint_would(
    no_fonts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    monkeypatch.setenv("FONTCONFIG_FILE", no_fonts["FONTCONFIG_FILE"])
    assert fonts_for("ja") == ()
    monkeypatch.setenv("PATH", "")
    assert fonts_for("ja") is None  # no fc-list: cannot tell, and the PDF is made as before
