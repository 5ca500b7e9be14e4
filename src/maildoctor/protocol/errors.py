"""The one family of exceptions the protocol layer raises: the peer broke the protocol.

A `ProtocolViolation` is not a diagnosis: `net/` translates it once into a fact
("the server on port 587 did not speak SMTP", "its reply line was longer than we
accept"), keeping the offending bytes as evidence. Mistakes of the caller, such
as a CR/LF inside a command argument, raise `ValueError` instead.
"""

from __future__ import annotations

__all__ = [
    "BufferFull",
    "LineTooLong",
    "LiteralTooLarge",
    "ProtocolViolation",
    "ResponseTooLarge",
]

EVIDENCE_LIMIT = 512  # bytes of the offending input kept on the exception


class ProtocolViolation(Exception):
    """The server sent something its protocol does not allow, or more than we accept.

    `data` holds (the start of) the bytes that broke the rule, so the evidence
    survives even when the message is rendered in another language.
    """

    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.message = message
        self.data = bytes(data[:EVIDENCE_LIMIT])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, data={self.data!r})"


class LineTooLong(ProtocolViolation):
    """A line (or the unread input) grew past the reader's bound before it ended."""


class BufferFull(ProtocolViolation):
    """More unread input arrived than the reader holds (read at most `LineBuffer.space` bytes at a time)."""


class LiteralTooLarge(ProtocolViolation):
    """An IMAP literal announced more bytes than the reader accepts."""


class ResponseTooLarge(ProtocolViolation):
    """One reply (continuation lines, literals, multi-line body) grew past the reader's bound."""
