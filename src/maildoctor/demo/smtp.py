"""The demo's sending server: aiosmtpd (asyncio SMTP) started in the demo's loop.

aiosmtpd's Controller would run the server in a thread of its own; the demo builds the same
protocol objects (aiosmtpd.smtp.SMTP) with loop.create_server in its own loop instead, on
127.0.0.1 port 0. One server, two ports, like a provider's submission service:

* "587": plain text, STARTTLS required before anything else, AUTH offered after STARTTLS;
* "465": TLS from the first byte. aiosmtpd cannot see that the transport is already encrypted
  and would never offer AUTH there, so auth_require_tls=False on this port only
  (shared/lab-notes/pure-python-servers.md).

Logging in is required to relay: without it, mail is taken for the provider's own domains only
and any other recipient is refused with Postfix's words, `554 5.7.1 <rcpt>: Relay access denied`.
The demo's diagnosis never sends a message (it stops after RCPT), and the server keeps none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import ssl
from collections.abc import AsyncIterator, Collection, Mapping
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from maildoctor.demo import LOOPBACK

# aiosmtpd logs every connection, and a deprecation warning on each successful AUTH (1.4.6)
AIOSMTPD_LOGGER = "mail.log"


def _errors_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR


class RelayHandler:
    """aiosmtpd handler: local domains for anyone, other recipients only after a login."""

    def __init__(self, local_domains: Collection[str]) -> None:
        self.local_domains = {domain.lower() for domain in local_domains}

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        domain = address.rpartition("@")[2].lower()
        if not session.authenticated and domain not in self.local_domains:
            return f"554 5.7.1 <{address}>: Relay access denied"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return "250 2.0.0 OK: accepted (the demo server keeps no mail)"


class PasswordAuthenticator:
    """aiosmtpd authenticator for PLAIN and LOGIN against a user name -> password table."""

    def __init__(self, passwords: Mapping[str, str]) -> None:
        self.passwords = dict(passwords)

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        expected = self.passwords.get(user)
        given = auth_data.password
        if expected is None or not secrets.compare_digest(expected.encode("utf-8"), given):
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=user)


@contextlib.asynccontextmanager
async def serve_smtp(
    passwords: Mapping[str, str],
    local_domains: Collection[str],
    *,
    server_name: str,
    tls: ssl.SSLContext,
    host: str = LOOPBACK,
) -> AsyncIterator[dict[str, int]]:
    """The submission server on two ports; yields {"587": port, "465": port}."""
    loop = asyncio.get_running_loop()
    handler = RelayHandler(local_domains)
    authenticator = PasswordAuthenticator(passwords)

    def submission() -> SMTP:
        return SMTP(
            handler,
            hostname=server_name,
            tls_context=tls,
            require_starttls=True,
            authenticator=authenticator,
            auth_require_tls=True,
            loop=loop,
        )

    def implicit_tls() -> SMTP:
        return SMTP(
            handler,
            hostname=server_name,
            authenticator=authenticator,
            auth_require_tls=False,  # the whole connection is TLS already
            loop=loop,
        )

    logger = logging.getLogger(AIOSMTPD_LOGGER)
    logger.addFilter(_errors_only)
    try:
        async with contextlib.AsyncExitStack() as stack:
            submission_server = await loop.create_server(submission, host=host, port=0)
            await stack.enter_async_context(submission_server)
            tls_server = await loop.create_server(implicit_tls, host=host, port=0, ssl=tls)
            await stack.enter_async_context(tls_server)
            yield {
                "587": submission_server.sockets[0].getsockname()[1],
                "465": tls_server.sockets[0].getsockname()[1],
            }
    finally:
        logger.removeFilter(_errors_only)
