"""The one escape notation for untrusted text: what a person typed and what a server or DNS said.

Pure and without Rich, so every layer uses it: the protocol layer for server words kept in the
facts (protocol.lines.safe_text), the screen through maildoctor.display, the line breaker
(maildoctor.wrap) without importing display.

A character is unsafe when a terminal would act on it or it does not show: controls (C0 with ESC,
DEL, C1), format characters (bidi overrides and isolates, zero-width spaces and joiners, the BOM,
soft hyphen), line and paragraph separators, lone surrogates. It is written as Python writes it
in a string literal: ESC ``\\x1b``, TAB ``\\t``, U+202E ``\\u202e``.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# controls, format characters (bidi, zero width), line/paragraph separators, surrogates
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def is_unsafe(char: str) -> bool:
    """True for a character a terminal would act on or that does not show."""
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES


def escape_char(char: str) -> str:
    """The visible escape of one character (itself when it is safe)."""
    if not is_unsafe(char):
        return char
    if "\ud800" <= char <= "\udfff":
        return f"\\u{ord(char):04x}"  # a lone surrogate cannot be encoded at all
    return char.encode("unicode_escape").decode("ascii")  # \x1b, \t, \n, \u202e


def safe(text: str, *, multiline: bool = False) -> str:
    """`text` as display text: every control or invisible character written as its escape.

    With `multiline`, line breaks stay line breaks (CR LF and CR become LF); otherwise a line
    break is shown as ``\\n`` too, so one value stays on one line.
    """
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to look at
    return "".join(char if multiline and char == "\n" else escape_char(char) for char in text)


__all__ = ["escape_char", "is_unsafe", "safe"]
