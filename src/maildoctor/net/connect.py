"""TCP connects as facts: open, refused (nothing listens) or timed out (dropped)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import time

from maildoctor.facts import ConnectOutcome, PortProbe
from maildoctor.net.patience import patience

_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL}


class PortAnswers:
    """The ports that accepted a connection during one diagnosis, per address.

    Connects to the same server run at once; a silent one stops waiting soon after another port of
    the same address accepted (see `net.patience`), instead of waiting the full timeout.
    """

    def __init__(self) -> None:
        self._open: dict[str, list[PortProbe]] = {}
        self._waiters: dict[str, list[tuple[int, asyncio.Future[PortProbe]]]] = {}

    def record(self, probe: PortProbe) -> None:
        if probe.outcome != ConnectOutcome.OPEN:
            return
        self._open.setdefault(probe.address, []).append(probe)
        for port, waiter in self._waiters.get(probe.address, []):
            if port != probe.port and not waiter.done():
                waiter.set_result(probe)

    def other_port(self, address: str, port: int) -> asyncio.Future[PortProbe]:
        """Done with the first connection another port of `address` accepted."""
        waiter: asyncio.Future[PortProbe] = asyncio.get_running_loop().create_future()
        answered = next((probe for probe in self._open.get(address, ()) if probe.port != port), None)
        if answered is not None:
            waiter.set_result(answered)
        else:
            self._waiters.setdefault(address, []).append((port, waiter))
        return waiter

    def forget(self, waiter: asyncio.Future[PortProbe]) -> None:
        waiter.cancel()
        for waiters in self._waiters.values():
            waiters[:] = [item for item in waiters if item[1] is not waiter]


async def open_tcp(
    address: str, port: int, timeout: float, limit: int = 65536, answers: PortAnswers | None = None
) -> tuple[PortProbe, asyncio.StreamReader | None, asyncio.StreamWriter | None]:
    """Connect once; the probe says what happened, the streams are there when it opened.

    With `answers`, the wait ends sooner when another port of the same address accepts meanwhile,
    and the connection is recorded there when it opens.
    """
    started = time.monotonic()
    hint: PortProbe | None = None

    def probe(outcome: ConnectOutcome, detail: str = "") -> PortProbe:
        ms = int((time.monotonic() - started) * 1000)
        if hint is None or outcome != ConnectOutcome.TIMEOUT:
            return PortProbe(address, port, outcome, ms, detail)
        return PortProbe(address, port, outcome, ms, detail, hint.port, hint.ms)

    connecting = asyncio.ensure_future(
        asyncio.open_connection(address, port, limit=limit, family=_family(address))
    )
    try:
        if answers is not None:
            hint = await _other_answer(answers, connecting, address, port, timeout)
        wait = timeout if hint is None else patience(hint.ms, timeout)
        reader, writer = await asyncio.wait_for(
            connecting, timeout=max(wait - (time.monotonic() - started), 0.01)
        )
    except TimeoutError:
        return probe(ConnectOutcome.TIMEOUT), None, None
    except ConnectionRefusedError:
        return probe(ConnectOutcome.REFUSED), None, None
    except OSError as exc:
        outcome = ConnectOutcome.UNREACHABLE if exc.errno in _UNREACHABLE else ConnectOutcome.ERROR
        return probe(outcome, exc.strerror or type(exc).__name__), None, None
    finally:
        connecting.cancel()  # nothing when it finished; stops a connect still under way
    opened = probe(ConnectOutcome.OPEN)
    if answers is not None:
        answers.record(opened)
    return opened, reader, writer


async def _other_answer(
    answers: PortAnswers,
    connecting: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    address: str,
    port: int,
    timeout: float,
) -> PortProbe | None:
    """Waits for the connect or another port's answer, whichever comes first (at most `timeout`);
    the other port's answer when it came first."""
    other = answers.other_port(address, port)
    try:
        pending: set[asyncio.Future[object]] = {connecting, other}  # type: ignore[arg-type]
        await asyncio.wait(pending, timeout=max(timeout, 0.01), return_when=asyncio.FIRST_COMPLETED)
    finally:
        answers.forget(other)
    if connecting.done() or not other.done() or other.cancelled():
        return None
    return other.result()


async def close_quietly(writer: asyncio.StreamWriter) -> None:
    writer.close()
    # an error while closing (an SSL shutdown the server cut short) tells a diagnosis nothing
    with contextlib.suppress(Exception):
        await asyncio.wait_for(writer.wait_closed(), timeout=0.5)


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET
