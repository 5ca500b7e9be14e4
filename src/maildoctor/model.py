"""The value types every stage shares: endpoints, accounts, findings, the report.

Pure data: nothing here touches the network, the disk or the clock, so probes,
rules and renderers can all depend on it (see tests/unit/test_layering.py).
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, NoReturn, final
from urllib.parse import quote, quote_plus

# --------------------------------------------------------------------------- servers


class Protocol(StrEnum):
    IMAP = "imap"
    POP3 = "pop3"
    SMTP = "smtp"


class Security(StrEnum):
    """How a connection is encrypted, as the mail program's settings name it."""

    SSL = "ssl"  # SSL/TLS from the first byte (implicit TLS)
    STARTTLS = "starttls"  # plain greeting, then upgraded with STARTTLS/STLS
    NONE = "none"


@dataclass(frozen=True, slots=True)
class StandardPort:
    """One standard mail port and what it carries there."""

    port: int
    protocol: Protocol
    security: Security  # SSL: TLS from the first byte; STARTTLS: a plain start, STARTTLS may follow
    for_mail_programs: bool = True  # False: between servers only (25), never a mail program's port


# The one table of the standard mail ports (RFC 8314, RFC 6409, RFC 5321). The order is the order in
# which a provider's ports are tried and recommended: per protocol the preferred one first.
STANDARD_PORTS: Final = (
    StandardPort(993, Protocol.IMAP, Security.SSL),
    StandardPort(143, Protocol.IMAP, Security.STARTTLS),
    StandardPort(995, Protocol.POP3, Security.SSL),
    StandardPort(110, Protocol.POP3, Security.STARTTLS),
    StandardPort(587, Protocol.SMTP, Security.STARTTLS),
    StandardPort(465, Protocol.SMTP, Security.SSL),
    StandardPort(25, Protocol.SMTP, Security.STARTTLS, for_mail_programs=False),
)


def mail_program_ports(protocol: Protocol) -> tuple[tuple[int, Security], ...]:
    """The (port, encryption) pairs a provider offers mail programs for `protocol`, preferred first."""
    return tuple(
        (row.port, row.security)
        for row in STANDARD_PORTS
        if row.protocol is protocol and row.for_mail_programs
    )


def _scheme_port(protocol: Protocol, security: Security) -> int:
    """The port a server URL means when it names none: the standard port of the pair; without
    encryption the protocol's own plain port (smtp:// is 25, imap:// and pop3:// share 143 and 110)."""
    rows = [row for row in STANDARD_PORTS if row.protocol is protocol]
    if security is Security.NONE:
        return [row.port for row in rows if row.security is Security.STARTTLS][-1]
    return next(row.port for row in rows if row.security is security)


@dataclass(frozen=True, slots=True)
class _Scheme:
    name: str
    protocol: Protocol
    security: Security

    @property
    def default_port(self) -> int:
        return _scheme_port(self.protocol, self.security)


# The table of interface.md ("Server URLs"); the order is the order of that table.
_SCHEMES: Final = (
    _Scheme("imaps", Protocol.IMAP, Security.SSL),
    _Scheme("imap+starttls", Protocol.IMAP, Security.STARTTLS),
    _Scheme("imap", Protocol.IMAP, Security.NONE),
    _Scheme("pop3s", Protocol.POP3, Security.SSL),
    _Scheme("pop3+starttls", Protocol.POP3, Security.STARTTLS),
    _Scheme("pop3", Protocol.POP3, Security.NONE),
    _Scheme("smtps", Protocol.SMTP, Security.SSL),
    _Scheme("smtp+starttls", Protocol.SMTP, Security.STARTTLS),
    _Scheme("smtp", Protocol.SMTP, Security.NONE),
)
_SCHEME_BY_NAME: Final = {scheme.name: scheme for scheme in _SCHEMES}
_SCHEME_BY_KIND: Final = {(scheme.protocol, scheme.security): scheme for scheme in _SCHEMES}

SERVER_URL_SCHEMES: Final = tuple(scheme.name for scheme in _SCHEMES)
# The standard ports whose encryption the port itself fixes: SSL/TLS from the first byte
# (993, 995, 465), or a plain start (143, 110, 587, 25; STARTTLS may follow).
IMPLICIT_TLS_PORTS: Final = frozenset(row.port for row in STANDARD_PORTS if row.security is Security.SSL)
PLAIN_START_PORTS: Final = frozenset(row.port for row in STANDARD_PORTS if row.security is not Security.SSL)


def default_port(protocol: Protocol, security: Security) -> int:
    """The port a server URL means when it names none (interface.md)."""
    return _SCHEME_BY_KIND[protocol, security].default_port


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One server as a mail program is set up to reach it.

    `port` and `security` are independent on purpose: a pair that does not fit
    (SSL/TLS on 587) is what a misconfigured mail program does, and the
    diagnosis must be able to hold it in order to explain it.
    """

    protocol: Protocol
    host: str  # lower case; an IPv6 literal without its brackets
    port: int
    security: Security

    @property
    def url(self) -> str:
        """The canonical server URL: scheme of interface.md, host, and always the port."""
        scheme = _SCHEME_BY_KIND[self.protocol, self.security].name
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"


class ServerUrlReason(StrEnum):
    """Why a server URL was refused; the CLI turns each into a translated sentence."""

    EMPTY = "empty"
    WHITESPACE = "whitespace"  # spaces, tabs, line breaks or other control characters
    MISSING_SCHEME = "missing-scheme"  # no "scheme://" in front
    UNKNOWN_SCHEME = "unknown-scheme"
    USERINFO = "userinfo"  # "user@host" or "user:password@host"
    PATH = "path"  # a path, query or fragment after the host
    EMPTY_HOST = "empty-host"
    INVALID_HOST = "invalid-host"  # characters that cannot be part of a host name
    INVALID_IPV6 = "invalid-ipv6"  # not an IPv6 address, or one without [brackets]
    INVALID_PORT = "invalid-port"  # empty or not made of the digits 0-9
    PORT_OUT_OF_RANGE = "port-out-of-range"  # 0, or above 65535


class ServerUrlError(ValueError):
    """A server URL that cannot be used, with the reason as data for a translated message.

    `text` is the URL as given, except that anything before an "@" is masked:
    people do paste "user:password@host", and the password must not travel on
    into messages and logs. `part` is the piece at fault (the scheme, the port,
    the host...), or the whole `text` when no single piece is.
    """

    reason: ServerUrlReason
    text: str
    part: str

    def __init__(self, reason: ServerUrlReason, text: str, part: str | None = None) -> None:
        self.reason = reason
        self.text = _mask_userinfo(text)
        self.part = self.text if part is None else part
        super().__init__(f"invalid server URL {self.text!r}: {reason.value} ({self.part!r})")


_USERINFO_MASK: Final = "…"
# "[" and "]" are only allowed around an IPv6 literal; a backslash is read as "/" by some programs.
_NOT_IN_HOST: Final = frozenset("[]\\")
_MAX_PORT: Final = 65535


def _mask_userinfo(text: str) -> str:
    # Everything up to the last "@" goes: a password may itself contain "/", "#" or ":".
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    at = rest.rfind("@")
    if at < 0:
        return text
    return f"{scheme}{separator}{_USERINFO_MASK}{rest[at:]}"


def _is_whitespace_or_control(char: str) -> bool:
    # str.isprintable() is False for controls, line breaks and the invisible separators;
    # isspace() adds the visible-width spaces, the ideographic space of a Japanese IME included.
    return char.isspace() or not char.isprintable()


def parse_server_url(text: str) -> Endpoint:
    """Read a server URL of interface.md (`imaps://host:993`) into an Endpoint.

    The scheme is case-insensitive, the host is lower-cased, a single trailing
    "/" is allowed. Only what makes the URL unreadable is refused; a host with
    odd but printable characters (full-width letters, look-alikes) is kept so
    that the diagnosis can point at them.
    """
    if not text:
        raise ServerUrlError(ServerUrlReason.EMPTY, text)
    for char in text:
        if _is_whitespace_or_control(char):
            raise ServerUrlError(ServerUrlReason.WHITESPACE, text, char)

    scheme_text, separator, rest = text.partition("://")
    if not separator:
        raise ServerUrlError(ServerUrlReason.MISSING_SCHEME, text)
    scheme = _SCHEME_BY_NAME.get(scheme_text.lower())
    if scheme is None:
        raise ServerUrlError(ServerUrlReason.UNKNOWN_SCHEME, text, scheme_text)

    if "@" in rest:
        raise ServerUrlError(ServerUrlReason.USERINFO, text, _USERINFO_MASK + rest[rest.rfind("@") :])
    authority = rest.removesuffix("/")
    for index, char in enumerate(authority):
        if char in "/?#":
            raise ServerUrlError(ServerUrlReason.PATH, text, authority[index:])

    host, port_text = _split_host_port(authority, text)
    port = scheme.default_port if port_text is None else _parse_port(port_text, text)
    return Endpoint(protocol=scheme.protocol, host=host, port=port, security=scheme.security)


def _split_host_port(authority: str, text: str) -> tuple[str, str | None]:
    """Split "host:port" or "[v6]:port"; the port is None when absent."""
    if authority.startswith("["):
        literal, bracket, after = authority[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise ServerUrlError(ServerUrlReason.INVALID_IPV6, text, authority)
        try:
            address = ipaddress.IPv6Address(literal)
        except ValueError:
            raise ServerUrlError(ServerUrlReason.INVALID_IPV6, text, f"[{literal}]") from None
        return address.compressed, (after[1:] if after else None)

    if authority.count(":") > 1:  # an IPv6 address written without brackets
        raise ServerUrlError(ServerUrlReason.INVALID_IPV6, text, authority)
    host, colon, port_text = authority.partition(":")
    if not host:
        raise ServerUrlError(ServerUrlReason.EMPTY_HOST, text)
    for char in host:
        if char in _NOT_IN_HOST:
            raise ServerUrlError(ServerUrlReason.INVALID_HOST, text, char)
    return host.lower(), (port_text if colon else None)


def _parse_port(port_text: str, text: str) -> int:
    # isascii() first: str.isdigit() also accepts full-width "９９３" and superscripts.
    if not (port_text.isascii() and port_text.isdigit()):
        raise ServerUrlError(ServerUrlReason.INVALID_PORT, text, port_text)
    port = int(port_text)
    if not 0 < port <= _MAX_PORT:
        raise ServerUrlError(ServerUrlReason.PORT_OUT_OF_RANGE, text, port_text)
    return port


# --------------------------------------------------------------------------- secrets


@final
class Secret:
    """A password that cannot end up in a message, a log line, a file or a pickle by accident.

    Every way Python turns an object into text shows a constant mask; `reveal()`
    is the one door, so each place that needs the real value is easy to find.
    """

    __slots__ = ("__value",)
    __value: str

    MASK: Final = "********"

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            # never put the rejected value into the message: it may be the password
            raise TypeError(f"Secret takes a str, not {type(value).__name__}")
        object.__setattr__(self, "_Secret__value", value)

    def reveal(self) -> str:
        return self.__value

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Secret is immutable")

    def __repr__(self) -> str:
        return f"Secret({self.MASK!r})"

    def __str__(self) -> str:
        return self.MASK

    def __format__(self, format_spec: str) -> str:
        return format(self.MASK, format_spec)

    def __bool__(self) -> bool:
        return bool(self.__value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # constant time, so a comparison does not tell how many leading characters match
        return hmac.compare_digest(self.__value.encode(), other.__value.encode())

    def __hash__(self) -> int:
        # the same for every secret: a hash derived from the value would leak something about it
        return hash(Secret)

    # An immutable value can be shared instead of copied; a pickle would carry the plain value.
    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: object) -> Secret:
        return self

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")

    def __getstate__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


def leak_forms(secret: Secret, usernames: tuple[str, ...] | frozenset[str] = ()) -> frozenset[str]:
    """Every text form in which the password could leak, for tests and leak checks to search for.

    The plain value; its UTF-8 base64 (AUTH LOGIN sends it alone); base64 of the
    AUTH PLAIN message "\\0user\\0password" (and "user\\0user\\0password", the
    form with an authorization identity) for each user name given; URL-encoded
    forms. An empty password has no forms: every text "contains" it.
    """
    value = secret.reveal()
    if not value:
        return frozenset()
    forms = {value, _b64(value), quote(value, safe=""), quote_plus(value, safe="")}
    for username in usernames:
        forms.add(_b64(f"\0{username}\0{value}"))
        forms.add(_b64(f"{username}\0{username}\0{value}"))
    return frozenset(forms)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True, slots=True)
class Account:
    address: str
    username: str
    password: Secret | None  # None: not given, so nothing logs in


@dataclass(frozen=True, slots=True)
class MailSettings:
    """The server settings of one account: as typed in the mail program, or as recommended."""

    incoming: Endpoint | None
    outgoing: Endpoint | None
    username: str | None
    outgoing_auth: bool = True  # "outgoing server requires authentication"


# --------------------------------------------------------------------------- findings and report


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Layer(StrEnum):
    """Where a cause lives (causes.md), in the order a person would check them."""

    INPUT = "input"
    NETWORK = "network"
    DNS = "dns"
    TRANSPORT = "transport"
    TLS = "tls"
    AUTH = "auth"
    SMTP = "smtp"
    MAILBOX = "mailbox"
    SERVER = "server"
    SENDING_DOMAIN = "sending-domain"


class ServerRole(StrEnum):
    """Which part of the setup a finding or a check is about."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    DOMAIN = "domain"
    INPUT = "input"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One of our own sentences about what was seen: an English message id and its values,
    translated when shown (a server's own words are kept as plain strings instead)."""

    message: str
    values: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, message: str, **values: object) -> Evidence:
        return cls(message, tuple((name, str(value)) for name, value in values.items()))


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnosed cause: a code and its parameters, never rendered text.

    Titles and fixes are looked up by `cause` and rendered in the reader's
    language at display time, so a stored finding re-renders in any language.
    """

    cause: str  # a code of causes.md, e.g. "AUTH_FAILED"
    severity: Severity
    layer: Layer
    server: ServerRole
    params: tuple[tuple[str, str], ...] = ()  # the {placeholders} of the title and fix
    # what was seen: server words (str, verbatim), or our sentences about it (Evidence)
    evidence: tuple[str | Evidence, ...] = ()
    consequence_of: str | None = None  # the cause code that explains this one

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


class CheckStatus(StrEnum):
    PASS = "pass"  # noqa: S105 -- a check status, not a password
    FAIL = "fail"
    SKIP = "skip"


class CheckFault(StrEnum):
    """Why a check could not run: a fault in maildoctor, or no end before the run's deadline."""

    CRASHED = "crashed"
    TIMED_OUT = "timed_out"


@dataclass(frozen=True, slots=True)
class CheckResult:
    id: str
    server: ServerRole
    status: CheckStatus
    ms: int
    # set when the check could not run at all (its status is then "skip")
    fault: CheckFault | None = None
    # a crash's traceback, passwords removed: shown only with --debug
    trace: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class RoundtripResult:
    """What --roundtrip saw: the test message sent, arrived after delay_ms, removed again."""

    sent: bool
    arrived: bool
    delay_ms: int | None
    removed: bool
    detail: str = ""


class Verdict(StrEnum):
    OK = "ok"  # nothing wrong found
    PROBLEMS = "problems"  # at least one finding
    INCOMPLETE = "incomplete"  # some checks could not run, nothing wrong among the rest


@dataclass(frozen=True, slots=True)
class Report:
    address: str
    verdict: Verdict
    findings: tuple[Finding, ...]  # most likely first; consequences after their cause
    checks: tuple[CheckResult, ...]
    elapsed_ms: int
    typed_settings: MailSettings
    recommended_settings: MailSettings | None
    roundtrip: RoundtripResult | None = None
    # the servers the person did not give, checked with what discovery found (recommended_settings)
    filled: tuple[ServerRole, ...] = ()
