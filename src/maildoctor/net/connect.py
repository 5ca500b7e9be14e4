"""TCP connects as facts: open, refused (nothing listens) or timed out (dropped)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import time

from maildoctor.facts import ConnectOutcome, PortProbe

_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL}


async def open_tcp(
    address: str, port: int, timeout: float, limit: int = 65536
) -> tuple[PortProbe, asyncio.StreamReader | None, asyncio.StreamWriter | None]:
    """Connect once; the probe says what happened, the streams are there when it opened."""
    started = time.monotonic()

    def probe(outcome: ConnectOutcome, detail: str = "") -> PortProbe:
        return PortProbe(address, port, outcome, int((time.monotonic() - started) * 1000), detail)

    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address, port, limit=limit, family=_family(address)),
            timeout=max(timeout, 0.01),
        )
    except TimeoutError:
        return probe(ConnectOutcome.TIMEOUT), None, None
    except ConnectionRefusedError:
        return probe(ConnectOutcome.REFUSED), None, None
    except OSError as exc:
        outcome = ConnectOutcome.UNREACHABLE if exc.errno in _UNREACHABLE else ConnectOutcome.ERROR
        return probe(outcome, exc.strerror or type(exc).__name__), None, None
    return probe(ConnectOutcome.OPEN), reader, writer


async def probe_port(address: str, port: int, timeout: float) -> PortProbe:
    """Connect and close at once: is anything listening there?"""
    result, _, writer = await open_tcp(address, port, timeout)
    if writer is not None:
        await close_quietly(writer)
    return result


async def close_quietly(writer: asyncio.StreamWriter) -> None:
    writer.close()
    # an error while closing (an SSL shutdown the server cut short) tells a diagnosis nothing
    with contextlib.suppress(Exception):
        await asyncio.wait_for(writer.wait_closed(), timeout=0.5)


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET
