"""--roundtrip: the outgoing session sends a test message to the address itself; the incoming
IMAP session, already logged in, watches INBOX for it, reports the delay and removes it again.

Both halves share one RoundtripState, so no extra login is needed on either server.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, localtime

from maildoctor.facts import ServerWords

PROBE_HEADER = "X-Maildoctor-Probe"


@dataclass
class RoundtripState:
    token: str = field(default_factory=lambda: secrets.token_hex(12))
    sent: asyncio.Event = field(default_factory=asyncio.Event)
    # set by the incoming side once INBOX is open and watched; nothing is sent before that,
    # so a test message is never left behind unwatched
    watching: asyncio.Event = field(default_factory=asyncio.Event)
    watcher_ok: bool = False
    sent_at: float | None = None  # monotonic
    send_words: ServerWords | None = None
    not_sent_because: str = ""

    def mark_watching(self, ok: bool) -> None:
        if not self.watching.is_set():
            self.watcher_ok = ok
            self.watching.set()

    def mark_sent(self, words: ServerWords) -> None:
        self.sent_at = time.monotonic()
        self.send_words = words
        self.sent.set()

    def mark_not_sent(self, reason: str, words: ServerWords | None = None) -> None:
        if not self.sent.is_set():
            self.not_sent_because = reason
            self.send_words = words
            self.sent.set()


def test_message(address: str, token: str) -> bytes:
    message = EmailMessage()
    message["From"] = address
    message["To"] = address
    message["Subject"] = f"maildoctor test message {token[:8]} (can be deleted)"
    message["Date"] = format_datetime(localtime())
    message["Message-ID"] = f"<{token}@maildoctor.invalid>"
    message[PROBE_HEADER] = token
    message.set_content(
        "This message was sent by maildoctor to check that mail to this address arrives.\n"
        "It is removed again automatically; if you still see it, you can delete it.\n\n"
        "このメールは、送受信の確認のために maildoctor が送ったものです。\n"
        "自動で削除されます。残っていたら削除してかまいません。\n",
        charset="utf-8",
        cte="base64",
    )
    return message.as_bytes()
