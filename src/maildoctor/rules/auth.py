"""Logging in: refusals classified by the server's own words."""

from __future__ import annotations

from maildoctor.facts import GreetingKind, LoginOutcome, LoginSkip, ServerFacts, ServerWords
from maildoctor.i18n import N_
from maildoctor.model import Evidence, Finding, Protocol, Security, Severity
from maildoctor.rules.base import finding, implicit_tls_alternative, words_evidence
from maildoctor.rules.modern_auth import EITHER_CAUSE, is_oauth_only_host
from maildoctor.rules.registry import server_rule
from maildoctor.rules.replies import (
    AuthFailureKind,
    ReplyVerdict,
    Step,
    classify_auth_failure,
    classify_reply,
)

REMEMBERED_FAILURE_EVIDENCE = Evidence.of(
    N_(
        "A login for this account failed in the last 15 minutes. It was not tried again, so that "
        "the account does not get locked (--force-login tries anyway)."
    )
)


SIGN_IN_ALTERNATIVE = Evidence.of(
    N_(
        "If this account cannot make app passwords (Google: only with 2-Step Verification, not with "
        "Advanced Protection or a security key alone, nor where the organisation blocks them), the mail "
        "program must sign in on the provider's own page instead."
    )
)


def login_verdict(protocol: Protocol | str, words: ServerWords) -> ReplyVerdict | None:
    """What a refused login means, from replies.toml; None when no row knows the words."""
    return classify_reply(
        Step.LOGIN,
        protocol,
        response_code=words.response_code,
        reply_code=words.reply_code,
        enhanced=words.enhanced,
        text=words.text,
    )


def login_cause(protocol: Protocol | str, words: ServerWords) -> str:
    """The cause of a refused login, from replies.toml (the meaning's first cause); AUTH_FAILED when no
    row knows the words."""
    verdict = login_verdict(protocol, words)
    return str(verdict.causes[0]) if verdict is not None else "AUTH_FAILED"


def _modern_auth_findings(
    server: ServerFacts, verdict: ReplyVerdict | None, base: dict[str, str | int | None]
) -> list[Finding] | None:
    """A refusal that points to the provider's own sign-in, when it does (None: it does not).

    A bare "wrong password" from an IMAP or POP3 server of a provider that takes no password (Exchange
    Online's `NO LOGIN failed.`) is most likely the switched-off password login: the finding says both
    possibilities and how to tell them apart. Google's "Application-specific password required" leads
    with the app password; the provider's sign-in follows as the alternative (a warning)."""
    login = server.session.login if server.session is not None else None
    words = login.words if login is not None else None
    if verdict is None or words is None:
        return None
    role = server.role
    kind = verdict.kind
    bare = kind in (AuthFailureKind.WRONG_CREDENTIALS, AuthFailureKind.UNKNOWN)
    mailbox = server.endpoint.protocol in (Protocol.IMAP, Protocol.POP3)
    if bare and mailbox and is_oauth_only_host(server.endpoint.host):
        evidence = [*words_evidence(words), Evidence.of(EITHER_CAUSE)]
        return [finding("MODERN_AUTH_REQUIRED", role, base, evidence)]
    if kind == AuthFailureKind.APP_PASSWORD_OR_SIGN_IN:
        return [
            finding("APP_PASSWORD_REQUIRED", role, base, words_evidence(words)),
            finding(
                "MODERN_AUTH_REQUIRED",
                role,
                base,
                [*words_evidence(words), SIGN_IN_ALTERNATIVE],
                severity=Severity.WARNING,
            ),
        ]
    return None


def _encrypted_pair(server: ServerFacts) -> dict[str, str | int | None]:
    endpoint = server.endpoint
    implicit = implicit_tls_alternative(server)
    if implicit is not None:
        return {"right_port": implicit.port, "right_security": Security.SSL}
    return {"right_port": endpoint.port, "right_security": Security.STARTTLS}


def auth_findings(server: ServerFacts) -> list[Finding]:
    session = server.session
    if session is None:
        return []
    endpoint = server.endpoint
    role = server.role
    base: dict[str, str | int | None] = {"role": role, "host": endpoint.host}
    if session.greeting_kind == GreetingKind.REFUSING and session.greeting is not None:
        words = session.greeting
        kind = classify_auth_failure(
            str(endpoint.protocol), words.response_code, words.reply_code, words.enhanced, words.text
        )
        code = "TOO_MANY_CONNECTIONS" if kind == AuthFailureKind.TOO_MANY_CONNECTIONS else "SERVER_OUTAGE"
        return [finding(code, role, base, words_evidence(words))]
    login = session.login
    if login is None:
        return []
    if login.outcome == LoginOutcome.SKIPPED:
        if login.skip_reason == LoginSkip.PLAINTEXT_REFUSED:
            evidence: list[str | Evidence] = [
                Evidence.of(N_("The server offers: {list}"), list=" ".join(session.capabilities))
            ]
            return [
                finding(
                    "PLAINTEXT_LOGIN_REFUSED",
                    role,
                    {**base, "port": endpoint.port, **_encrypted_pair(server)},
                    evidence,
                )
            ]
        if login.skip_reason == LoginSkip.NO_SHARED_MECHANISM:
            offered = " ".join(session.auth_mechanisms) or "-"
            return [
                finding(
                    "AUTH_MECHANISM_MISMATCH", role, {**base, "offered": offered}, [f"offered: {offered}"]
                )
            ]
        if login.skip_reason == LoginSkip.REMEMBERED_FAILURE:
            return [
                finding(
                    "AUTH_FAILED",
                    role,
                    base,
                    [REMEMBERED_FAILURE_EVIDENCE],
                    severity=Severity.WARNING,
                )
            ]
        return []
    if login.outcome != LoginOutcome.REFUSED or login.words is None or login.oauth_failure is not None:
        return []  # a refused sign-in (token) is rules/sign_in_refused.py's
    words = login.words
    verdict = login_verdict(endpoint.protocol, words)
    modern = _modern_auth_findings(server, verdict, base)
    if modern is not None:
        return modern
    code = str(verdict.causes[0]) if verdict is not None else "AUTH_FAILED"
    params = dict(base)
    if code == "AUTH_FAILED":
        params["username"] = server.username
    if code == "PLAINTEXT_LOGIN_REFUSED":
        params.update(port=endpoint.port, **_encrypted_pair(server))
    return [finding(code, role, params, words_evidence(words))]


LOGIN_ONLY_EVIDENCE = Evidence.of(
    N_(
        "The server accepts only the IMAP LOGIN command: it lists no AUTHENTICATE method (no AUTH=…). "
        "maildoctor logged in with LOGIN; a mail program set to another login method (encrypted "
        "password, OAuth2, NTLM/SPA) is refused with “Unsupported authentication mechanism”."
    )
)


def login_only_findings(server: ServerFacts) -> list[Finding]:
    """An IMAP server that offers no SASL mechanism at all (only the LOGIN command), a warning.

    Nothing is wrong for a program set to the normal password (it falls back to LOGIN); a program
    set to anything else, or one that insists on AUTHENTICATE, cannot log in. Not said when the
    login was refused (that finding comes first) or when the capabilities were never read."""
    session = server.session
    endpoint = server.endpoint
    if (
        session is None
        or endpoint.protocol != Protocol.IMAP
        or session.greeting_kind != GreetingKind.OK
        or not session.capabilities
        or session.auth_mechanisms
        or session.plaintext_login_disabled
        or "LOGINDISABLED" in session.capabilities
    ):
        return []
    login = session.login  # None: the session ended before the login step (no STARTTLS, ...)
    if login is None or not (
        login.outcome == LoginOutcome.SUCCESS
        or (login.outcome == LoginOutcome.SKIPPED and login.skip_reason == LoginSkip.NO_PASSWORD)
    ):
        return []
    params: dict[str, str | int | None] = {"role": server.role, "host": endpoint.host, "offered": "LOGIN"}
    return [
        finding(
            "AUTH_MECHANISM_MISMATCH",
            server.role,
            params,
            [
                LOGIN_ONLY_EVIDENCE,
            ],
            severity=Severity.WARNING,
        )
    ]


def outage_findings(server: ServerFacts) -> list[Finding]:
    session = server.session
    if session is None or session.closing_words is None or session.greeting_kind == GreetingKind.REFUSING:
        return []
    return [
        finding(
            "SERVER_OUTAGE",
            server.role,
            {"role": server.role, "host": server.endpoint.host},
            words_evidence(session.closing_words),
        )
    ]


server_rule("auth", 60, lambda _facts, server: auth_findings(server))
server_rule("login-only", 65, lambda _facts, server: login_only_findings(server))
server_rule("outage", 70, lambda _facts, server: outage_findings(server))
