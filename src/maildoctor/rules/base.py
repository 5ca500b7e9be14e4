"""Building findings, and the standard port/encryption pairs the rules recommend from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from maildoctor.causes import get_cause
from maildoctor.facts import AlternativeProbe, ConnectOutcome, ServerFacts, ServerWords
from maildoctor.model import Evidence, Finding, Protocol, Security, ServerRole, Severity, mail_program_ports

# The pairs a provider offers, most recommended first (model.STANDARD_PORTS).
STANDARD_PAIRS: Mapping[Protocol, tuple[tuple[int, Security], ...]] = {
    protocol: mail_program_ports(protocol) for protocol in Protocol
}


def finding(
    code: str,
    server: ServerRole,
    params: Mapping[str, str | int | None] | None = None,
    evidence: Iterable[str | Evidence] = (),
    *,
    severity: Severity | None = None,
    consequence_of: str | None = None,
) -> Finding:
    cause = get_cause(code)
    return Finding(
        cause=code,
        severity=severity or cause.severity,
        layer=cause.layer,
        server=server,
        params=tuple((key, str(value)) for key, value in (params or {}).items() if value not in (None, "")),
        evidence=tuple(evidence),
        consequence_of=consequence_of,
    )


def words_evidence(words: ServerWords | None) -> list[str | Evidence]:
    return [words.text] if words is not None and words.text else []


def working_alternative(server: ServerFacts, *, exclude_port: int | None = None) -> AlternativeProbe | None:
    """The best standard port/encryption pair of this protocol that is open on the same host.

    Matched by the standard port (993, 587, ...); the probe returned names where it really is.
    """
    by_port = {
        alt.nominal_port: alt for alt in server.alternatives if alt.protocol == server.endpoint.protocol
    }
    for port, security in STANDARD_PAIRS[server.endpoint.protocol]:
        alt = by_port.get(port)
        if alt is None or alt.port == exclude_port or alt.connect.outcome != ConnectOutcome.OPEN:
            continue
        if alt.security == security:
            return alt
    return None


def implicit_tls_alternative(server: ServerFacts) -> AlternativeProbe | None:
    """The open SSL/TLS port of the same protocol on the same host (993, 995, 465), if any."""
    return next(
        (
            alt
            for alt in server.alternatives
            if alt.protocol == server.endpoint.protocol
            and alt.security == Security.SSL
            and alt.connect.outcome == ConnectOutcome.OPEN
        ),
        None,
    )


def any_alternative_open(server: ServerFacts) -> bool:
    return any(alt.connect.outcome == ConnectOutcome.OPEN for alt in server.alternatives)
