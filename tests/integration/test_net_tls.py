"""net.tls against real servers: the lab's Dovecot (IMAPS, STARTTLS, its plaintext port), the
interception proxy in front of it, OpenSSL's s_server speaking TLS 1.0, and tiny asyncio servers that
misbehave on purpose (a protocol_version alert, silence, a reset, a late plaintext greeting).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import socket
import struct
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from maildoctor.net.errors import ConnectRefused, NetError, TlsFailure
from maildoctor.net.tls import TlsErrorKind, TlsHandshakeFacts, open_tls, tls_handshake_facts
from maildoctor.tlsfacts import TrustStores, VerifyError, assess_chain
from maildoctor_lab.certs import INTERCEPTION_CA_NAME, CertFiles, LabPKI, StandardCerts
from maildoctor_lab.common import LOOPBACK, free_ports, wait_for_port
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.mitm import start_mitm

pytestmark = pytest.mark.lab

HOST = "mail.example.test"
TIMEOUT = 5.0

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def der(files: CertFiles) -> bytes:
    return x509.load_pem_x509_certificate(files.pem).public_bytes(Encoding.DER)


def lab_stores(pki: LabPKI, *, system: tuple[x509.Certificate, ...] = ()) -> TrustStores:
    return TrustStores(extra=(x509.load_pem_x509_certificate(pki.ca.pem),), system=system)


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        async with asyncio.timeout(1):
            await writer.wait_closed()
    except (OSError, TimeoutError):
        pass


async def read_reply(reader: asyncio.StreamReader, tag: bytes) -> list[bytes]:
    """IMAP lines up to and including the tagged one."""
    lines = []
    while True:
        line = await reader.readline()
        assert line, f"connection closed before the {tag!r} reply: {lines}"
        lines.append(line)
        if line.startswith(tag + b" "):
            return lines


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[int]:
    """A TCP server on loopback in the running loop; yields its port."""
    tasks: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.transport.abort()
            tasks.discard(task)

    server = await asyncio.start_server(handle, LOOPBACK, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def open_tls_to(
    handler: Handler, timeout: float = TIMEOUT, **options: float
) -> tuple[TlsHandshakeFacts, float]:
    """open_tls against a handler; (facts, seconds taken)."""
    async with serving(handler) as port:
        started = time.monotonic()
        _, writer, facts = await open_tls(LOOPBACK, port, HOST, timeout, **options)
        taken = time.monotonic() - started
        await close(writer)
    return facts, taken


# ---- the real Dovecot --------------------------------------------------------------------------------


def test_imaps_implicit_tls(dovecot: DovecotServer, pki: LabPKI, certs: StandardCerts) -> None:
    async def scenario() -> TlsHandshakeFacts:
        reader, writer, facts = await open_tls(dovecot.host, dovecot.ports["imaps"], HOST, TIMEOUT)
        try:
            assert facts.ok, facts
            greeting = await asyncio.wait_for(reader.readline(), TIMEOUT)  # the streams speak TLS now
            assert greeting.startswith(b"* OK")
            writer.write(b"a LOGOUT\r\n")
            assert (await asyncio.wait_for(read_reply(reader, b"a"), TIMEOUT))[-1].startswith(b"a OK")
        finally:
            await close(writer)
        return facts

    facts = asyncio.run(scenario())
    assert facts.version == "TLSv1.3"
    assert facts.cipher and facts.cipher.startswith("TLS_")
    assert facts.cipher_bits and facts.cipher_bits >= 128
    assert facts.chain_complete and facts.chain_der[0] == der(certs.good)
    assert facts.alpn is None and facts.error_kind is None and facts.first_bytes == b""
    assert 0 <= facts.elapsed_ms < 2000
    facts.raise_for_error()  # nothing to raise

    assessment = assess_chain(facts.chain_der, HOST, lab_stores(pki), dt.datetime.now(dt.UTC))
    assert assessment.verify_error is VerifyError.OK
    assert assessment.interception_product is None
    # without the lab CA (public roots only) the same chain is not trusted
    bare = assess_chain(facts.chain_der, HOST, TrustStores(), dt.datetime.now(dt.UTC))
    assert bare.verify_error is VerifyError.UNKNOWN_ISSUER


def test_imaps_from_another_source_address(dovecot: DovecotServer) -> None:
    async def scenario() -> tuple[str, TlsHandshakeFacts]:
        _, writer, facts = await open_tls(
            dovecot.host, dovecot.ports["imaps"], HOST, TIMEOUT, source_address=("127.0.0.2", 0)
        )
        local = writer.get_extra_info("sockname")[0]
        await close(writer)
        return local, facts

    local, facts = asyncio.run(scenario())
    assert local == "127.0.0.2" and facts.ok


def test_starttls_upgrade_on_the_plain_imap_port(dovecot: DovecotServer, pki: LabPKI) -> None:
    async def scenario() -> TlsHandshakeFacts:
        reader, writer = await asyncio.open_connection(dovecot.host, dovecot.ports["imap"])
        try:
            greeting = await asyncio.wait_for(reader.readline(), TIMEOUT)
            assert greeting.startswith(b"* OK") and b"STARTTLS" in greeting
            writer.write(b"a STARTTLS\r\n")
            assert (await asyncio.wait_for(read_reply(reader, b"a"), TIMEOUT))[-1].startswith(b"a OK")
            facts = await tls_handshake_facts(reader, writer, HOST, TIMEOUT)
            assert facts.ok, facts
            writer.write(b"b CAPABILITY\r\n")
            reply = await asyncio.wait_for(read_reply(reader, b"b"), TIMEOUT)
            assert reply[-1].startswith(b"b OK")
            assert b"STARTTLS" not in b"".join(reply)  # what a server says once TLS is on
        finally:
            await close(writer)
        return facts

    facts = asyncio.run(scenario())
    assert facts.version == "TLSv1.3" and facts.chain_complete
    assessment = assess_chain(facts.chain_der, "imap.example.test", lab_stores(pki), dt.datetime.now(dt.UTC))
    assert assessment.ok


def test_implicit_tls_on_the_plain_imap_port_captures_the_greeting(dovecot: DovecotServer) -> None:
    async def scenario() -> tuple[TlsHandshakeFacts, bool]:
        _, writer, facts = await open_tls(dovecot.host, dovecot.ports["imap"], HOST, TIMEOUT)
        return facts, writer.transport.is_closing()

    facts, closed = asyncio.run(scenario())
    assert closed
    assert facts.error_kind is TlsErrorKind.PLAINTEXT_REPLY
    assert facts.first_bytes.startswith(b"* OK [CAPABILITY")
    assert facts.first_bytes.endswith(b"\r\n") and len(facts.first_bytes) <= 512
    assert facts.first_bytes_text.startswith("* OK [CAPABILITY")
    assert facts.chain_der == () and facts.version is None
    with pytest.raises(TlsFailure) as error:
        facts.raise_for_error(host=dovecot.host, port=dovecot.ports["imap"])
    assert isinstance(error.value, OSError) and error.value.facts is facts
    assert "plaintext_reply" in str(error.value)


def test_closed_port_raises_a_typed_oserror() -> None:
    (port,) = free_ports(1)

    async def scenario() -> None:
        await open_tls(LOOPBACK, port, HOST, TIMEOUT)

    with pytest.raises(ConnectRefused) as error:
        asyncio.run(scenario())
    assert isinstance(error.value, NetError)
    assert isinstance(error.value, ConnectionRefusedError) and isinstance(error.value, OSError)
    assert (error.value.host, error.value.port) == (LOOPBACK, port)
    assert isinstance(error.value.__cause__, ConnectionRefusedError)


def test_interception_proxy_in_front_of_imaps(
    dovecot: DovecotServer, pki: LabPKI, certs: StandardCerts
) -> None:
    async def scenario(port: int) -> TlsHandshakeFacts:
        reader, writer, facts = await open_tls(LOOPBACK, port, HOST, TIMEOUT)
        try:
            assert facts.ok, facts
            assert (await asyncio.wait_for(reader.readline(), TIMEOUT)).startswith(b"* OK")
        finally:
            await close(writer)
        return facts

    with start_mitm(
        dovecot.host,
        dovecot.ports["imaps"],
        mode="implicit",
        certificate=certs.intercepted,
        upstream_ca=pki.ca.cert,
    ) as proxy:
        facts = asyncio.run(scenario(proxy.port))

    assert facts.chain_der[0] == der(certs.intercepted)
    now = dt.datetime.now(dt.UTC)
    assessment = assess_chain(facts.chain_der, HOST, lab_stores(pki), now)
    assert assessment.interception_product is not None
    assert assessment.interception_product.startswith("ESET")
    assert assessment.interception_issuer == INTERCEPTION_CA_NAME
    assert not assessment.trusted_public and not assessment.trusted_system_only
    assert assessment.verify_error is VerifyError.UNKNOWN_ISSUER
    assert assessment.name_matches  # a mail shield copies the names: only the issuer gives it away
    # a machine where the product installed its root: trusted there, by that root only
    interception_root = (x509.load_pem_x509_certificate(pki.interception_ca.pem),)
    installed = assess_chain(facts.chain_der, HOST, lab_stores(pki, system=interception_root), now)
    assert installed.trusted_system_only and not installed.trusted_public


# ---- an old server: TLS 1.0 only (OpenSSL's s_server) ------------------------------------------------


@pytest.fixture
def tls10_server(certs: StandardCerts) -> Iterator[int]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    (port,) = free_ports(1)
    options = ["s_server", "-quiet", "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]
    where = ["-accept", f"{LOOPBACK}:{port}", "-cert", str(certs.good.cert), "-key", str(certs.good.key)]
    process = subprocess.Popen(
        ["openssl", *options, *where],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(LOOPBACK, port, timeout=10, process=process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_tls10_only_server_still_shows_its_version(tls10_server: int, pki: LabPKI) -> None:
    async def scenario() -> TlsHandshakeFacts:
        _, writer, facts = await open_tls(LOOPBACK, tls10_server, HOST, TIMEOUT)
        await close(writer)
        return facts

    facts = asyncio.run(scenario())
    assert facts.ok, facts
    assert facts.version == "TLSv1"
    assert facts.cipher and "SHA" in facts.cipher
    assert assess_chain(facts.chain_der, HOST, lab_stores(pki), dt.datetime.now(dt.UTC)).ok


# ---- misbehaving servers ---------------------------------------------------------------------------------


async def _protocol_version_alert(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)  # the ClientHello has begun
    writer.write(bytes([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]))  # fatal alert: protocol_version
    await writer.drain()
    await asyncio.sleep(1)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(30)


async def _reset_after_client_hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _late_greeting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(0.4)  # greets after the greeting wait: the handshake meets it instead
    writer.write(b"* OK slow IMAP server ready\r\n")
    await writer.drain()
    await asyncio.sleep(1)


async def _smtp_greeting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"220 smtp.example.test ESMTP")  # the line ends later
    await writer.drain()
    await asyncio.sleep(0.02)
    writer.write(b" Postfix\r\n")
    await writer.drain()
    await asyncio.sleep(1)


async def _close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


def test_protocol_version_alert() -> None:
    facts, _ = asyncio.run(open_tls_to(_protocol_version_alert))
    assert facts.error_kind is TlsErrorKind.PROTOCOL_VERSION, facts
    assert "PROTOCOL_VERSION" in facts.error_detail.upper()


def test_handshake_timeout_is_bounded_by_the_timeout() -> None:
    facts, taken = asyncio.run(open_tls_to(_silent, timeout=0.8))
    assert facts.error_kind is TlsErrorKind.HANDSHAKE_TIMEOUT, facts
    assert 0.7 < taken < 1.3
    assert facts.elapsed_ms >= 400  # the handshake got what the greeting wait (0.3 s) left


def test_reset_during_the_handshake() -> None:
    facts, _ = asyncio.run(open_tls_to(_reset_after_client_hello))
    assert facts.error_kind is TlsErrorKind.RESET, facts


def test_closed_before_the_handshake() -> None:
    facts, _ = asyncio.run(open_tls_to(_close_at_once))
    assert facts.error_kind is TlsErrorKind.RESET, facts
    assert facts.first_bytes == b""


def test_plaintext_greeting_after_the_wait_is_still_plaintext_reply() -> None:
    facts, _ = asyncio.run(open_tls_to(_late_greeting, greeting_wait=0.05))
    assert facts.error_kind is TlsErrorKind.PLAINTEXT_REPLY, facts
    assert facts.first_bytes == b""  # OpenSSL swallowed it: only the kind is known


def test_smtp_greeting_in_two_segments() -> None:
    facts, taken = asyncio.run(open_tls_to(_smtp_greeting))
    assert facts.error_kind is TlsErrorKind.PLAINTEXT_REPLY
    assert facts.first_bytes == b"220 smtp.example.test ESMTP Postfix\r\n"
    assert taken < 0.5


def test_streams_are_closed_after_a_failed_handshake() -> None:
    """reader and writer.wait_closed() must not hang once the handshake has failed."""

    async def scenario() -> tuple[TlsHandshakeFacts, bytes, float]:
        async with serving(_reset_after_client_hello) as port:
            reader, writer, facts = await open_tls(LOOPBACK, port, HOST, TIMEOUT)
            started = time.monotonic()
            async with asyncio.timeout(1):
                rest = await reader.read()
                await writer.wait_closed()
            return facts, rest, time.monotonic() - started

    facts, rest, taken = asyncio.run(scenario())
    assert facts.error_kind is TlsErrorKind.RESET
    assert rest == b"" and taken < 0.2
