"""What was typed against what is right: retired servers, the user-name form, unconfirmed discoveries.

Pure: the typed settings and what discovery and the provider data said (`SettingsKnowledge`) in,
findings out. A difference alone is not a fault (a server may accept both user-name forms); where
the server's own answer is known, it decides how serious the difference is.
"""

from __future__ import annotations

from collections.abc import Iterable

from maildoctor.facts import (
    DiagnosisFacts,
    ExpectedServer,
    GreetingKind,
    LoginOutcome,
    ServerFacts,
    SettingsKnowledge,
)
from maildoctor.i18n import N_
from maildoctor.model import IMPLICIT_TLS_PORTS, PLAIN_START_PORTS, Evidence, Finding, Security, Severity
from maildoctor.rules.base import finding
from maildoctor.rules.registry import diagnosis_rule

# Sources that speak for the provider; a guess or an MX match says nothing about the user-name form.
_AUTHORITATIVE_SOURCES = frozenset({"provider", "autoconfig", "autodiscover"})


def settings_findings(facts: DiagnosisFacts) -> list[Finding]:
    knowledge = facts.settings
    if knowledge is None:
        return []
    found: list[Finding] = []
    found += _outdated(facts, knowledge)
    found += _username_form(facts, knowledge)
    found += _unconfirmed(facts, knowledge)
    found += _unprobed_pairs(facts, knowledge)
    return found


def mismatched_pair(port: int, security: Security) -> bool:
    """SSL/TLS on a port that starts in plain text, or plain/STARTTLS on an SSL/TLS port."""
    if port in IMPLICIT_TLS_PORTS:
        return security != Security.SSL
    return port in PLAIN_START_PORTS and security == Security.SSL


def _unprobed_pairs(facts: DiagnosisFacts, knowledge: SettingsKnowledge) -> list[Finding]:
    """Without a probe (the settings memo), a port and encryption that cannot go together."""
    found: list[Finding] = []
    for server in facts.servers:
        endpoint = server.endpoint
        if server.session is not None or not mismatched_pair(endpoint.port, endpoint.security):
            continue
        right = next(
            (
                item.endpoint
                for item in knowledge.expected
                if item.role == server.role
                and item.endpoint.protocol == endpoint.protocol
                and item.endpoint.host == endpoint.host.lower().rstrip(".")
            ),
            None,
        )
        found.append(
            finding(
                "PORT_SECURITY_MISMATCH",
                server.role,
                {
                    "role": server.role,
                    "host": endpoint.host,
                    "port": endpoint.port,
                    "typed_security": endpoint.security,
                    "right_port": right.port if right else None,
                    "right_security": right.security if right else None,
                },
                [
                    Evidence.of(
                        N_("Port {port} does not go with {typed_security}."),
                        port=endpoint.port,
                        typed_security=endpoint.security,
                    )
                ],
            )
        )
    return found


def _server(facts: DiagnosisFacts, role: str) -> ServerFacts | None:
    return next((server for server in facts.servers if server.role == role), None)


def _worked(server: ServerFacts | None) -> bool:
    return (
        server is not None and server.session is not None and server.session.greeting_kind == GreetingKind.OK
    )


def _outdated(facts: DiagnosisFacts, knowledge: SettingsKnowledge) -> list[Finding]:
    found: list[Finding] = []
    for match in knowledge.retired:
        evidence: list[str | Evidence] = [
            Evidence.of(
                N_(
                    "{provider} no longer uses {typed_host} (port {typed_port}); "
                    "it was replaced by {right_host}."
                ),
                provider=match.provider,
                typed_host=match.typed_host,
                typed_port=match.typed_port,
                right_host=match.right_host,
            )
        ]
        if match.since:
            evidence.append(Evidence.of(N_("Changed on: {since}"), since=match.since))
        found.append(
            finding(
                "SETTINGS_OUTDATED",
                match.role,
                {
                    "role": match.role,
                    "typed_host": match.typed_host,
                    "right_host": match.right_host,
                    "right_port": match.right_port,
                    "right_security": match.right_security,
                },
                evidence,
                severity=Severity.WARNING if _worked(_server(facts, match.role)) else Severity.ERROR,
            )
        )
    return found


def _expected_for(server: ServerFacts, expected: Iterable[ExpectedServer]) -> ExpectedServer | None:
    """The provider's own entry for the typed server: same protocol, the same host first."""
    same_protocol = [
        item
        for item in expected
        if item.role == server.role
        and item.endpoint.protocol == server.endpoint.protocol
        and item.source in _AUTHORITATIVE_SOURCES
        and item.username
    ]
    host = server.endpoint.host.lower().rstrip(".")
    return next(
        (item for item in same_protocol if item.endpoint.host.lower().rstrip(".") == host),
        same_protocol[0] if same_protocol else None,
    )


def other_form(typed: str, right: str, address: str) -> bool:
    """True when one is the full address and the other only its part before @."""
    local = address.rpartition("@")[0].lower()
    pair = {typed.strip().lower(), right.strip().lower()}
    return bool(local) and pair == {local, address.strip().lower()}


def _username_form(facts: DiagnosisFacts, knowledge: SettingsKnowledge) -> list[Finding]:
    found: list[Finding] = []
    for server in facts.servers:
        if server.role in knowledge.filled:
            continue
        expected = _expected_for(server, knowledge.expected)
        if expected is None or not other_form(server.username, expected.username, facts.address):
            continue
        login = server.session.login if server.session is not None else None
        if login is not None and login.outcome == LoginOutcome.SUCCESS:
            continue  # the server takes this form as well
        refused = login is not None and login.outcome == LoginOutcome.REFUSED
        if not (knowledge.username_typed or refused):
            continue  # no user name given: the address was assumed, and nothing says it is wrong
        evidence: list[str | Evidence] = [
            Evidence.of(
                N_("Typed user name: {typed_username}; the settings of {source} say: {right_username}"),
                typed_username=server.username,
                source=knowledge.provider or expected.endpoint.host,
                right_username=expected.username,
            )
        ]
        found.append(
            finding(
                "USERNAME_FORM",
                server.role,
                {
                    "role": server.role,
                    "typed_username": server.username,
                    "right_username": expected.username,
                },
                evidence,
                severity=Severity.ERROR if refused else Severity.WARNING,
            )
        )
    return found


def _unconfirmed(facts: DiagnosisFacts, knowledge: SettingsKnowledge) -> list[Finding]:
    found: list[Finding] = []
    for server in facts.servers:
        if server.role not in knowledge.filled:
            continue
        used = next(
            (
                item
                for item in knowledge.expected
                if item.role == server.role and item.endpoint == server.endpoint and item.needs_consent
            ),
            None,
        )
        if used is None:
            continue
        evidence: list[str | Evidence] = [
            Evidence.of(
                N_("{host} was found through a forwarding to another domain or an unprotected page."),
                host=server.endpoint.host,
            ),
            Evidence.of(N_("The password was not sent to it.")),
        ]
        found.append(
            finding(
                "SETTINGS_UNCONFIRMED",
                server.role,
                {
                    "role": server.role,
                    "host": server.endpoint.host,
                    "option": server.role.value,
                    "url": server.endpoint.url,
                },
                evidence,
            )
        )
    return found


def nearest_host(typed: str, known: Iterable[str]) -> str | None:
    """The known host name `typed` is most likely a typo of (at most two edits away), if any."""
    text = typed.strip().lower().rstrip(".")
    best: tuple[int, str] | None = None
    for candidate in known:
        name = candidate.lower().rstrip(".")
        if name == text or "%" in name or abs(len(name) - len(text)) > 2:
            continue
        distance = _edit_distance(text, name)
        limit = 1 if len(text) < 10 else 2
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, name)
    return None if best is None else best[1]


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


diagnosis_rule("settings", 20, settings_findings)
