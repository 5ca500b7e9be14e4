"""The demo's IMAP servers: pymap (asyncio, in-memory "dict" backend) started in the demo's loop.

pymap's own command line (`pymap dict`) listens on one port with one demo user; the demo needs
several servers (STARTTLS on one port, implicit TLS on another, a rental server with another
certificate) sharing users and mailboxes that it fills itself. So it builds pymap's pieces the way
`pymap.main.run` and `pymap.imap.IMAPService.start` do: a dict-backend Config and Login, an
IMAPServer as the connection callback of asyncio.start_server, here on 127.0.0.1 port 0.

pymap has no QUOTA extension (RFC 2087/9208), and "the mailbox is almost full" is one of the
demo's cases. The smallest honest piece is added here: the capability QUOTA after login and the
command GETQUOTAROOT, whose usage is the real size of the messages the user's mailboxes hold in
pymap, against a limit set per user. Every other command is pymap's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import ssl
from argparse import Namespace
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from proxyprotocol.reader import ProxyProtocolReader
from proxyprotocol.sock import SocketInfo
from pymap.backend.dict import Config, Identity, Login
from pymap.concurrent import Subsystem
from pymap.config import BackendCapability
from pymap.context import connection_exit
from pymap.imap import IMAPConnection, IMAPServer
from pymap.imap.state import ConnectionState
from pymap.parsing.command.auth import CommandMailboxArg
from pymap.parsing.commands import Commands
from pymap.parsing.message import AppendMessage
from pymap.parsing.response import CommandResponse, ResponseOk, UntaggedResponse
from pymap.parsing.specials.fetchattr import FetchRequirement
from pymap.user import Passwords, UserMetadata
from pysasl.hashing import BuiltinHash

from maildoctor.demo import LOOPBACK

QUOTA_ROOT = ""  # one quota root for all of a user's mailboxes, as Dovecot's default "User quota"
# PBKDF2 as pymap stores passwords, with fewer rounds than its default 500000 so logins are quick
_HASH = BuiltinHash(rounds=10_000)


@dataclass(frozen=True)
class DemoMessage:
    sender: str
    subject: str
    body_size: int  # bytes of body text, so a mailbox can be filled to a chosen size

    def as_bytes(self, recipient: str, number: int) -> bytes:
        lines = [
            f"From: {self.sender}",
            f"To: {recipient}",
            f"Subject: {self.subject}",
            f"Message-ID: <demo-{number}@example.test>",
            "Date: Mon, 06 Jan 2025 09:00:00 +0900",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=us-ascii",
            "",
        ]
        body_line = "This message was put here by maildoctor's demo. " * 2
        body = (body_line.strip() + "\r\n") * max(1, self.body_size // (len(body_line.strip()) + 2))
        return ("\r\n".join(lines) + "\r\n").encode() + body.encode()


@dataclass(frozen=True)
class DemoUser:
    name: str  # the login name
    password: str
    address: str
    quota_kb: int  # the STORAGE limit GETQUOTAROOT reports, in units of 1024 bytes
    messages: Sequence[DemoMessage] = ()


class GetQuotaRootCommand(CommandMailboxArg):
    """`tag GETQUOTAROOT mailbox` (RFC 2087 4.3), available after login."""

    command = b"GETQUOTAROOT"


class QuotaConfig(Config):
    """pymap's dict-backend config, plus QUOTA, per-user limits and a fixed greeting."""

    def __init__(self, *args: Any, quotas_kb: Mapping[str, int], server_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quotas_kb = dict(quotas_kb)
        self.server_name = server_name

    @property
    def backend_capability(self) -> BackendCapability:
        return BackendCapability(idle=True, object_id=True, multi_append=True, custom=[b"QUOTA"])

    @property
    def commands(self) -> Commands:
        commands = super().commands
        commands.register(GetQuotaRootCommand)
        return commands

    @property
    def greeting(self) -> bytes:
        # pymap would ask socket.getfqdn(), which can wait for a DNS that is not there offline
        return b"Server ready " + self.server_name.encode("ascii")


async def storage_used(config: QuotaConfig, owner: str) -> int:
    """Bytes held in all of the user's mailboxes, counted from pymap's own store."""
    cached = config.set_cache.get(owner)
    if cached is None:
        return 0
    mailbox_set, _ = cached
    names = ["INBOX", *(entry.name for entry in (await mailbox_set.list_mailboxes()).list())]
    total = 0
    for name in dict.fromkeys(names):
        mailbox = await mailbox_set.get_mailbox(name)
        async for message in mailbox.messages():
            loaded = await message.load_content(FetchRequirement.NONE)
            total += loaded.get_size()
    return total


class QuotaConnectionState(ConnectionState):
    """pymap's connection state machine with the GETQUOTAROOT command added."""

    async def do_getquotaroot(self, cmd: GetQuotaRootCommand) -> tuple[CommandResponse, None]:
        config = self.config
        assert isinstance(config, QuotaConfig)
        owner = self.session.owner
        used_kb = math.ceil(await storage_used(config, owner) / 1024)
        limit_kb = config.quotas_kb.get(owner)
        response = ResponseOk(cmd.tag, b"Getquotaroot completed.")
        mailbox = cmd.mailbox.encode("utf-8")
        if limit_kb is None:
            response.add_untagged(UntaggedResponse(b'QUOTAROOT "%b"' % mailbox))
        else:
            response.add_untagged(
                UntaggedResponse(b'QUOTAROOT "%b" "%b"' % (mailbox, QUOTA_ROOT.encode())),
                UntaggedResponse(b'QUOTA "%b" (STORAGE %d %d)' % (QUOTA_ROOT.encode(), used_kb, limit_kb)),
            )
        return response, None


class QuotaImapServer(IMAPServer):
    """IMAPServer.__call__ with QuotaConnectionState in place of pymap's ConnectionState."""

    def __init__(self, login: Login, config: QuotaConfig) -> None:
        super().__init__(login, config)
        self._demo_login = login
        self._demo_config = config

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sock_info: SocketInfo
    ) -> None:
        connection = IMAPConnection(self.commands, self._demo_config, reader, writer, sock_info)
        state = QuotaConnectionState(self._demo_login, self._demo_config)
        async with AsyncExitStack() as stack:
            connection_exit.set(stack)
            stack.enter_context(contextlib.closing(connection))
            await connection.run(state)


def _config(
    users: Sequence[DemoUser],
    server_name: str,
    tls: ssl.SSLContext,
    *,
    starttls: bool,
    set_cache: dict[str, Any] | None = None,
) -> QuotaConfig:
    args = Namespace(passlib_cfg=None, proxy_protocol=None, inherited_sockets=None, debug=False)
    config = QuotaConfig(
        args,
        host=LOOPBACK,
        port=0,
        demo_data=False,
        demo_user="",
        demo_password="",
        ssl_context=tls,
        tls_enabled=starttls,  # pymap: offer STARTTLS (on an implicit-TLS port there is none)
        hash_context=_HASH,
        cpu_subsystem=Subsystem.for_asyncio(),
        reject_dnsbl=False,
        invalid_user_sleep=0.0,
        quotas_kb={user.name: user.quota_kb for user in users},
        server_name=server_name,
    )
    if set_cache is not None:
        config.set_cache = set_cache  # the same mailboxes behind every port of one server
    return config


async def _add_users(config: QuotaConfig, login: Login, users: Sequence[DemoUser]) -> None:
    passwords = Passwords(config)
    for user in users:
        metadata = UserMetadata(config, user.name, password=await passwords.hash_password(user.password))
        login.users_dict[user.name] = metadata
        async with Identity(user.name, login, None, frozenset()).new_session() as session:
            inbox = await session.mailbox_set.get_mailbox("INBOX")
            for number, message in enumerate(user.messages, start=1):
                literal = message.as_bytes(user.address, number)
                await inbox.append(AppendMessage(literal, datetime(2025, 1, 6, tzinfo=UTC)))


@contextlib.asynccontextmanager
async def serve_imap(
    users: Sequence[DemoUser],
    *,
    server_name: str,
    starttls_context: ssl.SSLContext | None,
    implicit_tls_context: ssl.SSLContext | None,
    host: str = LOOPBACK,
) -> AsyncIterator[dict[str, int]]:
    """One pymap IMAP server, users and mailboxes shared by its ports; yields {"143": port, "993": port}.

    starttls_context: a port in plain text that offers STARTTLS with it (left out when None);
    implicit_tls_context: a port that speaks TLS from the start (left out when None).
    """
    plans: list[tuple[str, ssl.SSLContext, bool]] = []
    if starttls_context is not None:
        plans.append(("143", starttls_context, True))
    if implicit_tls_context is not None:
        plans.append(("993", implicit_tls_context, False))
    ports: dict[str, int] = {}
    set_cache: dict[str, Any] = {}
    async with AsyncExitStack() as stack:
        login: Login | None = None
        for label, context, starttls in plans:
            config = _config(users, server_name, context, starttls=starttls, set_cache=set_cache)
            config.apply_context()
            if login is None:
                login = Login(config)
                await _add_users(config, login, users)
            callback = ProxyProtocolReader(config.proxy_protocol).get_callback(QuotaImapServer(login, config))
            server = await asyncio.start_server(
                callback, host=host, port=0, ssl=None if starttls else context
            )
            await stack.enter_async_context(server)
            ports[label] = server.sockets[0].getsockname()[1]
        yield ports
