"""Bounded line framing and display-safe server text.

`LineBuffer` is the one place bytes from a server are cut into lines. It never
holds more than `max_buffer` unread bytes and never waits for a line longer than
`max_line`: a hostile or broken server gets `LineTooLong`/`BufferFull`, not our
memory. Lines end with CRLF; a bare LF is accepted too (some servers and
middleboxes send one), and a bare CR stays part of the line.

`server_text` turns server bytes into text that is safe to print: a banner with
ESC[2J, a BEL or a right-to-left override must not reach a terminal, a web page or
a support memo as a control character.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from maildoctor.escaping import escape_char

from .errors import BufferFull, LineTooLong, ProtocolViolation

__all__ = [
    "DEFAULT_MAX_BUFFER",
    "DEFAULT_MAX_LINE",
    "LineBuffer",
    "LineReader",
    "LineTooLong",
    "decode_text",
    "safe_text",
    "server_text",
]

DEFAULT_MAX_LINE: Final = 8192
DEFAULT_MAX_BUFFER: Final = 65536

_ReplyT = TypeVar("_ReplyT")


class LineBuffer:
    """Bytes in with `feed`, whole lines out with `next_line` (without their CRLF).

    `max_line` is the longest line accepted, not counting its line end;
    `max_buffer` the most unread bytes held at once (`space` says how many more
    fit, so a reader can ask the socket for no more than that). After a
    violation the buffer stays broken: every later call raises the same error.
    """

    __slots__ = ("_buffer", "_failed", "_max_buffer", "_max_line", "_scanned")

    def __init__(self, max_line: int = DEFAULT_MAX_LINE, max_buffer: int = DEFAULT_MAX_BUFFER) -> None:
        if max_line < 1:
            raise ValueError("max_line must be at least 1")
        if max_buffer < max_line + 2:
            raise ValueError("max_buffer must hold at least one line and its CRLF")
        self._max_line = max_line
        self._max_buffer = max_buffer
        self._buffer = bytearray()
        self._scanned = 0  # bytes at the start of the buffer already known to hold no LF
        self._failed: ProtocolViolation | None = None

    @property
    def max_line(self) -> int:
        return self._max_line

    @property
    def buffered(self) -> int:
        """Bytes received but not yet taken. Non-zero right after a STARTTLS answer means
        the peer (or someone in between) sent data it should not have: it must be dropped,
        never read as if it came over TLS."""
        return len(self._buffer)

    @property
    def space(self) -> int:
        """How many more bytes `feed` accepts right now."""
        return self._max_buffer - len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._raise_if_failed()
        if len(self._buffer) + len(data) > self._max_buffer:
            self._fail(
                BufferFull(
                    f"more than {self._max_buffer} unread bytes from the server",
                    bytes(self._buffer[:64]) + bytes(data[:64]),
                )
            )
        self._buffer += data

    def next_line(self) -> bytes | None:
        """The next whole line without its CRLF (or LF), or None until more data arrives."""
        self._raise_if_failed()
        end = self._buffer.find(b"\n", self._scanned)
        if end < 0:
            self._scanned = len(self._buffer)
            # a CR at the very end may be the first half of the line end
            pending = len(self._buffer) - (1 if self._buffer.endswith(b"\r") else 0)
            if pending > self._max_line:
                self._fail(self._too_long(bytes(self._buffer)))
            return None
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        self._scanned = 0
        if line.endswith(b"\r"):
            line = line[:-1]
        if len(line) > self._max_line:
            self._fail(self._too_long(line))
        return line

    def next_bytes(self, count: int) -> bytes:
        """Up to `count` raw bytes (an IMAP literal's body), possibly fewer or none."""
        self._raise_if_failed()
        if count < 0:
            raise ValueError("count must not be negative")
        taken = bytes(self._buffer[:count])
        del self._buffer[:count]
        self._scanned = 0
        return taken

    def _too_long(self, data: bytes) -> LineTooLong:
        return LineTooLong(f"a line from the server is longer than {self._max_line} bytes", data)

    def _fail(self, error: ProtocolViolation) -> None:
        self._failed = error
        raise error

    def _raise_if_failed(self) -> None:
        if self._failed is not None:
            raise self._failed


class LineReader:
    """What the SMTP, IMAP and POP3 readers share: a `LineBuffer` to feed, and a broken reader
    staying broken (after a `ProtocolViolation`, every later read raises the same error)."""

    __slots__ = ("_failed", "_lines")

    def __init__(self, max_line: int = DEFAULT_MAX_LINE, max_buffer: int = DEFAULT_MAX_BUFFER) -> None:
        self._lines = LineBuffer(max_line, max_buffer)
        self._failed: ProtocolViolation | None = None

    @property
    def space(self) -> int:
        """How many more bytes `feed` accepts right now (read no more than that from the socket)."""
        return self._lines.space

    def feed(self, data: bytes) -> None:
        self._lines.feed(data)

    @property
    def buffered(self) -> int:
        """Unread bytes; must be 0 when the server's yes to STARTTLS/STLS arrives (else: injected data)."""
        return self._lines.buffered

    def _read(self, parse: Callable[[], _ReplyT]) -> _ReplyT:
        """`parse()`, unless the reader broke before; a violation it raises breaks the reader."""
        if self._failed is not None:
            raise self._failed
        try:
            return parse()
        except ProtocolViolation as error:
            self._failed = error
            raise


# --------------------------------------------------------------------------- text


def decode_text(data: bytes) -> str:
    """Server bytes as text: UTF-8, with U+FFFD for anything that is not.

    The parsed values keep control characters as sent (they are evidence);
    `safe_text`/`server_text` make them printable at display time.
    """
    return data.decode("utf-8", "replace")


# Characters that change what a terminal or a page shows instead of being shown:
# C0 controls (all of them, TAB/CR/LF included: server text is one line), DEL, C1
# controls (U+0080..U+009F: CSI, OSC, ... in 8-bit form), the bidirectional
# overrides and isolates ("Trojan Source", CVE-2021-42574) and the Unicode line and
# paragraph separators.
ELLIPSIS: Final = "…"


def safe_text(text: str, limit: int = 500) -> str:
    """`text` with every unsafe character written as a visible escape (maildoctor.escaping: ESC → `\\x1b`),
    cut to at most `limit` characters, the last one "…" when something was cut.

    An escape is never cut in half. Backslashes are left alone: this is for
    display, the raw bytes stay in the transcript.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pieces: list[str] = []
    used = 0
    for char in text:
        piece = escape_char(char)
        if used + len(piece) > limit:
            break
        pieces.append(piece)
        used += len(piece)
    else:
        return "".join(pieces)
    while pieces and used + len(ELLIPSIS) > limit:
        used -= len(pieces.pop())
    return "".join(pieces) + ELLIPSIS


def server_text(data: bytes, limit: int = 500) -> str:
    """Server bytes as display-safe text: UTF-8 with replacement, controls escaped, at most `limit` chars."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    # Every character takes at most 4 bytes, so this prefix still yields more than
    # `limit` characters whenever anything is cut; decoding stays bounded.
    return safe_text(decode_text(bytes(data[: limit * 4 + 8])), limit)
