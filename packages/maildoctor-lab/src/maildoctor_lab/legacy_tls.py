"""A server that speaks only TLS 1.0: an old mail server nobody updated.

An asyncio TLS front (implicit TLS, TLS 1.0 only, OpenSSL security level 0 so that Debian's
OpenSSL still offers it) that passes the bytes on to a plaintext port of the lab's Dovecot.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import warnings
from dataclasses import dataclass, field

from maildoctor_lab.certs import CertFiles
from maildoctor_lab.common import LOOPBACK, free_ports


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError, ssl.SSLError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(Exception):
        writer.close()


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
) -> LegacyTlsFront:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # an outdated server is the point
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.load_cert_chain(str(certificate.cert), str(certificate.key))
    port = port or free_ports(1, host)[0]
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(upstream_host, upstream_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    async def serve() -> None:
        server = await asyncio.start_server(handle, host, port, ssl=context)
        ready.set()
        async with server:
            await stop.wait()

    def run() -> None:
        asyncio.set_event_loop(loop)
        with contextlib.suppress(Exception):
            loop.run_until_complete(serve())

    thread = threading.Thread(target=run, name="legacy-tls", daemon=True)
    thread.start()
    ready.wait(5)
    front = LegacyTlsFront(host, port, loop, thread)
    front._stop = stop
    return front
