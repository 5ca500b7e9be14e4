"""Rules on hand-built facts: each cause from the facts that mean it, and nothing from healthy facts."""

from __future__ import annotations

import dataclasses

import pytest

from maildoctor.facts import (
    AlternativeProbe,
    ConnectOutcome,
    DiagnosisFacts,
    DnsLookup,
    DnsOutcome,
    GreetingKind,
    HostResolution,
    LoginFacts,
    LoginOutcome,
    LoginSkip,
    MailboxFacts,
    PortProbe,
    QuotaFacts,
    SendFacts,
    ServerFacts,
    ServerWords,
    SessionFacts,
    SmtpStep,
    TlsSummary,
)
from maildoctor.model import Endpoint, Finding, Protocol, Security, ServerRole, Severity
from maildoctor.rules.engine import evaluate
from maildoctor.rules.rank import rank

IMAPS = Endpoint(Protocol.IMAP, "mail.example.test", 993, Security.SSL)
SUBMISSION = Endpoint(Protocol.SMTP, "mail.example.test", 587, Security.STARTTLS)
OK_TLS = TlsSummary(version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384", error_kind=None)


def _resolved(host: str = "mail.example.test") -> HostResolution:
    return HostResolution(
        host,
        DnsLookup(host, "A", DnsOutcome.OK, ("127.0.0.1",)),
        DnsLookup(host, "AAAA", DnsOutcome.NODATA),
    )


def _open(port: int) -> PortProbe:
    return PortProbe("127.0.0.1", port, ConnectOutcome.OPEN, 1)


def _server(
    endpoint: Endpoint = IMAPS,
    role: ServerRole = ServerRole.INCOMING,
    alternatives: tuple[AlternativeProbe, ...] = (),
    **session: object,
) -> ServerFacts:
    defaults: dict[str, object] = {
        "connect": _open(endpoint.port),
        "greeting_kind": GreetingKind.OK,
        "tls": OK_TLS,
        "login": LoginFacts(LoginOutcome.SUCCESS),
    }
    defaults.update(session)
    facts = SessionFacts(role=role, endpoint=endpoint, address="127.0.0.1", **defaults)  # type: ignore[arg-type]
    return ServerFacts(role, endpoint, "alice", _resolved(endpoint.host), facts, alternatives)


def _causes(*servers: ServerFacts, alive: bool = True) -> list[str]:
    facts = DiagnosisFacts("alice@example.test", "example.test", servers, resolver_alive=alive)
    return [item.cause for item in evaluate(facts)]


def test_a_healthy_account_has_no_findings() -> None:
    assert _causes(_server(), _server(SUBMISSION, ServerRole.OUTGOING)) == []


def test_host_not_found_and_domain_broken_and_offline() -> None:
    missing = HostResolution(
        "mail.exmaple.test",
        DnsLookup("mail.exmaple.test", "A", DnsOutcome.NXDOMAIN),
        DnsLookup("mail.exmaple.test", "AAAA", DnsOutcome.NXDOMAIN),
    )
    server = ServerFacts(ServerRole.INCOMING, IMAPS, "alice", missing)
    assert _causes(server) == ["HOST_NOT_FOUND"]
    broken = dataclasses.replace(
        missing,
        ipv4=DnsLookup("mail.exmaple.test", "A", DnsOutcome.SERVFAIL),
        ipv6=DnsLookup("mail.exmaple.test", "AAAA", DnsOutcome.SERVFAIL),
    )
    assert _causes(dataclasses.replace(server, resolution=broken)) == ["DOMAIN_NOT_RESOLVING"]
    assert _causes(server, alive=False) == ["NETWORK_OFFLINE"]


@pytest.mark.parametrize(
    ("outcome", "alternative_open", "expected"),
    [
        (ConnectOutcome.REFUSED, True, "PORT_CLOSED"),
        (ConnectOutcome.TIMEOUT, True, "PORT_BLOCKED"),
        (ConnectOutcome.TIMEOUT, False, "SERVER_UNREACHABLE"),
    ],
)
def test_transport(outcome: ConnectOutcome, alternative_open: bool, expected: str) -> None:
    alt = AlternativeProbe(
        Protocol.SMTP,
        465,
        Security.SSL,
        PortProbe("127.0.0.1", 465, ConnectOutcome.OPEN if alternative_open else ConnectOutcome.TIMEOUT, 1),
    )
    server = _server(
        SUBMISSION,
        ServerRole.OUTGOING,
        (alt,),
        connect=PortProbe("127.0.0.1", 587, outcome, 3000),
        greeting_kind=None,
        tls=None,
        login=None,
    )
    facts = DiagnosisFacts("alice@example.test", "example.test", (server,), resolver_alive=True)
    findings = evaluate(facts)
    assert [item.cause for item in findings] == [expected]
    if alternative_open:
        assert findings[0].param("right_port") == "465"
        assert findings[0].param("right_security") == "ssl"


def test_port25_blocked_with_submission_open() -> None:
    port25 = Endpoint(Protocol.SMTP, "mail.example.test", 25, Security.NONE)
    alt = AlternativeProbe(Protocol.SMTP, 587, Security.STARTTLS, _open(587))
    server = _server(
        port25,
        ServerRole.OUTGOING,
        (alt,),
        connect=PortProbe("127.0.0.1", 25, ConnectOutcome.TIMEOUT, 3000),
        greeting_kind=None,
        tls=None,
        login=None,
    )
    assert _causes(server) == ["SMTP_PORT25_BLOCKED"]


def test_ssl_typed_on_a_plaintext_port_recommends_the_implicit_port() -> None:
    typed = Endpoint(Protocol.IMAP, "mail.example.test", 143, Security.SSL)
    alt = AlternativeProbe(Protocol.IMAP, 993, Security.SSL, _open(993))
    tls = TlsSummary(
        None, None, error_kind="plaintext_reply", first_bytes="* OK [CAPABILITY IMAP4rev1] ready"
    )
    server = _server(typed, ServerRole.INCOMING, (alt,), tls=tls, greeting_kind=GreetingKind.OK, login=None)
    facts = DiagnosisFacts("alice@example.test", "example.test", (server,), resolver_alive=True)
    (found,) = evaluate(facts)
    assert found.cause == "PORT_SECURITY_MISMATCH"
    assert (found.param("port"), found.param("right_port"), found.param("right_security")) == (
        "143",
        "993",
        "ssl",
    )
    assert found.evidence[1] == "* OK [CAPABILITY IMAP4rev1] ready"


def test_starttls_typed_on_an_implicit_port() -> None:
    typed = Endpoint(Protocol.SMTP, "mail.example.test", 465, Security.STARTTLS)
    server = _server(
        typed, ServerRole.OUTGOING, greeting_kind=GreetingKind.TLS_EXPECTED, tls=None, login=None
    )
    facts = DiagnosisFacts("alice@example.test", "example.test", (server,), resolver_alive=True)
    (found,) = evaluate(facts)
    assert found.cause == "PORT_SECURITY_MISMATCH"
    assert (found.param("right_port"), found.param("right_security")) == ("465", "ssl")


@pytest.mark.parametrize(
    ("tls", "expected"),
    [
        (
            dataclasses.replace(OK_TLS, name_matches=False, suggested_host="sv1234.rental.test"),
            ["TLS_CERT_NAME_MISMATCH"],
        ),
        (dataclasses.replace(OK_TLS, expired=True), ["TLS_CERT_EXPIRED"]),
        (dataclasses.replace(OK_TLS, trusted=False, self_signed=True), ["TLS_CERT_UNTRUSTED"]),
        (
            dataclasses.replace(OK_TLS, trusted=False, interception_product="ESET"),
            ["TLS_INTERCEPTED"],
        ),
        (dataclasses.replace(OK_TLS, version="TLSv1"), ["TLS_VERSION_OUTDATED"]),
    ],
)
def test_certificates(tls: TlsSummary, expected: list[str]) -> None:
    assert _causes(_server(tls=tls)) == expected


def test_name_mismatch_suggests_the_certificate_name() -> None:
    tls = dataclasses.replace(OK_TLS, name_matches=False, suggested_host="sv1234.rental.test")
    facts = DiagnosisFacts("a@example.test", "example.test", (_server(tls=tls),), resolver_alive=True)
    (found,) = evaluate(facts)
    assert found.param("suggested_host") == "sv1234.rental.test"


def test_starttls_not_offered() -> None:
    typed = Endpoint(Protocol.IMAP, "mail.example.test", 143, Security.STARTTLS)
    server = _server(typed, starttls_offered=False, tls=None, login=None, capabilities=("IMAP4rev1",))
    assert _causes(server) == ["STARTTLS_UNAVAILABLE"]


def test_plaintext_login_refused_by_capability() -> None:
    typed = Endpoint(Protocol.IMAP, "mail.example.test", 143, Security.NONE)
    server = _server(
        typed,
        tls=None,
        plaintext_login_disabled=True,
        capabilities=("IMAP4rev1", "STARTTLS", "LOGINDISABLED"),
        login=LoginFacts(LoginOutcome.SKIPPED, skip_reason=LoginSkip.PLAINTEXT_REFUSED),
    )
    facts = DiagnosisFacts("a@example.test", "example.test", (server,), resolver_alive=True)
    (found,) = evaluate(facts)
    assert found.cause == "PLAINTEXT_LOGIN_REFUSED"
    assert found.param("right_security") == "starttls"


def test_mailbox_near_quota() -> None:
    mailbox = MailboxFacts(messages=6, quotas=(QuotaFacts("STORAGE", 18, 20),))
    facts = DiagnosisFacts("a@example.test", "example.test", (_server(mailbox=mailbox),), resolver_alive=True)
    (found,) = evaluate(facts)
    assert (found.cause, found.severity, found.param("percent")) == ("MAILBOX_FULL", Severity.WARNING, "90")
    assert _causes(_server(mailbox=MailboxFacts(quotas=(QuotaFacts("STORAGE", 5, 20),)))) == []


def test_mechanism_mismatch_and_remembered_failure() -> None:
    none_shared = LoginFacts(LoginOutcome.SKIPPED, skip_reason=LoginSkip.NO_SHARED_MECHANISM)
    assert _causes(_server(login=none_shared, auth_mechanisms=("CRAM-MD5",))) == ["AUTH_MECHANISM_MISMATCH"]
    remembered = LoginFacts(LoginOutcome.SKIPPED, skip_reason=LoginSkip.REMEMBERED_FAILURE)
    assert _causes(_server(login=remembered)) == ["AUTH_FAILED"]


def test_rank_folds_consequences_under_their_root() -> None:
    def make(cause: str, severity: Severity) -> Finding:
        from maildoctor.rules.base import finding

        return finding(cause, ServerRole.INCOMING, severity=severity)

    ordered = rank(
        [
            make("AUTH_FAILED", Severity.ERROR),
            make("TLS_CERT_EXPIRED", Severity.ERROR),
            make("CREDENTIAL_TYPO_RISK", Severity.WARNING),
        ]
    )
    assert [(item.cause, item.consequence_of) for item in ordered] == [
        ("CREDENTIAL_TYPO_RISK", None),
        ("AUTH_FAILED", "CREDENTIAL_TYPO_RISK"),
        ("TLS_CERT_EXPIRED", None),
    ]
    assert ordered[0].severity == Severity.ERROR
    _ = (SendFacts, SmtpStep, ServerWords)


def test_a_working_port_is_found_where_it_really_is() -> None:
    # the demo's servers run on free ports: 465 stands at 40465
    alt = AlternativeProbe(Protocol.SMTP, 40465, Security.SSL, _open(40465), standard_port=465)
    server = _server(
        SUBMISSION,
        ServerRole.OUTGOING,
        (alt,),
        connect=PortProbe("127.0.0.1", 587, ConnectOutcome.REFUSED, 1),
        greeting_kind=None,
        tls=None,
        login=None,
    )
    facts = DiagnosisFacts("alice@example.test", "example.test", (server,), resolver_alive=True)
    (found,) = evaluate(facts)
    assert (found.cause, found.param("right_port"), found.param("right_security")) == (
        "PORT_CLOSED",
        "40465",
        "ssl",
    )


def test_plaintext_refusal_only_recommends_an_ssl_port_of_the_same_protocol() -> None:
    typed = Endpoint(Protocol.IMAP, "mail.example.test", 143, Security.NONE)
    smtps = AlternativeProbe(Protocol.SMTP, 465, Security.SSL, _open(465))
    server = _server(
        typed,
        ServerRole.INCOMING,
        (smtps,),
        tls=None,
        plaintext_login_disabled=True,
        login=LoginFacts(LoginOutcome.SKIPPED, skip_reason=LoginSkip.PLAINTEXT_REFUSED),
    )
    facts = DiagnosisFacts("a@example.test", "example.test", (server,), resolver_alive=True)
    (found,) = evaluate(facts)
    assert (found.param("right_port"), found.param("right_security")) == ("143", "starttls")


@pytest.mark.parametrize("typed", ["ｉｍａｐ.example.jp", "imap.examp1e.jp"])
def test_a_mistyped_server_name_leads_and_explains_its_name_not_found(typed: str) -> None:
    from maildoctor.lint.findings import lint_account
    from maildoctor.rules.base import finding

    typo = lint_account("taro@example.jp", None, {ServerRole.INCOMING: typed}, None)
    not_found = finding("HOST_NOT_FOUND", ServerRole.INCOMING, {"host": typed})
    ordered = rank([not_found, finding("SPF_FAIL", ServerRole.DOMAIN, severity=Severity.WARNING), *typo])
    assert [(item.cause, item.consequence_of) for item in ordered] == [
        ("CREDENTIAL_TYPO_RISK", None),
        ("HOST_NOT_FOUND", "CREDENTIAL_TYPO_RISK"),
        ("SPF_FAIL", None),
    ]
    assert ordered[0].severity == Severity.ERROR


def test_a_server_name_typo_explains_only_its_own_server_and_not_a_refused_login() -> None:
    from maildoctor.lint.findings import lint_account
    from maildoctor.rules.base import finding

    typo = lint_account("taro@example.jp", None, {ServerRole.OUTGOING: "smtp.examp1e.jp"}, None)
    ordered = rank(
        [
            finding("HOST_NOT_FOUND", ServerRole.INCOMING, {"host": "imap.example.jp"}),
            finding("AUTH_FAILED", ServerRole.OUTGOING),
            *typo,
        ]
    )
    assert all(item.consequence_of is None for item in ordered)
    assert ordered[-1].cause == "CREDENTIAL_TYPO_RISK"
    assert ordered[-1].severity == Severity.WARNING


# ------------------------------------------------------------------ issue 17: LOGIN-only IMAP, static-RSA TLS

LOGIN_ONLY_CAPS = ("IMAP4REV1", "LITERAL+", "ID", "IDLE")


def test_an_imap_server_with_login_only_is_a_warning_after_a_working_login() -> None:
    server = _server(capabilities=LOGIN_ONLY_CAPS, login=LoginFacts(LoginOutcome.SUCCESS, mechanism="LOGIN"))
    facts = DiagnosisFacts("a@example.test", "example.test", (server,), resolver_alive=True)
    (found,) = evaluate(facts)
    assert (found.cause, found.severity, found.param("offered")) == (
        "AUTH_MECHANISM_MISMATCH",
        Severity.WARNING,
        "LOGIN",
    )
    assert "LOGIN command" in found.evidence[0].message  # type: ignore[union-attr]
    no_password = LoginFacts(LoginOutcome.SKIPPED, skip_reason=LoginSkip.NO_PASSWORD)
    assert _causes(_server(capabilities=LOGIN_ONLY_CAPS, login=no_password)) == ["AUTH_MECHANISM_MISMATCH"]


@pytest.mark.parametrize(
    "session",
    [
        {"capabilities": (*LOGIN_ONLY_CAPS, "AUTH=PLAIN"), "auth_mechanisms": ("PLAIN",)},  # SASL offered
        {"capabilities": ()},  # the capabilities were never read
        {"capabilities": LOGIN_ONLY_CAPS, "login": None},  # the session ended before the login
    ],
)
def test_login_only_is_not_said_without_its_facts(session: dict[str, object]) -> None:
    assert _causes(_server(**session)) == []


def test_login_only_is_not_said_for_pop3_or_smtp_or_a_refused_login() -> None:
    pop3s = Endpoint(Protocol.POP3, "mail.example.test", 995, Security.SSL)
    assert _causes(_server(pop3s, capabilities=("USER", "UIDL"))) == []
    refused = LoginFacts(LoginOutcome.REFUSED, words=ServerWords("NO [AUTHENTICATIONFAILED] failed"))
    assert _causes(_server(capabilities=LOGIN_ONLY_CAPS, login=refused)) == ["AUTH_FAILED"]


def test_static_rsa_key_exchange_is_an_outdated_cipher() -> None:
    rsa = TlsSummary(version="TLSv1.2", cipher="AES256-GCM-SHA384", error_kind=None, key_exchange="rsa")
    facts = DiagnosisFacts("a@example.test", "example.test", (_server(tls=rsa),), resolver_alive=True)
    (found,) = evaluate(facts)
    assert (found.cause, found.severity, found.param("cipher")) == (
        "TLS_CIPHER_OUTDATED",
        Severity.WARNING,
        "AES256-GCM-SHA384",
    )
    for kx in ("ecdhe", "dhe", "any", None):
        modern = dataclasses.replace(rsa, cipher="ECDHE-RSA-AES256-GCM-SHA384", key_exchange=kx)
        assert _causes(_server(tls=modern)) == [], kx
    failed = dataclasses.replace(rsa, error_kind="other")
    assert "TLS_CIPHER_OUTDATED" not in _causes(_server(tls=failed))
