"""Line breaking for the terminal, Japanese first, without breaking what people copy.

Rich breaks lines only at spaces, so a Japanese sentence (which has none) would move whole to the
next line or be cut anywhere. Here a paragraph is cut into pieces between which a line may break:

* copyable things stay whole: URLs, email addresses, host names, mail records (``v=DMARC1; …``,
  with their ``name TXT "…"``), maildoctor commands with their arguments, text in backquotes.
  A record or a command always has a line of its own (a triple click copies it, nothing else); a
  URL or an address that does not fit on the line goes to the next, even a line longer than the
  width: one long line copies right, a token broken in two does not;
* Japanese breaks at phrase boundaries (BudouX, a small model of Japanese phrases), English at
  spaces; a phrase wider than the whole line breaks between characters;
* 禁則: no line starts with 、。）」 and the like, no line ends with 「（ and the like.

Every line is display text: `wrap` makes the text safe first (maildoctor.escaping, see maildoctor.display).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Final

from rich.cells import cell_len

from maildoctor.escaping import safe

if TYPE_CHECKING:
    from budoux import Parser

# characters that must not end a line
NO_LINE_END: Final = frozenset("「『（【〔〈《([{“‘")
# characters that must not begin a line
NO_LINE_START: Final = frozenset(
    "、。，．・：；？！）」』】〕〉》ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ…‥,.)]}:;!?”’"
)

# --- copyable tokens -----------------------------------------------------------------------------
_URL = r"[A-Za-z][A-Za-z0-9+.\-]*://[\x21-\x7e]+"
_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
# a DNS record: in quotes with its owner name and type (a <placeholder> in it may be in any
# language), or bare up to the end of the text or of the ASCII run
_KINDS = r"v=(?:spf1|DMARC1|DKIM1|STSv1|TLSRPTv1)\b"
_QUOTED_RECORD = rf'(?:(?:[A-Za-z0-9_.\-]|<[^>\s]+>)+\s+(?:IN\s+)?TXT\s+)?"{_KINDS}[^"\n]*"'
_BARE_RECORD = (
    rf"{_KINDS}(?:<[^>\n]*>|[\x20-\x7e])*?"
    r'(?=\s*$|\s*[^\x00-\x7e]|\s+\S+\s+(?:IN\s+)?TXT\s|\s+"?v=)'
)
# an option's value may be a plain word ("--client iphone", "--format sheet") when another option or
# the end of the paragraph follows it
_OPTION_VALUE = (
    r"(?:--?[A-Za-z][\w\-]*(?:=[\x21-\x7e]+|\s+[a-z][a-z0-9\-]*(?=\s+-|\s*$))?"
    r'|"[^"\n]*"|[\x21-\x7e]*[./:@=0-9][\x21-\x7e]*|-)'
)
_COMMAND = (
    r"maildoctor(?:\s+(?:checkup|check|settings|domain|explain|demo|--help|--version)"
    rf"(?:\s+(?!\S+\s+(?:IN\s+)?TXT\s){_OPTION_VALUE})*"
    # a stand-in at the end of the text: "maildoctor domain あなたのドメイン"
    r"(?:\s+[^\s\x00-\x7f。、．，]{3,}(?=\s*$))?)"
)
_BACKQUOTED = r"`[^`\n]+`"
COPYABLE: Final = re.compile("|".join((_BACKQUOTED, _COMMAND, _QUOTED_RECORD, _BARE_RECORD, _URL, _EMAIL)))
# what a copyable token does not end with (the sentence's own punctuation after it)
_TRAILING = ".,;:!?)]}'"


def copyable_spans(text: str) -> list[tuple[int, int]]:
    """Where the copyable tokens of `text` are: (start, end) pairs, in order, not overlapping."""
    spans: list[tuple[int, int]] = []
    for match in COPYABLE.finditer(text):
        start, end = match.span()
        token = text[start:end]
        if not token.startswith(("`", '"')) and '"' not in token:
            while end > start and text[end - 1] in _TRAILING and not _keeps_last(token[: end - start]):
                end -= 1
        while end > start and text[end - 1] == " ":
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def _keeps_last(token: str) -> bool:
    # "(…)" inside a URL stays (Wikipedia-style), a closing bracket without its opening one goes
    closing = token[-1]
    opening = {")": "(", "]": "[", "}": "{"}.get(closing)
    return opening is not None and token.count(opening) >= token.count(closing)


# --- pieces between which a line may break ---------------------------------------------------------
_WORDS = re.compile(r"\s+|\S+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


@cache
def _parser() -> Parser:
    import budoux  # imported on first use: English output never needs it

    return budoux.load_default_japanese_parser()


def _plain_pieces(text: str) -> Iterator[str]:
    """Break opportunities in text that holds nothing to copy: phrases (Japanese) or words."""
    phrases = _parser().parse(text) if _CJK.search(text) else [text]
    for phrase in phrases:
        yield from _WORDS.findall(phrase)


def _pieces(paragraph: str) -> list[tuple[str, bool]]:
    """(piece, copyable) in order; 禁則 characters glued to their neighbour so no break falls there."""
    raw: list[tuple[str, bool]] = []
    position = 0
    for start, end in copyable_spans(paragraph):
        raw += [(piece, False) for piece in _plain_pieces(paragraph[position:start])]
        raw.append((paragraph[start:end], True))
        position = end
    raw += [(piece, False) for piece in _plain_pieces(paragraph[position:])]
    return _glue(raw)


def _closing_marks(piece: str) -> int:
    """How many characters at the start of `piece` may not start a line (".eml" is a word, not a mark)."""
    marks = len(piece) - len(piece.lstrip("".join(NO_LINE_START)))
    while marks and marks < len(piece) and piece[marks - 1].isascii() and piece[marks].isalnum():
        marks -= 1
    return marks


def _glue(raw: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """禁則 between pieces: leading closing marks join the piece before, trailing opening marks the
    piece after (across a space too), so that no break falls next to them."""
    glued: list[tuple[str, bool]] = []
    for piece, copyable in raw:
        if piece.isspace() or not glued:
            glued.append((piece, copyable))
            continue
        space = glued.pop() if glued[-1][0].isspace() and len(glued) > 1 else None
        before, before_copyable = glued[-1]
        marks = _closing_marks(piece)
        if marks:  # "https://example.jp/）を開きます": "）" stays with the URL
            glued[-1] = (before + (space[0] if space else "") + piece[:marks], before_copyable)
            piece, space = piece[marks:], None
            if not piece:
                continue
            before = glued[-1][0]
        opening = len(before) - len(before.rstrip("".join(NO_LINE_END)))
        if opening and not glued[-1][1]:  # "設定（" + "IMAP）": "（" goes down with its word
            glued[-1] = (before[:-opening], False)
            piece = before[-opening:] + (space[0] if space else "") + piece
            space = None
            if not glued[-1][0]:
                glued.pop()
        if space:
            glued.append(space)
        glued.append((piece, copyable))
    return glued


def _has_own_line(paragraph: str) -> bool:
    """True when a record or a command is in the paragraph, with anything else beside it."""
    if "v=" not in paragraph and "maildoctor " not in paragraph and "`" not in paragraph:
        return False
    return any(
        " " in paragraph[start:end] and paragraph[start:end] != paragraph.strip()
        for start, end in copyable_spans(paragraph)
    )


def wrap(text: str, width: int) -> list[str]:
    """Display lines of at most `width` cells; only a copyable token wider than that gets a longer line."""
    width = max(width, 8)
    lines: list[str] = []
    for paragraph in safe(text, multiline=True).split("\n"):
        if cell_len(paragraph) <= width and not _has_own_line(paragraph):  # most lines: as they are
            lines.append(paragraph.rstrip())
            continue
        current = ""
        alone = False  # the line holds a record or a command: nothing joins it
        for piece, copyable in _pieces(paragraph):
            if piece.isspace():
                if current:
                    current += piece
                continue
            # a record or a command (words with spaces) gets a line of its own: a triple click copies it
            own_line = copyable and " " in piece.strip()
            if not (own_line or alone) and cell_len(current) + cell_len(piece) <= width:
                current += piece
                continue
            alone = own_line
            if current.strip():
                lines.append(current.rstrip())
            current = ""
            if copyable or cell_len(piece) <= width:
                current = piece
                continue
            *full, current = fold(piece, width)  # a phrase or word wider than a line
            lines += full
        lines.append(current.rstrip())
    return lines


# --- a piece wider than the line: break between characters, with 禁則 ------------------------------
# ASCII words (host names among them) are never cut; a katakana word only when wider than a line
_TOKEN = re.compile(r"[\x21-\x7e]+|[\u30a1-\u30fa\u30fc]+|\s+|.", re.DOTALL)
_ASCII_WORD = re.compile(r"[\x21-\x7e]{2}")
_CHARS = re.compile(r"[\x21-\x7e]+|.", re.DOTALL)


def fold(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells, broken between characters; ASCII and katakana words kept whole."""
    lines: list[str] = []
    current = ""
    words: list[str] = []
    for token in _TOKEN.findall(text):  # an opening mark goes with the word after it, a closing one before
        if words and (_closing_marks(token) or words[-1][-1] in NO_LINE_END):
            words[-1] += token
        else:
            words.append(token)
    tokens: list[str] = []
    for word in words:
        long_word = cell_len(word) > width and not word.isascii()
        tokens += _CHARS.findall(word) if long_word else [word]
    for token in tokens:
        if cell_len(current) + cell_len(token) <= width:
            current += token
            continue
        carried = ""
        if _closing_marks(token):
            # closing punctuation may not start a line, so the character before it goes down with
            # it (with any closing marks before that one); a line never gets wider
            cut = len(current) - 1
            while cut > 0 and current[cut] in NO_LINE_START:
                cut -= 1
            while cut > 0 and _ASCII_WORD.match(current[cut - 1 : cut + 1]):
                cut -= 1  # a number or word before the mark goes down whole ("（46" / "5・" is wrong)
            if cut > 0 and current[cut - 1] in NO_LINE_END:
                cut -= 1
            if cut > 0 and cell_len(current[cut:] + token) <= width:
                current, carried = current[:cut], current[cut:]
            else:  # nothing can go down with it: the line gets wider instead of starting with the mark
                current += token
                continue
        elif current and current[-1] in NO_LINE_END:
            opening = current.rstrip("".join(NO_LINE_END))  # opening marks go down with their word
            if not opening:  # nothing but opening marks: the line gets wider instead
                current += token
                continue
            current, carried = opening, current[len(opening) :]
        if current:
            lines.append(current)
        current = carried + token
    lines.append(current)
    return lines
