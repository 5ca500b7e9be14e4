"""Politeness: never more connections to a server than its limit — per server and user name (default
2) and per server (default 10) — however many accounts are checked at once.

An account's check holds one slot of each of its servers (and of each server with its user name)
for as long as it runs, so the counts hold whatever the check does inside. Slots are taken in one
order (sorted), so two checks can never wait for each other.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Final

PER_USER: Final = 2
PER_SERVER: Final = 10


@dataclass
class ServerLimits:
    per_user: int = PER_USER
    per_server: int = PER_SERVER
    _semaphores: dict[tuple[str, str], asyncio.Semaphore] = field(default_factory=dict)
    _open: Counter[tuple[str, str]] = field(default_factory=Counter)
    peak: Counter[tuple[str, str]] = field(default_factory=Counter)  # the most held at once, per key

    def _semaphore(self, key: tuple[str, str]) -> asyncio.Semaphore:
        if key not in self._semaphores:
            self._semaphores[key] = asyncio.Semaphore(self.per_server if key[1] == "" else self.per_user)
        return self._semaphores[key]

    @asynccontextmanager
    async def slot(self, hosts: Iterable[str], user: str) -> AsyncIterator[None]:
        """Hold one connection slot on each of `hosts`, and on each with `user`."""
        keys = sorted({(host.lower().rstrip("."), who) for host in hosts for who in ("", user)})
        async with AsyncExitStack() as stack:
            for key in keys:
                await stack.enter_async_context(self._semaphore(key))
                self._open[key] += 1
                self.peak[key] = max(self.peak[key], self._open[key])
                stack.callback(self._open.subtract, {key: 1})
            yield
