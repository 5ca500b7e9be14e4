"""SMTP without sockets: frame replies, read EHLO, build commands (RFC 5321, 3463, 4954, 1870).

    reader = SmtpReplyReader()
    reader.feed(received_bytes)
    while (reply := reader.next_reply()) is not None:
        ...

A reply is complete only at its last line (`250 ...`); `250-...` lines before it
must carry the same code. Anything else is a `ProtocolViolation` that keeps the
line: a server that answers `HTTP/1.1 400` or `* OK` on the SMTP port is a fact
worth showing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from ._syntax import check_argument, check_token, parse_number
from .errors import ProtocolViolation, ResponseTooLarge
from .lines import DEFAULT_MAX_BUFFER, DEFAULT_MAX_LINE, LineReader, decode_text
from .sasl import login_response, plain_response

__all__ = [
    "EhloInfo",
    "SmtpReply",
    "SmtpReplyReader",
    "auth_cancel",
    "auth_login_password",
    "auth_login_start",
    "auth_login_user",
    "auth_plain",
    "data",
    "ehlo",
    "helo",
    "mail_from",
    "message_data",
    "noop",
    "quit",
    "rcpt_to",
    "rset",
    "starttls",
]

DEFAULT_MAX_REPLY_LINES: Final = 200

# RFC 3463: class "." subject "." detail, at the start of the text
_ENHANCED: Final = re.compile(r"([245])\.([0-9]{1,3})\.([0-9]{1,3})(?=[ \t]|$)")
# RFC 5321 4.2: Reply-code [ ( "-" / SP ) textstring ]; the first digit is 2..5
_REPLY_LINE: Final = re.compile(rb"([2-5][0-9][0-9])(?:([ -])(.*))?", re.DOTALL)


@dataclass(frozen=True, slots=True)
class SmtpReply:
    """One complete reply: its code and the text of each line, as the server wrote it."""

    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """All lines, joined with newlines (the exact words, minus the codes)."""
        return "\n".join(self.lines)

    @property
    def enhanced(self) -> str | None:
        """The RFC 3463 code (`5.7.8`) starting the first line, if its class fits the reply code."""
        if not self.lines:
            return None
        match = _ENHANCED.match(self.lines[0])
        if match is None or match.group(1) != str(self.code)[0]:
            return None
        return match.group(0)

    @property
    def message(self) -> str:
        """The text without the enhanced code repeated on each line, lines joined by spaces."""
        enhanced = self.enhanced
        parts: list[str] = []
        for line in self.lines:
            if enhanced is not None and _ENHANCED.match(line) and line.startswith(enhanced):
                line = line[len(enhanced) :]
            if line.strip():
                parts.append(line.strip())
        return " ".join(parts)

    @property
    def is_positive(self) -> bool:
        """2yz: the command was accepted."""
        return 200 <= self.code < 300

    @property
    def is_intermediate(self) -> bool:
        """3yz: go on (334 AUTH challenge, 354 send the data)."""
        return 300 <= self.code < 400

    @property
    def is_transient(self) -> bool:
        """4yz: refused for now; the same command may work later."""
        return 400 <= self.code < 500

    @property
    def is_permanent(self) -> bool:
        """5yz: refused; repeating it will not help."""
        return 500 <= self.code < 600

    @property
    def is_error(self) -> bool:
        return self.is_transient or self.is_permanent


class SmtpReplyReader(LineReader):
    """Frames SMTP replies from bytes; `next_reply()` returns None until one is complete."""

    __slots__ = ("_code", "_max_reply_lines", "_texts")

    def __init__(
        self,
        max_line: int = DEFAULT_MAX_LINE,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        max_reply_lines: int = DEFAULT_MAX_REPLY_LINES,
    ) -> None:
        super().__init__(max_line, max_buffer)
        self._max_reply_lines = max_reply_lines
        self._code: int | None = None
        self._texts: list[str] = []

    @property
    def in_reply(self) -> bool:
        """True between the first and the last line of a multi-line reply."""
        return self._code is not None

    def next_reply(self) -> SmtpReply | None:
        return self._read(self._next_reply)

    def _next_reply(self) -> SmtpReply | None:
        while (line := self._lines.next_line()) is not None:
            match = _REPLY_LINE.fullmatch(line)
            if match is None:
                raise ProtocolViolation("not an SMTP reply line", line)
            code = int(match.group(1))
            if self._code is not None and code != self._code:
                raise ProtocolViolation(
                    f"reply code changed from {self._code} to {code} inside a multi-line reply", line
                )
            self._texts.append(decode_text(match.group(3) or b""))
            if match.group(2) != b"-":
                reply = SmtpReply(code, tuple(self._texts))
                self._code = None
                self._texts = []
                return reply
            self._code = code
            if len(self._texts) >= self._max_reply_lines:
                raise ResponseTooLarge(f"a reply with more than {self._max_reply_lines} lines", line)
        return None


# --------------------------------------------------------------------------- EHLO


@dataclass(frozen=True, slots=True)
class EhloInfo:
    """What a 250 answer to EHLO says about the server (RFC 5321 4.1.1.1).

    `extensions` maps each keyword, upper-cased, to its parameters as sent. The
    pre-standard `AUTH=LOGIN PLAIN` line stays under its own keyword there;
    `auth_mechanisms` merges both forms (upper-cased, first seen first).
    `size` is the SIZE limit in bytes (RFC 1870), None when not announced or
    announced without a number; 0 means "no fixed limit".
    """

    greeting: str
    extensions: Mapping[str, tuple[str, ...]] = field(hash=False)
    auth_mechanisms: tuple[str, ...]
    starttls: bool
    size: int | None

    @classmethod
    def parse(cls, reply: SmtpReply) -> EhloInfo:
        if reply.code != 250:
            raise ValueError(f"EHLO info needs a 250 reply, not {reply.code}")
        extensions: dict[str, tuple[str, ...]] = {}
        mechanisms: list[str] = []
        for line in reply.lines[1:]:
            words = line.split()
            if not words:
                continue
            keyword, params = words[0].upper(), tuple(words[1:])
            extensions.setdefault(keyword, params)
            if keyword == "AUTH":
                found = params
            elif keyword.startswith("AUTH="):
                found = (keyword.removeprefix("AUTH="), *params)
            else:
                continue
            mechanisms += [name.upper() for name in found if name and name.upper() not in mechanisms]
        size_params = extensions.get("SIZE")
        return cls(
            greeting=reply.lines[0] if reply.lines else "",
            extensions=MappingProxyType(extensions),
            auth_mechanisms=tuple(dict.fromkeys(mechanisms)),
            starttls="STARTTLS" in extensions,
            size=parse_number(size_params[0]) if size_params else None,
        )

    def has(self, keyword: str) -> bool:
        return keyword.upper() in self.extensions


# --------------------------------------------------------------------------- commands


def _command(text: str) -> bytes:
    return f"{text}\r\n".encode()


def _address(address: str, what: str) -> str:
    check_argument(address, what)
    if "<" in address or ">" in address:
        raise ValueError(f"{what} must be given without angle brackets")
    return address


def _client_name(name: str, what: str) -> str:
    check_token(name, what)
    if not name.isascii():
        raise ValueError(f"{what} must be ASCII (an internationalised domain goes as its xn-- A-label)")
    return name


def ehlo(name: str) -> bytes:
    """`EHLO name`: a domain (A-label) or an address literal such as `[192.0.2.1]`."""
    return _command(f"EHLO {_client_name(name, 'EHLO name')}")


def helo(name: str) -> bytes:
    """`HELO name`, for servers that refuse EHLO."""
    return _command(f"HELO {_client_name(name, 'HELO name')}")


def starttls() -> bytes:
    return b"STARTTLS\r\n"


def auth_plain(username: str, password: str) -> bytes:
    """`AUTH PLAIN <base64(NUL user NUL password)>`, initial response included (RFC 4954).

    Carries the password."""
    return b"AUTH PLAIN " + plain_response(username, password) + b"\r\n"


def auth_oauth(mechanism: str, initial: bytes) -> bytes:
    """`AUTH XOAUTH2|OAUTHBEARER <base64>`, initial response included (RFC 4954; `initial` from
    `protocol.oauth.initial_response`). Carries the token. A refusal comes as `334 <challenge>` first:
    answer it with `oauth.error_ack(mechanism)` + CRLF, then read the 535 (or 534, 550)."""
    return f"AUTH {check_token(mechanism.upper(), 'mechanism')} ".encode() + initial + b"\r\n"


def auth_login_start() -> bytes:
    """`AUTH LOGIN`; the server asks `334 VXNlcm5hbWU6` (Username:), answer with `auth_login_user`."""
    return b"AUTH LOGIN\r\n"


def auth_login_user(username: str) -> bytes:
    return login_response(username) + b"\r\n"


def auth_login_password(password: str) -> bytes:
    """The answer to `334 UGFzc3dvcmQ6` (Password:). Carries the password."""
    return login_response(password) + b"\r\n"


def auth_cancel() -> bytes:
    """`*`: abandons an AUTH exchange at a 334 challenge (RFC 4954 4)."""
    return b"*\r\n"


def mail_from(address: str, size: int | None = None, smtputf8: bool = False) -> bytes:
    """`MAIL FROM:<address>` (empty address: the null sender `<>`), with `SIZE=` and `SMTPUTF8` if asked."""
    command = f"MAIL FROM:<{_address(address, 'sender address')}>"
    if size is not None:
        if size < 0:
            raise ValueError("size must not be negative")
        command += f" SIZE={size}"
    if smtputf8:
        command += " SMTPUTF8"
    return _command(command)


def rcpt_to(address: str) -> bytes:
    if not address:
        raise ValueError("recipient address is empty")
    return _command(f"RCPT TO:<{_address(address, 'recipient address')}>")


def rset() -> bytes:
    return b"RSET\r\n"


def noop() -> bytes:
    return b"NOOP\r\n"


def quit() -> bytes:
    return b"QUIT\r\n"


def data() -> bytes:
    return b"DATA\r\n"


def message_data(message: bytes) -> bytes:
    """A message as sent after `354`: CRLF line ends, dot-stuffed, ended by `.` on its own line."""
    lines = message.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
    return b"\r\n".join(stuffed) + b"\r\n.\r\n"
