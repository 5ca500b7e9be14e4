"""A small, bounded HTTP(S) GET over asyncio streams, for autoconfig files and the like.

Our own minimal HTTP/1.1 request (``Host``, ``Connection: close``), not a library: the
person's network is the thing being diagnosed, so every step is kept apart as a fact.

* host names resolve through our DnsClient (a resolver callable is passed in), never the
  system's getaddrinfo; `port_override` points a scheme at another port (the lab's nginx);
* TLS with SNI = the URL's host name, verified against the SSLContext given (the lab CA in
  tests; the system's store otherwise);
* at most `max_body` bytes (1 MiB) and everything within one deadline: a larger body is
  refused (HttpFailure.TOO_LARGE), a slow server runs into HttpFailure.TIMEOUT;
* Content-Length, chunked transfer-encoding, or read until the server closes;
* at most 3 redirects, each reported: one that leaves the site's domain is flagged
  (`cross_domain`), so the caller asks the person before sending a password there.

Failures raise HttpFetchError with an HttpFailure kind and the redirects followed so far.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import os
import ssl
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from maildoctor.facts import HostResolution
from maildoctor.net.connect import close_quietly
from maildoctor.net.resolver import DnsClient

MAX_BODY = 1024 * 1024
MAX_REDIRECTS = 3
_MAX_HEADER_BYTES = 64 * 1024
_MAX_HEADERS = 100
_DEFAULT_PORTS = {"https": 443, "http": 80}
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_USER_AGENT = "maildoctor"
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL}

HostResolver = Callable[[str], Awaitable[HostResolution]]


class HttpFailure(StrEnum):
    BAD_URL = "bad-url"
    DNS = "dns"  # the host name has no address
    REFUSED = "refused"  # nothing listens
    TIMEOUT = "timeout"  # no connection or no complete answer before the deadline
    UNREACHABLE = "unreachable"
    CONNECT = "connect"  # another error while connecting
    CERTIFICATE = "certificate"  # the certificate does not verify for the host name
    TLS = "tls"  # the TLS handshake failed otherwise
    PROTOCOL = "protocol"  # the answer is not HTTP/1.x as it should be
    TOO_LARGE = "too-large"  # body (or headers) over the limit
    TOO_MANY_REDIRECTS = "too-many-redirects"
    BAD_REDIRECT = "bad-redirect"  # a redirect without a usable http(s) Location


# failures where the host resolved but no HTTP exchange happened
CONNECT_FAILURES = frozenset(
    {
        HttpFailure.REFUSED,
        HttpFailure.UNREACHABLE,
        HttpFailure.CONNECT,
        HttpFailure.TLS,
        HttpFailure.CERTIFICATE,
    }
)


class _SystemStoreOnFirstUse(ssl.SSLContext):
    """`ssl.create_default_context()`'s context, whose system trust store is read at its first handshake.

    Reading the store costs ~30 ms, and a healthy `check` often makes no https connection at all
    (no autoconfig host, no MTA-STS policy). Every handshake goes through `wrap_bio` (asyncio) or
    `wrap_socket`, so none can start before the store is in; nothing else reads the store.
    """

    _system_store_loaded = False

    def _load_system_store(self) -> None:
        if not self._system_store_loaded:
            self.load_default_certs(ssl.Purpose.SERVER_AUTH)
            self._system_store_loaded = True

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._load_system_store()
        return super().wrap_bio(*args, **kwargs)

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._load_system_store()
        return super().wrap_socket(*args, **kwargs)


@functools.lru_cache(maxsize=8)
def web_ssl_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """The trust store for https (the system's, plus `ca_file`), made once per process.

    As `ssl.create_default_context()` makes it (certificates and host names verified, SSLKEYLOGFILE
    honoured), but the system store is read at the first handshake (see _SystemStoreOnFirstUse);
    `ca_file` is read here, so a file that cannot be read fails at once, as before. Discovery and
    the domain examination both ask the web in one `check`, so they share it.
    """
    context = _SystemStoreOnFirstUse(ssl.PROTOCOL_TLS_CLIENT)
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


@dataclass(frozen=True, slots=True)
class Redirect:
    status: int
    from_url: str
    to_url: str
    cross_domain: bool  # the target's host is outside the site's domain
    downgrade: bool  # https -> http


@dataclass(frozen=True, slots=True)
class HttpResult:
    status: int
    headers: tuple[tuple[str, str], ...]  # names lower case, in order
    body: bytes
    final_url: str
    redirected_from: tuple[str, ...] = ()  # the URLs before final_url, first first
    redirects: tuple[Redirect, ...] = ()

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    @property
    def cross_domain_redirect(self) -> bool:
        return any(redirect.cross_domain for redirect in self.redirects)

    @property
    def downgraded(self) -> bool:
        return any(redirect.downgrade for redirect in self.redirects)


class HttpFetchError(Exception):
    def __init__(
        self, failure: HttpFailure, url: str, detail: str = "", redirects: tuple[Redirect, ...] = ()
    ) -> None:
        super().__init__(f"{failure.value}: {url}{f' ({detail})' if detail else ''}")
        self.failure = failure
        self.url = url
        self.detail = detail
        self.redirects = redirects


def dns_resolver(client: DnsClient, lifetime: float = 5.0) -> HostResolver:
    """A HostResolver asking our DnsClient (the lab's Unbound in tests)."""

    async def resolve(host: str) -> HostResolution:
        return await client.resolve_host(host, lifetime)

    return resolve


def same_site(host: str, domain: str) -> bool:
    """`host` is `domain` or a name below it (autoconfig.example.test for example.test)."""
    host, domain = host.lower().rstrip("."), domain.lower().rstrip(".")
    return host == domain or host.endswith(f".{domain}")


async def http_get(
    url: str,
    *,
    resolver: HostResolver,
    ssl_context: ssl.SSLContext | None = None,
    port_override: Mapping[str, int] | None = None,
    timeout: float = 10.0,
    max_body: int = MAX_BODY,
    max_redirects: int = MAX_REDIRECTS,
    site_domain: str | None = None,
) -> HttpResult:
    """GET `url`, following up to `max_redirects` redirects; HttpFetchError when it fails.

    site_domain: redirects to hosts outside it are flagged cross_domain (default: the host
    of `url`). ssl_context: None means the system's trust store.
    """
    context = ssl_context if ssl_context is not None else ssl.create_default_context()
    first_host = urlsplit(url).hostname or ""
    domain = site_domain or first_host
    deadline = time.monotonic() + timeout
    redirects: list[Redirect] = []
    current = url
    while True:
        try:
            status, headers, body = await _fetch_once(
                current, resolver, context, port_override or {}, deadline, max_body
            )
        except HttpFetchError as exc:
            exc.redirects = tuple(redirects)
            raise
        location = dict(headers).get("location")
        if status not in _REDIRECT_STATUSES or location is None:
            return HttpResult(
                status, headers, body, current, tuple(r.from_url for r in redirects), tuple(redirects)
            )
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise HttpFetchError(HttpFailure.BAD_REDIRECT, current, f"Location: {location}", tuple(redirects))
        redirects.append(
            Redirect(
                status,
                current,
                target,
                cross_domain=not same_site(parts.hostname, domain),
                downgrade=urlsplit(current).scheme == "https" and parts.scheme == "http",
            )
        )
        if len(redirects) > max_redirects:
            raise HttpFetchError(HttpFailure.TOO_MANY_REDIRECTS, current, target, tuple(redirects))
        current = target


async def _fetch_once(
    url: str,
    resolver: HostResolver,
    context: ssl.SSLContext,
    port_override: Mapping[str, int],
    deadline: float,
    max_body: int,
) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    return await http_exchange(
        "GET",
        url,
        resolver=resolver,
        ssl_context=context,
        port_override=port_override,
        deadline=deadline,
        max_body=max_body,
    )


async def http_exchange(
    method: str,
    url: str,
    *,
    resolver: HostResolver,
    ssl_context: ssl.SSLContext,
    port_override: Mapping[str, int],
    deadline: float,
    max_body: int = MAX_BODY,
    body: bytes | None = None,
    content_type: str = "text/xml; charset=utf-8",
    accept: str = "*/*",
) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    """One request and its answer, no redirect followed: status, headers, body; HttpFetchError.

    For callers with their own rules for redirects (Autodiscover POSTs again to the new place).
    Never sends credentials or cookies: a mail account's password has no business here.
    """
    context = ssl_context
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise HttpFetchError(HttpFailure.BAD_URL, url, str(exc)) from exc
    host = parts.hostname
    if parts.scheme not in _DEFAULT_PORTS or not host:
        raise HttpFetchError(HttpFailure.BAD_URL, url, "not an http(s) URL with a host")
    if port is None:
        port = port_override.get(parts.scheme, _DEFAULT_PORTS[parts.scheme])
    tls = parts.scheme == "https"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = f"[{host}]" if ":" in host else host
    if parts.port is not None and parts.port != _DEFAULT_PORTS[parts.scheme]:
        host_header = f"{host_header}:{parts.port}"
    lines = [
        f"{method} {target} HTTP/1.1",
        f"Host: {host_header}",
        f"User-Agent: {_USER_AGENT}",
        f"Accept: {accept}",
        "Accept-Encoding: identity",
        "Connection: close",
    ]
    if body is not None:
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in target + host):
        raise HttpFetchError(HttpFailure.BAD_URL, url, "control characters in the URL")
    try:
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (body or b"")
    except UnicodeEncodeError as exc:
        raise HttpFetchError(HttpFailure.BAD_URL, url, "not ASCII (IDNA not supported here)") from exc

    try:
        async with asyncio.timeout(max(deadline - time.monotonic(), 0.01)):
            resolution = await resolver(host)
            addresses = resolution.addresses
            if not addresses:
                raise HttpFetchError(HttpFailure.DNS, url, f"{host}: {resolution.outcome.value}")
            reader, writer = await _connect(url, host, addresses, port, context if tls else None)
            try:
                writer.write(request)
                await writer.drain()
                return await _read_response(url, reader, max_body)
            finally:
                await close_quietly(writer)
    except TimeoutError as exc:
        raise HttpFetchError(HttpFailure.TIMEOUT, url) from exc
    except UnicodeEncodeError as exc:
        raise HttpFetchError(HttpFailure.BAD_URL, url, "not ASCII (IDNA not supported here)") from exc
    except (ssl.SSLError, ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
        # after the connection: the server cut it or spoke something that is not HTTP
        raise HttpFetchError(HttpFailure.PROTOCOL, url, _short(exc)) from exc


async def _connect(
    url: str, host: str, addresses: tuple[str, ...], port: int, context: ssl.SSLContext | None
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Try each address in turn; the last failure is what is reported."""
    failure: HttpFetchError | None = None
    for address in addresses:
        try:
            return await asyncio.open_connection(
                address, port, ssl=context, server_hostname=host if context is not None else None
            )
        except ssl.SSLCertVerificationError as exc:
            raise HttpFetchError(
                HttpFailure.CERTIFICATE, url, exc.verify_message or _short(exc)
            ) from exc  # the same certificate on every address: no point trying the others
        except ssl.SSLError as exc:
            failure = HttpFetchError(HttpFailure.TLS, url, f"{address}: {_short(exc)}")
        except ConnectionRefusedError:
            failure = HttpFetchError(HttpFailure.REFUSED, url, f"{address}:{port}")
        except OSError as exc:
            kind = HttpFailure.UNREACHABLE if exc.errno in _UNREACHABLE else HttpFailure.CONNECT
            failure = HttpFetchError(kind, url, f"{address}:{port}: {_short(exc)}")
    assert failure is not None
    raise failure


async def _read_response(
    url: str, reader: asyncio.StreamReader, max_body: int
) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    header_bytes = 0

    async def line() -> bytes:
        nonlocal header_bytes
        try:
            raw = await reader.readuntil(b"\n")
        except asyncio.LimitOverrunError as exc:
            raise HttpFetchError(HttpFailure.TOO_LARGE, url, "header line too long") from exc
        except asyncio.IncompleteReadError as exc:
            raise HttpFetchError(HttpFailure.PROTOCOL, url, "connection closed in the headers") from exc
        header_bytes += len(raw)
        if header_bytes > _MAX_HEADER_BYTES:
            raise HttpFetchError(HttpFailure.TOO_LARGE, url, "headers too long")
        return raw.rstrip(b"\r\n")

    while True:  # 1xx interim answers are skipped
        status_line = (await line()).decode("latin-1")
        status = _parse_status_line(url, status_line)
        headers = await _read_headers(url, line)
        if not 100 <= status < 200:
            break
    fields = dict(headers)
    if status in (204, 304):
        return status, headers, b""
    encoding = fields.get("transfer-encoding", "").lower()
    if encoding:
        if encoding.split(",")[-1].strip() != "chunked":
            raise HttpFetchError(HttpFailure.PROTOCOL, url, f"Transfer-Encoding: {encoding}")
        body = await _read_chunked(url, reader, line, max_body)
    elif "content-length" in fields:
        length_text = fields["content-length"].strip()
        if not length_text.isdigit():
            raise HttpFetchError(HttpFailure.PROTOCOL, url, f"Content-Length: {length_text}")
        length = int(length_text)
        if length > max_body:
            raise HttpFetchError(HttpFailure.TOO_LARGE, url, f"Content-Length {length} > {max_body}")
        try:
            body = await reader.readexactly(length)
        except asyncio.IncompleteReadError as exc:
            raise HttpFetchError(
                HttpFailure.PROTOCOL, url, f"body cut at {len(exc.partial)} of {length} bytes"
            ) from exc
    else:
        body = await _read_until_close(url, reader, max_body)
    return status, headers, body


def _parse_status_line(url: str, text: str) -> int:
    version, _, rest = text.partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit() or rest[3:4] not in ("", " "):
        raise HttpFetchError(HttpFailure.PROTOCOL, url, f"status line {text[:80]!r}")
    return int(code)


async def _read_headers(url: str, line: Callable[[], Awaitable[bytes]]) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    while raw := await line():
        if raw[:1] in (b" ", b"\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {raw.strip().decode('latin-1')}")
            continue
        name, colon, value = raw.decode("latin-1").partition(":")
        if not colon or not name or name != name.strip():
            raise HttpFetchError(HttpFailure.PROTOCOL, url, f"header line {raw[:80]!r}")
        headers.append((name.lower(), value.strip()))
        if len(headers) > _MAX_HEADERS:
            raise HttpFetchError(HttpFailure.TOO_LARGE, url, "too many headers")
    return tuple(headers)


async def _read_chunked(
    url: str, reader: asyncio.StreamReader, line: Callable[[], Awaitable[bytes]], max_body: int
) -> bytes:
    body = bytearray()
    while True:
        size_text = (await line()).split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise HttpFetchError(HttpFailure.PROTOCOL, url, f"chunk size {size_text[:20]!r}") from exc
        if size == 0:
            while await line():  # trailers
                pass
            return bytes(body)
        if len(body) + size > max_body:
            raise HttpFetchError(HttpFailure.TOO_LARGE, url, f"chunked body over {max_body} bytes")
        try:
            body += await reader.readexactly(size)
        except asyncio.IncompleteReadError as exc:
            raise HttpFetchError(HttpFailure.PROTOCOL, url, "chunked body cut short") from exc
        if await line():
            raise HttpFetchError(HttpFailure.PROTOCOL, url, "no line end after a chunk")


async def _read_until_close(url: str, reader: asyncio.StreamReader, max_body: int) -> bytes:
    body = bytearray()
    while chunk := await reader.read(65536):
        body += chunk
        if len(body) > max_body:
            raise HttpFetchError(HttpFailure.TOO_LARGE, url, f"body over {max_body} bytes")
    return bytes(body)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0][:300] if text else type(exc).__name__


__all__ = [
    "CONNECT_FAILURES",
    "MAX_BODY",
    "HostResolver",
    "HttpFailure",
    "HttpFetchError",
    "HttpResult",
    "Redirect",
    "dns_resolver",
    "http_get",
    "same_site",
]
