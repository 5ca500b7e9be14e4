"""How one typed character looks to a person: a space, an invisible mark, a full-width form.

Shared by the address and the typed-value checks so that both call the same
character by the same name. Positions elsewhere in `lint` are 1-based, as a
person counts characters on the screen; the helpers here take single characters.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Separators that show as an ordinary gap; every other space separator (NBSP, en space,
# narrow NBSP...) looks the same but is a different character, so it counts as invisible too.
_PLAIN_SPACES: Final = frozenset(" \u3000")

# Characters that draw nothing although their category says "letter" or "mark": Hangul
# fillers, the blank Braille pattern, the combining grapheme joiner, variation selectors.
_BLANK_GLYPHS: Final = frozenset(
    "\u034f\u115f\u1160\u3164\uffa0\u2800" + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)
_INVISIBLE_CATEGORIES: Final = frozenset({"Cf", "Cc", "Co", "Cn", "Cs", "Zl", "Zp"})

# What a Japanese IME types for "." that NFKC leaves alone but host names read as a dot (UTS #46).
_EXTRA_ASCII_FORMS: Final = {"\u3002": ".", "\uff61": "."}

# Dash-like characters that NFKC does not turn into "-": hyphens, dashes, the minus sign,
# and the katakana prolonged sound mark "ー" that an IME types for "-".
_DASH_LIKES: Final = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u02d7\u30fc\uff70\ufe58")
_PROLONGED_SOUND_MARKS: Final = frozenset("\u30fc\uff70")


def is_space(char: str) -> bool:
    """Any character a person would call a space or a line break, the ideographic space included."""
    return char.isspace()


def is_invisible(char: str) -> bool:
    """Zero-width and format characters, controls, and spaces that only look like a normal space."""
    if char in _PLAIN_SPACES:
        return False
    category = unicodedata.category(char)
    return category in _INVISIBLE_CATEGORIES or category == "Zs" or char in _BLANK_GLYPHS


def ascii_form(char: str) -> str | None:
    """The ASCII text a non-ASCII visible character stands for ("ｐ" -> "p", "＠" -> "@"), if any.

    None for ASCII itself, for invisible characters and for characters that have no
    ASCII meaning (kana, kanji, accented letters).
    """
    if char.isascii() or is_invisible(char):
        return None
    if char in _EXTRA_ASCII_FORMS:
        return _EXTRA_ASCII_FORMS[char]
    mapped = unicodedata.normalize("NFKC", char)
    return mapped if mapped and mapped.isascii() else None


def is_dash_like(char: str, previous: str | None) -> bool:
    """A character that looks like "-" but is not one; "ー" only where it cannot be a long vowel."""
    if char not in _DASH_LIKES:
        return False
    return char not in _PROLONGED_SOUND_MARKS or previous is None or not is_japanese(previous)


def is_japanese(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x31F0 <= code <= 0x31FF  # katakana phonetic extensions
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
    )


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def visible_form(char: str) -> str:
    """The character itself when it draws something, else its code point (U+200B)."""
    if char == " " or (not is_invisible(char) and char.isprintable()) or char == "\u3000":
        return char
    return code_point(char)


_CONTROL_NAMES: Final = {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}


def describe(char: str) -> str:
    """A short plain description for messages: "'ｐ' (U+FF50)" or "U+200B ZERO WIDTH SPACE"."""
    name = unicodedata.name(char, _CONTROL_NAMES.get(char, ""))
    if visible_form(char) == char and char != " " and char != "\u3000":
        return f"'{char}' ({code_point(char)})"
    return f"{code_point(char)} {name}".rstrip()
