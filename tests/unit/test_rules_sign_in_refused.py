"""A refused sign-in (check --oauth2's token) gives SIGN_IN_REFUSED with the server's words, why, and
only the step for that reason; a refused password is not touched (AUTH_FAILED stays)."""

from __future__ import annotations

import pytest

from maildoctor.facts import LoginFacts, LoginOutcome, ServerFacts, ServerWords, SessionFacts
from maildoctor.i18n import get_translator
from maildoctor.knowledge import render_evidence, render_finding
from maildoctor.model import Endpoint, Protocol, Security, ServerRole
from maildoctor.protocol.oauth import OAuthFailure
from maildoctor.rules.auth import auth_findings
from maildoctor.rules.sign_in_refused import sign_in_refused_findings

WORDS = ServerWords("AUTHENTICATE failed.", response_code="AUTHENTICATIONFAILED")


def _server(protocol: Protocol, failure: str | None, host: str = "outlook.office365.com") -> ServerFacts:
    role = ServerRole.OUTGOING if protocol == Protocol.SMTP else ServerRole.INCOMING
    endpoint = Endpoint(protocol, host, 993, Security.SSL)
    login = LoginFacts(LoginOutcome.REFUSED, "XOAUTH2", WORDS, oauth_failure=failure)
    return ServerFacts(role, endpoint, "taro@contoso.jp", session=SessionFacts(role, endpoint, login=login))


@pytest.mark.parametrize(
    ("failure", "protocol", "step_words", "why"),
    [
        (OAuthFailure.INVALID_TOKEN, Protocol.IMAP, "sign in afresh", "invalid token"),
        (OAuthFailure.MISSING_SCOPE, Protocol.SMTP, "SMTP.Send", "missing scope"),
        (OAuthFailure.MISSING_SCOPE, Protocol.IMAP, "IMAP.AccessAsUser.All", "missing scope"),
        (OAuthFailure.TENANT_POLICY, Protocol.POP3, "allow POP for the account", "organisation's rules"),
        (OAuthFailure.NOT_LICENSED, Protocol.IMAP, "IMAP is switched on", "not licensed"),
        (OAuthFailure.UNKNOWN, Protocol.IMAP, "show this result", "without saying why"),
    ],
)
def test_each_reason_gets_its_own_step(
    failure: OAuthFailure, protocol: Protocol, step_words: str, why: str
) -> None:
    server = _server(protocol, str(failure))
    (found,) = sign_in_refused_findings(server)
    assert auth_findings(server) == []  # not a wrong password
    translator = get_translator("en")
    rendered = render_finding(found, translator)
    evidence = [render_evidence(item, translator) for item in found.evidence]
    assert found.cause == "SIGN_IN_REFUSED" and evidence[0] == WORDS.text and why in evidence[1]
    steps = " ".join(rendered.fix)
    assert step_words in steps
    others = {"sign in afresh", "delegated permission", "Ask the administrator to allow", "has a mailbox"}
    assert sum(other in steps for other in others) <= 1  # one reason's step, not all of them
    ja = render_finding(found, get_translator("ja"))
    assert ja.title != rendered.title and len(ja.fix) == len(rendered.fix)


def test_a_refused_password_is_still_auth_failed() -> None:
    server = _server(Protocol.IMAP, None, "mail.example.jp")
    assert sign_in_refused_findings(server) == []
    assert [f.cause for f in auth_findings(server)] == ["AUTH_FAILED"]
