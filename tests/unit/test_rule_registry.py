"""Rules register themselves: a new rule reaches `evaluate` with no line in engine.py, facts.py or
diagnose.py (rules/registry.py)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import maildoctor.rules
from maildoctor.facts import (
    ConnectOutcome,
    DiagnosisFacts,
    DnsLookup,
    DnsOutcome,
    GreetingKind,
    HostResolution,
    LoginFacts,
    LoginOutcome,
    PortProbe,
    ServerFacts,
    SessionFacts,
)
from maildoctor.model import Endpoint, Finding, Protocol, Security, ServerRole
from maildoctor.rules import registry
from maildoctor.rules.base import finding
from maildoctor.rules.engine import evaluate

IMAPS = Endpoint(Protocol.IMAP, "mail.example.test", 993, Security.SSL)


def _healthy_server() -> ServerFacts:
    resolution = HostResolution(
        IMAPS.host,
        DnsLookup(IMAPS.host, "A", DnsOutcome.OK, ("127.0.0.1",)),
        DnsLookup(IMAPS.host, "AAAA", DnsOutcome.NODATA),
    )
    session = SessionFacts(
        role=ServerRole.INCOMING,
        endpoint=IMAPS,
        address="127.0.0.1",
        connect=PortProbe("127.0.0.1", 993, ConnectOutcome.OPEN, 1),
        greeting_kind=GreetingKind.OK,
        login=LoginFacts(LoginOutcome.SUCCESS),
    )
    return ServerFacts(ServerRole.INCOMING, IMAPS, "alice", resolution, session)


FACTS = DiagnosisFacts("alice@example.test", "example.test", (_healthy_server(),))


@pytest.fixture
def cleanup() -> Iterator[list[str]]:
    """Names of the rules a test registers, removed afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        registry.unregister(name)


def test_the_built_in_rules_register_themselves_in_their_order() -> None:
    """The rules of today in the order engine.py ran them by hand; a new rule may go anywhere between."""
    rules = registry.registered()
    diagnosis = {rule.name: rule for rule in rules if isinstance(rule, registry.DiagnosisRule)}
    assert [name for name in diagnosis if name in ("network-offline", "settings", "pop-delete-risk")] == [
        "network-offline",
        "settings",
        "pop-delete-risk",
    ]
    assert [diagnosis[name].after_servers for name in ("network-offline", "settings", "pop-delete-risk")] == [
        False,
        False,
        True,
    ]
    server = [rule.name for rule in rules if isinstance(rule, registry.ServerRule)]
    built_in = [
        "dns",
        "transport",
        "security-mismatch",
        "starttls",
        "certificate",
        "auth",
        "outage",
        "sending",
        "mailbox",
    ]
    assert [name for name in server if name in built_in] == built_in
    gates = [rule.name for rule in rules if isinstance(rule, registry.ServerRule) and rule.gate]
    assert gates == ["security-mismatch"]


def test_a_rule_registered_here_adds_its_finding(cleanup: list[str]) -> None:
    assert evaluate(FACTS) == ()

    def too_many(facts: DiagnosisFacts, server: ServerFacts) -> Sequence[Finding]:
        return [finding("TOO_MANY_CONNECTIONS", server.role, {"host": server.endpoint.host})]

    cleanup.append(registry.server_rule("test-too-many", 75, too_many).name)
    found = evaluate(FACTS)
    assert [(item.cause, item.param("host")) for item in found] == [
        ("TOO_MANY_CONNECTIONS", "mail.example.test")
    ]


def test_a_gate_rule_stops_the_later_rules_of_its_server(cleanup: list[str]) -> None:
    def gate(facts: DiagnosisFacts, server: ServerFacts) -> Sequence[Finding]:
        return [finding("SERVER_OUTAGE", server.role)]

    def later(facts: DiagnosisFacts, server: ServerFacts) -> Sequence[Finding]:
        return [finding("TOO_MANY_CONNECTIONS", server.role)]

    cleanup.append(registry.server_rule("test-later", 35, later).name)
    assert [item.cause for item in evaluate(FACTS)] == ["TOO_MANY_CONNECTIONS"]
    cleanup.append(registry.server_rule("test-gate", 32, gate, gate=True).name)
    assert [item.cause for item in evaluate(FACTS)] == ["SERVER_OUTAGE"]


def test_diagnosis_rules_run_before_and_after_the_servers(cleanup: list[str]) -> None:
    seen: list[str] = []

    def before(facts: DiagnosisFacts) -> Sequence[Finding]:
        seen.append("before")
        return []

    def per_server(facts: DiagnosisFacts, server: ServerFacts) -> Sequence[Finding]:
        seen.append("server")
        return []

    def after(facts: DiagnosisFacts) -> Sequence[Finding]:
        seen.append("after")
        return []

    cleanup += ["test-after", "test-server", "test-before"]
    registry.diagnosis_rule("test-after", 1, after, after_servers=True)
    registry.server_rule("test-server", 1, per_server)
    registry.diagnosis_rule("test-before", 99, before)
    evaluate(FACTS)
    assert seen == ["before", "server", "after"]


def test_two_rules_of_one_name_are_refused(cleanup: list[str]) -> None:
    cleanup.append(registry.diagnosis_rule("test-twice", 1, lambda facts: []).name)
    with pytest.raises(ValueError, match="test-twice"):
        registry.diagnosis_rule("test-twice", 2, lambda facts: [])


def test_a_new_module_in_the_rules_package_is_found_by_discovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cleanup: list[str]
) -> None:
    """A rule file dropped into rules/ (here: a folder added to the package's path) needs no import
    anywhere: discovery imports it and its rule runs."""
    (tmp_path / "zz_test_new_rule.py").write_text(
        textwrap.dedent(
            """
            from maildoctor.rules.base import finding
            from maildoctor.rules.registry import server_rule

            server_rule(
                "test-new-module",
                95,
                lambda facts, server: [finding("MAILBOX_FULL", server.role, {"percent": "97"})],
            )
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(maildoctor.rules, "__path__", [*maildoctor.rules.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "maildoctor.rules.zz_test_new_rule", raising=False)
    registry.discover.cache_clear()
    cleanup.append("test-new-module")
    try:
        assert "maildoctor.rules.zz_test_new_rule" in registry.discover()
        assert [(item.cause, item.param("percent")) for item in evaluate(FACTS)] == [("MAILBOX_FULL", "97")]
    finally:
        registry.discover.cache_clear()
        sys.modules.pop("maildoctor.rules.zz_test_new_rule", None)
