"""Each step's pass/fail/skip, decided once for the checks table and the live view (probes/steps.py)."""

from __future__ import annotations

import pytest

from maildoctor.facts import (
    ConnectOutcome,
    DnsLookup,
    DnsOutcome,
    GreetingKind,
    HostResolution,
    LoginFacts,
    LoginOutcome,
    LoginSkip,
    MailboxFacts,
    PortProbe,
    RoundtripFacts,
    SendFacts,
    ServerFacts,
    ServerWords,
    SessionFacts,
    SmtpStep,
    TlsSummary,
)
from maildoctor.model import CheckStatus, Endpoint, Protocol, Security, ServerRole
from maildoctor.probes.steps import Step, server_steps, step_passed, step_status

PASS, FAIL, SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.SKIP
OK_TLS = TlsSummary(version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384", error_kind=None)


def smtp(code: int) -> SmtpStep:
    return SmtpStep("RCPT TO", ServerWords(f"{code} x", reply_code=code))


@pytest.mark.parametrize(
    ("value", "status", "passed"),
    [
        (PortProbe("192.0.2.1", 993, ConnectOutcome.OPEN, 3), PASS, True),
        (PortProbe("192.0.2.1", 993, ConnectOutcome.TIMEOUT, 3), FAIL, False),
        (OK_TLS, PASS, True),
        (TlsSummary(version=None, cipher=None, error_kind="handshake_timeout"), FAIL, False),
        (TlsSummary(version="TLSv1.2", cipher="x", error_kind=None, verify_error="expired"), FAIL, False),
        (GreetingKind.OK, PASS, True),
        (GreetingKind.TLS_EXPECTED, FAIL, False),
        (LoginFacts(LoginOutcome.SUCCESS), PASS, True),
        # a login not attempted is "skipped" in the table and does not tick as failed
        (LoginFacts(LoginOutcome.SKIPPED, skip_reason=LoginSkip.NO_PASSWORD), SKIP, True),
        (LoginFacts(LoginOutcome.REFUSED), FAIL, False),
        (LoginFacts(LoginOutcome.ERROR), FAIL, False),
        (MailboxFacts(messages=3), PASS, True),
        (SendFacts(smtp(250), smtp(250)), PASS, True),
        (SendFacts(smtp(250), smtp(554)), FAIL, False),
        (SendFacts(smtp(451), None), FAIL, False),
        (RoundtripFacts(sent=True, arrived=True), PASS, True),
        (RoundtripFacts(sent=True), FAIL, False),
        # a test message never sent is "skipped" in the table, but only an arrival ticks
        (RoundtripFacts(sent=False), SKIP, False),
    ],
)
def test_step_status_and_the_live_tick(
    value: Step | RoundtripFacts, status: CheckStatus, passed: bool
) -> None:
    assert step_status(value) == status
    assert step_passed(value) is passed


def lookup(outcome: DnsOutcome, ms: int) -> DnsLookup:
    return DnsLookup("mail.example.jp", "A", outcome, ("192.0.2.1",) if outcome == DnsOutcome.OK else (), ms)


def test_the_steps_of_a_server_in_order_with_their_times() -> None:
    endpoint = Endpoint(Protocol.IMAP, "mail.example.jp", 993, Security.SSL)
    resolution = HostResolution("mail.example.jp", lookup(DnsOutcome.OK, 4), lookup(DnsOutcome.NODATA, 9))
    session = SessionFacts(
        role=ServerRole.INCOMING,
        endpoint=endpoint,
        address="192.0.2.1",
        connect=PortProbe("192.0.2.1", 993, ConnectOutcome.OPEN, 12),
        tls=OK_TLS,
        greeting_kind=GreetingKind.OK,
        login=LoginFacts(LoginOutcome.REFUSED, ms=240),
    )
    server = ServerFacts(ServerRole.INCOMING, endpoint, "taro", resolution, session)
    assert list(server_steps(server)) == [
        ("dns", PASS, 9),
        ("tcp", PASS, 12),
        ("tls", PASS, 0),
        ("greeting", PASS, 0),
        ("login", FAIL, 240),
    ]


def test_a_server_whose_name_did_not_resolve_has_only_its_dns_step() -> None:
    endpoint = Endpoint(Protocol.SMTP, "mail.example.jp", 587, Security.STARTTLS)
    resolution = HostResolution(
        "mail.example.jp", lookup(DnsOutcome.NXDOMAIN, 5), lookup(DnsOutcome.NXDOMAIN, 6)
    )
    assert list(server_steps(ServerFacts(ServerRole.OUTGOING, endpoint, "taro", resolution))) == [
        ("dns", FAIL, 6)
    ]
