"""IMAP without sockets: frame responses, read greetings, capabilities and quota, build commands.

RFC 9051/3501 (IMAP4), 5530 (response codes), 9208/2087 (QUOTA), 4959 (SASL-IR),
7888 (LITERAL+).

    reader = ImapResponseReader()
    reader.feed(received_bytes)
    while (response := reader.next_response()) is not None:
        match response:
            case Untagged(text): ...
            case Tagged(tag, status, code, text): ...

An untagged response that ends a line with a literal `{n}` goes on after exactly
n bytes; the reader counts them (bounded by `max_literal`) and returns the whole
response once. `Untagged.text` keeps the `{n}` markers in place and
`Untagged.literals` holds the bodies in order, so nothing the server said is lost
and nothing in a literal is mistaken for protocol.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeAlias

from ._syntax import MAX_DIGITS, check_argument, check_token, parse_number
from .errors import LiteralTooLarge, ProtocolViolation, ResponseTooLarge
from .lines import DEFAULT_MAX_BUFFER, DEFAULT_MAX_LINE, LineReader, decode_text
from .sasl import plain_response

__all__ = [
    "Continuation",
    "ImapCondition",
    "ImapGreeting",
    "ImapResponse",
    "ImapResponseReader",
    "ImapStatus",
    "QuotaInfo",
    "QuotaResource",
    "QuotaRoot",
    "TagCounter",
    "Tagged",
    "Untagged",
    "authenticate_cancel",
    "authenticate_plain",
    "capability",
    "examine",
    "getquota",
    "getquotaroot",
    "login",
    "logout",
    "noop",
    "parse_capabilities",
    "parse_condition",
    "parse_exists",
    "parse_greeting",
    "parse_quota",
    "parse_quotaroot",
    "parse_search",
    "select",
    "starttls",
    "uid_delete",
    "uid_expunge",
    "uid_search_header",
]

DEFAULT_MAX_LITERAL: Final = 65536
DEFAULT_MAX_RESPONSE: Final = 262144


class ImapStatus(StrEnum):
    """The condition word of a status response. Tagged responses only carry OK, NO or BAD."""

    OK = "OK"
    NO = "NO"
    BAD = "BAD"
    PREAUTH = "PREAUTH"
    BYE = "BYE"


_TAGGED_STATUSES: Final = frozenset({ImapStatus.OK, ImapStatus.NO, ImapStatus.BAD})


@dataclass(frozen=True, slots=True)
class Untagged:
    """`* text`: data or an untagged status. `text` has the `{n}` literal markers, `literals` their bodies."""

    text: str
    literals: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class Continuation:
    """`+ text`: the server waits for the rest of a command (a literal, a SASL answer)."""

    text: str


@dataclass(frozen=True, slots=True)
class Tagged:
    """`tag OK|NO|BAD [CODE args] text`: the end of a command.

    `code` is the response code name upper-cased (`AUTHENTICATIONFAILED`,
    `PRIVACYREQUIRED`, `CAPABILITY`, ...), None without one; `code_args` the rest of
    the bracket as sent ("" when none); `text` what follows the bracket.
    """

    tag: str
    status: ImapStatus
    code: str | None
    text: str
    code_args: str = ""

    @property
    def capabilities(self) -> frozenset[str] | None:
        """The `[CAPABILITY ...]` a server may send with a successful LOGIN, else None."""
        return _capability_code(self.code, self.code_args)


ImapResponse: TypeAlias = Untagged | Continuation | Tagged

_LITERAL_AT_END: Final = re.compile(rb"~?\{([0-9]+)\}\Z")
_CONDITION_WORDS: Final = frozenset(status.value for status in ImapStatus)


class ImapResponseReader(LineReader):
    """Frames IMAP server responses from bytes; `next_response()` returns None until one is complete.

    Bounds: `max_line` per line, `max_literal` per literal, `max_response` for one
    response with all its lines and literals; past them a `ProtocolViolation`
    (`LineTooLong`, `LiteralTooLarge`, `ResponseTooLarge`) is raised and the reader
    stays broken.
    """

    __slots__ = (
        "_literal",
        "_literal_left",
        "_literals",
        "_max_literal",
        "_max_response",
        "_parts",
        "_size",
    )

    def __init__(
        self,
        max_line: int = DEFAULT_MAX_LINE,
        max_buffer: int = DEFAULT_MAX_BUFFER,
        max_literal: int = DEFAULT_MAX_LITERAL,
        max_response: int = DEFAULT_MAX_RESPONSE,
    ) -> None:
        super().__init__(max_line, max_buffer)
        self._max_literal = max_literal
        self._max_response = max_response
        self._parts: list[str] | None = None  # text of the untagged response being read
        self._literals: list[bytes] = []
        self._literal = bytearray()
        self._literal_left = 0
        self._size = 0

    def next_response(self) -> ImapResponse | None:
        return self._read(self._next_response)

    def _next_response(self) -> ImapResponse | None:
        while True:
            if self._literal_left:
                chunk = self._lines.next_bytes(self._literal_left)
                self._literal += chunk
                self._literal_left -= len(chunk)
                if self._literal_left:
                    return None
                self._literals.append(bytes(self._literal))
                self._literal.clear()
            line = self._lines.next_line()
            if line is None:
                return None
            if self._parts is not None:
                response = self._continue_untagged(line)
            elif line == b"*" or line.startswith(b"* "):
                self._parts = []
                self._size = 0
                response = self._continue_untagged(line[2:])
            elif line == b"+" or line.startswith(b"+ "):
                return Continuation(decode_text(line[2:]))
            else:
                return _tagged(line)
            if response is not None:
                return response

    def _continue_untagged(self, line: bytes) -> Untagged | None:
        assert self._parts is not None
        self._size += len(line)
        if self._size > self._max_response:
            raise ResponseTooLarge(f"an untagged response longer than {self._max_response} bytes", line)
        self._parts.append(decode_text(line))
        literal = _LITERAL_AT_END.search(line)
        # Status responses (OK/NO/BAD/BYE/PREAUTH) carry only text, never literals.
        first_line = len(self._parts) == 1
        if literal is not None and not (first_line and _first_word(line) in _CONDITION_WORDS):
            digits = literal.group(1)
            size = int(digits) if len(digits) <= MAX_DIGITS else self._max_literal + 1
            if size > self._max_literal:
                raise LiteralTooLarge(f"a literal of more than {self._max_literal} bytes", line)
            self._size += size
            if self._size > self._max_response:
                raise ResponseTooLarge(f"an untagged response longer than {self._max_response} bytes", line)
            self._literal_left = size
            if size:
                return None
            self._literals.append(b"")
            return None
        response = Untagged("".join(self._parts), tuple(self._literals))
        self._parts = None
        self._literals = []
        return response


def _first_word(line: bytes) -> str:
    return decode_text(line.split(b" ", 1)[0]).upper()


def _resp_text(text: str) -> tuple[str | None, str, str]:
    """`[CODE args] text` → (CODE, args, text); (None, "", text) without a bracket."""
    if text.startswith("["):
        end = text.find("]")
        name, _, args = text[1:end].partition(" ")
        if end > 1 and name:
            rest = text[end + 1 :]
            return name.upper(), args, rest.removeprefix(" ")
    return None, "", text


def _tagged(line: bytes) -> Tagged:
    tag, space, rest = line.partition(b" ")
    word, _, resp_text = rest.partition(b" ")
    status_word = decode_text(word).upper()
    if not tag or not space or status_word not in _TAGGED_STATUSES:
        raise ProtocolViolation("not an IMAP response line", line)
    code, args, text = _resp_text(decode_text(resp_text))
    return Tagged(decode_text(tag), ImapStatus(status_word), code, text, args)


# --------------------------------------------------------------------------- status responses


@dataclass(frozen=True, slots=True)
class ImapCondition:
    """An untagged status response: `* OK|NO|BAD|PREAUTH|BYE [CODE args] text`."""

    status: ImapStatus
    code: str | None
    text: str
    code_args: str = ""


def _untagged_text(response: Untagged | str) -> tuple[str, tuple[bytes, ...]]:
    if isinstance(response, Untagged):
        return response.text, response.literals
    return response.removeprefix("* "), ()


def parse_condition(response: Untagged | str) -> ImapCondition | None:
    """The status, code and text of an untagged OK/NO/BAD/PREAUTH/BYE, else None."""
    text, _ = _untagged_text(response)
    word, _, rest = text.partition(" ")
    if word.upper() not in _CONDITION_WORDS:
        return None
    code, args, message = _resp_text(rest)
    return ImapCondition(ImapStatus(word.upper()), code, message, args)


@dataclass(frozen=True, slots=True)
class ImapGreeting:
    """The first thing an IMAP server says; `capabilities` only if it carries `[CAPABILITY ...]`."""

    status: ImapStatus  # OK, PREAUTH or BYE
    capabilities: frozenset[str] | None
    text: str
    code: str | None = None
    code_args: str = ""


def parse_greeting(response: ImapResponse | str) -> ImapGreeting | None:
    """An `* OK`/`* PREAUTH`/`* BYE` greeting, else None (not a greeting: maybe not IMAP at all)."""
    if isinstance(response, Continuation | Tagged):
        return None
    condition = parse_condition(response)
    if condition is None or condition.status not in (ImapStatus.OK, ImapStatus.PREAUTH, ImapStatus.BYE):
        return None
    return ImapGreeting(
        status=condition.status,
        capabilities=_capability_code(condition.code, condition.code_args),
        text=condition.text,
        code=condition.code,
        code_args=condition.code_args,
    )


def _capability_code(code: str | None, args: str) -> frozenset[str] | None:
    if code != "CAPABILITY":
        return None
    return frozenset(word.upper() for word in args.split())


def parse_capabilities(response: Untagged | str) -> frozenset[str] | None:
    """The atoms of `* CAPABILITY IMAP4rev1 ...`, upper-cased; None for any other response."""
    text, _ = _untagged_text(response)
    word, _, rest = text.partition(" ")
    return _capability_code(word.upper(), rest)


_EXISTS: Final = re.compile(r"([0-9]{1,20}) EXISTS", re.IGNORECASE)


def parse_exists(response: Untagged | str) -> int | None:
    """n from `* n EXISTS` (after SELECT/EXAMINE), else None."""
    text, _ = _untagged_text(response)
    match = _EXISTS.fullmatch(text.strip())
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------- quota (RFC 9208)


@dataclass(frozen=True, slots=True)
class QuotaResource:
    """One resource of a quota root: STORAGE in units of 1024 octets, MESSAGE in messages."""

    name: str
    usage: int
    limit: int

    @property
    def fraction_used(self) -> float | None:
        return self.usage / self.limit if self.limit > 0 else None


@dataclass(frozen=True, slots=True)
class QuotaInfo:
    """`* QUOTA "User quota" (STORAGE 0 10240)`."""

    root: str
    resources: tuple[QuotaResource, ...]

    def resource(self, name: str) -> QuotaResource | None:
        return next((item for item in self.resources if item.name == name.upper()), None)


@dataclass(frozen=True, slots=True)
class QuotaRoot:
    """`* QUOTAROOT INBOX "User quota"`: the quota roots a mailbox belongs to (maybe none)."""

    mailbox: str
    roots: tuple[str, ...]


_Value: TypeAlias = "str | tuple[_Value, ...]"


class _Syntax(Exception):
    pass


def _values(text: str, literals: Sequence[bytes]) -> list[_Value] | None:
    """The atoms, strings, literals and parenthesised lists of response data; None if malformed."""
    try:
        position, values = _parse_list(text, 0, iter(literals), closing=None)
    except _Syntax:
        return None
    return values if position == len(text) else None


def _parse_list(
    text: str, position: int, literals: Iterator[bytes], closing: str | None
) -> tuple[int, list[_Value]]:
    values: list[_Value] = []
    while True:
        while position < len(text) and text[position] == " ":
            position += 1
        if position == len(text):
            if closing is not None:
                raise _Syntax
            return position, values
        char = text[position]
        if char == ")":
            if closing != ")":
                raise _Syntax
            return position + 1, values
        if char == "(":
            position, inner = _parse_list(text, position + 1, literals, closing=")")
            values.append(tuple(inner))
        elif char == '"':
            position, value = _parse_quoted(text, position + 1)
            values.append(value)
        elif (literal := _LITERAL_MARKER.match(text, position)) is not None:
            body = next(literals, None)
            if body is None or len(body) != int(literal.group(1)):
                raise _Syntax
            values.append(decode_text(body))
            position = literal.end()
        else:
            end = position
            while end < len(text) and text[end] not in ' ()"':
                end += 1
            values.append(text[position:end])
            position = end


_LITERAL_MARKER: Final = re.compile(r"~?\{([0-9]{1,20})\}")


def _parse_quoted(text: str, position: int) -> tuple[int, str]:
    chars: list[str] = []
    while position < len(text):
        char = text[position]
        if char == '"':
            return position + 1, "".join(chars)
        if char == "\\" and position + 1 < len(text):
            position += 1
            char = text[position]
        chars.append(char)
        position += 1
    raise _Syntax


def parse_quota(response: Untagged | str) -> QuotaInfo | None:
    """`QUOTA root (NAME usage limit ...)` → QuotaInfo; None for anything else or malformed data."""
    values = _values(*_untagged_text(response))
    if values is None or len(values) != 3:
        return None
    word, root, listed = values
    if not isinstance(word, str) or word.upper() != "QUOTA" or not isinstance(root, str):
        return None
    if not isinstance(listed, tuple) or len(listed) % 3:
        return None
    resources: list[QuotaResource] = []
    for index in range(0, len(listed), 3):
        name, usage_text, limit_text = listed[index : index + 3]
        if not (isinstance(name, str) and isinstance(usage_text, str) and isinstance(limit_text, str)):
            return None
        usage, limit = parse_number(usage_text), parse_number(limit_text)
        if usage is None or limit is None or not name:
            return None
        resources.append(QuotaResource(name.upper(), usage, limit))
    return QuotaInfo(root, tuple(resources))


def parse_quotaroot(response: Untagged | str) -> QuotaRoot | None:
    """`QUOTAROOT mailbox root...` → QuotaRoot; None for anything else."""
    values = _values(*_untagged_text(response))
    if values is None or len(values) < 2:
        return None
    word, mailbox, *roots = values
    if not isinstance(word, str) or word.upper() != "QUOTAROOT" or not isinstance(mailbox, str):
        return None
    names = tuple(root for root in roots if isinstance(root, str))
    if len(names) != len(roots):
        return None
    return QuotaRoot(mailbox, names)


# --------------------------------------------------------------------------- commands


class TagCounter:
    """Command tags `a001`, `a002`, ... (four digits and more after `a999`). An iterator."""

    __slots__ = ("_count", "_prefix")

    def __init__(self, prefix: str = "a", start: int = 1) -> None:
        if not prefix.isascii() or not prefix.isalpha():
            raise ValueError("a tag prefix is one or more ASCII letters")
        self._prefix = prefix
        self._count = start

    def __iter__(self) -> TagCounter:
        return self

    def __next__(self) -> str:
        tag = f"{self._prefix}{self._count:03d}"
        self._count += 1
        return tag

    def next_tag(self) -> str:
        return next(self)


# RFC 9051: atom-specials are ( ) { SP CTL % * " \ ] ; a tag also may not hold "+"
_NOT_IN_TAG: Final = frozenset('(){%*"\\+')
_NOT_IN_ATOM: Final = frozenset('(){%*"\\]')


def _tag(tag: str) -> str:
    check_token(tag, "tag")
    if not tag.isascii() or any(char in _NOT_IN_TAG for char in tag):
        raise ValueError("a tag may only hold ASCII letters, digits and a few other marks")
    return tag


def _command(tag: str, text: str) -> bytes:
    return f"{_tag(tag)} {text}\r\n".encode()


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mailbox(name: str) -> str:
    check_argument(name, "mailbox name")
    if not name.isascii():
        raise ValueError("non-ASCII mailbox names need modified UTF-7, which is not supported here")
    if name and all(0x20 < ord(char) < 0x7F and char not in _NOT_IN_ATOM for char in name):
        return name
    return _quoted(name)


def capability(tag: str) -> bytes:
    return _command(tag, "CAPABILITY")


def starttls(tag: str) -> bytes:
    return _command(tag, "STARTTLS")


def login(tag: str, username: str, password: str, literal_plus: bool = False) -> tuple[bytes, ...]:
    """`tag LOGIN user password`, as the parts to send in order. Carries the password.

    ASCII values go as quoted strings (`\\` and `"` escaped). A value with other
    characters goes as a literal of its UTF-8 bytes, which is a handshake:

        C: a001 LOGIN "alice" {8}
        S: + Ready for literal data
        C: pässwort                (then CRLF ends the command)

    So the result has one more part per literal: send the first part, and send
    each next one only after a `Continuation` ("+ ..."); if the server answers with
    a `Tagged` NO/BAD instead, the command is over: send nothing more. With
    `literal_plus=True` (the server announced LITERAL+, RFC 7888) literals are
    non-synchronizing (`{8+}`) and the whole command is one part.

    CR, LF and NUL cannot be sent in either (not even in a literal: servers end the
    password there) and raise ValueError.
    """
    check_argument(username, "username")
    check_argument(password, "password")
    parts: list[bytes] = []
    current = f"{_tag(tag)} LOGIN".encode()
    for value in (username, password):
        current += b" "
        if value.isascii():
            current += _quoted(value).encode()
            continue
        data = value.encode()
        if literal_plus:
            current += b"{%d+}\r\n" % len(data) + data
        else:
            parts.append(current + b"{%d}\r\n" % len(data))
            current = data
    parts.append(current + b"\r\n")
    return tuple(parts)


def authenticate_plain(tag: str, username: str, password: str, sasl_ir: bool = True) -> tuple[bytes, ...]:
    """`tag AUTHENTICATE PLAIN <base64>` as the parts to send in order. Carries the password.

    With `sasl_ir` (the server announced SASL-IR, RFC 4959) the initial response
    rides on the command: one part. Without it there are two: send the second only
    after the server's `Continuation` ("+ ").
    """
    response = plain_response(username, password)
    if sasl_ir:
        return (f"{_tag(tag)} AUTHENTICATE PLAIN ".encode() + response + b"\r\n",)
    return (_command(tag, "AUTHENTICATE PLAIN"), response + b"\r\n")


def authenticate_oauth(tag: str, mechanism: str, initial: bytes, sasl_ir: bool = True) -> tuple[bytes, ...]:
    """`tag AUTHENTICATE XOAUTH2|OAUTHBEARER <base64>` (`initial` from `protocol.oauth.initial_response`)
    as the parts to send in order, as `authenticate_plain` does. Carries the token.

    After a refusal the server sends an error challenge (`Continuation`) first: answer it with
    `oauth.error_ack(mechanism)` + CRLF, then read the tagged NO."""
    name = check_token(mechanism.upper(), "mechanism")
    if sasl_ir:
        return (f"{_tag(tag)} AUTHENTICATE {name} ".encode() + initial + b"\r\n",)
    return (_command(tag, f"AUTHENTICATE {name}"), initial + b"\r\n")


def authenticate_cancel() -> bytes:
    """`*`: abandons an AUTHENTICATE exchange at a continuation (the server answers BAD)."""
    return b"*\r\n"


def getquotaroot(tag: str, mailbox: str = "INBOX") -> bytes:
    return _command(tag, f"GETQUOTAROOT {_mailbox(mailbox)}")


def getquota(tag: str, root: str) -> bytes:
    """`GETQUOTA root`; the root goes quoted unless it is a plain atom (`"User quota"` must be quoted)."""
    return _command(tag, f"GETQUOTA {_mailbox(root)}")


def examine(tag: str, mailbox: str = "INBOX") -> bytes:
    """`EXAMINE mailbox`: select it read-only (answers include `* n EXISTS`)."""
    return _command(tag, f"EXAMINE {_mailbox(mailbox)}")


def noop(tag: str) -> bytes:
    return _command(tag, "NOOP")


def logout(tag: str) -> bytes:
    return _command(tag, "LOGOUT")


# --------------------------------------------------------------------------- the round trip test


def select(tag: str, mailbox: str = "INBOX") -> bytes:
    """`SELECT mailbox`: read-write (needed to remove the test message again)."""
    return _command(tag, f"SELECT {_mailbox(mailbox)}")


def uid_search_header(tag: str, header: str, value: str) -> bytes:
    """`UID SEARCH HEADER name "value"`: the UIDs of messages whose header contains the value."""
    check_token(header, "header name")
    if not value.isascii() or any(char in value for char in '"\\\r\n'):
        raise ValueError("a search value must be plain ASCII without quotes")
    return _command(tag, f'UID SEARCH HEADER {header} "{value}"')


def uid_delete(tag: str, uids: Sequence[int]) -> bytes:
    """`UID STORE uids +FLAGS.SILENT (\\Deleted)`."""
    return _command(tag, f"UID STORE {_uid_set(uids)} +FLAGS.SILENT (\\Deleted)")


def uid_expunge(tag: str, uids: Sequence[int]) -> bytes:
    """`UID EXPUNGE uids` (RFC 4315 UIDPLUS): removes only these messages."""
    return _command(tag, f"UID EXPUNGE {_uid_set(uids)}")


def _uid_set(uids: Sequence[int]) -> str:
    if not uids or any(uid <= 0 for uid in uids):
        raise ValueError("UIDs are positive numbers")
    return ",".join(str(uid) for uid in uids)


_SEARCH: Final = re.compile(r"SEARCH((?: [0-9]{1,10})*)\s*", re.IGNORECASE)


def parse_search(response: Untagged | str) -> tuple[int, ...] | None:
    """The numbers of `* SEARCH 3 7`, else None (for any other response)."""
    text, _ = _untagged_text(response)
    match = _SEARCH.fullmatch(text)
    if match is None:
        return None
    return tuple(int(number) for number in match.group(1).split())
