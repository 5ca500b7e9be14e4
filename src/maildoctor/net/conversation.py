"""A conversation with one server: bounded reads against one deadline, and a redacted transcript.

Why not imaplib/poplib/smtplib or aiosmtplib: they hide what a diagnosis needs — the exact
bytes the server sent, which step failed, and whether silence or a reset ended it — and
their reads are not bounded by one deadline for the whole diagnosis.

Framing is done by the sans-IO readers of maildoctor.protocol: this layer only moves bytes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Protocol as TypingProtocol
from typing import TypeVar

from maildoctor.facts import TranscriptLine
from maildoctor.protocol.lines import server_text

CHUNK = 4096
# A session never needs more from one server; past this the server is babbling or hostile.
MAX_TOTAL_BYTES = 1 << 20

T = TypeVar("T")


class Framer(TypingProtocol):
    def feed(self, data: bytes) -> None: ...


class ConversationClosedError(ConnectionError):
    """The server closed the connection (or sent more than we accept)."""


class ConversationTimeoutError(TimeoutError):
    """The server said nothing more before the deadline."""


class Conversation:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        deadline: float,
        secrets: Sequence[str] = (),
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.deadline = deadline
        self._secrets = tuple(secret for secret in secrets if secret)
        self._started = time.monotonic()
        self._received = 0
        self.transcript: list[TranscriptLine] = []

    def remaining(self, cap: float | None = None) -> float:
        left = self.deadline - time.monotonic()
        return max(0.0, min(left, cap) if cap is not None else left)

    def note(self, direction: str, text: str) -> None:
        for secret in self._secrets:
            text = text.replace(secret, "********")
        self.transcript.append(
            TranscriptLine(direction, text, int((time.monotonic() - self._started) * 1000))
        )

    async def send(self, data: bytes, shown: str | None = None) -> None:
        """Send bytes; the transcript gets `shown` (the redacted form) or the bytes as text."""
        self.note("C", shown if shown is not None else server_text(data.rstrip(b"\r\n")))
        self.writer.write(data)
        await asyncio.wait_for(self.writer.drain(), timeout=max(self.remaining(), 0.01))

    async def receive(self, framer: Framer, take: Callable[[], T | None], cap: float | None = None) -> T:
        """Feed received bytes to `framer` until `take()` returns a complete reply."""
        while True:
            item = take()
            if item is not None:
                return item
            budget = self.remaining(cap)
            if budget <= 0:
                raise ConversationTimeoutError("no reply before the deadline")
            try:
                chunk = await asyncio.wait_for(self.reader.read(CHUNK), timeout=budget)
            except TimeoutError:
                raise ConversationTimeoutError("no reply before the deadline") from None
            if not chunk:
                raise ConversationClosedError("the server closed the connection")
            self._received += len(chunk)
            if self._received > MAX_TOTAL_BYTES:
                raise ConversationClosedError("the server sent more than a mail session needs")
            for line in chunk.splitlines():
                self.note("S", server_text(line))
            framer.feed(chunk)
