"""Benchmark of SPF check_host() on the lab's real DNS (Unbound) with DNS latency injected: wall
time against the fewest sequential DNS rounds the evaluation needs, with the look-ahead and
without it (every query waiting for the one before).

The world: bench.test publishes an SPF record whose includes nest four deep and use exactly the
10 DNS-querying terms the RFC allows; the sender 192.0.2.10 is authorised only by the last
term (``exists:%{i}._ip.bench.test`` in the deepest include), so every term is evaluated.
over.bench.test includes that record after one more term: the 11th lookup is permerror, and the
report names the include that crossed the limit.

    bench.test        v=spf1 mx include:_spf1.bench.test -all              (mx: 2 hosts)
    _spf1.bench.test  v=spf1 a:r1.bench.test include:_spf2.bench.test ~all
    _spf2.bench.test  v=spf1 a:r2.bench.test include:_spf3.bench.test ~all
    _spf3.bench.test  v=spf1 mx:bench.test include:_spf4.bench.test ?all
    _spf4.bench.test  v=spf1 a:r4.bench.test exists:%{i}._ip.bench.test ?all
    over.bench.test   v=spf1 a:r1.bench.test include:bench.test -all

Latency: Debian's kernel here has no sch_netem (``tc qdisc add dev lo root netem`` answers
"Specified qdisc kind is unknown", also inside a fresh network namespace), so a small UDP
forwarder on 127.0.0.1 sits between maildoctor's resolver (DnsClient, dnspython) and Unbound
and holds every answer back by the given latency, each query on its own (concurrent queries
are delayed side by side, as on a real network). Everything stays on loopback; Unbound needs
root (the lab's servers run as their own users).

    python3 -m uv run python bench/spf_bench.py [--runs N] [--latency-ms 0,20,50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from maildoctor.domain.dnssource import DnsClientSource
from maildoctor.domain.spf import SpfCheck, analyze_spf_policy, check_host
from maildoctor.net.resolver import DnsClient, Nameserver
from maildoctor_lab.common import make_lab_dir
from maildoctor_lab.dns import DnsServer, DnsZone, running_dns, zone_from_records

SENDER_IP = "192.0.2.10"

BENCH_ZONE: DnsZone = zone_from_records(
    "bench.test",
    [
        '@ TXT "v=spf1 mx include:_spf1.bench.test -all"',
        "@ MX 10 mx1",
        "@ MX 20 mx2",
        "mx1 A 198.51.100.1",
        "mx2 A 198.51.100.2",
        '_spf1 TXT "v=spf1 a:r1.bench.test include:_spf2.bench.test ~all"',
        '_spf2 TXT "v=spf1 a:r2.bench.test include:_spf3.bench.test ~all"',
        '_spf3 TXT "v=spf1 mx:bench.test include:_spf4.bench.test ?all"',
        '_spf4 TXT "v=spf1 a:r4.bench.test exists:%{i}._ip.bench.test ?all"',
        "r1 A 198.51.100.11",
        "r2 A 198.51.100.12",
        "r4 A 198.51.100.14",
        f"{SENDER_IP}._ip A 127.0.0.2",
        '_dmarc TXT "v=DMARC1; p=none"',
        'over TXT "v=spf1 a:r1.bench.test include:bench.test -all"',
    ],
)


class _Reply(asyncio.DatagramProtocol):
    def __init__(self, future: asyncio.Future[bytes]) -> None:
        self.future = future

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not self.future.done():
            self.future.set_result(data)


class _Forward(asyncio.DatagramProtocol):
    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        self.upstream = upstream
        self.delay = delay
        self.transport: asyncio.DatagramTransport | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.count = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.DatagramTransport", transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.count += 1
        task = asyncio.ensure_future(self._forward(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _forward(self, data: bytes, addr: tuple[str, int]) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()
        transport, _ = await loop.create_datagram_endpoint(lambda: _Reply(future), remote_addr=self.upstream)
        try:
            transport.sendto(data)
            reply = await asyncio.wait_for(future, 5.0)
        except TimeoutError:
            return
        finally:
            transport.close()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.transport is not None:
            self.transport.sendto(reply, addr)


@contextmanager
def delaying_forwarder(upstream: tuple[str, int], delay: float) -> Iterator[tuple[int, _Forward]]:
    """A UDP forwarder on 127.0.0.1 (its own thread and event loop): yields its port."""
    loop = asyncio.new_event_loop()
    protocol = _Forward(upstream, delay)
    ready = threading.Event()
    port: list[int] = []

    async def serve() -> asyncio.DatagramTransport:
        transport, _ = await loop.create_datagram_endpoint(lambda: protocol, local_addr=("127.0.0.1", 0))
        port.append(transport.get_extra_info("sockname")[1])
        ready.set()
        return transport

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    transport = asyncio.run_coroutine_threadsafe(serve(), loop).result(5)
    ready.wait(5)
    try:
        yield port[0], protocol
    finally:
        loop.call_soon_threadsafe(transport.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@dataclass(frozen=True)
class Run:
    check: SpfCheck
    seconds: float
    sent: int


async def _once(port: int, domain: str, prefetch: bool) -> Run:
    source = DnsClientSource(DnsClient([Nameserver("127.0.0.1", port)], attempt_timeout=2.0), lifetime=5.0)
    started = time.monotonic()
    result = await check_host(
        source, SENDER_IP, domain, f"user@{domain}", helo=f"mail.{domain}", prefetch=prefetch
    )
    return Run(result, time.monotonic() - started, len(source.lookups))


async def _policy_once(port: int, domain: str) -> tuple[float, int, int]:
    source = DnsClientSource(DnsClient([Nameserver("127.0.0.1", port)], attempt_timeout=2.0), lifetime=5.0)
    started = time.monotonic()
    view = await analyze_spf_policy(source, domain)
    rounds = max((q.depth for q in view.queries), default=0)
    return time.monotonic() - started, rounds, view.lookups


def measure(server: DnsServer, latencies_ms: list[int], runs: int) -> None:
    """One table row per world, mode and latency. "rounds waited" is (wall - wall at 0 ms) / latency:
    the sequential round trips the check actually waited for, to set beside "min rounds"."""
    upstream = (server.host, server.port)
    header = (
        f"{'domain':16} {'latency':>7}  {'mode':10} {'result':9} {'lookups':>7} {'queries':>7} "
        f"{'min rounds':>10}  {'wall ms median (min-max)':24} {'rounds waited':>13}"
    )
    print(header)
    print("-" * len(header))
    baseline: dict[tuple[str, str], float] = {}

    def row(
        domain: str,
        latency: int,
        mode: str,
        result: str,
        lookups: int,
        sent: str,
        rounds: int,
        times: list[float],
    ) -> None:
        median = statistics.median(times)
        if latency == 0:
            baseline[(domain, mode)] = median
        waited = "-"
        if latency and (domain, mode) in baseline:
            waited = f"{(median - baseline[(domain, mode)]) / latency:.1f}"
        wall = f"{median:.1f} ({min(times):.1f}-{max(times):.1f})"
        print(
            f"{domain:16} {latency:>5}ms  {mode:10} {result:9} {lookups:>7} {sent:>7} {rounds:>10}  "
            f"{wall:24} {waited:>13}"
        )

    for latency in latencies_ms:
        with delaying_forwarder(upstream, latency / 1000) as (port, _):
            for domain in ("bench.test", "over.bench.test"):
                for prefetch in (True, False):
                    results = [asyncio.run(_once(port, domain, prefetch)) for _ in range(runs)]
                    first = results[0].check
                    row(
                        domain,
                        latency,
                        "ahead" if prefetch else "sequential",
                        first.result.value,
                        first.lookups,
                        str(results[0].sent),
                        first.min_rounds,
                        [r.seconds * 1000 for r in results],
                    )
            policy = [asyncio.run(_policy_once(port, "bench.test")) for _ in range(runs)]
            row(
                "bench.test",
                latency,
                "policy",
                "-",
                policy[0][2],
                "",
                policy[0][1],
                [p[0] * 1000 for p in policy],
            )


def describe_over_limit(port: int) -> None:
    run = asyncio.run(_once(port, "over.bench.test", True))
    error = run.check.error
    if error is None:
        return
    chain = " -> ".join(f"{step.domain}: {step.term}" for step in error.via)
    print(
        f"\nover.bench.test: {run.check.result.value}, {error.kind.value}: the 11th DNS-querying term is "
        f"{error.term!r} in {error.domain}'s record, reached through {chain}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", default="0,20,50", help="comma-separated added latency per query")
    args = parser.parse_args()
    latencies = [int(value) for value in args.latency_ms.split(",") if value.strip()]
    lab = make_lab_dir("maildoctor-spf-bench-")
    with running_dns(Path(lab) / "dns", [BENCH_ZONE]) as server:
        print(
            f"SPF check_host() on Unbound {server.nameserver} through a delaying forwarder, {args.runs} runs"
        )
        print(f"sender {SENDER_IP}; 'queries': DNS queries sent; 'min rounds': the deepest query needed\n")
        measure(server, latencies, args.runs)
        with delaying_forwarder((server.host, server.port), 0) as (port, _):
            describe_over_limit(port)


if __name__ == "__main__":
    main()
