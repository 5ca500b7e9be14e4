"""TLS handshakes as facts: version, cipher, the chain as sent, or how the handshake failed.

The client context verifies nothing (CERT_NONE, no host name check) so that every handshake that
can complete does, and the certificate is judged afterwards, in one place, by
tlsfacts.assess_chain. It also accepts TLS 1.0 and 1.1 so that an old server still shows which
version it speaks (TLS_VERSION_OUTDATED): Debian 12's OpenSSL 3.0 still implements both, but only
at security level 0 (their handshake signatures use SHA-1/MD5-SHA1), hence `@SECLEVEL=0`; the
default context (level 2) fails such a handshake with "sslv3 alert handshake failure" or
"legacy sigalg disallowed or unsupported". SSLv3 is not compiled in.

The chain: Python 3.13 has SSLObject.get_unverified_chain(); on 3.11 and 3.12 the same list comes
from the private `SSLObject._sslobj.get_unverified_chain()` (there since 3.10). Should neither
exist, only the leaf is recorded (getpeercert(binary_form=True)) and chain_complete is False.

Implicit TLS (open_tls) first waits briefly for unsolicited bytes: a TLS server never speaks
first, a plaintext mail server always does (`* OK`, `+OK`, `220 `), so a greeting in that window is
captured as it was sent (PORT_SECURITY_MISMATCH evidence) instead of being fed to the TLS parser,
which would only say "wrong version number".
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import socket
import ssl
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from maildoctor.net.errors import ConnectFailed, ConnectRefused, ConnectTimeout, TlsFailure
from maildoctor.protocol.lines import server_text

__all__ = [
    "FIRST_BYTES_LIMIT",
    "GREETING_WAIT",
    "TlsErrorKind",
    "TlsHandshakeFacts",
    "diagnostic_context",
    "key_exchange_of",
    "open_tls",
    "tls_handshake_facts",
]

# How long open_tls listens for a plaintext greeting before it starts the handshake.
GREETING_WAIT = 0.3
# At most this much of a plaintext reply is kept.
FIRST_BYTES_LIMIT = 512
# After the first bytes of a plaintext reply, how long to wait for the rest of its first line.
_LINE_WAIT = 0.1
_DER = 2  # _ssl.ENCODING_DER


class TlsErrorKind(StrEnum):
    PLAINTEXT_REPLY = "plaintext_reply"  # the server talks plaintext here (a greeting, not TLS)
    PROTOCOL_VERSION = "protocol_version"  # no TLS version both sides speak
    HANDSHAKE_TIMEOUT = "handshake_timeout"
    RESET = "reset"  # the server closed or reset the connection during the handshake
    OTHER = "other"  # see error_detail


@dataclass(frozen=True, slots=True)
class TlsHandshakeFacts:
    server_hostname: str  # the name sent as SNI (none is sent for an IP address)
    version: str | None = None  # "TLSv1.3", "TLSv1.2", ..., "TLSv1"
    cipher: str | None = None  # OpenSSL's name of the negotiated suite
    cipher_bits: int | None = None
    # how the session key was agreed, in OpenSSL's words without "kx-": "ecdhe", "dhe", "rsa" (static
    # RSA: no forward secrecy), "any" (TLS 1.3, always (EC)DHE); None when unknown
    key_exchange: str | None = None
    chain_der: tuple[bytes, ...] = ()  # as the server sent it, leaf first
    chain_complete: bool = False  # False: only the leaf could be read (or nothing)
    alpn: str | None = None  # no ALPN is offered, so always None for now
    elapsed_ms: int = 0  # the handshake alone (not the connect, not the greeting wait)
    error_kind: TlsErrorKind | None = None  # None: the handshake completed
    error_detail: str = ""  # the error as OpenSSL/Python worded it
    first_bytes: bytes = b""  # plaintext_reply: what the server sent (at most FIRST_BYTES_LIMIT)

    @property
    def ok(self) -> bool:
        return self.error_kind is None

    @property
    def first_bytes_text(self) -> str:
        """first_bytes, safe to display."""
        return server_text(self.first_bytes, FIRST_BYTES_LIMIT) if self.first_bytes else ""

    def raise_for_error(self, *, host: str = "", port: int = 0) -> None:
        if self.error_kind is not None:
            raise TlsFailure(self, host=host, port=port)


@functools.cache
def diagnostic_context() -> ssl.SSLContext:
    """The client context of every probe handshake: accepts anything, TLS 1.0 to 1.3, no ALPN.

    Made once and shared (an SSLContext may serve many connections, in any thread).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLSVersion.TLSv1 is deprecated
        context.minimum_version = ssl.TLSVersion.TLSv1
    with contextlib.suppress(ssl.SSLError):  # a build that knows no security levels
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


@functools.cache
def _key_exchanges() -> dict[str, str]:
    """OpenSSL's cipher name -> its key exchange ("kx-rsa" -> "rsa"), for every suite the probe offers."""
    return {
        str(entry["name"]): str(entry.get("kea") or "").removeprefix("kx-")
        for entry in diagnostic_context().get_ciphers()
        if entry.get("kea")
    }


def key_exchange_of(cipher: str | None) -> str | None:
    """The key exchange of a negotiated suite named as OpenSSL names it ("AES128-GCM-SHA256" -> "rsa")."""
    return _key_exchanges().get(cipher or "") or None


# OpenSSL reasons meaning "what came back is not TLS" (a plaintext greeting or reply).
_PLAINTEXT_REASONS = frozenset(
    {
        "WRONG_VERSION_NUMBER",
        "RECORD_LAYER_FAILURE",
        "HTTP_REQUEST",
        "HTTPS_PROXY_REQUEST",
        "PACKET_LENGTH_TOO_LONG",
        "UNKNOWN_PROTOCOL",
    }
)
# ... and "no version in common".
_VERSION_REASONS = frozenset(
    {
        "UNSUPPORTED_PROTOCOL",
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "NO_PROTOCOLS_AVAILABLE",
        "VERSION_TOO_LOW",
        "VERSION_TOO_HIGH",
    }
)


def _classify(error: BaseException) -> TlsErrorKind:
    if isinstance(error, TimeoutError):
        return TlsErrorKind.HANDSHAKE_TIMEOUT
    if isinstance(error, ssl.SSLError):
        reason = error.reason or ""
        text = str(error).lower()
        if reason in _PLAINTEXT_REASONS or "wrong version number" in text:
            return TlsErrorKind.PLAINTEXT_REPLY
        if reason in _VERSION_REASONS or "protocol version" in text:
            return TlsErrorKind.PROTOCOL_VERSION
        if isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return TlsErrorKind.RESET
        return TlsErrorKind.OTHER
    if isinstance(error, ConnectionAbortedError) and "taking longer" in str(error):
        return TlsErrorKind.HANDSHAKE_TIMEOUT  # asyncio's own ssl_handshake_timeout
    if isinstance(error, ConnectionError | EOFError):
        return TlsErrorKind.RESET
    return TlsErrorKind.OTHER


def _detail(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _peer_chain(ssl_object: Any) -> tuple[tuple[bytes, ...], bool]:
    """(chain as DER, complete?) from an ssl.SSLObject, whatever the Python version offers."""
    getter = getattr(ssl_object, "get_unverified_chain", None)  # Python 3.13+
    if getter is None:
        getter = getattr(getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None)
    if getter is not None:
        try:
            items = getter() or []
            chain = tuple(item if isinstance(item, bytes) else item.public_bytes(_DER) for item in items)
        except (AttributeError, TypeError, ValueError, ssl.SSLError):
            chain = ()
        if chain:
            return chain, True
    leaf = ssl_object.getpeercert(binary_form=True)
    return ((leaf,), False) if leaf else ((), False)


async def tls_handshake_facts(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    server_hostname: str,
    timeout: float,
) -> TlsHandshakeFacts:
    """Upgrade an open connection to TLS (after STARTTLS, or at once for implicit TLS).

    Never raises for a failed handshake: the facts carry error_kind. On success the same reader
    and writer now speak TLS; on failure the connection is closed.
    """
    del reader  # the reader follows the writer's transport; kept for the symmetric signature
    loop = asyncio.get_running_loop()
    started = loop.time()
    timeout = max(timeout, 0.01)

    def elapsed() -> int:
        return int((loop.time() - started) * 1000)

    raw = writer.transport
    stream_protocol = raw.get_protocol()
    try:
        async with asyncio.timeout(timeout):
            await writer.start_tls(
                diagnostic_context(),
                server_hostname=server_hostname or None,
                # asyncio's own limit only as a backstop: asyncio.timeout fires first
                ssl_handshake_timeout=timeout + 1.0,
            )
    except (OSError, EOFError) as error:  # ssl.SSLError and TimeoutError are OSErrors
        raw.abort()
        if raw.get_protocol() is not stream_protocol:
            # asyncio (3.11-3.13) closes the connection under its TLS protocol and never tells the
            # stream's: without this, reader.read() and writer.wait_closed() would wait forever.
            stream_protocol.connection_lost(None)
        return TlsHandshakeFacts(
            server_hostname=server_hostname,
            elapsed_ms=elapsed(),
            error_kind=_classify(error),
            error_detail=_detail(error),
        )
    ms = elapsed()
    ssl_object = writer.get_extra_info("ssl_object")
    if ssl_object is None:  # cannot happen after a completed start_tls; a fact all the same
        return TlsHandshakeFacts(
            server_hostname, elapsed_ms=ms, error_kind=TlsErrorKind.OTHER, error_detail="no TLS object"
        )
    cipher = ssl_object.cipher()
    chain, complete = _peer_chain(ssl_object)
    return TlsHandshakeFacts(
        server_hostname=server_hostname,
        version=ssl_object.version(),
        cipher=cipher[0] if cipher else None,
        cipher_bits=cipher[2] if cipher else None,
        key_exchange=key_exchange_of(cipher[0]) if cipher else None,
        chain_der=chain,
        chain_complete=complete,
        alpn=ssl_object.selected_alpn_protocol(),
        elapsed_ms=ms,
    )


async def _connect(
    host: str,
    port: int,
    timeout: float,
    source_address: tuple[str, int] | None,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    where = f"{host}:{port}"
    try:
        async with asyncio.timeout(max(timeout, 0.01)):
            return await asyncio.open_connection(host, port, local_addr=source_address)
    except TimeoutError as error:
        raise ConnectTimeout(f"no answer from {where} within {timeout:g} s", host=host, port=port) from error
    except ConnectionRefusedError as error:
        raise ConnectRefused(
            f"connection to {where} refused", host=host, port=port, errno=errno.ECONNREFUSED
        ) from error
    except socket.gaierror as error:
        raise ConnectFailed(f"cannot resolve {host}: {error}", host=host, port=port) from error
    except OSError as error:
        if _all_refused(error):
            raise ConnectRefused(
                f"connection to {where} refused", host=host, port=port, errno=errno.ECONNREFUSED
            ) from error
        raise ConnectFailed(
            f"cannot connect to {where}: {error}", host=host, port=port, errno=error.errno
        ) from error


def _all_refused(error: OSError) -> bool:
    """A name with several addresses that all refused: asyncio (3.11) joins the errors into one plain
    OSError, "Multiple exceptions: [Errno 111] Connect call failed ..., [Errno 111] ..."."""
    text = str(error)
    if error.errno is not None or not text.startswith("Multiple exceptions:"):
        return False
    parts = text.split("[Errno ")[1:]
    return bool(parts) and all(part.startswith(f"{errno.ECONNREFUSED}]") for part in parts)


async def _unsolicited_bytes(reader: asyncio.StreamReader, wait: float) -> bytes | None:
    """What the server sends before we say anything: None if it stays silent for `wait` seconds."""
    try:
        async with asyncio.timeout(wait):
            data = await reader.read(FIRST_BYTES_LIMIT)
    except TimeoutError:
        return None
    if not data:
        return b""
    # The rest of the first line, if it comes at once (a greeting can arrive in two segments).
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(_LINE_WAIT):
            while b"\n" not in data and len(data) < FIRST_BYTES_LIMIT:
                more = await reader.read(FIRST_BYTES_LIMIT - len(data))
                if not more:
                    break
                data += more
    return data[:FIRST_BYTES_LIMIT]


async def open_tls(
    host: str,
    port: int,
    server_hostname: str,
    timeout: float,
    source_address: tuple[str, int] | None = None,
    *,
    greeting_wait: float = GREETING_WAIT,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, TlsHandshakeFacts]:
    """Connect to host:port and start implicit TLS (IMAPS 993, POP3S 995, SMTPS 465).

    Everything (connect, greeting wait, handshake) fits in `timeout` seconds. A failed connect
    raises ConnectRefused / ConnectTimeout / ConnectFailed (all OSError). A failed handshake does
    not raise: the facts carry error_kind and the returned streams are already closed (check
    facts.ok, or call facts.raise_for_error()). source_address: (address, port) to connect from.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    reader, writer = await _connect(host, port, timeout, source_address)
    early = await _unsolicited_bytes(reader, max(0.0, min(greeting_wait, deadline - loop.time())))
    if early is not None:
        writer.transport.abort()
        if early:
            kind, detail = TlsErrorKind.PLAINTEXT_REPLY, "the server sent plaintext before any TLS handshake"
        else:
            kind, detail = TlsErrorKind.RESET, "the server closed the connection before the handshake"
        facts = TlsHandshakeFacts(server_hostname, error_kind=kind, error_detail=detail, first_bytes=early)
        return reader, writer, facts
    facts = await tls_handshake_facts(reader, writer, server_hostname, deadline - loop.time())
    return reader, writer, facts
