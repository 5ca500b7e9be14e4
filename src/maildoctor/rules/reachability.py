"""DNS and transport: can the server be found and reached at all, on the typed port?"""

from __future__ import annotations

from maildoctor.facts import ConnectOutcome, DiagnosisFacts, DnsOutcome, ServerFacts
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, Protocol, ServerRole
from maildoctor.rules.base import any_alternative_open, finding, working_alternative
from maildoctor.rules.registry import diagnosis_rule, server_rule
from maildoctor.rules.settings import nearest_host


def network_offline(facts: DiagnosisFacts) -> list[Finding]:
    if facts.resolver_alive is False:
        evidence = [Evidence.of(N_("No DNS answer for any name."))]
        return [finding("NETWORK_OFFLINE", ServerRole.INPUT, evidence=evidence)]
    return []


def dns_findings(facts: DiagnosisFacts, server: ServerFacts) -> list[Finding]:
    resolution = server.resolution
    if resolution is None or resolution.outcome == DnsOutcome.OK or facts.resolver_alive is False:
        return []
    host = resolution.host
    outcome = resolution.outcome
    evidence: list[str | Evidence] = [
        Evidence.of(N_("{host} (IPv4): {outcome}"), host=host, outcome=resolution.ipv4.outcome),
        Evidence.of(N_("{host} (IPv6): {outcome}"), host=host, outcome=resolution.ipv6.outcome),
    ]
    if outcome in (DnsOutcome.NXDOMAIN, DnsOutcome.NODATA):
        known = facts.settings.known_hosts if facts.settings is not None else ()
        suggestion = nearest_host(host, known)
        if suggestion is not None:
            evidence.append(
                Evidence.of(N_("A known server name close to it: {suggestion}"), suggestion=suggestion)
            )
        params = {"role": server.role, "host": host, "suggestion": suggestion}
        return [finding("HOST_NOT_FOUND", server.role, params, evidence)]
    domain = host.split(".", 1)[1] if "." in host else host
    return [
        finding(
            "DOMAIN_NOT_RESOLVING",
            server.role,
            {"domain": domain, "rcode": str(outcome).upper()},
            evidence,
        )
    ]


def transport_findings(server: ServerFacts) -> list[Finding]:
    session = server.session
    if session is None or session.connect is None or session.connect.outcome == ConnectOutcome.OPEN:
        return []
    endpoint = server.endpoint
    probe = session.connect
    evidence: list[str | Evidence] = [
        Evidence.of(
            N_("{host} ({address}) port {port}: {outcome} after {ms} ms"),
            host=endpoint.host,
            address=probe.address,
            port=endpoint.port,
            outcome=probe.outcome,
            ms=probe.ms,
        )
    ]
    if probe.answered_port is not None and probe.answered_ms is not None:
        evidence.append(
            Evidence.of(
                N_(
                    "Port {other_port} of the same server answered in {other_ms} ms; "
                    "port {port} gave no answer in {seconds} s, so it was not waited for longer."
                ),
                other_port=probe.answered_port,
                other_ms=probe.answered_ms,
                port=endpoint.port,
                seconds=f"{probe.ms / 1000:.1f}",
            )
        )
    evidence += [
        Evidence.of(N_("port {port}: {outcome}"), port=alt.port, outcome=alt.connect.outcome)
        for alt in server.alternatives
    ]
    better = working_alternative(server, exclude_port=endpoint.port)
    params: dict[str, str | int | None] = {"role": server.role, "host": endpoint.host, "port": endpoint.port}
    if better is not None:
        params.update(right_port=better.port, right_security=better.security)
    if probe.outcome == ConnectOutcome.REFUSED:
        return [finding("PORT_CLOSED", server.role, params, evidence)]
    if probe.outcome in (ConnectOutcome.TIMEOUT, ConnectOutcome.UNREACHABLE, ConnectOutcome.ERROR):
        if not any_alternative_open(server):
            return [
                finding(
                    "SERVER_UNREACHABLE", server.role, {"role": server.role, "host": endpoint.host}, evidence
                )
            ]
        if endpoint.protocol == Protocol.SMTP and endpoint.port == 25 and better is not None:
            return [
                finding(
                    "SMTP_PORT25_BLOCKED",
                    server.role,
                    {"host": endpoint.host, "right_port": better.port, "right_security": better.security},
                    evidence,
                )
            ]
        return [finding("PORT_BLOCKED", server.role, params, evidence)]
    return []


diagnosis_rule("network-offline", 10, network_offline)
server_rule("dns", 10, dns_findings)
server_rule("transport", 20, lambda _facts, server: transport_findings(server))
