"""Politeness: never more connections to a server than its limit — per server and user name (default
2) and per server (default 10) — however many accounts are checked at once.

Two gates. An account's check holds one slot of each of its servers (and of each server with its
user name) while it runs, so no more checks than the limits talk to a server at once. And each TCP
connection the check opens holds one slot of its server's address (and of that address with the
user name) until it is closed: a check probes several ports of a server at once (IMAP, POP3, SMTP,
with and without TLS), and it is connections that a server counts. Slots are taken in one order
(sorted), and a connection never waits while holding another's slot, so nothing waits in a circle.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Final, Protocol

from maildoctor.facts import PortProbe
from maildoctor.net.connect import PortAnswers, open_tcp
from maildoctor.net.seam import Connector

PER_USER: Final = 2
PER_SERVER: Final = 10
Key = tuple[str, str]  # (server, user name); user "" for the server as a whole


class SharedGate(Protocol):
    """Slots shared with other processes (checkup/queue.py: PostgreSQL advisory locks)."""

    async def take(self, keys: Sequence[Key]) -> Callable[[], None]: ...


@dataclass
class ServerLimits:
    per_user: int = PER_USER
    per_server: int = PER_SERVER
    _semaphores: dict[tuple[str, Key], asyncio.Semaphore] = field(default_factory=dict)
    _open: Counter[tuple[str, Key]] = field(default_factory=Counter)
    peak: Counter[Key] = field(default_factory=Counter)  # checks at once, per server (and user)
    connection_peak: Counter[Key] = field(default_factory=Counter)  # connections at once, per address
    shared: SharedGate | None = None  # also hold a slot shared with the other workers (the task queue)

    def _semaphore(self, gate: str, key: Key) -> asyncio.Semaphore:
        if (gate, key) not in self._semaphores:
            size = self.per_server if key[1] == "" else self.per_user
            self._semaphores[gate, key] = asyncio.Semaphore(size)
        return self._semaphores[gate, key]

    async def _take(self, gate: str, keys: list[Key], peaks: Counter[Key]) -> Callable[[], None]:
        """Hold one slot of each key (sorted); the function that gives them back (once)."""
        held: list[Key] = []

        def give_back() -> None:
            while held:
                key = held.pop()
                self._open[gate, key] -= 1
                self._semaphore(gate, key).release()

        try:
            for key in sorted(keys):
                await self._semaphore(gate, key).acquire()
                held.append(key)
                self._open[gate, key] += 1
                peaks[key] = max(peaks[key], self._open[gate, key])
        except BaseException:
            give_back()
            raise
        return give_back

    @asynccontextmanager
    async def slot(self, hosts: Iterable[str], user: str) -> AsyncIterator[None]:
        """Hold one check's slot on each of `hosts`, and on each with `user`."""
        keys = list({(host.lower().rstrip("."), who) for host in hosts for who in ("", user)})
        async with AsyncExitStack() as stack:
            stack.callback(await self._take("check", keys, self.peak))
            yield

    def connector(self, user: str, connect: Connector = open_tcp) -> Connector:
        """`connect`, each connection holding a slot of its address (and of it with `user`) until it
        is closed."""

        async def limited(
            address: str, port: int, timeout: float, limit: int = 65536, answers: PortAnswers | None = None
        ) -> tuple[PortProbe, asyncio.StreamReader | None, asyncio.StreamWriter | None]:
            keys = [(address, ""), (address, user)]
            give_back = await self._take("connection", keys, self.connection_peak)
            if self.shared is not None:
                try:
                    give_shared = await self.shared.take(keys)
                except BaseException:
                    give_back()
                    raise
                give_back = _both(give_back, give_shared)
            try:
                probe, reader, writer = await connect(address, port, timeout, limit, answers)
            except BaseException:
                give_back()
                raise
            if writer is None:
                give_back()
            else:
                _when_closed(writer, give_back)
            return probe, reader, writer

        return limited


def _both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def both() -> None:
        try:
            second()
        finally:
            first()

    return both


def _when_closed(writer: asyncio.StreamWriter, then: Callable[[], None]) -> None:
    """Call `then` once the connection is gone (its protocol told it was lost), TLS upgrade or not."""
    protocol = writer.transport.get_protocol()
    lost = protocol.connection_lost
    done = False

    def connection_lost(exc: Exception | None) -> None:
        nonlocal done
        try:
            lost(exc)
        finally:
            if not done:
                done = True
                then()

    protocol.connection_lost = connection_lost  # type: ignore[method-assign]
