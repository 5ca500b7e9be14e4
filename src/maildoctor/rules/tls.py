"""Encryption: the port/encryption pair, STARTTLS, and what the certificate says."""

from __future__ import annotations

from maildoctor.facts import GreetingKind, ServerFacts
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, Security
from maildoctor.rules.base import finding, implicit_tls_alternative, working_alternative
from maildoctor.rules.registry import server_rule

OUTDATED_VERSIONS = frozenset({"SSLv3", "TLSv1", "TLSv1.1"})


def security_mismatch(server: ServerFacts) -> list[Finding]:
    session = server.session
    if session is None or session.connect is None:
        return []
    endpoint = server.endpoint
    tls = session.tls
    params: dict[str, str | int | None] = {
        "role": server.role,
        "host": endpoint.host,
        "port": endpoint.port,
        "typed_security": endpoint.security,
    }
    if endpoint.security == Security.SSL and tls is not None and tls.error_kind == "plaintext_reply":
        # SSL/TLS typed, but the server greeted in plain text: a STARTTLS/plain port.
        implicit = implicit_tls_alternative(server)
        if implicit is not None:
            params.update(right_port=implicit.port, right_security=Security.SSL)
        else:
            params.update(right_port=endpoint.port, right_security=Security.STARTTLS)
        evidence: list[str | Evidence] = []
        if tls.first_bytes:
            evidence = [
                Evidence.of(N_("Port {port} greeted without encryption:"), port=endpoint.port),
                tls.first_bytes,
            ]
        return [finding("PORT_SECURITY_MISMATCH", server.role, params, evidence)]
    if endpoint.security != Security.SSL and session.greeting_kind == GreetingKind.TLS_EXPECTED:
        # STARTTLS or none typed, but the server waits for a TLS handshake: an implicit-TLS port.
        params.update(right_port=endpoint.port, right_security=Security.SSL)
        silent = Evidence.of(
            N_("Port {port} sent no greeting and answers a TLS handshake."), port=endpoint.port
        )
        return [finding("PORT_SECURITY_MISMATCH", server.role, params, [silent])]
    return []


def starttls_findings(server: ServerFacts) -> list[Finding]:
    session = server.session
    endpoint = server.endpoint
    if session is None or endpoint.security != Security.STARTTLS or session.starttls_offered is not False:
        return []
    better = working_alternative(server, exclude_port=endpoint.port)
    params: dict[str, str | int | None] = {"role": server.role, "host": endpoint.host, "port": endpoint.port}
    if better is not None:
        params.update(right_port=better.port, right_security=better.security)
    evidence: list[str | Evidence] = []
    if session.capabilities:
        evidence.append(Evidence.of(N_("The server offers: {list}"), list=" ".join(session.capabilities)))
    if session.starttls_words is not None:
        evidence.append(session.starttls_words.text)
    return [finding("STARTTLS_UNAVAILABLE", server.role, params, evidence)]


def certificate_findings(server: ServerFacts) -> list[Finding]:
    session = server.session
    tls = session.tls if session else None
    if tls is None:
        return []
    endpoint = server.endpoint
    role = server.role
    base: dict[str, str | int | None] = {"role": role, "host": endpoint.host}
    if tls.error_kind == "protocol_version" or (tls.version in OUTDATED_VERSIONS):
        return [
            finding(
                "TLS_VERSION_OUTDATED",
                role,
                {**base, "version": tls.version or "?"},
                [
                    Evidence.of(N_("Negotiated: {version}"), version=tls.version)
                    if tls.version
                    else tls.error_detail
                ],
            )
        ]
    if tls.error_kind is not None:
        return []
    found: list[Finding] = []
    names = ", ".join(tls.subject_names)
    cert_evidence: list[str | Evidence] = [
        Evidence.of(N_("Certificate for: {names}"), names=names),
        Evidence.of(N_("Issued by: {issuer}"), issuer=tls.issuer),
        Evidence.of(N_("Valid until: {date}"), date=tls.not_after),
    ]
    if tls.interception_product is not None or tls.trusted_system_only:
        found.append(
            finding(
                "TLS_INTERCEPTED",
                role,
                {**base, "issuer": tls.issuer, "product": tls.interception_product},
                cert_evidence,
            )
        )
        return found  # the re-signed certificate says nothing about the real server's
    if not tls.trusted:
        found.append(finding("TLS_CERT_UNTRUSTED", role, {**base, "issuer": tls.issuer}, cert_evidence))
    if tls.expired or tls.not_yet_valid:
        found.append(finding("TLS_CERT_EXPIRED", role, {**base, "not_after": tls.not_after}, cert_evidence))
    if not tls.name_matches:
        found.append(
            finding(
                "TLS_CERT_NAME_MISMATCH",
                role,
                {**base, "cert_names": names, "suggested_host": tls.suggested_host},
                cert_evidence,
            )
        )
    return found


# key exchanges without forward secrecy: the session key travels encrypted with the server's RSA key
STATIC_KEY_EXCHANGES = frozenset({"rsa", "rsa-psk", "psk"})


def cipher_findings(server: ServerFacts) -> list[Finding]:
    """A completed handshake whose only key exchange was static RSA (TLS_RSA_*: no ECDHE, no DHE).

    The probe offers every suite; current clients (Python 3.10+'s default context, recent OpenJDK) offer
    none of these, so the server's choice of one means it has nothing better."""
    session = server.session
    tls = session.tls if session else None
    if tls is None or tls.error_kind is not None or tls.key_exchange not in STATIC_KEY_EXCHANGES:
        return []
    cipher = tls.cipher or "?"
    evidence: list[str | Evidence] = [
        Evidence.of(N_("Negotiated: {version} with {cipher}"), version=tls.version or "?", cipher=cipher),
        Evidence.of(
            N_(
                "Key exchange: {kx} (static RSA: no forward secrecy). The server chose it although "
                "current ECDHE and TLS 1.3 methods were offered, so it has none of them."
            ),
            kx=tls.key_exchange.upper(),
        ),
    ]
    params: dict[str, str | int | None] = {
        "role": server.role,
        "host": server.endpoint.host,
        "cipher": cipher,
    }
    return [finding("TLS_CIPHER_OUTDATED", server.role, params, evidence)]


server_rule("security-mismatch", 30, lambda _facts, server: security_mismatch(server), gate=True)
server_rule("starttls", 40, lambda _facts, server: starttls_findings(server))
server_rule("certificate", 50, lambda _facts, server: certificate_findings(server))
server_rule("tls-cipher", 55, lambda _facts, server: cipher_findings(server))
