"""How each step of a server's examination went, decided once: the live view and the checks table
both read it from here. Pure: facts in, a `CheckStatus` out.
"""

from __future__ import annotations

from collections.abc import Iterator

from maildoctor.facts import (
    ConnectOutcome,
    DnsOutcome,
    GreetingKind,
    HostResolution,
    LoginFacts,
    LoginOutcome,
    MailboxFacts,
    PortProbe,
    RoundtripFacts,
    SendFacts,
    ServerFacts,
    TlsSummary,
)
from maildoctor.model import CheckStatus

Step = HostResolution | PortProbe | TlsSummary | GreetingKind | LoginFacts | MailboxFacts | SendFacts

_PASS, _FAIL, _SKIP = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.SKIP


def _passed(ok: bool) -> CheckStatus:
    return _PASS if ok else _FAIL


def step_status(value: Step | RoundtripFacts) -> CheckStatus:
    """pass, fail, or skip (a login not attempted; a test message never sent)."""
    if isinstance(value, HostResolution):
        return _passed(value.outcome == DnsOutcome.OK)
    if isinstance(value, PortProbe):
        return _passed(value.outcome == ConnectOutcome.OPEN)
    if isinstance(value, TlsSummary):
        return _passed(value.error_kind is None and value.verify_error is None)
    if isinstance(value, LoginFacts):
        return {LoginOutcome.SUCCESS: _PASS, LoginOutcome.SKIPPED: _SKIP}.get(value.outcome, _FAIL)
    if isinstance(value, SendFacts):
        steps = (value.mail_from, value.rcpt_to)
        return _passed(all(step is None or (step.words.reply_code or 0) < 400 for step in steps))
    if isinstance(value, RoundtripFacts):
        return roundtrip_status(sent=value.sent, arrived=value.arrived)
    if isinstance(value, MailboxFacts):
        return _PASS
    return _passed(value == GreetingKind.OK)


def roundtrip_status(*, sent: bool, arrived: bool) -> CheckStatus:
    return _PASS if arrived else _FAIL if sent else _SKIP


def step_passed(value: Step | RoundtripFacts) -> bool:
    """For a live view: a step that did not fail (a skipped login) ticks over as passed; a test
    message ticks only when it arrived."""
    status = step_status(value)
    return status == _PASS if isinstance(value, RoundtripFacts) else status != _FAIL


def server_steps(server: ServerFacts) -> Iterator[tuple[str, CheckStatus, int]]:
    """Each step the examination of one server reached: (check id, status, ms)."""
    if server.resolution is not None:
        resolution = server.resolution
        yield "dns", step_status(resolution), max(resolution.ipv4.ms, resolution.ipv6.ms)
    session = server.session
    if session is None:
        return
    timed: tuple[tuple[str, Step | None, int], ...] = (
        ("tcp", session.connect, session.connect.ms if session.connect else 0),
        ("tls", session.tls, 0),
        ("greeting", session.greeting_kind, 0),
        ("login", session.login, session.login.ms if session.login else 0),
        ("mailbox", session.mailbox, 0),
        ("send", session.send, 0),
    )
    for check_id, value, ms in timed:
        if value is not None:
            yield check_id, step_status(value), ms
