"""The one escape notation for untrusted text, shared by the protocol layer (server words kept in
the facts) and the screen (display.py): pure, without Rich, so any layer may use it.

A character is unsafe when a terminal would act on it or it does not show: controls (C0 with ESC,
DEL, C1), format characters (bidi overrides and isolates, zero-width spaces and joiners, the BOM,
soft hyphen), line and paragraph separators, lone surrogates. It is written as Python writes it
in a string literal: ESC ``\\x1b``, TAB ``\\t``, U+202E ``\\u202e``.
"""

from __future__ import annotations

import unicodedata
from typing import Final

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


__all__ = ["escape_char", "is_unsafe"]
