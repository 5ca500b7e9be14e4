"""An SMTP submission server (aiosmtpd) that answers logins and recipients in words a test chooses.

Dovecot and Postfix answer in their own words only. Providers say more: Google's
"534-5.7.9 Application-specific password required", a locked account's "535 5.7.8 ... locked",
an unknown mailbox's "550 5.1.1". This server lets a scenario reproduce those replies word for
word on a real SMTP implementation (implicit TLS, EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT), so the
diagnosis is tested against a real conversation.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from maildoctor_lab.certs import CertFiles
from maildoctor_lab.common import LOOPBACK, free_ports


@dataclass
class ScriptedSmtp:
    host: str
    port: int
    controller: Controller

    def stop(self) -> None:
        self.controller.stop()


def _reply(text: str) -> str:
    # several lines become one multi-line reply: "534-first", "534 last"
    return text.replace("\n", "\r\n")


class _Authenticator:
    """Refuses every login with the scripted words, or (without them) accepts any login."""

    def __init__(self, reply: str | None) -> None:
        self.reply = _reply(reply) if reply is not None else None

    def __call__(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        del server, session, envelope, mechanism, auth_data
        if self.reply is None:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message=self.reply)


class _Handler:
    """Answers RCPT TO with the scripted words; accepts (and discards) otherwise."""

    def __init__(self, rcpt_reply: str | None) -> None:
        self.rcpt_reply = _reply(rcpt_reply) if rcpt_reply is not None else None

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        del server, session, rcpt_options
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        del server, session, envelope
        return "250 2.0.0 discarded by the lab"


def start_scripted_smtp(
    certificate: CertFiles,
    auth_reply: str | None,
    host: str = LOOPBACK,
    port: int | None = None,
    rcpt_reply: str | None = None,
) -> ScriptedSmtp:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate.cert), str(certificate.key))
    port = port or free_ports(1, host)[0]
    controller = Controller(
        _Handler(rcpt_reply),
        hostname=host,
        port=port,
        ssl_context=context,
        authenticator=_Authenticator(auth_reply),
        # aiosmtpd counts only STARTTLS as TLS: on an implicit-TLS port AUTH must not wait for it
        auth_require_tls=False,
        server_hostname="mail.example.test",
        ident="maildoctor lab (scripted)",
    )
    controller.start()
    return ScriptedSmtp(host, port, controller)
