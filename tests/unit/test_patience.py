"""How long a silent port is waited for once another port of the same server answered."""

from __future__ import annotations

import asyncio

import pytest

from maildoctor.facts import (
    AlternativeProbe,
    ConnectOutcome,
    DiagnosisFacts,
    DnsLookup,
    DnsOutcome,
    HostResolution,
    PortProbe,
    ServerFacts,
    SessionFacts,
)
from maildoctor.i18n import get_translator
from maildoctor.knowledge import render_evidence
from maildoctor.model import Endpoint, Finding, Protocol, Security, ServerRole
from maildoctor.net.connect import PortAnswers
from maildoctor.net.patience import FLOOR_SECONDS, ROUND_TRIPS, patience
from maildoctor.rules.engine import evaluate


@pytest.mark.parametrize(
    ("answer_ms", "full", "expected"),
    [
        (3, 5.0, FLOOR_SECONDS),  # a near server: the floor (one lost SYN can be resent)
        (0, 5.0, FLOOR_SECONDS),
        (-5, 5.0, FLOOR_SECONDS),  # a clock step back never makes it shorter than the floor
        (200, 5.0, ROUND_TRIPS * 0.2),  # a far one: a few round trips
        (400, 5.0, 4.0),
        (900, 5.0, 5.0),  # never beyond the full timeout
        (3, 1.0, 1.0),  # nor beyond a full timeout shorter than the floor
    ],
)
def test_patience(answer_ms: int, full: float, expected: float) -> None:
    assert patience(answer_ms, full) == pytest.approx(expected)


def test_patience_grows_with_the_round_trip() -> None:
    waits = [patience(ms, 30.0) for ms in (1, 100, 200, 300, 1000, 5000)]
    assert waits == sorted(waits)
    assert waits[0] < waits[-1] == 30.0


def test_answers_wake_a_waiter_for_another_port_only() -> None:
    async def scenario() -> tuple[bool, bool, PortProbe, bool]:
        answers = PortAnswers()
        waiter = answers.other_port("192.0.2.1", 587)
        answers.record(PortProbe("192.0.2.1", 587, ConnectOutcome.OPEN, 2))  # its own port: no
        answers.record(PortProbe("192.0.2.2", 465, ConnectOutcome.OPEN, 2))  # another address: no
        answers.record(PortProbe("192.0.2.1", 25, ConnectOutcome.REFUSED, 2))  # refused: no
        before = waiter.done()
        answers.record(PortProbe("192.0.2.1", 465, ConnectOutcome.OPEN, 3))
        after = waiter.done()
        # a later waiter gets the answer already there at once
        late = answers.other_port("192.0.2.1", 993)
        forgotten = answers.other_port("192.0.2.9", 587)
        answers.forget(forgotten)
        return before, after, late.result(), forgotten.cancelled()

    before, after, late, forgotten = asyncio.run(scenario())
    assert not before
    assert after
    assert (late.port, late.ms) == (587, 2)
    assert forgotten


def _outgoing(connect: PortProbe, alternative_open: bool) -> ServerFacts:
    endpoint = Endpoint(Protocol.SMTP, "mail.example.test", 587, Security.STARTTLS)
    outcome = ConnectOutcome.OPEN if alternative_open else ConnectOutcome.TIMEOUT
    alternative = AlternativeProbe(
        Protocol.SMTP,
        465,
        Security.SSL,
        PortProbe("127.0.0.1", 465, outcome, 3 if alternative_open else 5000),
    )
    resolution = HostResolution(
        endpoint.host,
        DnsLookup(endpoint.host, "A", DnsOutcome.OK, ("127.0.0.1",)),
        DnsLookup(endpoint.host, "AAAA", DnsOutcome.NODATA),
    )
    session = SessionFacts(role=ServerRole.OUTGOING, endpoint=endpoint, address="127.0.0.1", connect=connect)
    return ServerFacts(ServerRole.OUTGOING, endpoint, "alice", resolution, session, (alternative,))


def _evidence(finding: Finding, language: str) -> str:
    translator = get_translator(language)
    return "\n".join(render_evidence(item, translator) for item in finding.evidence)


def test_a_shortened_wait_is_said_in_the_evidence() -> None:
    connect = PortProbe("127.0.0.1", 587, ConnectOutcome.TIMEOUT, 1502, "", 465, 3)
    facts = DiagnosisFacts(
        "alice@example.test", "example.test", (_outgoing(connect, True),), resolver_alive=True
    )
    findings = evaluate(facts)
    assert [item.cause for item in findings] == ["PORT_BLOCKED"]
    english = _evidence(findings[0], "en")
    japanese = _evidence(findings[0], "ja")
    assert "Port 465 of the same server answered in 3 ms; port 587 gave no answer in 1.5 s" in english
    assert "同じサーバーのポート 465 は 3 ミリ秒で応答しました" in japanese
    assert "1.5 秒待っても応答がなかった" in japanese


def test_a_full_wait_says_nothing_of_other_ports() -> None:
    connect = PortProbe("127.0.0.1", 587, ConnectOutcome.TIMEOUT, 5003)
    facts = DiagnosisFacts(
        "alice@example.test", "example.test", (_outgoing(connect, False),), resolver_alive=True
    )
    findings = evaluate(facts)
    assert [item.cause for item in findings] == ["SERVER_UNREACHABLE"]
    english = _evidence(findings[0], "en")
    assert "same server answered" not in english
