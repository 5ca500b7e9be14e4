"""An SMTP submission server (aiosmtpd) that refuses every login in words a test chooses.

Dovecot and Postfix answer a refused login in their own words only. Providers say more: Google's
"534-5.7.9 Application-specific password required", a locked account's "535 5.7.8 ... locked".
This server lets a scenario reproduce those replies word for word on a real SMTP implementation
(implicit TLS, EHLO, AUTH PLAIN/LOGIN), so the diagnosis is tested against a real conversation.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from maildoctor.lab.certs import CertFiles
from maildoctor.lab.common import LOOPBACK, free_ports


@dataclass
class ScriptedSmtp:
    host: str
    port: int
    controller: Controller

    def stop(self) -> None:
        self.controller.stop()


class _Refuse:
    def __init__(self, reply: str) -> None:
        # several lines become one multi-line reply: "534-first", "534 last"
        self.reply = reply.replace("\n", "\r\n")

    def __call__(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        del server, session, envelope, mechanism, auth_data
        return AuthResult(success=False, handled=False, message=self.reply)


def start_scripted_smtp(
    certificate: CertFiles, auth_reply: str, host: str = LOOPBACK, port: int | None = None
) -> ScriptedSmtp:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate.cert), str(certificate.key))
    port = port or free_ports(1, host)[0]
    controller = Controller(
        object(),
        hostname=host,
        port=port,
        ssl_context=context,
        authenticator=_Refuse(auth_reply),
        # aiosmtpd counts only STARTTLS as TLS: on an implicit-TLS port AUTH must not wait for it
        auth_require_tls=False,
        server_hostname="mail.example.test",
        ident="maildoctor lab (scripted)",
    )
    controller.start()
    return ScriptedSmtp(host, port, controller)
