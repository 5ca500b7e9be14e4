"""The check runner: checks observed through a fake network seam (no socket), and a check that
crashes leaves the rest of the report standing, with the exit status of interface.md."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from typing import Any

import pytest

from maildoctor import diagnose
from maildoctor.check_request import CheckRequest
from maildoctor.checks import registry, server
from maildoctor.checks.registry import Check, run_checks
from maildoctor.cli.app import main
from maildoctor.diagnose import run_check
from maildoctor.facts import ConnectOutcome, DnsLookup, DnsOutcome, HostResolution, PortProbe, ServerFacts
from maildoctor.i18n import Language, get_translator
from maildoctor.model import (
    CheckFault,
    CheckStatus,
    Endpoint,
    Protocol,
    Secret,
    Security,
    ServerRole,
    Verdict,
)
from maildoctor.net.connect import PortAnswers
from maildoctor.net.seam import Network
from maildoctor.probes.resolver_trial import CERTAIN_QUESTIONS
from maildoctor.report import report_to_json

PASSWORD = "Warm-Beach-Wave-Sun"  # a test password, to be found nowhere in the output
HOST = "mail.example.jp"
ADDRESS_OF_HOST = "192.0.2.10"  # TEST-NET-1: the fake connector never reaches it


class FakeResolver:
    """Every name of `hosts` has its address; the MX of example.jp is HOST; the names every resolver
    knows are there (unless it `lies`); nothing else exists."""

    def __init__(self, hosts: dict[str, str], *, lies: bool = False) -> None:
        self.hosts = hosts
        self.lies = lies
        self.asked: list[tuple[str, str]] = []

    async def lookup(self, name: str, rdtype: str, lifetime: float) -> DnsLookup:
        self.asked.append((name, rdtype))
        if (name, rdtype) in CERTAIN_QUESTIONS and not self.lies:
            return DnsLookup(name, rdtype, DnsOutcome.OK, ("192.0.2.99",), 1)
        if rdtype == "MX" and name == "example.jp":
            return DnsLookup(name, rdtype, DnsOutcome.OK, (f"10 {HOST}.",), 1)
        if rdtype == "A" and name in self.hosts:
            return DnsLookup(name, rdtype, DnsOutcome.OK, (self.hosts[name],), 1)
        if name in self.hosts:
            return DnsLookup(name, rdtype, DnsOutcome.NODATA, (), 1)
        return DnsLookup(name, rdtype, DnsOutcome.NXDOMAIN, (), 1)

    async def resolve_host(self, host: str, lifetime: float) -> HostResolution:
        return HostResolution(
            host, await self.lookup(host, "A", lifetime), await self.lookup(host, "AAAA", lifetime)
        )


@dataclass
class FakeConnector:
    """Nothing listens anywhere: every connect is refused, and remembered."""

    tried: list[tuple[str, int]] = field(default_factory=list)

    async def __call__(
        self,
        address: str,
        port: int,
        timeout: float,
        limit: int = 65536,
        answers: PortAnswers | None = None,
    ) -> tuple[PortProbe, asyncio.StreamReader | None, asyncio.StreamWriter | None]:
        self.tried.append((address, port))
        return PortProbe(address, port, ConnectOutcome.REFUSED, 1), None, None


def fake_network(*, lies: bool = False) -> tuple[Network, FakeResolver, FakeConnector]:
    resolver, connector = FakeResolver({HOST: ADDRESS_OF_HOST}, lies=lies), FakeConnector()
    return Network(resolver, connector), resolver, connector


def request(**changes: Any) -> CheckRequest:
    values: dict[str, Any] = {
        "address": "taro@example.jp",
        "incoming": Endpoint(Protocol.IMAP, HOST, 993, Security.SSL),
        "outgoing": Endpoint(Protocol.SMTP, HOST, 587, Security.STARTTLS),
        "password": Secret(PASSWORD),
        "discover": False,
        "sending_domain": False,
        "remember_failures": False,
        "timeout": 5.0,
    }
    return CheckRequest(**(values | changes))


@pytest.fixture
def crash_incoming(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examination of the incoming server raises (a bug), with the password in its message."""
    examine = server.examine_server

    async def crashing(job: server.ServerExamination, network: Network) -> ServerFacts:
        if job.role == ServerRole.INCOMING:
            raise RuntimeError(f"a bug while holding {PASSWORD}")
        return await examine(job, network)

    monkeypatch.setattr(server, "examine_server", crashing)


def test_the_runner_runs_through_the_fake_network_only() -> None:
    network, resolver, connector = fake_network()
    report, facts = asyncio.run(run_check(request(), network))
    assert {address for address, _ in connector.tried} == {ADDRESS_OF_HOST}
    assert (HOST, "A") in resolver.asked and ("example.jp", "MX") in resolver.asked
    rows = {(check.id, check.server): check.status for check in report.checks}
    for role in (ServerRole.INCOMING, ServerRole.OUTGOING):
        assert rows[("dns", role)] == CheckStatus.PASS
        assert rows[("tcp", role)] == CheckStatus.FAIL
    assert facts.domain_mx is not None and facts.domain_mx.outcome == DnsOutcome.OK
    assert report.verdict == Verdict.PROBLEMS
    assert report.findings
    assert all(check.fault is None for check in report.checks)


def test_the_resolver_trial_asks_the_seam_resolver_too() -> None:
    network, _, _ = fake_network(lies=True)
    report, _ = asyncio.run(run_check(request(), network))
    assert "DNS_RESOLVER_BROKEN" in [item.cause for item in report.findings]


def test_a_crashing_check_leaves_the_rest_of_the_report(crash_incoming: None) -> None:
    network, _, _ = fake_network()
    report, facts = asyncio.run(run_check(request(), network))
    assert [server.role for server in facts.servers] == [ServerRole.OUTGOING]
    crashed = [check for check in report.checks if check.fault is not None]
    assert [(check.id, check.server, check.status, check.fault) for check in crashed] == [
        ("incoming_server", ServerRole.INCOMING, CheckStatus.SKIP, CheckFault.CRASHED)
    ]
    assert "RuntimeError" in crashed[0].trace
    assert PASSWORD not in crashed[0].trace
    # the outgoing server's steps and its findings are all still there
    assert ("tcp", ServerRole.OUTGOING, CheckStatus.FAIL) in [
        (c.id, c.server, c.status) for c in report.checks
    ]
    servers_found = {str(item.server) for item in report.findings}
    assert "outgoing" in servers_found and "incoming" not in servers_found
    assert report.verdict == Verdict.PROBLEMS
    document = report_to_json(report, get_translator(Language.EN))
    entry = next(item for item in document["checks"] if item["id"] == "incoming_server")
    assert entry == {
        "id": "incoming_server",
        "server": "incoming",
        "status": "skip",
        "ms": entry["ms"],
        "could_not_run": "crashed",
    }
    assert PASSWORD not in json.dumps(document)


def test_a_check_that_could_not_run_makes_an_otherwise_clean_report_incomplete() -> None:
    async def fine(_network: Network) -> int:
        return 1

    async def broken(_network: Network) -> int:
        raise KeyError("bug")

    network, _, _ = fake_network()
    checks: list[Check[Any]] = [
        Check("fine", ServerRole.DOMAIN, fine),
        Check("broken", ServerRole.INPUT, broken),
    ]
    run = asyncio.run(run_checks(checks, network, deadline=network.clock() + 5))
    assert run.get(checks[0]) == 1
    assert run.get(checks[1]) is None
    assert [(row.id, row.status, row.fault) for row in run.rows(checks)] == [
        ("broken", CheckStatus.SKIP, CheckFault.CRASHED)
    ]
    from maildoctor.checks.verdict import settle

    _, verdict = settle(run.rows(checks), (), complete=True)
    assert verdict == Verdict.INCOMPLETE


def test_a_check_that_overruns_the_deadline_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "OVERRUN_SECONDS", 0.05)

    async def endless(_network: Network) -> None:
        await asyncio.sleep(30)

    async def quick(_network: Network) -> str:
        return "done"

    network, _, _ = fake_network()
    checks: list[Check[Any]] = [
        Check("endless", ServerRole.DOMAIN, endless),
        Check("quick", ServerRole.DOMAIN, quick),
    ]
    run = asyncio.run(run_checks(checks, network, deadline=network.clock()))
    assert run.get(checks[1]) == "done"
    assert [(row.id, row.fault) for row in run.faults] == [("endless", CheckFault.TIMED_OUT)]


def test_two_checks_with_one_id_are_refused() -> None:
    async def one(_network: Network) -> int:
        return 1

    network, _, _ = fake_network()
    with pytest.raises(ValueError, match="one id"):
        asyncio.run(run_checks([Check("x", ServerRole.DOMAIN, one)] * 2, network, deadline=0.0))


# --------------------------------------------------------------------------- the command line


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    """`maildoctor check` in this process, on the fake network (no discovery, no domain examination:
    those are not the runner's subject here)."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("XDG_CACHE_HOME", "/nonexistent-maildoctor-cache")
    network, _, _ = fake_network()
    monkeypatch.setattr(diagnose.Network, "system", classmethod(lambda cls, nameservers=(): network))

    async def nothing(*_args: object, **_kwargs: object) -> None:
        return None

    monkeypatch.setattr(diagnose, "_discover", nothing)
    monkeypatch.setattr(diagnose, "_sending_domain", nothing)

    def run(*args: str) -> Run:
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as exit_info:
            main(["check", "taro@example.jp", "--password-stdin", "--dns", "127.0.0.1:9", *args])
        code = exit_info.value.code
        return Run(code if isinstance(code, int) else 0, stdout.getvalue(), stderr.getvalue())

    return run


IMAPS = f"imaps://{HOST}"
SUBMISSION = f"smtp+starttls://{HOST}:587"


def test_cli_json_keeps_the_other_checks_and_exits_1(cli: Any, crash_incoming: None) -> None:
    run = cli("--incoming", IMAPS, "--outgoing", SUBMISSION, "--json")
    assert run.code == 1  # problems found on the outgoing server
    document = json.loads(run.stdout)
    statuses = {(item["id"], item["server"]): item["status"] for item in document["checks"]}
    assert statuses[("incoming_server", "incoming")] == "skip"
    assert statuses[("tcp", "outgoing")] == "fail"
    assert document["findings"]
    assert "Traceback" not in run.stdout + run.stderr
    assert PASSWORD not in run.stdout + run.stderr


def test_cli_says_in_japanese_that_a_part_could_not_run(cli: Any, crash_incoming: None) -> None:
    run = cli("--incoming", IMAPS, "--outgoing", SUBMISSION, "--lang", "ja")
    assert run.code == 1
    assert "maildoctor 自体の不具合" in run.stdout
    assert "実行できません" in run.stdout


def test_cli_exits_3_when_every_check_to_run_crashed(cli: Any, crash_incoming: None) -> None:
    run = cli("--incoming", IMAPS, "--lang", "en")
    assert run.code == 3
    assert "could not run" in run.stdout
    assert "fault in maildoctor" in run.stdout


def test_cli_debug_shows_the_traceback_without_the_password(cli: Any, crash_incoming: None) -> None:
    run = cli("--incoming", IMAPS, "--outgoing", SUBMISSION, "--json", "--debug")
    assert json.loads(run.stdout)["checks"]  # stdout stays JSON only
    assert "Traceback" in run.stderr and "RuntimeError" in run.stderr
    assert "a bug while holding ********" in run.stderr
    assert PASSWORD not in run.stdout + run.stderr
