"""The one network seam of a diagnosis: a resolver, a connector and a clock, passed in.

The checks reach the network only through a `Network`; the real one is `Network.system()`. Tests
(and the web and check-up runners) hand in their own: a resolver with canned answers, a connector
that opens nothing, so the runner and the rules run without a socket.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from maildoctor.facts import DnsLookup, HostResolution, PortProbe
from maildoctor.net.connect import PortAnswers, close_quietly, open_tcp
from maildoctor.net.resolver import DnsClient, Nameserver


class Resolver(Protocol):
    """What a check asks of DNS (`net.resolver.DnsClient` is the real one)."""

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup: ...

    async def resolve_host(self, host: str, lifetime: float) -> HostResolution: ...


class Connector(Protocol):
    """Opens one TCP connection (`net.connect.open_tcp` is the real one): the probe says what
    happened, the streams are there when it opened."""

    async def __call__(
        self,
        address: str,
        port: int,
        timeout: float,
        limit: int = 65536,
        answers: PortAnswers | None = None,
    ) -> tuple[PortProbe, asyncio.StreamReader | None, asyncio.StreamWriter | None]: ...


@dataclass(frozen=True)
class Network:
    resolver: Resolver
    connect: Connector = open_tcp
    # monotonic seconds: the run's deadline and each check's time are measured with it
    clock: Callable[[], float] = field(default=time.monotonic)

    @classmethod
    def system(cls, nameservers: Sequence[Nameserver] = ()) -> Network:
        """The real network: dnspython asking `nameservers` (the system's when none), real sockets."""
        return cls(DnsClient(nameservers))

    async def probe_port(self, address: str, port: int, timeout: float, answers: PortAnswers) -> PortProbe:
        """Connect and close at once: is anything listening there?"""
        result, _, writer = await self.connect(address, port, timeout, answers=answers)
        if writer is not None:
            await close_quietly(writer)
        return result


__all__ = ["Connector", "Network", "Resolver"]
