"""Debian's Postfix on loopback, with SASL and delivery through the lab's Dovecot.

Three listeners, as a provider has them: an MX-style port (no AUTH, relay denied), a
submission port (STARTTLS before AUTH) and an implicit-TLS port. Mail for the lab domain is
delivered to Dovecot over LMTP (so a full mailbox gives a real 552 5.2.2); everything else is
discarded, so nothing can leave the machine.
"""

from __future__ import annotations

import contextlib
import os
import pwd
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from maildoctor_lab.certs import CertFiles
from maildoctor_lab.common import (
    LabUnavailableError,
    ManagedProcess,
    free_ports,
    render_template,
    require_programs,
    require_root,
    start_process,
    wait_for_port,
)
from maildoctor_lab.dovecot import DovecotServer

PORT_NAMES = ("mx", "submission", "smtps")
STANDARD_PORTS = {"mx": 25, "submission": 587, "smtps": 465}
LAB_DOMAIN = "example.test"


@dataclass(frozen=True, slots=True)
class PostfixOptions:
    domain: str = LAB_DOMAIN
    myhostname: str = "mail.example.test"
    # listen on 25/587/465 instead of free ports (only inside a lab network namespace)
    standard_ports: bool = False
    # only these SASL mechanisms are offered (smtpd_sasl_mechanism_filter); None: Postfix's default
    mechanisms: str | None = None


@dataclass
class PostfixServer:
    directory: Path
    host: str
    ports: dict[str, int]
    options: PostfixOptions
    process: ManagedProcess

    @property
    def log(self) -> Path:
        return self.directory / "maillog"

    def diagnostics(self) -> str:
        return self.process.diagnostics()

    def stop(self) -> None:
        self.process.stop()


def _environment(etc: Path) -> dict[str, str]:
    return dict(os.environ, MAIL_CONFIG=str(etc))


def start_postfix(
    directory: Path,
    dovecot: DovecotServer,
    certificate: CertFiles,
    options: PostfixOptions | None = None,
) -> PostfixServer:
    """Start Postfix in `directory` (created; must not exist) and wait until its ports answer."""
    require_programs("postfix")
    require_root("postfix")
    options = options or PostfixOptions()
    package = resources.files("maildoctor_lab")
    main_template = package.joinpath("templates/postfix-main.cf.tmpl").read_text()
    master_template = package.joinpath("templates/postfix-master.cf.tmpl").read_text()
    addresses = [f"{user.name}@{options.domain}" for user in dovecot.options.users]
    host = dovecot.host
    last_error: Exception | None = None
    for attempt in range(3):  # a free port can be taken between choosing and binding it
        instance = directory if attempt == 0 else directory.with_name(f"{directory.name}-{attempt}")
        etc = instance / "etc"
        for sub in ("etc", "spool", "data"):
            (instance / sub).mkdir(parents=True)
        instance.chmod(0o755)
        postfix_user = pwd.getpwnam("postfix")
        os.chown(instance / "data", postfix_user.pw_uid, postfix_user.pw_gid)
        ports = (
            dict(STANDARD_PORTS)
            if options.standard_ports
            else dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES), host), strict=True))
        )
        values: dict[str, str | int] = {
            "P": str(instance),
            "DC": str(dovecot.directory),
            "HOST": host,
            "DOMAIN": options.domain,
            "MYHOSTNAME": options.myhostname,
            "SSL_CERT": str(certificate.cert),
            "SSL_KEY": str(certificate.key),
            "LMTP": dovecot.ports["lmtp"],
            "QSTATUS": dovecot.ports["quota_status"],
            "MAILBOXES": ", ".join(f"{address}=x" for address in addresses),
            # the login may be the local part or the whole address (Dovecot takes both)
            "SENDER_LOGINS": ", ".join(
                f"{{{address}={address.split('@')[0]},{address}}}" for address in addresses
            ),
            "MX": ports["mx"],
            "SUBM": ports["submission"],
            "SMTPS": ports["smtps"],
            "MECHANISM_FILTER": options.mechanisms or "!external, static:rest",
        }
        (etc / "main.cf").write_text(render_template(main_template, values))
        (etc / "master.cf").write_text(render_template(master_template, values))
        env = _environment(etc)
        popen = start_process(
            "postfix", ["postfix", "-c", str(etc), "start-fg"], instance / "stdout.log", env=env
        )
        managed = ManagedProcess(
            "postfix",
            popen,
            logs=(instance / "stdout.log", instance / "maillog"),
            # stopping the start-fg wrapper does not stop master(8): always "postfix stop"
            stop_command=("postfix", "-c", str(etc), "stop"),
            stop_env=env,
        )
        server = PostfixServer(instance, host, ports, options, managed)
        try:
            for name in PORT_NAMES:
                wait_for_port(host, ports[name], timeout=30, process=popen)
        except (OSError, RuntimeError) as exc:
            managed.stop()
            last_error = exc
            if "Address already in use" in managed.diagnostics():
                continue
            raise RuntimeError(f"postfix did not start: {exc}\n{managed.diagnostics()}") from exc
        return server
    raise LabUnavailableError(f"postfix could not bind free ports: {last_error}")


@contextlib.contextmanager
def running_postfix(
    directory: Path, dovecot: DovecotServer, certificate: CertFiles, options: PostfixOptions | None = None
) -> Iterator[PostfixServer]:
    server = start_postfix(directory, dovecot, certificate, options)
    try:
        yield server
    finally:
        server.stop()
