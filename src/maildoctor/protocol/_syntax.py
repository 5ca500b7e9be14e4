"""Small checks the command builders and parsers share. Messages name the argument, never its value
(it may be a password)."""

from __future__ import annotations

from typing import Final

# Long enough for any 64-bit counter; short enough that int() never meets a hostile
# 8000-digit "number" (Python refuses those with ValueError since 3.11).
MAX_DIGITS: Final = 20


def check_argument(value: str, what: str) -> str:
    """`value` unchanged, or ValueError if it holds CR, LF or NUL (it would end or break the command line)."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"{what} contains a line break (CR or LF); it cannot be sent in a command")
    if "\0" in value:
        raise ValueError(f"{what} contains a NUL character; it cannot be sent in a command")
    return value


def check_token(value: str, what: str) -> str:
    """A single word: not empty, no spaces, no control characters."""
    if not value:
        raise ValueError(f"{what} is empty")
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise ValueError(f"{what} contains a space or a control character")
    return value


def parse_number(text: str) -> int | None:
    """A non-negative decimal number of at most MAX_DIGITS ASCII digits, else None."""
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
