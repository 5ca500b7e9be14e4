"""Line breaking for Japanese: Rich breaks lines only at spaces, so a Japanese sentence (which
has none) would move whole to the next line or be cut. This breaks between characters, keeps
ASCII words whole, and keeps closing punctuation off the start of a line (禁則)."""

from __future__ import annotations

import re

from rich.cells import cell_len

_TOKEN = re.compile(r"[\x21-\x7e]+|\s+|.", re.DOTALL)
_ASCII_WORD = re.compile(r"[\x21-\x7e]{2}")
# characters that must not end a line
_NO_LINE_END = frozenset("「『（【〔〈《([{")
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
            if cell_len(current) + cell_len(token) <= width:
                current += token
                continue
            carried = ""
            if token[0] in _NO_LINE_START:
                # 禁則: closing punctuation may not start a line, so the character before it goes
                # down with it (with any closing marks before that one); a line never gets wider
                cut = len(current) - 1
                while cut > 0 and current[cut] in _NO_LINE_START:
                    cut -= 1
                while cut > 0 and _ASCII_WORD.match(current[cut - 1 : cut + 1]):
                    cut -= 1  # a number or word before the mark goes down whole ("（46" / "5・" is wrong)
                if cut > 0 and current[cut - 1] in _NO_LINE_END:
                    cut -= 1
                if cut > 0 and not current[cut].isspace() and cell_len(current[cut:] + token) <= width:
                    current, carried = current[:cut], current[cut:]
            elif len(current) > 1 and current[-1] in _NO_LINE_END:
                current, carried = current[:-1], current[-1]  # an opening mark goes down with its word
            if current:
                lines.append(current.rstrip())
            current = "" if token.isspace() and not carried else carried + token
        lines.append(current.rstrip())
    return lines
