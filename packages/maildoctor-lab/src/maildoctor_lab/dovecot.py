"""Debian's Dovecot on loopback: IMAP, POP3 and LMTP with passwd-file users and quota.

One instance is one directory with its own config; several run side by side. Variants
(plaintext refusal, a low connection limit, real auth-failure delays, another certificate,
a broken password database) are options of one template, so every variant is the same
real server with one setting changed.
"""

from __future__ import annotations

import contextlib
import imaplib
import pwd
import shutil
import smtplib
import ssl
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from maildoctor_lab.certs import CertFiles
from maildoctor_lab.common import (
    LOOPBACK,
    LabUnavailableError,
    ManagedProcess,
    free_ports,
    render_template,
    require_programs,
    start_process,
    wait_for_port,
)
from maildoctor_lab.oauth2 import OAuth2Passdb, passdb_config

PORT_NAMES = ("imap", "imaps", "pop3", "pop3s", "lmtp", "quota_status")
# The ports a provider uses; the lab takes them inside a network namespace of its own, where
# nothing else listens (LMTP and quota-status are internal and keep free ports).
STANDARD_PORTS = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}


@dataclass(frozen=True, slots=True)
class MailUser:
    """A mailbox: the login name is the local part (Dovecot strips the domain with %n)."""

    name: str
    password: str
    quota: str = "10M"
    # the server refuses this user even with the right password, in these words (Dovecot's
    # nologin + reason): how providers say "app password required" or "account locked"
    refusal: str | None = None


PRECISE_LOG_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%{usecs} "

DEFAULT_USERS = (
    MailUser("alice", "secret"),
    MailUser("bob", "hunter2"),
    MailUser("full", "full", quota="1K"),
)


@dataclass(frozen=True, slots=True)
class DovecotOptions:
    users: tuple[MailUser, ...] = DEFAULT_USERS
    host: str = LOOPBACK
    # Dovecot treats a client whose address equals its own as secure: the refusal is only
    # seen by a client connecting from another address (127.0.0.2), see real-servers.md 1.4.
    disable_plaintext_auth: bool = False
    max_userip_connections: int = 10
    # "0" still costs ~0.5 s per failure; "2 secs" etc. for the real-delay variant.
    auth_failure_delay: str = "0"
    # anvil's growing per-IP penalty after failures (off unless a test studies real delays)
    auth_penalty: bool = False
    # the password database cannot be read: logins get a temporary failure ([UNAVAILABLE])
    passdb_broken: bool = False
    # listen on 143/993/110/995 instead of free ports (only inside a lab network namespace)
    standard_ports: bool = False
    # SASL mechanisms offered (also to Postfix): "cram-md5" alone leaves a client of PLAIN/LOGIN stranded
    auth_mechanisms: str = "plain login"
    # False: no TLS at all (no STARTTLS; the implicit-TLS ports then speak plain text)
    tls: bool = True
    # True: the login name must be exactly the local part ("alice"); the full address is refused,
    # as at providers whose user name is not the address
    exact_usernames: bool = False
    # Dovecot's oauth2 passdb (local JWT validation, maildoctor_lab.oauth2) for XOAUTH2 and OAUTHBEARER,
    # before the passwd-file one (which then takes only the password mechanisms); Postfix offers them too
    oauth2: OAuth2Passdb | None = None
    # the log's time stamps (strftime; Dovecot adds %{usecs}): a benchmark that counts connections
    # at once from the log needs them to the microsecond (PRECISE_LOG_TIMESTAMP)
    log_timestamp: str = "%b %d %H:%M:%S "


@dataclass
class DovecotServer:
    directory: Path
    host: str
    ports: dict[str, int]
    options: DovecotOptions
    process: ManagedProcess
    _stopped: bool = field(default=False, init=False)

    @property
    def log(self) -> Path:
        return self.directory / "dovecot.log"

    def diagnostics(self) -> str:
        return self.process.diagnostics()

    def user(self, name: str) -> MailUser:
        for user in self.options.users:
            if user.name == name:
                return user
        raise KeyError(name)

    def deliver(self, recipient: str, message: bytes | str, sender: str = "lab@example.test") -> None:
        """Deliver a message over LMTP, as a real MTA would (quota applies)."""
        with smtplib.LMTP(LOOPBACK, self.ports["lmtp"], timeout=10) as lmtp:
            lmtp.sendmail(sender, [recipient], message)

    def stop(self) -> None:
        self.process.stop()


def _write_users(directory: Path, users: Sequence[MailUser]) -> None:
    nobody = pwd.getpwnam("nobody")
    mail_root = directory / "mail"
    mail_root.mkdir()
    mail_root.chmod(0o755)
    lines = []
    for user in users:
        home = mail_root / user.name
        home.mkdir()
        shutil.chown(home, nobody.pw_uid, nobody.pw_gid)
        extra = f"userdb_quota_rule=*:storage={user.quota}"
        if user.refusal is not None:
            if any(char in user.refusal for char in ":\n"):
                raise ValueError("a refusal text cannot hold ':' or a line break (passwd-file format)")
            extra += f" nologin=y reason={user.refusal}"
        lines.append(f"{user.name}:{{PLAIN}}{user.password}:{nobody.pw_uid}:{nobody.pw_gid}::{home}::{extra}")
    passwd = directory / "passwd"
    passwd.write_text("\n".join(lines) + "\n")
    passwd.chmod(0o644)


def _oauth2_values(directory: Path, options: DovecotOptions) -> dict[str, str]:
    """The oauth2 passdb block and the password passdb's mechanisms line (both empty without oauth2)."""
    if options.oauth2 is None:
        return {"OAUTH2_PASSDB": "", "PASSWORD_MECHS": ""}
    conf = passdb_config(directory, options.oauth2)
    block = f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {conf}\n}}\n"
    return {"OAUTH2_PASSDB": block, "PASSWORD_MECHS": "\n  mechanisms = " + options.auth_mechanisms}


def _wait_ready(server: DovecotServer, popen: subprocess.Popen[bytes]) -> None:
    for name in PORT_NAMES:
        port_host = LOOPBACK if name in ("lmtp", "quota_status") else server.host
        wait_for_port(port_host, server.ports[name], timeout=10, process=popen)
    if server.options.passdb_broken or not server.options.users:
        return
    # The ports open before the auth process is ready; one real login proves the whole path.
    # Over implicit TLS, because the plaintext-refusal variant refuses it in the clear.
    user = server.options.users[0]
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    client = (
        imaplib.IMAP4_SSL(server.host, server.ports["imaps"], ssl_context=unverified, timeout=10)
        if server.options.tls
        else imaplib.IMAP4(server.host, server.ports["imap"], timeout=10)
    )
    try:
        client.login(user.name, user.password)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def start_dovecot(
    directory: Path, certificate: CertFiles, options: DovecotOptions | None = None
) -> DovecotServer:
    """Start Dovecot in `directory` (created; must not exist) and wait until a login works."""
    require_programs("dovecot")
    options = options or DovecotOptions()
    template = resources.files("maildoctor_lab").joinpath("templates/dovecot.conf.tmpl").read_text()
    last_error: Exception | None = None
    for attempt in range(3):  # a free port can be taken between choosing and binding it
        instance = directory if attempt == 0 else directory.with_name(f"{directory.name}-{attempt}")
        instance.mkdir(parents=True)
        instance.chmod(0o755)
        _write_users(instance, options.users)
        ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES), options.host), strict=True))
        if options.standard_ports:
            ports.update(STANDARD_PORTS)
        config = render_template(
            template,
            {
                "D": instance,
                "HOST": options.host,
                "SSL_CERT": certificate.cert,
                "SSL_KEY": certificate.key,
                "DISABLE_PLAINTEXT": "yes" if options.disable_plaintext_auth else "no",
                "AUTH_DELAY": options.auth_failure_delay,
                "AUTH_MECHS": options.auth_mechanisms + (" xoauth2 oauthbearer" if options.oauth2 else ""),
                **_oauth2_values(instance, options),
                "SSL": "yes" if options.tls else "no",
                "MAXCONN": options.max_userip_connections,
                "PENALTY_MODE": "0600" if options.auth_penalty else "0",
                "PASSDB": instance / "passwd",
                "LOGIN_FORMAT": "%u" if options.exact_usernames else "%n",
                "LOG_TIMESTAMP": options.log_timestamp,
                "IMAP": ports["imap"],
                "IMAPS": ports["imaps"],
                "POP3": ports["pop3"],
                "POP3S": ports["pop3s"],
                "LMTP": ports["lmtp"],
                "QSTATUS": ports["quota_status"],
            },
        )
        if options.passdb_broken:
            # readable by root only: Dovecot's auth process (user dovecot) gets EACCES, a temporary
            # failure; a missing file would instead look like a wrong password
            (instance / "passwd").chmod(0o600)
        conf = instance / "dovecot.conf"
        conf.write_text(config)
        popen = start_process("dovecot", ["dovecot", "-F", "-c", str(conf)], instance / "stdout.log")
        managed = ManagedProcess("dovecot", popen, logs=(instance / "stdout.log", instance / "dovecot.log"))
        server = DovecotServer(instance, options.host, ports, options, managed)
        try:
            _wait_ready(server, popen)
        except (OSError, RuntimeError, imaplib.IMAP4.error) as exc:
            managed.stop()
            last_error = exc
            if "Address already in use" in managed.diagnostics():
                continue
            raise RuntimeError(f"dovecot did not start: {exc}\n{managed.diagnostics()}") from exc
        return server
    raise LabUnavailableError(f"dovecot could not bind free ports: {last_error}")


@contextlib.contextmanager
def running_dovecot(
    directory: Path, certificate: CertFiles, options: DovecotOptions | None = None
) -> Iterator[DovecotServer]:
    server = start_dovecot(directory, certificate, options)
    try:
        yield server
    finally:
        server.stop()
