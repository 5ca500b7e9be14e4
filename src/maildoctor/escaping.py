"""`safe()`: untrusted text as display text, every control or invisible character written as its escape.

The core of maildoctor.display (which says where it is used), on its own so that maildoctor.wrap,
which display uses to break lines, can make text safe without importing display.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# controls, format characters (bidi, zero width), line/paragraph separators, surrogates
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def is_unsafe(char: str) -> bool:
    """True for a character a terminal would act on or that does not show."""
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES


def _escape(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return f"\\u{ord(char):04x}"  # a lone surrogate cannot be encoded at all
    return char.encode("unicode_escape").decode("ascii")  # \x1b, \t, \n, \u202e


def safe(text: str, *, multiline: bool = False) -> str:
    """`text` as display text: every control or invisible character written as its escape.

    With `multiline`, line breaks stay line breaks (CR LF and CR become LF); otherwise a line
    break is shown as ``\\x0a`` too, so one value stays on one line.
    """
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to look at
    return "".join(
        char if (multiline and char == "\n") or not is_unsafe(char) else _escape(char) for char in text
    )
