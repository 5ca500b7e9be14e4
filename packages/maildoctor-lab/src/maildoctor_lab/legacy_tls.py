"""TLS fronts for old or unusual mail servers, before a plaintext port of the lab's Dovecot.

Three kinds, each a real OpenSSL TLS server (Python's ssl) that passes the bytes on to Dovecot:

- ``tls1.0``: speaks only TLS 1.0 (OpenSSL security level 0, so that Debian's OpenSSL still
  offers it): an old mail server nobody updated.
- ``static-rsa``: TLS 1.2 only, with static-RSA key exchange only (``TLS_RSA_WITH_*``, OpenSSL's
  ``kRSA``: no ECDHE, no DHE, no TLS 1.3): what some providers' older servers still do
  (issue 17: SoftBank's imap.softbank.jp). OpenSSL's own default client still accepts it; Python's
  default context (3.10 and later) and other current clients do not.
- ``login-only`` (a rewriting front, modern TLS): the IMAP server offers only the LOGIN command.
  Every capability list loses its ``AUTH=…`` (and ``SASL-IR``, ``STARTTLS``: the front is already
  TLS) and every AUTHENTICATE is refused with ``NO Unsupported authentication mechanism`` before it
  reaches Dovecot, which checks the LOGIN password itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
import threading
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from maildoctor_lab.certs import CertFiles
from maildoctor_lab.common import LOOPBACK, free_ports

FrontKind = Literal["tls1.0", "static-rsa", "login-only"]
FRONT_KINDS: Final[tuple[FrontKind, ...]] = ("tls1.0", "static-rsa", "login-only")
# the IANA name of the suites the static-RSA front offers, in OpenSSL's words (`openssl ciphers kRSA`)
STATIC_RSA_CIPHERS: Final = "kRSA:!aNULL:!eNULL:@SECLEVEL=1"
_LINE_LIMIT: Final = 65536
# capability words a LOGIN-only IMAP server does not have
_HIDDEN_CAPABILITY: Final = re.compile(rb" (?:AUTH=[^ \]\r\n]+|SASL-IR|STARTTLS)(?=[ \]\r\n])", re.IGNORECASE)
_AUTHENTICATE: Final = re.compile(rb"^([^ \r\n]+) AUTHENTICATE\b", re.IGNORECASE)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError, ssl.SSLError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(Exception):
        writer.close()


def without_auth_capabilities(line: bytes) -> bytes:
    """A server line with the AUTH=…, SASL-IR and STARTTLS capabilities taken out (others unchanged)."""
    if b"CAPABILITY" not in line.upper():
        return line
    return _HIDDEN_CAPABILITY.sub(b"", line)


async def _server_to_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError, ssl.SSLError, ValueError, asyncio.LimitOverrunError):
        while line := await reader.readline():
            writer.write(without_auth_capabilities(line))
            await writer.drain()
    with contextlib.suppress(Exception):
        writer.close()


async def _client_to_server(
    reader: asyncio.StreamReader, upstream: asyncio.StreamWriter, client: asyncio.StreamWriter
) -> None:
    with contextlib.suppress(ConnectionError, OSError, ssl.SSLError, ValueError, asyncio.LimitOverrunError):
        while line := await reader.readline():
            refused = _AUTHENTICATE.match(line)
            if refused is not None:
                client.write(refused.group(1) + b" NO Unsupported authentication mechanism.\r\n")
                await client.drain()
                continue
            upstream.write(line)
            await upstream.drain()
    with contextlib.suppress(Exception):
        upstream.close()


def _context(kind: FrontKind, certificate: CertFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if kind == "tls1.0":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # an outdated server is the point
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    elif kind == "static-rsa":
        # TLS 1.3 has no static-RSA suites: a 1.3 handshake would negotiate (EC)DHE
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(STATIC_RSA_CIPHERS)
    context.load_cert_chain(str(certificate.cert), str(certificate.key))
    return context


@dataclass
class LegacyTlsFront:
    host: str
    port: int
    _loop: asyncio.AbstractEventLoop
    _thread: threading.Thread
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)


def start_legacy_tls(
    certificate: CertFiles,
    upstream_host: str,
    upstream_port: int,
    host: str = LOOPBACK,
    port: int | None = None,
    kind: FrontKind = "tls1.0",
) -> LegacyTlsFront:
    """Start a front of `kind` (implicit TLS) on host:port that passes on to upstream_host:upstream_port."""
    if kind not in FRONT_KINDS:
        raise ValueError(f"unknown TLS front kind {kind!r}; known: {', '.join(FRONT_KINDS)}")
    context = _context(kind, certificate)
    port = port or free_ports(1, host)[0]
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(
                upstream_host, upstream_port, limit=_LINE_LIMIT
            )
        except OSError:
            writer.close()
            return
        directions: tuple[Awaitable[None], Awaitable[None]]
        if kind == "login-only":
            directions = (_client_to_server(reader, up_writer, writer), _server_to_client(up_reader, writer))
        else:
            directions = (_pipe(reader, up_writer), _pipe(up_reader, writer))
        await asyncio.gather(*directions)

    async def serve() -> None:
        handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]] = handle
        server = await asyncio.start_server(handler, host, port, ssl=context, limit=_LINE_LIMIT)
        ready.set()
        async with server:
            await stop.wait()

    def run() -> None:
        asyncio.set_event_loop(loop)
        with contextlib.suppress(Exception):
            loop.run_until_complete(serve())

    thread = threading.Thread(target=run, name=f"tls-front-{kind}", daemon=True)
    thread.start()
    ready.wait(5)
    front = LegacyTlsFront(host, port, loop, thread)
    front._stop = stop
    return front
