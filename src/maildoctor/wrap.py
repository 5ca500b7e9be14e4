"""Line breaking for Japanese: Rich breaks lines only at spaces, so a Japanese sentence (which
has none) would move whole to the next line or be cut. This breaks between characters, keeps
ASCII words whole, and keeps closing punctuation off the start of a line (禁則)."""

from __future__ import annotations

import re

from rich.cells import cell_len

_TOKEN = re.compile(r"[\x21-\x7e]+|\s+|.", re.DOTALL)
# characters that must not begin a line
_NO_LINE_START = frozenset(
    "、。，．・：；？！）」』】〕〉》ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.)]}:;!?"
)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells (a word longer than the width gets a line of its own)."""
    width = max(width, 8)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for token in _TOKEN.findall(paragraph):
            if token.isspace() and not current:
                continue
            if cell_len(current) + cell_len(token) <= width or (
                token[0] in _NO_LINE_START and cell_len(current) + cell_len(token) <= width + 2
            ):
                current += token
                continue
            if current:
                lines.append(current.rstrip())
            current = "" if token.isspace() else token
        lines.append(current.rstrip())
    return lines
