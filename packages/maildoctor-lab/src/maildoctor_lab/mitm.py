"""A TLS-intercepting proxy: what an antivirus "mail shield" does to a mail client's connections.

Security software on a PC re-signs TLS: the client sees a certificate issued by the product's own
root (here "ESET SSL Filter CA") instead of the server's, and the product talks TLS to the real
server itself. This proxy does the same on loopback, stdlib only (asyncio + ssl):

- mode "implicit" (IMAPS, POP3S, SMTPS): TLS with the client using the interception certificate,
  TLS with the upstream verified against the lab CA, then bytes are piped both ways;
- modes "starttls-imap", "starttls-pop3", "starttls-smtp": the plaintext dialogue is relayed line by
  line until the client sends STARTTLS (STLS for POP3). The command goes upstream; when the upstream
  accepts it, the proxy upgrades the upstream connection first, then passes the answer on and
  upgrades the client side with the interception certificate. A refused STARTTLS is relayed as is.
  (Commands pipelined in the same SMTP/POP3 batch as STARTTLS are not supported; no mail client
  sends them, and RFC 3207 makes STARTTLS the last command of a batch.)

Lines are bounded (line_limit) and every connection has an idle timeout (timeout seconds without a
byte either way closes it). Clients that disconnect or refuse the interception certificate - the
normal case for a strict client - are logged at DEBUG only.

In-process: `with start_mitm(...) as proxy: connect to proxy.host, proxy.port`. As a program:
`python -m maildoctor_lab.mitm --listen-port N --upstream-host 127.0.0.1 --upstream-port M
--mode implicit --cert leaf.pem --key leaf.key --upstream-ca lab-ca.pem` (prints
"mitm listening HOST PORT" once it accepts connections; SIGTERM stops it).

Both ends must be loopback addresses: the lab never sends traffic anywhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import re
import signal
import ssl
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from maildoctor_lab.certs import CertFiles, LabPKI

logger = logging.getLogger(__name__)

MitmMode = Literal["implicit", "starttls-imap", "starttls-pop3", "starttls-smtp"]
MODES: tuple[MitmMode, ...] = get_args(MitmMode)

DEFAULT_LINE_LIMIT = 8192
DEFAULT_TIMEOUT = 60.0
_CHUNK = 65536
_CLOSE_GRACE = 1.0

# What a closed, reset, refused or timed-out connection raises; never worth more than a DEBUG line.
# (ssl.SSLError, TimeoutError and ConnectionError are OSErrors; ValueError is an over-long line.)
_QUIET_ERRORS = (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


def _require_loopback(host: str, what: str) -> None:
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"{what} must be localhost or a loopback address, not {host!r}") from None
    if not address.is_loopback:
        raise ValueError(f"{what} must be a loopback address (the lab stays on this machine), not {host}")


@dataclass(frozen=True, slots=True)
class MitmConfig:
    """What the proxy listens on, where it connects, and the certificates it uses."""

    upstream_host: str
    upstream_port: int
    mode: MitmMode
    cert: Path  # the interception leaf shown to clients (issued by the interception CA)
    key: Path
    upstream_ca: Path  # what the upstream's certificate is verified against (the lab CA)
    upstream_server_name: str | None = None  # for SNI and the name check; default: upstream_host
    listen_host: str = "127.0.0.1"
    listen_port: int = 0  # 0: any free port (read it from MitmProxy.port)
    line_limit: int = DEFAULT_LINE_LIMIT
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        _require_loopback(self.upstream_host, "upstream_host")
        _require_loopback(self.listen_host, "listen_host")
        if self.line_limit < 512:
            raise ValueError("line_limit must be at least 512 bytes (RFC 5321 allows 512-byte lines)")
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")

    @property
    def server_name(self) -> str:
        return self.upstream_server_name or self.upstream_host


# ---- protocol dialects for STARTTLS --------------------------------------------------------------


class _Dialect:
    """How one protocol asks for STARTTLS and how its server answers."""

    name = ""

    def starttls_tag(self, line: bytes) -> bytes | None:
        """None if line is not a STARTTLS command, else what identifies its reply (IMAP: the tag)."""
        raise NotImplementedError

    def ends_reply(self, line: bytes, tag: bytes) -> bool:
        """Is this upstream line the last one of the reply to the STARTTLS command?"""
        raise NotImplementedError

    def accepted(self, line: bytes, tag: bytes) -> bool:
        """Does that last line say "go ahead with TLS"?"""
        raise NotImplementedError


class _Imap(_Dialect):
    name = "imap"

    def starttls_tag(self, line: bytes) -> bytes | None:
        parts = line.split()
        if len(parts) == 2 and parts[1].upper() == b"STARTTLS":
            return parts[0]
        return None

    def ends_reply(self, line: bytes, tag: bytes) -> bool:
        return line.startswith(tag + b" ")  # untagged "* ..." lines may come first

    def accepted(self, line: bytes, tag: bytes) -> bool:
        parts = line.split()
        return len(parts) >= 2 and parts[1].upper() == b"OK"


class _Pop3(_Dialect):
    name = "pop3"

    def starttls_tag(self, line: bytes) -> bytes | None:
        return b"" if line.strip().upper() == b"STLS" else None

    def ends_reply(self, line: bytes, tag: bytes) -> bool:
        return True  # +OK / -ERR: one line

    def accepted(self, line: bytes, tag: bytes) -> bool:
        return line.startswith(b"+OK")


_SMTP_LAST_LINE = re.compile(rb"^\d{3}(?: |\r?\n|$)")


class _Smtp(_Dialect):
    name = "smtp"

    def starttls_tag(self, line: bytes) -> bytes | None:
        return b"" if line.strip().upper() == b"STARTTLS" else None

    def ends_reply(self, line: bytes, tag: bytes) -> bool:
        return _SMTP_LAST_LINE.match(line) is not None  # "220-..." lines continue, "220 ..." ends

    def accepted(self, line: bytes, tag: bytes) -> bool:
        return line.startswith(b"220")


_DIALECTS: dict[MitmMode, _Dialect] = {
    "starttls-imap": _Imap(),
    "starttls-pop3": _Pop3(),
    "starttls-smtp": _Smtp(),
}


@dataclass(slots=True)
class _PendingStartTls:
    tag: bytes
    outcome: asyncio.Future[bool]


class _Connection:
    """One client connection and its upstream connection."""

    def __init__(
        self, proxy: _Interceptor, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        self.proxy = proxy
        self.config = proxy.config
        self.client_r = client_r
        self.client_w = client_w
        self.peer = client_w.get_extra_info("peername")
        self.writers: list[asyncio.StreamWriter] = [client_w]
        self._deadline: asyncio.Timeout | None = None
        self._pending: _PendingStartTls | None = None

    def touch(self) -> None:
        """Something moved: push the idle timeout back."""
        if self._deadline is not None:
            self._deadline.reschedule(asyncio.get_running_loop().time() + self.config.timeout)

    async def run(self) -> None:
        try:
            async with asyncio.timeout(self.config.timeout) as deadline:
                self._deadline = deadline
                if self.config.mode == "implicit":
                    await self._implicit()
                else:
                    await self._starttls(_DIALECTS[self.config.mode])
        except _QUIET_ERRORS as error:
            logger.debug("mitm %s: connection from %s ended: %r", self.config.mode, self.peer, error)
        finally:
            await self.close()

    async def close(self) -> None:
        """Close both sides, letting them flush for a moment; abort what does not close by then."""
        for writer in self.writers:
            writer.close()
        waits = [asyncio.ensure_future(writer.wait_closed()) for writer in self.writers]
        try:
            await asyncio.wait(waits, timeout=_CLOSE_GRACE)
        finally:
            for writer, wait in zip(self.writers, waits, strict=True):
                if not wait.done():
                    wait.cancel()
                    writer.transport.abort()
                elif not wait.cancelled():
                    wait.exception()  # retrieved: a reset while closing is nothing to report

    async def _upgrade(
        self, writer: asyncio.StreamWriter, context: ssl.SSLContext, server_hostname: str | None
    ) -> None:
        """STARTTLS on one side. When the handshake fails, that side is dead: drop it at once."""
        try:
            await writer.start_tls(
                context, server_hostname=server_hostname, ssl_handshake_timeout=self.config.timeout
            )
        except BaseException:
            # The old transport's protocol now belongs to the failed TLS layer: wait_closed() would
            # never return, so there is nothing to wait for.
            writer.transport.abort()
            self.writers.remove(writer)
            raise
        self.touch()

    async def _open_upstream(self, tls: bool) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        config = self.config
        reader, writer = await asyncio.open_connection(
            config.upstream_host,
            config.upstream_port,
            ssl=self.proxy.upstream_context if tls else None,
            server_hostname=config.server_name if tls else None,
            ssl_handshake_timeout=config.timeout if tls else None,
            limit=config.line_limit,
        )
        self.writers.append(writer)
        self.touch()
        return reader, writer

    async def _implicit(self) -> None:
        # The client's handshake (interception certificate) was done by the server before this.
        upstream_r, upstream_w = await self._open_upstream(tls=True)
        await self._pipe_both(upstream_r, upstream_w)

    async def _starttls(self, dialect: _Dialect) -> None:
        upstream_r, upstream_w = await self._open_upstream(tls=False)
        to_upstream = asyncio.create_task(self._relay_client_lines(dialect, upstream_w))
        to_client = asyncio.create_task(self._relay_upstream_lines(dialect, upstream_r, upstream_w))
        tasks = {to_upstream, to_client}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            first = done.pop()
            upgraded = first.result()  # raises what the relay raised
            # Both sides are TLS now; the other relay stops as soon as it learns of it.
            if upgraded and not await (to_upstream if first is to_client else to_client):
                return
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if upgraded:
            await self._pipe_both(upstream_r, upstream_w)

    async def _relay_client_lines(self, dialect: _Dialect, upstream_w: asyncio.StreamWriter) -> bool:
        loop = asyncio.get_running_loop()
        while True:
            line = await self.client_r.readline()
            if not line:
                return False
            self.touch()
            tag = dialect.starttls_tag(line)
            if tag is None:
                upstream_w.write(line)
                await upstream_w.drain()
                continue
            pending = _PendingStartTls(tag, loop.create_future())
            self._pending = pending  # before the command leaves: the next reply line answers it
            upstream_w.write(line)
            await upstream_w.drain()
            if await pending.outcome:
                return True

    async def _relay_upstream_lines(
        self, dialect: _Dialect, upstream_r: asyncio.StreamReader, upstream_w: asyncio.StreamWriter
    ) -> bool:
        config = self.config
        while True:
            line = await upstream_r.readline()
            if not line:
                return False
            self.touch()
            pending = self._pending
            if pending is None or not dialect.ends_reply(line, pending.tag):
                self.client_w.write(line)
                await self.client_w.drain()
                continue
            self._pending = None
            if not dialect.accepted(line, pending.tag):
                self.client_w.write(line)
                await self.client_w.drain()
                pending.outcome.set_result(False)
                continue
            # Upstream first: a real mail shield only answers the client once it has the server's TLS.
            await self._upgrade(upstream_w, self.proxy.upstream_context, config.server_name)
            # No await between the answer and start_tls: the client's ClientHello must not be read
            # as plaintext (start_tls pauses reading before it yields).
            self.client_w.write(line)
            await self._upgrade(self.client_w, self.proxy.server_context, None)
            logger.debug("mitm %s: %s upgraded both sides to TLS", config.mode, self.peer)
            pending.outcome.set_result(True)
            return True

    async def _pipe_both(self, upstream_r: asyncio.StreamReader, upstream_w: asyncio.StreamWriter) -> None:
        up = asyncio.create_task(self._pipe(self.client_r, upstream_w))
        down = asyncio.create_task(self._pipe(upstream_r, self.client_w))
        tasks = {up, down}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            # One side is gone: close() flushes what the other side still has to deliver.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(_CHUNK):
            self.touch()
            writer.write(data)
            await writer.drain()


class _Interceptor:
    """The proxy itself, on whichever event loop runs it."""

    def __init__(self, config: MitmConfig) -> None:
        self.config = config
        self.server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server_context.load_cert_chain(config.cert, config.key)
        self.upstream_context = ssl.create_default_context(cafile=config.upstream_ca)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> tuple[str, int]:
        config = self.config
        implicit = config.mode == "implicit"
        self._server = await asyncio.start_server(
            self._handle,
            config.listen_host,
            config.listen_port,
            ssl=self.server_context if implicit else None,
            ssl_handshake_timeout=config.timeout if implicit else None,
            limit=config.line_limit,
        )
        host, port = self._server.sockets[0].getsockname()[:2]
        target = f"{config.upstream_host}:{config.upstream_port}"
        logger.debug("mitm %s listening on %s:%s -> %s", config.mode, host, port, target)
        return str(host), int(port)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await _Connection(self, reader, writer).run()
        except asyncio.CancelledError:
            # Cancelled by close(). Not re-raised: Python 3.11's StreamReaderProtocol reports a
            # cancelled handler task as an "Unhandled exception in client_connected_cb".
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    @staticmethod
    def exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """Handshakes a client aborted (it refused our certificate) are normal here: DEBUG only."""
        error = context.get("exception")
        if isinstance(error, _QUIET_ERRORS):
            logger.debug("mitm: %s: %r", context.get("message"), error)
            return
        loop.default_exception_handler(context)


# ---- running it ----------------------------------------------------------------------------------


class MitmProxy:
    """A proxy running in a background thread with an event loop of its own."""

    def __init__(self, config: MitmConfig) -> None:
        self.config = config
        self.host = config.listen_host
        self.port = config.listen_port
        self.startup_seconds = 0.0
        self._interceptor = _Interceptor(config)
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_Interceptor.exception_handler)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=f"mitm-{config.mode}", daemon=True)

    def start(self, timeout: float = 10.0) -> MitmProxy:
        started = time.monotonic()
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise TimeoutError(f"the mitm proxy did not start within {timeout} s")
        if self._error is not None:
            self._thread.join(timeout)
            raise RuntimeError(f"the mitm proxy could not start: {self._error!r}") from self._error
        self.startup_seconds = time.monotonic() - started
        return self

    def _run(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            try:
                self.host, self.port = loop.run_until_complete(self._interceptor.start())
            except BaseException as error:  # reported to the starting thread
                self._error = error
                return
            finally:
                self._ready.set()
            loop.run_forever()
            loop.run_until_complete(self._interceptor.close())
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def __enter__(self) -> MitmProxy:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        upstream = f"{self.config.upstream_host}:{self.config.upstream_port}"
        return f"MitmProxy({self.config.mode} {self.host}:{self.port} -> {upstream})"


def start_mitm(
    upstream_host: str,
    upstream_port: int,
    *,
    mode: MitmMode,
    upstream_ca: Path | str,
    certificate: CertFiles | None = None,
    cert: Path | str | None = None,
    key: Path | str | None = None,
    upstream_server_name: str | None = None,
    listen_host: str = "127.0.0.1",
    listen_port: int = 0,
    line_limit: int = DEFAULT_LINE_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
) -> MitmProxy:
    """Start an intercepting proxy in a background thread; it accepts connections on return.

    certificate (or cert and key): the leaf shown to clients, e.g.
    LabPKI.issue("intercepted", issuer="interception"), or interception_certificate(), which copies
    the upstream certificate's names. upstream_ca: the lab CA, which the upstream's certificate is
    verified against. timeout: idle seconds after which a connection is closed.
    """
    if certificate is not None:
        if cert is not None or key is not None:
            raise TypeError("give either certificate or cert and key, not both")
        cert, key = certificate.cert, certificate.key
    if cert is None or key is None:
        raise TypeError("start_mitm needs certificate, or cert and key")
    config = MitmConfig(
        upstream_host=upstream_host,
        upstream_port=upstream_port,
        mode=mode,
        cert=Path(cert),
        key=Path(key),
        upstream_ca=Path(upstream_ca),
        upstream_server_name=upstream_server_name,
        listen_host=listen_host,
        listen_port=listen_port,
        line_limit=line_limit,
        timeout=timeout,
    )
    return MitmProxy(config).start()


def interception_certificate(pki: LabPKI, upstream_cert: Path, stem: str = "intercepted-copy") -> CertFiles:
    """A leaf from the interception CA with the same names as upstream_cert, as a mail shield makes."""
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(upstream_cert.read_bytes())
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [*map(str, san.get_values_for_type(x509.DNSName))]
        names += [str(address) for address in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names = []
    if not names:
        common = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        names = [str(attribute.value) for attribute in common] or ["localhost"]
    return pki.issue(stem, names, issuer="interception")


# ---- python -m maildoctor_lab.mitm ---------------------------------------------------------------


async def _serve(config: MitmConfig, ready: Callable[[str, int], None]) -> None:
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_Interceptor.exception_handler)
    interceptor = _Interceptor(config)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    host, port = await interceptor.start()
    ready(host, port)
    try:
        await stop.wait()
    finally:
        await interceptor.close()


def _parse_args(argv: Sequence[str] | None) -> MitmConfig:
    parser = argparse.ArgumentParser(
        prog="python -m maildoctor_lab.mitm",
        description='A TLS-intercepting proxy (an antivirus "mail shield") for the lab, on loopback.',
    )
    parser.add_argument("--listen-host", default="127.0.0.1")
    parser.add_argument("--listen-port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--upstream-host", default="127.0.0.1")
    parser.add_argument("--upstream-port", type=int, required=True)
    parser.add_argument("--upstream-server-name", help="name checked in the upstream certificate")
    parser.add_argument("--mode", choices=MODES, default="implicit")
    parser.add_argument("--cert", type=Path, required=True, help="leaf from the interception CA")
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--upstream-ca", type=Path, required=True, help="CA that signed the upstream's cert")
    parser.add_argument("--line-limit", type=int, default=DEFAULT_LINE_LIMIT)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="idle seconds per connection")
    parser.add_argument("--verbose", action="store_true", help="log connections (to stderr)")
    options = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if options.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
    )
    try:
        return MitmConfig(
            upstream_host=options.upstream_host,
            upstream_port=options.upstream_port,
            mode=options.mode,
            cert=options.cert,
            key=options.key,
            upstream_ca=options.upstream_ca,
            upstream_server_name=options.upstream_server_name,
            listen_host=options.listen_host,
            listen_port=options.listen_port,
            line_limit=options.line_limit,
            timeout=options.timeout,
        )
    except ValueError as error:
        parser.error(str(error))


def main(argv: Sequence[str] | None = None) -> int:
    config = _parse_args(argv)

    def ready(host: str, port: int) -> None:
        print(f"mitm listening {host} {port}", flush=True)

    try:
        asyncio.run(_serve(config, ready))
    except (OSError, ssl.SSLError) as error:
        print(f"mitm: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
