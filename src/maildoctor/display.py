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

from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.containers import Lines
from rich.markup import escape
from rich.measure import Measurement
from rich.text import Text

from maildoctor.escaping import safe
from maildoctor.wrap import NO_LINE_START, wrap

__all__ = ["PhraseText", "phrased", "safe", "safe_markup", "say", "show", "wrapped"]


def safe_markup(text: str) -> str:
    """`safe(text)` for a string that Rich reads as markup: ``[`` no longer opens a tag."""
    return escape(safe(text))


def show(text: str, style: str = "", *, multiline: bool = False) -> Text:
    """A line to print: `text` made safe, as Rich `Text` (markup is never read from it)."""
    return Text(safe(text, multiline=multiline), style=style)


def wrapped(text: str, width: int, first: str = "", rest: str = "", style: str = "") -> list[Text]:
    """`text` made safe and wrapped (maildoctor.wrap) to `width` cells, `first` before the first line
    and `rest` before the others. Print each with ``soft_wrap=True`` so Rich does not wrap it again."""
    lines = wrap(text, width - max(cell_len(first), cell_len(rest)))
    return [Text((first if index == 0 else rest) + line, style=style) for index, line in enumerate(lines)]


def say(console: Console, text: str, style: str = "", *, first: str = "", rest: str = "") -> None:
    """Print `text` (untrusted parts included) safe and wrapped to the console, at most 100 columns:
    our breaks only, so a long URL or record stays whole on its line."""
    for line in wrapped(text, min(console.width, 100), first, rest, style):
        console.print(line, soft_wrap=True)


class PhraseText(Text):
    """Rich Text that wraps with maildoctor.wrap, keeping its styles: for text Rich places itself
    (help columns, table cells), where the width is known only when it is drawn."""

    def wrap(self, console: Console, width: int, **kwargs: Any) -> Lines:
        plain = self.plain
        starts: list[int] = []
        position = 0
        for line in wrap(plain, width):
            found = plain.find(line, position) if line else position
            if found < 0:  # the text had something safe() rewrote: Rich's own way
                return super().wrap(console, width, **kwargs)
            starts.append(found)
            position = found + len(line)
        lines = Lines()
        for piece in self.divide(starts[1:]):
            piece.rstrip()
            piece = _lstrip(piece)
            if piece.cell_len <= width:
                lines.append(piece)
            else:  # a URL wider than the help column: folded rather than cut off at the border,
                # with a character of it before the closing marks that follow it (禁則)
                folded = list(Text.wrap(piece, console, width, overflow="fold"))
                if len(folded) > 1 and not folded[-1].plain.lstrip("".join(NO_LINE_START)):
                    before = folded[-2]
                    cut = len(before.plain.rstrip("".join(NO_LINE_START))) - 1  # one character more
                    folded[-2:] = [before[:cut], Text.assemble(before[cut:], folded[-1])]
                lines.extend(folded)
        return lines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(line) for line in wrap(self.plain, 8)), default=0)
        whole = max((cell_len(line) for line in self.plain.splitlines()), default=0)
        return Measurement(min(widest, options.max_width), min(whole, options.max_width))


def _lstrip(text: Text) -> Text:
    blank = len(text.plain) - len(text.plain.lstrip())
    return text[blank:] if blank else text


def phrased(text: str, style: str = "") -> PhraseText:
    """`text` made safe, for a table cell: wrapped at phrases, a host name or URL never cut."""
    return PhraseText(safe(text), style=style)
