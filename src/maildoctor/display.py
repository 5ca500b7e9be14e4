"""The one way untrusted text reaches a screen: what a person typed and what a server or DNS said.

`safe()` writes every character that could act on the terminal or hide itself as a visible escape:
controls (C0 with ESC, DEL, C1), format characters (the bidi overrides and isolates
U+202A–202E, U+2066–2069, zero-width spaces and joiners, the BOM, soft hyphen), line and
paragraph separators and lone surrogates. ESC becomes ``\\x1b``, U+202E ``\\u202e``. Everything
else is kept as it is: backslashes, full-width characters, emoji, Japanese.

Renderers print through `show()` (a Rich `Text`, never markup); where a string has to go through
Rich markup (Typer's help and error panels), `safe_markup()` also escapes the ``[tag]`` brackets.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.text import Text

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


def safe_markup(text: str) -> str:
    """`safe(text)` for a string that Rich reads as markup: ``[`` no longer opens a tag."""
    return escape(safe(text))


def show(text: str, style: str = "", *, multiline: bool = False) -> Text:
    """A line to print: `text` made safe, as Rich `Text` (markup is never read from it)."""
    return Text(safe(text, multiline=multiline), style=style)


def wrapped(text: str, width: int, first: str = "", rest: str = "", style: str = "") -> list[Text]:
    """`text` made safe and wrapped (maildoctor.wrap) to `width` cells, `first` before the first line
    and `rest` before the others. Print each with ``soft_wrap=True`` so Rich does not wrap it again."""
    from maildoctor.wrap import wrap  # wrap imports this module for safe()

    lines = wrap(text, width - max(cell_len(first), cell_len(rest)))
    return [Text((first if index == 0 else rest) + line, style=style) for index, line in enumerate(lines)]


def say(console: Console, text: str, style: str = "", *, first: str = "", rest: str = "") -> None:
    """Print `text` (untrusted parts included) safe and wrapped to the console, at most 100 columns:
    our breaks only, so a long URL or record stays whole on its line."""
    for line in wrapped(text, min(console.width, 100), first, rest, style):
        console.print(line, soft_wrap=True)
