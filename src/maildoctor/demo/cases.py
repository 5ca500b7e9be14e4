"""The demo's examples: one broken set-up each, diagnosed by the real engine against real servers.

Each case is only a CheckRequest, what a person would type into `maildoctor check`, aimed at the
demo's servers (world.py); `expected` is the cause the diagnosis should put first (None: no
problem at all). Nothing here decides a finding: run_check does, from what the servers said.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from maildoctor.check_request import CheckRequest
from maildoctor.demo.world import ALICE, BOB, CAROL, PROVIDER_HOST, SHOP_HOST, DemoWorld, demo_world
from maildoctor.diagnose import run_check
from maildoctor.i18n import N_
from maildoctor.model import Endpoint, Protocol, Report, Secret, Security, Verdict

CASE_TIMEOUT = 10.0  # seconds for one diagnosis; on loopback each takes well under one


@dataclass(frozen=True)
class DemoCase:
    key: str
    title: str  # English message id (N_), translated when shown
    story: str  # what is wrong with the set-up, in the words of the person who has it
    expected: str | None  # the cause the diagnosis must put first; None: no problem
    build: Callable[[DemoWorld], CheckRequest]


def _endpoint(protocol: Protocol, security: Security, host: str, port: int) -> Endpoint:
    return Endpoint(protocol=protocol, host=host, port=port, security=security)


def _request(world: DemoWorld, key: str, *, rental: bool = False, **fields: Any) -> CheckRequest:
    return CheckRequest(
        nameservers=(world.nameserver,),
        ca_file=world.ca_file,
        timeout=CASE_TIMEOUT,
        port_map=world.rental_ports if rental else world.provider_ports,
        cache_dir=world.cache_dir(key),
        **fields,
    )


def _imaps(world: DemoWorld, standard_port: int, *, rental: bool = False) -> Endpoint:
    ports = world.rental_ports if rental else world.provider_ports
    return _endpoint(
        Protocol.IMAP, Security.SSL, SHOP_HOST if rental else PROVIDER_HOST, ports[standard_port]
    )


def _ssl_on_starttls_port(world: DemoWorld) -> CheckRequest:
    return _request(
        world,
        "ssl-on-starttls-port",
        address=ALICE.address,
        username=ALICE.name,
        password=Secret(ALICE.password),
        incoming=_imaps(world, 143),  # SSL/TLS typed, with the port of STARTTLS
    )


def _wrong_password(world: DemoWorld) -> CheckRequest:
    return _request(
        world,
        "wrong-password",
        address=ALICE.address,
        username=ALICE.name,
        password=Secret("blue-harbour-41"),  # the password before the last change
        incoming=_imaps(world, 993),
        outgoing=_endpoint(Protocol.SMTP, Security.STARTTLS, PROVIDER_HOST, world.provider_ports[587]),
    )


def _certificate_for_another_name(world: DemoWorld) -> CheckRequest:
    return _request(
        world,
        "certificate-for-another-name",
        rental=True,
        address=BOB.address,
        username=BOB.name,
        password=Secret(BOB.password),
        incoming=_imaps(world, 993, rental=True),
    )


def _sending_without_login(world: DemoWorld) -> CheckRequest:
    return _request(
        world,
        "sending-without-login",
        address=ALICE.address,
        username=ALICE.name,
        password=Secret(ALICE.password),
        incoming=_imaps(world, 993),
        outgoing=_endpoint(Protocol.SMTP, Security.STARTTLS, PROVIDER_HOST, world.provider_ports[587]),
        outgoing_auth=False,  # "outgoing server requires authentication" is off
    )


def _mailbox_almost_full(world: DemoWorld) -> CheckRequest:
    return _request(
        world,
        "mailbox-almost-full",
        address=CAROL.address,
        username=CAROL.name,
        password=Secret(CAROL.password),
        incoming=_imaps(world, 993),
    )


def _healthy(world: DemoWorld) -> CheckRequest:
    return _request(
        world,
        "healthy",
        address=ALICE.address,
        username=ALICE.name,
        password=Secret(ALICE.password),
        incoming=_imaps(world, 993),
        outgoing=_endpoint(Protocol.SMTP, Security.SSL, PROVIDER_HOST, world.provider_ports[465]),
    )


CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "ssl-on-starttls-port",
        N_("SSL/TLS chosen for the port that is meant for STARTTLS"),
        N_(
            "The mail program is set to SSL/TLS, but the port number is the one the server uses "
            "for STARTTLS (143 on a real server)."
        ),
        "PORT_SECURITY_MISMATCH",
        _ssl_on_starttls_port,
    ),
    DemoCase(
        "wrong-password",
        N_("A wrong password"),
        N_(
            "The password was changed on the provider's web page, but the mail program still has the old one."
        ),
        "AUTH_FAILED",
        _wrong_password,
    ),
    DemoCase(
        "certificate-for-another-name",
        N_("A certificate issued for another server name"),
        N_(
            "The shop's mail is on a rental server. Its certificate is issued for the rental "
            "server's own name, not for the name set in the mail program."
        ),
        "TLS_CERT_NAME_MISMATCH",
        _certificate_for_another_name,
    ),
    DemoCase(
        "sending-without-login",
        N_("Sending without logging in"),
        N_(
            "“Outgoing server requires authentication” is off in the mail program. "
            "Receiving works, but the server passes mail on only for those who log in."
        ),
        "SMTP_AUTH_REQUIRED",
        _sending_without_login,
    ),
    DemoCase(
        "mailbox-almost-full",
        N_("A mailbox that is almost full"),
        N_("Every photo ever received is still in the mailbox, and the provider's limit is close."),
        "MAILBOX_FULL",
        _mailbox_almost_full,
    ),
    DemoCase(
        "healthy",
        N_("An account that works"),
        N_("Everything is set up right: the diagnosis should find no problem."),
        None,
        _healthy,
    ),
)


@dataclass(frozen=True)
class CaseOutcome:
    case: DemoCase
    request: CheckRequest
    report: Report

    @property
    def top_cause(self) -> str | None:
        return self.report.findings[0].cause if self.report.findings else None

    @property
    def as_expected(self) -> bool:
        if self.case.expected is None:
            return self.report.verdict == Verdict.OK and not self.report.findings
        return self.top_cause == self.case.expected


@dataclass(frozen=True)
class DemoRun:
    outcomes: tuple[CaseOutcome, ...]
    standard_ports: tuple[tuple[int, int], ...]  # (standard, demo) for the provider's served ports
    seconds: float
    server_errors: tuple[str, ...]  # what the servers' event loop reported (connections cut short)

    @property
    def failed(self) -> tuple[CaseOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.as_expected)


@contextlib.contextmanager
def _quiet_loop_errors(loop: asyncio.AbstractEventLoop) -> Iterator[list[str]]:
    """Keep the servers' side of connections the diagnosis cuts short (port probes) off the screen."""
    seen: list[str] = []
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        seen.append(str(context.get("message", "")))

    loop.set_exception_handler(handler)
    try:
        yield seen
    finally:
        loop.set_exception_handler(previous)


async def _drain(tasks: set[asyncio.Task[Any]], timeout: float) -> None:
    """Let the servers' connection handlers end (the clients have gone), then cancel the rest."""
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


async def run_demo(cases: Sequence[DemoCase] = CASES) -> DemoRun:
    """Start the demo's servers, diagnose every case against them at once, stop the servers."""
    started = time.monotonic()
    current = asyncio.current_task()
    before = asyncio.all_tasks()
    with _quiet_loop_errors(asyncio.get_running_loop()) as errors:
        async with demo_world() as world:
            requests = [case.build(world) for case in cases]
            results = await asyncio.gather(*(run_check(request) for request in requests))
            served = tuple((standard, world.provider_ports[standard]) for standard in (993, 143, 587, 465))
        await _drain(asyncio.all_tasks() - before - {current} if current else set(), timeout=1.0)
    outcomes = tuple(
        CaseOutcome(case, request, report)
        for case, request, (report, _) in zip(cases, requests, results, strict=True)
    )
    return DemoRun(outcomes, served, time.monotonic() - started, tuple(errors))
