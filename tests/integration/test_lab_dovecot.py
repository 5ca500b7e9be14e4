"""The lab's Dovecot answers with the exact words recorded in shared/lab-notes/real-servers.md."""

from __future__ import annotations

import imaplib
import poplib
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from maildoctor_lab.certs import LAB_CA_NAME, RENTAL_SERVER_NAME, StandardCerts
from maildoctor_lab.common import lab_dir
from maildoctor_lab.dovecot import DovecotOptions, DovecotServer, running_dovecot

pytestmark = pytest.mark.lab


def test_imap_greeting_and_starttls_capabilities(
    dovecot: DovecotServer, lab_ca_context: ssl.SSLContext
) -> None:
    client = imaplib.IMAP4(dovecot.host, dovecot.ports["imap"], timeout=5)
    assert client.welcome.startswith(b"* OK [CAPABILITY IMAP4rev1 ")
    assert b" STARTTLS " in client.welcome
    assert client.welcome.endswith(b"] Dovecot (Debian) ready.")
    client.starttls(ssl_context=lab_ca_context)
    assert "STARTTLS" not in client.capabilities
    client.logout()


def test_imap_auth_failure_is_the_same_for_wrong_password_and_unknown_user(
    dovecot: DovecotServer, lab_ca_context: ssl.SSLContext
) -> None:
    for user, password in (("alice", "wrong"), ("nosuchuser", "secret")):
        client = imaplib.IMAP4_SSL(
            dovecot.host, dovecot.ports["imaps"], ssl_context=lab_ca_context, timeout=5
        )
        with pytest.raises(
            imaplib.IMAP4.error, match=r"^b'\[AUTHENTICATIONFAILED\] Authentication failed\.'$"
        ):
            client.login(user, password)
        client.shutdown()


def test_imap_login_quota_and_message_count(dovecot: DovecotServer, lab_ca_context: ssl.SSLContext) -> None:
    dovecot.deliver("bob@example.test", "Subject: one\r\n\r\nbody\r\n")
    client = imaplib.IMAP4_SSL(dovecot.host, dovecot.ports["imaps"], ssl_context=lab_ca_context, timeout=5)
    assert client.login("bob", "hunter2")[1] == [b"Logged in"]
    assert "QUOTA" in client.capability()[1][0].decode().split()
    _, data = client.getquotaroot("INBOX")
    assert data[0] == [b'INBOX "User quota"']
    assert data[1][0].startswith(b'"User quota" (STORAGE ') and data[1][0].endswith(b" 10240)")
    status, count = client.select("INBOX", readonly=True)
    assert status == "OK" and int(count[0]) >= 1
    client.logout()


def test_imap_over_quota_append_is_refused(dovecot: DovecotServer, lab_ca_context: ssl.SSLContext) -> None:
    client = imaplib.IMAP4_SSL(dovecot.host, dovecot.ports["imaps"], ssl_context=lab_ca_context, timeout=5)
    client.login("full", "full")
    status, data = client.append("INBOX", None, None, b"Subject: big\r\n\r\n" + b"x" * 4000 + b"\r\n")
    assert status == "NO"
    assert data[0].startswith(b"[OVERQUOTA] Quota exceeded (mailbox for user is full)")
    client.logout()


def test_pop3_greeting_capa_failure_success_and_stat(
    dovecot: DovecotServer, lab_ca_context: ssl.SSLContext
) -> None:
    client = poplib.POP3(dovecot.host, dovecot.ports["pop3"], timeout=5)
    assert client.getwelcome() == b"+OK Dovecot (Debian) ready."
    capabilities = client.capa()
    assert {"STLS", "USER", "SASL", "RESP-CODES", "AUTH-RESP-CODE"} <= set(capabilities)
    assert client.stls(context=lab_ca_context).startswith(b"+OK Begin TLS negotiation")
    client.user("alice")
    with pytest.raises(poplib.error_proto, match=r"-ERR \[AUTH\] Authentication failed\."):
        client.pass_("wrong")
    client.close()
    secure = poplib.POP3_SSL(dovecot.host, dovecot.ports["pop3s"], context=lab_ca_context, timeout=5)
    secure.user("bob")
    assert secure.pass_("hunter2") == b"+OK Logged in."
    messages, size = secure.stat()
    assert messages >= 0 and size >= 0
    secure.quit()


def _imaps_login(
    server: DovecotServer, context: ssl.SSLContext, user: str, password: str
) -> imaplib.IMAP4_SSL:
    client = imaplib.IMAP4_SSL(server.host, server.ports["imaps"], ssl_context=context, timeout=5)
    client.login(user, password)
    return client


@pytest.fixture
def low_limit_dovecot(tmp_lab: Path, certs: StandardCerts) -> Iterator[DovecotServer]:
    with running_dovecot(tmp_lab / "limit", certs.good, DovecotOptions(max_userip_connections=3)) as server:
        yield server


@pytest.fixture
def tmp_lab() -> Iterator[Path]:
    # short on purpose: Dovecot's unix sockets live below it and a socket path has 108 bytes at most
    with lab_dir("md-") as path:
        yield path / "dc"


def test_connection_limit_imap_and_pop3(
    low_limit_dovecot: DovecotServer, lab_ca_context: ssl.SSLContext
) -> None:
    held = [_imaps_login(low_limit_dovecot, lab_ca_context, "alice", "secret") for _ in range(3)]
    fourth = imaplib.IMAP4_SSL(
        low_limit_dovecot.host, low_limit_dovecot.ports["imaps"], ssl_context=lab_ca_context, timeout=5
    )
    with pytest.raises(imaplib.IMAP4.error, match=r"\[LIMIT\] Maximum number of connections from user\+IP"):
        fourth.login("alice", "secret")
    # the limit counts per protocol: three POP3 sessions, then the fourth is refused
    pops = []
    for _ in range(3):
        pops.append(
            poplib.POP3_SSL(low_limit_dovecot.host, low_limit_dovecot.ports["pop3s"], context=lab_ca_context)
        )
        pops[-1].user("alice")
        pops[-1].pass_("secret")
    pop = poplib.POP3_SSL(low_limit_dovecot.host, low_limit_dovecot.ports["pop3s"], context=lab_ca_context)
    pop.user("alice")
    with pytest.raises(
        poplib.error_proto, match=r"-ERR \[IN-USE\] Maximum number of connections from user\+IP"
    ):
        pop.pass_("secret")
    for client in held:
        client.logout()
    for session in pops:
        session.quit()


def test_plaintext_login_refused_from_another_address(
    tmp_lab: Path, certs: StandardCerts, lab_ca_context: ssl.SSLContext
) -> None:
    # Dovecot listens on 127.0.0.3 and the client comes from 127.0.0.1: not "local", so not trusted.
    options = DovecotOptions(host="127.0.0.3", disable_plaintext_auth=True)
    with running_dovecot(tmp_lab, certs.good, options) as server:
        client = imaplib.IMAP4(server.host, server.ports["imap"], timeout=5)
        assert b" LOGINDISABLED]" in client.welcome
        with pytest.raises(
            imaplib.IMAP4.error, match=r"\[PRIVACYREQUIRED\] Plaintext authentication disallowed"
        ):
            client.login("alice", "secret")
        pop = poplib.POP3(server.host, server.ports["pop3"], timeout=5)
        assert "USER" not in pop.capa()
        pop.close()
        # after STARTTLS the same login works (the fix we will tell people)
        secured = imaplib.IMAP4(server.host, server.ports["imap"], timeout=5)
        context = ssl.create_default_context(cafile=str(certs.good.cert.parent / "lab-ca.pem"))
        context.check_hostname = False
        secured.starttls(ssl_context=context)
        assert secured.login("alice", "secret")[0] == "OK"
        secured.logout()


def _failed_login_seconds(server: DovecotServer, attempts: int) -> list[float]:
    durations = []
    for _ in range(attempts):
        client = imaplib.IMAP4(server.host, server.ports["imap"], timeout=20)
        started = time.monotonic()
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login("alice", "wrong")
        durations.append(time.monotonic() - started)
        client.shutdown()
    return durations


@pytest.mark.parametrize(
    ("options", "second_failure_at_least"),
    [
        (DovecotOptions(), 0.3),  # even with no delay configured, Dovecot waits ~0.5 s
        (DovecotOptions(auth_failure_delay="2 secs"), 1.9),
        (DovecotOptions(auth_penalty=True), 4.0),  # anvil's per-IP penalty grows after a failure
    ],
    ids=["default", "auth_failure_delay", "anvil_penalty"],
)
def test_real_auth_failure_delays(
    tmp_lab: Path, certs: StandardCerts, options: DovecotOptions, second_failure_at_least: float
) -> None:
    with running_dovecot(tmp_lab, certs.good, options) as server:
        durations = _failed_login_seconds(server, 2)
    assert durations[1] >= second_failure_at_least
    if not options.auth_penalty and options.auth_failure_delay == "0":
        assert max(durations) < 1.5


def test_broken_password_database_is_a_temporary_failure(
    tmp_lab: Path, certs: StandardCerts, lab_ca_context: ssl.SSLContext
) -> None:
    with running_dovecot(tmp_lab, certs.good, DovecotOptions(passdb_broken=True)) as server:
        client = imaplib.IMAP4_SSL(server.host, server.ports["imaps"], ssl_context=lab_ca_context, timeout=10)
        with pytest.raises(imaplib.IMAP4.error, match=r"\[UNAVAILABLE\] Temporary authentication failure\."):
            client.login("alice", "secret")


def _peer_certificate(server: DovecotServer) -> dict[str, object]:
    """The certificate as a client sees it, without verifying (what a diagnosis reads first)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection((server.host, server.ports["imaps"]), timeout=5) as raw,
        context.wrap_socket(raw) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {"issuer": cert.issuer.rfc4514_string(), "names": names.get_values_for_type(x509.DNSName)}


@pytest.mark.parametrize(
    ("kind", "verify_error"),
    [
        ("wrong_name", "Hostname mismatch"),
        ("expired", "certificate has expired"),
        ("self_signed", "self-signed certificate"),
        ("intercepted", "unable to get local issuer certificate"),
    ],
)
def test_certificate_variants_fail_verification_as_a_device_would(
    tmp_lab: Path, certs: StandardCerts, lab_ca_context: ssl.SSLContext, kind: str, verify_error: str
) -> None:
    with running_dovecot(tmp_lab, certs.by_kind(kind)) as server:
        seen = _peer_certificate(server)
        if kind == "wrong_name":
            assert seen["names"] == [RENTAL_SERVER_NAME]
        with (
            socket.create_connection((server.host, server.ports["imaps"]), timeout=5) as raw,
            pytest.raises(ssl.SSLCertVerificationError, match=verify_error),
        ):
            lab_ca_context.wrap_socket(raw, server_hostname="mail.example.test")


def test_good_certificate_verifies(dovecot: DovecotServer, lab_ca_context: ssl.SSLContext) -> None:
    seen = _peer_certificate(dovecot)
    assert f"CN={LAB_CA_NAME}" in str(seen["issuer"])
    assert "mail.example.test" in seen["names"]  # type: ignore[operator]
    with (
        socket.create_connection((dovecot.host, dovecot.ports["imaps"]), timeout=5) as raw,
        lab_ca_context.wrap_socket(raw, server_hostname="mail.example.test") as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
