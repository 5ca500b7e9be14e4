"""Is there a Japanese font for the PDF? Asked of fontconfig, which WeasyPrint's Pango uses too.

Without one, WeasyPrint writes every Japanese character as an empty box and still succeeds: the
sheet must not be written then. `fc-list` missing or failing means "cannot tell" (None), and the
PDF is made as before.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Final

FC_LIST_TIMEOUT: Final = 10.0  # seconds; fontconfig may build its cache on a first run
INSTALL_COMMAND: Final = "sudo apt install fonts-ipafont-gothic"

# Hiragana, Katakana, CJK ideographs (and extension A), CJK punctuation, full-width forms
_JAPANESE_RANGES: Final = (
    (0x3000, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
)


def needs_japanese_font(text: str) -> bool:
    return any(start <= ord(char) <= end for char in text for start, end in _JAPANESE_RANGES)


def font_language(text: str) -> str:
    """The language whose font the text needs: "ja" for any Japanese character, else "en"."""
    return "ja" if needs_japanese_font(text) else "en"


def fonts_for(language: str) -> tuple[str, ...] | None:
    """The font families fontconfig has for `language` (`fc-list :lang=ja family`); None: cannot tell."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        completed = subprocess.run(
            [fc_list, f":lang={language}", "family"],
            capture_output=True,
            text=True,
            timeout=FC_LIST_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    return tuple(line.strip() for line in completed.stdout.splitlines() if line.strip())
