"""POP3 without sockets: frame replies and multi-line answers, read CAPA and STAT, build commands.

RFC 1939 (POP3), 2449 (CAPA, response codes), 3206 (SYS and AUTH codes),
2595 (STLS), 5034 (SASL, AUTH with an initial response).

POP3 replies do not say whether more lines follow: that depends on the command.
Tell the reader before sending one that answers in several lines (CAPA, LIST,
UIDL without an argument):

    reader.expect_multiline()
    send(capa())
    reply = reader.next_reply()   # once complete: reply.lines holds the body, dot-unstuffed

With pipelining (several commands sent at once), call `expect(multiline)` once
per command, in order. Replies with no expectation are single lines. A `-ERR`
is always one line, whatever was expected.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, TypeAlias

from ._syntax import check_argument, check_token, parse_number
from .errors import ProtocolViolation, ResponseTooLarge
from .lines import DEFAULT_MAX_BUFFER, DEFAULT_MAX_LINE, LineReader, decode_text
from .sasl import plain_response

__all__ = [
    "Pop3Capabilities",
    "Pop3Continuation",
    "Pop3Event",
    "Pop3Reader",
    "Pop3Reply",
    "auth_plain",
    "capa",
    "noop",
    "parse_capa",
    "parse_stat",
    "pass_",
    "quit",
    "stat",
    "stls",
    "user",
]

DEFAULT_MAX_ANSWER: Final = 1 << 20  # bytes of one multi-line answer


@dataclass(frozen=True, slots=True)
class Pop3Reply:
    """`+OK`/`-ERR` with its text; `code` is the bracketed response code (`IN-USE`, `SYS/TEMP`, `AUTH`)
    upper-cased, None without one, and `text` what follows it. `lines` holds the body of a multi-line
    answer (dot-unstuffed, without the final "."), empty otherwise."""

    ok: bool
    text: str
    code: str | None = None
    lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pop3Continuation:
    """`+ base64`: a SASL challenge during AUTH."""

    text: str


Pop3Event: TypeAlias = Pop3Reply | Pop3Continuation

# RFC 2449: "[" resp-code-name *("/" resp-code-name) "]"
_RESP_CODE: Final = re.compile(r"\[([A-Za-z0-9-]+(?:/[A-Za-z0-9-]+)*)\] ?")


def _status_text(text: str) -> tuple[str | None, str]:
    match = _RESP_CODE.match(text)
    if match is None:
        return None, text
    return match.group(1).upper(), text[match.end() :]


class Pop3Reader(LineReader):
    """Frames POP3 replies from bytes; `next_reply()` returns None until one is complete."""

    __slots__ = ("_body", "_expect", "_first", "_max_answer", "_size")

    def __init__(
        self,
        max_line: int = DEFAULT_MAX_LINE,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        max_answer: int = DEFAULT_MAX_ANSWER,
    ) -> None:
        super().__init__(max_line, max_buffer)
        self._max_answer = max_answer
        self._expect: deque[bool] = deque()
        self._first: Pop3Reply | None = None  # the +OK line of a multi-line answer being read
        self._body: list[str] = []
        self._size = 0

    def expect(self, multiline: bool) -> None:
        """Queue what the reply to the next command sent will look like."""
        self._expect.append(multiline)

    def expect_multiline(self) -> None:
        self.expect(True)

    def next_reply(self) -> Pop3Event | None:
        return self._read(self._next_reply)

    def _next_reply(self) -> Pop3Event | None:
        while (line := self._lines.next_line()) is not None:
            if self._first is not None:
                reply = self._body_line(self._first, line)
                if reply is not None:
                    return reply
                continue
            event = _status_line(line)
            if isinstance(event, Pop3Continuation):
                return event  # a SASL challenge: the command goes on, its expectation stays
            multiline = self._expect.popleft() if self._expect else False
            if not (multiline and event.ok):
                return event
            self._first = event
            self._body = []
            self._size = 0
        return None

    def _body_line(self, first: Pop3Reply, line: bytes) -> Pop3Reply | None:
        if line == b".":
            self._first = None
            return Pop3Reply(first.ok, first.text, first.code, tuple(self._body))
        self._size += len(line) + 2
        if self._size > self._max_answer:
            raise ResponseTooLarge(f"a multi-line answer longer than {self._max_answer} bytes", line)
        self._body.append(decode_text(line[1:] if line.startswith(b".") else line))
        return None


def _status_line(line: bytes) -> Pop3Event:
    head, _, rest = line.partition(b" ")
    status = head.upper()
    if status in (b"+OK", b"-ERR"):
        code, text = _status_text(decode_text(rest))
        return Pop3Reply(status == b"+OK", text, code)
    if head == b"+":
        return Pop3Continuation(decode_text(rest))
    raise ProtocolViolation("not a POP3 reply line", line)


# --------------------------------------------------------------------------- CAPA, STAT


@dataclass(frozen=True, slots=True)
class Pop3Capabilities:
    """The answer to CAPA (RFC 2449). `sasl` lists the mechanisms upper-cased; `raw` the lines as sent."""

    stls: bool
    user: bool
    sasl: tuple[str, ...]
    resp_codes: bool
    pipelining: bool
    login_delay: int | None  # seconds, from LOGIN-DELAY
    raw: tuple[str, ...]

    @property
    def keywords(self) -> frozenset[str]:
        return frozenset(line.split()[0].upper() for line in self.raw if line.split())


def parse_capa(lines: Iterable[str] | Pop3Reply) -> Pop3Capabilities:
    raw = tuple(lines.lines if isinstance(lines, Pop3Reply) else lines)
    params: dict[str, list[str]] = {}
    for line in raw:
        words = line.split()
        if words:
            params.setdefault(words[0].upper(), words[1:])
    delay = params.get("LOGIN-DELAY")
    return Pop3Capabilities(
        stls="STLS" in params,
        user="USER" in params,
        sasl=tuple(dict.fromkeys(name.upper() for name in params.get("SASL", []))),
        resp_codes="RESP-CODES" in params,
        pipelining="PIPELINING" in params,
        login_delay=parse_number(delay[0]) if delay else None,
        raw=raw,
    )


_STAT: Final = re.compile(r"(?:\+OK +)?([0-9]{1,20}) +([0-9]{1,20})(?: .*)?", re.IGNORECASE | re.DOTALL)


def parse_stat(reply: Pop3Reply | str) -> tuple[int, int] | None:
    """(messages, octets) from `+OK 1 32`, else None."""
    if isinstance(reply, Pop3Reply):
        if not reply.ok:
            return None
        text = reply.text
    else:
        text = reply
    match = _STAT.fullmatch(text.strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


# --------------------------------------------------------------------------- commands


def _command(text: str) -> bytes:
    return f"{text}\r\n".encode()


def capa() -> bytes:
    """`CAPA`; the answer is multi-line: call `expect_multiline()` first."""
    return b"CAPA\r\n"


def stls() -> bytes:
    return b"STLS\r\n"


def user(name: str) -> bytes:
    return _command(f"USER {check_argument(name, 'username')}")


def pass_(password: str) -> bytes:
    """`PASS password` (the rest of the line, spaces included). Carries the password."""
    return _command(f"PASS {check_argument(password, 'password')}")


def auth_plain(username: str, password: str) -> bytes:
    """`AUTH PLAIN <base64>` with the initial response (RFC 5034). Carries the password."""
    return b"AUTH PLAIN " + plain_response(username, password) + b"\r\n"


def auth_oauth(mechanism: str, initial: bytes) -> bytes:
    """`AUTH XOAUTH2|OAUTHBEARER <base64>` with the initial response (RFC 5034; `initial` from
    `protocol.oauth.initial_response`). Carries the token. A refusal comes as a `+ <challenge>` first:
    answer it with `oauth.error_ack(mechanism)` + CRLF, then read the -ERR."""
    return f"AUTH {check_token(mechanism.upper(), 'mechanism')} ".encode() + initial + b"\r\n"


def stat() -> bytes:
    return b"STAT\r\n"


def noop() -> bytes:
    return b"NOOP\r\n"


def quit() -> bytes:
    return b"QUIT\r\n"
