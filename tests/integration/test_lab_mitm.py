"""The lab's TLS-intercepting proxy ("antivirus mail shield") against small upstreams made here.

Implicit TLS: a TLS greeting/echo server with a lab-CA certificate. STARTTLS: fake plaintext IMAP,
POP3 and SMTP servers that know the greeting, their capability command, STARTTLS/STLS and NOOP.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import os
import poplib
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from maildoctor_lab.certs import INTERCEPTION_CA_NAME, LAB_CA_NAME, CertFiles, LabPKI, StandardCerts
from maildoctor_lab.common import LOOPBACK
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.mitm import MitmConfig, MitmProxy, interception_certificate, start_mitm
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
Protocol = Literal["imap", "pop3", "smtp"]
IO_TIMEOUT = 5.0


# ---- small upstreams, each on an event loop of its own in a thread ----------------------------------


class ServerThread:
    """An asyncio server on 127.0.0.1 in a background thread."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.handler(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # a cancelled handler task is logged as an error by Python 3.11's streams
        finally:
            writer.transport.abort()
            self._tasks.discard(task)

    def _run(self) -> None:
        async def start() -> asyncio.Server:
            return await asyncio.start_server(self._handle, LOOPBACK, 0, ssl=self.tls)

        server = self.loop.run_until_complete(start())
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

        async def stop() -> None:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        self.loop.run_until_complete(stop())
        self.loop.close()

    def __enter__(self) -> ServerThread:
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


GREETING = b"* OK lab upstream ready\r\n"


async def tls_echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A greeting, then every line back with a prefix."""
    writer.write(GREETING)
    while line := await reader.readline():
        writer.write(b"echo " + line)
        await writer.drain()


@dataclass
class FakeMailServer:
    """Just enough IMAP, POP3 or SMTP: greeting, capabilities, STARTTLS/STLS, NOOP, logout."""

    protocol: Protocol
    tls: ssl.SSLContext
    refuse_starttls: bool = False

    GREETINGS = {  # noqa: RUF012 - constant table
        "imap": "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Fake IMAP ready.",
        "pop3": "+OK Fake POP3 ready.",
        "smtp": "220 fake.example.test ESMTP Fake",
    }

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tls = False
        writer.write(self.GREETINGS[self.protocol].encode() + b"\r\n")
        while line := await reader.readline():
            reply, action = getattr(self, self.protocol)(line.decode().rstrip("\r\n"), tls)
            writer.write("".join(f"{text}\r\n" for text in reply).encode())
            if action == "starttls":
                await writer.start_tls(self.tls)  # no await between the answer and this
                tls = True
            elif action == "close":
                await writer.drain()
                return
            else:
                await writer.drain()

    def imap(self, line: str, tls: bool) -> tuple[list[str], str | None]:
        tag, _, rest = line.partition(" ")
        command = rest.split(" ")[0].upper()
        if command == "CAPABILITY":
            extra = "AUTH=PLAIN" if tls else "STARTTLS LOGINDISABLED"
            return [f"* CAPABILITY IMAP4rev1 {extra}", f"{tag} OK Capability completed."], None
        if command == "STARTTLS":
            if tls or self.refuse_starttls:
                return [f"{tag} NO [UNAVAILABLE] STARTTLS not available"], None
            return [f"{tag} OK Begin TLS negotiation now."], "starttls"
        if command == "NOOP":
            return [f"{tag} OK NOOP completed (tls={'yes' if tls else 'no'})."], None
        if command == "LOGOUT":
            return ["* BYE Logging out", f"{tag} OK Logout completed."], "close"
        return [f"{tag} BAD Error in IMAP command."], None

    def pop3(self, line: str, tls: bool) -> tuple[list[str], str | None]:
        command = line.split(" ")[0].upper()
        if command == "CAPA":
            return ["+OK", "TOP", "USER", *([] if tls else ["STLS"]), "."], None
        if command == "STLS":
            if tls or self.refuse_starttls:
                return ["-ERR STLS not available"], None
            return ["+OK Begin TLS negotiation now."], "starttls"
        if command == "NOOP":
            return [f"+OK tls={'yes' if tls else 'no'}"], None
        if command == "QUIT":
            return ["+OK Logging out."], "close"
        return ["-ERR Unknown command."], None

    def smtp(self, line: str, tls: bool) -> tuple[list[str], str | None]:
        command = line.split(" ")[0].upper()
        if command == "EHLO":
            extra = "250-AUTH PLAIN LOGIN" if tls else "250-STARTTLS"
            return ["250-fake.example.test", "250-PIPELINING", extra, "250 8BITMIME"], None
        if command == "STARTTLS":
            if tls or self.refuse_starttls:
                return ["454 4.7.0 TLS not available due to local problem"], None
            return ["220 2.0.0 Ready to start TLS"], "starttls"
        if command == "NOOP":
            return [f"250 2.0.0 Ok tls={'yes' if tls else 'no'}"], None
        if command == "QUIT":
            return ["221 2.0.0 Bye"], "close"
        return ["502 5.5.2 Error: command not recognized"], None


# ---- fixtures and client helpers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def upstream_tls(certs: StandardCerts) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs.good.cert, certs.good.key)
    return context


@pytest.fixture(scope="module")
def interception_ca_context(pki: LabPKI) -> ssl.SSLContext:
    """A client on a PC where the antivirus installed its root."""
    return ssl.create_default_context(cafile=str(pki.interception_ca.cert))


@pytest.fixture(scope="module")
def echo_upstream(upstream_tls: ssl.SSLContext) -> Iterator[ServerThread]:
    with ServerThread(tls_echo, upstream_tls) as server:
        yield server


@pytest.fixture
def mitm_implicit(echo_upstream: ServerThread, pki: LabPKI, certs: StandardCerts) -> Iterator[MitmProxy]:
    with start_mitm(
        LOOPBACK, echo_upstream.port, mode="implicit", certificate=certs.intercepted, upstream_ca=pki.ca.cert
    ) as proxy:
        yield proxy


@pytest.fixture
def quiet_check(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing at WARNING or above from the proxy or asyncio, however the clients behave."""
    caplog.set_level(logging.DEBUG, logger="maildoctor_lab.mitm")
    caplog.set_level(logging.DEBUG, logger="asyncio")
    yield
    loud = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert not loud, [record.getMessage() for record in loud]


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def issuer_of(der: bytes) -> tuple[str, str]:
    issuer = x509.load_der_x509_certificate(der).issuer
    organization = issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    common_name = issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    return str(organization), str(common_name)


@dataclass
class TlsExchange:
    certificate: bytes
    greeting: bytes
    echo: bytes


def implicit_exchange(port: int, context: ssl.SSLContext) -> TlsExchange:
    with (
        socket.create_connection((LOOPBACK, port), timeout=IO_TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=LOOPBACK) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
        assert der is not None
        reader = tls.makefile("rb")
        greeting = reader.readline()
        tls.sendall(b"a1 NOOP\r\n")
        return TlsExchange(der, greeting, reader.readline())


def assert_unknown_issuer(error: pytest.ExceptionInfo[ssl.SSLCertVerificationError]) -> None:
    assert error.value.verify_code == 20
    assert error.value.verify_message == "unable to get local issuer certificate"


class GreetingSmtp(smtplib.SMTP):
    """smtplib.SMTP that keeps the greeting, which the constructor throws away."""

    greeting: tuple[int, bytes] = (0, b"")

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        self.greeting = super().connect(host, port, source_address)
        return self.greeting


@dataclass
class StartTlsSession:
    greeting: object
    capabilities: object
    certificate: bytes
    noop: object


def starttls_session(protocol: Protocol, port: int, context: ssl.SSLContext) -> StartTlsSession:
    """A real stdlib client: greeting, capabilities, STARTTLS (verifying with context), NOOP, logout."""
    if protocol == "imap":
        imap = imaplib.IMAP4(LOOPBACK, port, timeout=IO_TIMEOUT)
        try:
            greeting, capabilities = imap.welcome, imap.capabilities
            imap.starttls(context)
            der = imap.sock.getpeercert(binary_form=True)
            noop = imap.noop()
            imap.logout()
        finally:
            if imap.state != "LOGOUT":  # logout() shuts the socket down itself
                with contextlib.suppress(OSError):  # closed already by a failed handshake
                    imap.shutdown()
    elif protocol == "pop3":
        pop = poplib.POP3(LOOPBACK, port, timeout=IO_TIMEOUT)
        try:
            greeting, capabilities = pop.getwelcome(), pop.capa()
            pop.stls(context)
            der = pop.sock.getpeercert(binary_form=True)
            noop = pop.noop()
            pop.quit()
        finally:
            with contextlib.suppress(OSError):  # closed already by a failed handshake
                pop.close()
    else:
        smtp = GreetingSmtp(LOOPBACK, port, timeout=IO_TIMEOUT)
        try:
            greeting, capabilities = smtp.greeting, smtp.ehlo()
            smtp.starttls(context=context)
            assert smtp.sock is not None
            der = smtp.sock.getpeercert(binary_form=True)  # type: ignore[attr-defined]
            noop = smtp.noop()
            smtp.quit()
        finally:
            with contextlib.suppress(OSError):  # closed already by a failed handshake
                smtp.close()
    assert der is not None
    return StartTlsSession(greeting, capabilities, der, noop)


# ---- implicit TLS --------------------------------------------------------------------------------------


def test_direct_connection_shows_the_lab_ca(
    echo_upstream: ServerThread, lab_ca_context: ssl.SSLContext
) -> None:
    exchange = implicit_exchange(echo_upstream.port, lab_ca_context)  # verifies against the lab CA
    assert issuer_of(exchange.certificate) == (LAB_CA_NAME, LAB_CA_NAME)
    assert exchange.greeting == GREETING
    assert exchange.echo == b"echo a1 NOOP\r\n"


def test_proxy_shows_the_interception_ca(mitm_implicit: MitmProxy) -> None:
    exchange = implicit_exchange(mitm_implicit.port, unverified())
    assert issuer_of(exchange.certificate) == (INTERCEPTION_CA_NAME, INTERCEPTION_CA_NAME)
    assert INTERCEPTION_CA_NAME == "ESET SSL Filter CA"


def test_proxy_fails_verification_against_the_lab_ca(
    mitm_implicit: MitmProxy, lab_ca_context: ssl.SSLContext, quiet_check: None
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as error:
        implicit_exchange(mitm_implicit.port, lab_ca_context)
    assert_unknown_issuer(error)
    # A refused certificate is the normal case: the proxy goes on serving.
    with pytest.raises(ssl.SSLCertVerificationError):
        implicit_exchange(mitm_implicit.port, lab_ca_context)


def test_proxy_passes_the_exchange_through_unchanged(
    echo_upstream: ServerThread,
    mitm_implicit: MitmProxy,
    lab_ca_context: ssl.SSLContext,
    interception_ca_context: ssl.SSLContext,
    quiet_check: None,
) -> None:
    direct = implicit_exchange(echo_upstream.port, lab_ca_context)
    proxied = implicit_exchange(mitm_implicit.port, interception_ca_context)
    assert (proxied.greeting, proxied.echo) == (direct.greeting, direct.echo)
    assert proxied.certificate != direct.certificate


def test_proxy_carries_a_long_exchange(
    mitm_implicit: MitmProxy, interception_ca_context: ssl.SSLContext
) -> None:
    """Many lines, larger than one read and than the line limit in total, in one TLS session."""
    lines = [f"a{number} {'x' * 1000}\r\n".encode() for number in range(300)]
    with (
        socket.create_connection((LOOPBACK, mitm_implicit.port), timeout=IO_TIMEOUT) as raw,
        interception_ca_context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        reader = tls.makefile("rb")
        assert reader.readline() == GREETING
        tls.sendall(b"".join(lines))
        assert [reader.readline() for _ in lines] == [b"echo " + line for line in lines]


def test_client_that_hangs_up_is_quiet(
    mitm_implicit: MitmProxy, interception_ca_context: ssl.SSLContext, quiet_check: None
) -> None:
    socket.create_connection((LOOPBACK, mitm_implicit.port), timeout=IO_TIMEOUT).close()  # before TLS
    with socket.create_connection((LOOPBACK, mitm_implicit.port), timeout=IO_TIMEOUT) as raw:
        raw.sendall(b"this is not TLS\r\n")
        assert raw.recv(100) in (b"", b"\x15\x03\x01\x00\x02\x02\x16")  # closed, or a TLS alert first
    with (
        socket.create_connection((LOOPBACK, mitm_implicit.port), timeout=IO_TIMEOUT) as raw,
        interception_ca_context.wrap_socket(raw, server_hostname=LOOPBACK),
    ):
        pass  # TLS up, then gone without a word
    assert implicit_exchange(mitm_implicit.port, interception_ca_context).greeting == GREETING


def test_untrusted_upstream_is_dropped(
    pki: LabPKI, certs: StandardCerts, interception_ca_context: ssl.SSLContext, quiet_check: None
) -> None:
    """An upstream whose certificate the lab CA did not sign: the proxy hangs up on the client."""
    self_signed = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    self_signed.load_cert_chain(certs.self_signed.cert, certs.self_signed.key)
    with (
        ServerThread(tls_echo, self_signed) as upstream,
        start_mitm(
            LOOPBACK, upstream.port, mode="implicit", certificate=certs.intercepted, upstream_ca=pki.ca.cert
        ) as proxy,
        socket.create_connection((LOOPBACK, proxy.port), timeout=IO_TIMEOUT) as raw,
        interception_ca_context.wrap_socket(raw, server_hostname=LOOPBACK) as tls,
        contextlib.suppress(ssl.SSLError, ConnectionError),  # closed, or reset
    ):
        assert tls.recv(100) == b""


def test_start_up_is_quick(echo_upstream: ServerThread, pki: LabPKI, certs: StandardCerts) -> None:
    started = time.monotonic()
    key_pair = {"cert": certs.intercepted.cert, "key": certs.intercepted.key}
    with start_mitm(
        LOOPBACK, echo_upstream.port, mode="implicit", upstream_ca=pki.ca.cert, **key_pair
    ) as proxy:
        elapsed = time.monotonic() - started
        assert proxy.host == LOOPBACK
        assert proxy.port > 0
        assert "implicit" in repr(proxy)
    print(f"in-process start-up {elapsed * 1000:.1f} ms (loop {proxy.startup_seconds * 1000:.1f} ms)")
    assert elapsed < 1.0


def test_interception_certificate_copies_the_upstream_names(pki: LabPKI, certs: StandardCerts) -> None:
    copy = interception_certificate(pki, certs.wrong_name.cert, "copy-of-wrong-name")
    certificate = x509.load_pem_x509_certificate(copy.pem)
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["sv1234.rental-server.test"]
    assert [str(address) for address in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert issuer_of(certificate.public_bytes(Encoding.DER))[1] == INTERCEPTION_CA_NAME


def test_only_loopback(certs: StandardCerts, pki: LabPKI) -> None:
    common = {"cert": certs.intercepted.cert, "key": certs.intercepted.key, "upstream_ca": pki.ca.cert}
    with pytest.raises(ValueError, match="loopback"):
        MitmConfig(upstream_host="192.0.2.1", upstream_port=993, mode="implicit", **common)
    with pytest.raises(ValueError, match="loopback"):
        MitmConfig(
            upstream_host=LOOPBACK,
            upstream_port=993,
            mode="implicit",
            listen_host="0.0.0.0",  # noqa: S104 - refused, that is the point
            **common,
        )
    with pytest.raises(ValueError, match="mode"):
        MitmConfig(upstream_host="::1", upstream_port=993, mode="sideways", **common)  # type: ignore[arg-type]


# ---- STARTTLS -----------------------------------------------------------------------------------------

MODES: dict[Protocol, Literal["starttls-imap", "starttls-pop3", "starttls-smtp"]] = {
    "imap": "starttls-imap",
    "pop3": "starttls-pop3",
    "smtp": "starttls-smtp",
}
PROTOCOLS: list[Protocol] = ["imap", "pop3", "smtp"]


@contextlib.contextmanager
def fake_upstream_and_proxy(
    protocol: Protocol,
    upstream_tls: ssl.SSLContext,
    pki: LabPKI,
    certificate: CertFiles,
    refuse_starttls: bool = False,
    **options: Any,
) -> Iterator[tuple[ServerThread, MitmProxy]]:
    with (
        ServerThread(FakeMailServer(protocol, upstream_tls, refuse_starttls)) as upstream,
        start_mitm(
            LOOPBACK,
            upstream.port,
            mode=MODES[protocol],
            certificate=certificate,
            upstream_ca=pki.ca.cert,
            **options,
        ) as proxy,
    ):
        yield upstream, proxy


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_starttls_interception(
    protocol: Protocol,
    upstream_tls: ssl.SSLContext,
    pki: LabPKI,
    certs: StandardCerts,
    lab_ca_context: ssl.SSLContext,
    interception_ca_context: ssl.SSLContext,
    quiet_check: None,
) -> None:
    with fake_upstream_and_proxy(protocol, upstream_tls, pki, certs.intercepted) as (upstream, proxy):
        direct = starttls_session(protocol, upstream.port, lab_ca_context)
        assert issuer_of(direct.certificate) == (LAB_CA_NAME, LAB_CA_NAME)

        with pytest.raises(ssl.SSLCertVerificationError) as error:
            starttls_session(protocol, proxy.port, lab_ca_context)
        assert_unknown_issuer(error)

        proxied = starttls_session(protocol, proxy.port, interception_ca_context)
        assert issuer_of(proxied.certificate) == (INTERCEPTION_CA_NAME, INTERCEPTION_CA_NAME)
        # The plaintext dialogue and the answers inside TLS pass through unchanged...
        assert (proxied.greeting, proxied.capabilities, proxied.noop) == (
            direct.greeting,
            direct.capabilities,
            direct.noop,
        )
        # ...and the upstream really was spoken to over TLS (its NOOP says so).
        assert b"tls=yes" in repr(proxied.noop).encode()


STARTTLS_COMMANDS: dict[Protocol, tuple[bytes, bytes, bytes]] = {
    # (STARTTLS command, the upstream's refusal, the NOOP command)
    "imap": (b"a1 STARTTLS\r\n", b"a1 NO [UNAVAILABLE] STARTTLS not available\r\n", b"a2 NOOP\r\n"),
    "pop3": (b"STLS\r\n", b"-ERR STLS not available\r\n", b"NOOP\r\n"),
    "smtp": (b"STARTTLS\r\n", b"454 4.7.0 TLS not available due to local problem\r\n", b"NOOP\r\n"),
}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_refused_starttls_is_relayed(
    protocol: Protocol, upstream_tls: ssl.SSLContext, pki: LabPKI, certs: StandardCerts, quiet_check: None
) -> None:
    starttls, refusal, noop = STARTTLS_COMMANDS[protocol]
    with (
        fake_upstream_and_proxy(protocol, upstream_tls, pki, certs.intercepted, refuse_starttls=True) as (
            _,
            proxy,
        ),
        socket.create_connection((LOOPBACK, proxy.port), timeout=IO_TIMEOUT) as client,
    ):
        reader = client.makefile("rb")
        assert reader.readline() == FakeMailServer.GREETINGS[protocol].encode() + b"\r\n"
        client.sendall(starttls)
        assert reader.readline() == refusal
        client.sendall(noop)
        assert b"tls=no" in reader.readline()


def test_overlong_line_closes_the_connection(
    upstream_tls: ssl.SSLContext, pki: LabPKI, certs: StandardCerts, quiet_check: None
) -> None:
    with fake_upstream_and_proxy("smtp", upstream_tls, pki, certs.intercepted, line_limit=1024) as (_, proxy):
        with socket.create_connection((LOOPBACK, proxy.port), timeout=IO_TIMEOUT) as client:
            reader = client.makefile("rb")
            reader.readline()
            with contextlib.suppress(ConnectionError):
                client.sendall(b"EHLO " + b"x" * 5000 + b"\r\n")
            with contextlib.suppress(ConnectionError):
                assert reader.readline() == b""
        with socket.create_connection((LOOPBACK, proxy.port), timeout=IO_TIMEOUT) as client:
            reader = client.makefile("rb")
            reader.readline()
            client.sendall(b"NOOP\r\n")
            assert reader.readline() == b"250 2.0.0 Ok tls=no\r\n"


def test_idle_connection_times_out(
    upstream_tls: ssl.SSLContext, pki: LabPKI, certs: StandardCerts, quiet_check: None
) -> None:
    with (
        fake_upstream_and_proxy("pop3", upstream_tls, pki, certs.intercepted, timeout=0.3) as (_, proxy),
        socket.create_connection((LOOPBACK, proxy.port), timeout=IO_TIMEOUT) as client,
    ):
        reader = client.makefile("rb")
        started = time.monotonic()
        assert reader.readline().startswith(b"+OK")
        client.sendall(b"NOOP\r\n")  # activity pushes the deadline back
        assert reader.readline() == b"+OK tls=no\r\n"
        assert reader.readline() == b""  # then silence: closed
        assert 0.25 < time.monotonic() - started < 3.0


# ---- as a program ---------------------------------------------------------------------------------------


def test_command_line(
    echo_upstream: ServerThread, pki: LabPKI, certs: StandardCerts, interception_ca_context: ssl.SSLContext
) -> None:
    argv = [sys.executable, "-m", "maildoctor_lab.mitm", "--listen-port", "0", "--upstream-host", LOOPBACK]
    argv += [
        "--upstream-port",
        str(echo_upstream.port),
        "--mode",
        "implicit",
        "--upstream-ca",
        str(pki.ca.cert),
    ]
    argv += ["--cert", str(certs.intercepted.cert), "--key", str(certs.intercepted.key)]
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        words = process.stdout.readline().split()
        elapsed = time.monotonic() - started
        assert words[:3] == ["mitm", "listening", LOOPBACK], words
        exchange = implicit_exchange(int(words[3]), interception_ca_context)
        assert exchange.greeting == GREETING
        assert issuer_of(exchange.certificate)[1] == INTERCEPTION_CA_NAME
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert stderr == ""
    print(f"python -m maildoctor_lab.mitm ready after {elapsed * 1000:.0f} ms")


def test_command_line_refuses_other_hosts(certs: StandardCerts, pki: LabPKI) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "maildoctor_lab.mitm",
            "--upstream-host",
            "192.0.2.1",
            "--upstream-port",
            "993",
            "--cert",
            str(certs.intercepted.cert),
            "--key",
            str(certs.intercepted.key),
            "--upstream-ca",
            str(pki.ca.cert),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert done.returncode == 2
    assert "loopback" in done.stderr


# ---- in front of the real Dovecot and Postfix (the conftest fixtures; skipped where they cannot run) ----


def test_real_dovecot_imaps_and_starttls(
    dovecot: DovecotServer,
    pki: LabPKI,
    certs: StandardCerts,
    lab_ca_context: ssl.SSLContext,
    interception_ca_context: ssl.SSLContext,
    quiet_check: None,
) -> None:
    user = dovecot.user("alice")
    common: dict[str, Any] = {"certificate": certs.intercepted, "upstream_ca": pki.ca.cert}
    with (
        start_mitm(dovecot.host, dovecot.ports["imaps"], mode="implicit", **common) as imaps,
        start_mitm(dovecot.host, dovecot.ports["imap"], mode="starttls-imap", **common) as imap,
        start_mitm(dovecot.host, dovecot.ports["pop3"], mode="starttls-pop3", **common) as pop3,
    ):
        with pytest.raises(ssl.SSLCertVerificationError) as error:
            imaplib.IMAP4_SSL(LOOPBACK, imaps.port, ssl_context=lab_ca_context, timeout=IO_TIMEOUT)
        assert_unknown_issuer(error)

        client = imaplib.IMAP4_SSL(
            LOOPBACK, imaps.port, ssl_context=interception_ca_context, timeout=IO_TIMEOUT
        )
        assert issuer_of(client.sock.getpeercert(binary_form=True) or b"")[1] == INTERCEPTION_CA_NAME
        assert client.login(user.name, user.password)[0] == "OK"
        client.logout()

        client = imaplib.IMAP4(LOOPBACK, imap.port, timeout=IO_TIMEOUT)
        client.starttls(interception_ca_context)
        assert client.login(user.name, user.password)[0] == "OK"
        client.logout()

        pop = poplib.POP3(LOOPBACK, pop3.port, timeout=IO_TIMEOUT)
        pop.stls(interception_ca_context)
        pop.user(user.name)
        assert pop.pass_(user.password).startswith(b"+OK")
        pop.quit()


def test_real_postfix_submission_starttls(
    postfix: PostfixServer,
    pki: LabPKI,
    certs: StandardCerts,
    lab_ca_context: ssl.SSLContext,
    interception_ca_context: ssl.SSLContext,
    quiet_check: None,
) -> None:
    with start_mitm(
        LOOPBACK,
        postfix.ports["submission"],
        mode="starttls-smtp",
        certificate=certs.intercepted,
        upstream_ca=pki.ca.cert,
    ) as proxy:
        with smtplib.SMTP(LOOPBACK, proxy.port, timeout=IO_TIMEOUT) as smtp:
            smtp.ehlo()
            with pytest.raises(ssl.SSLCertVerificationError) as error:
                smtp.starttls(context=lab_ca_context)
            assert_unknown_issuer(error)
        with smtplib.SMTP(LOOPBACK, proxy.port, timeout=IO_TIMEOUT) as smtp:
            smtp.ehlo()
            assert smtp.has_extn("starttls")
            smtp.starttls(context=interception_ca_context)
            smtp.ehlo()
            assert smtp.has_extn("auth")
            assert smtp.noop()[0] == 250
