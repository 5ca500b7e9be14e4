"""`check`'s own sessions (probes.sessions.run_session) log in with a bearer token: XOAUTH2/OAUTHBEARER
against the lab's oauth2 Dovecot (IMAP, POP3) and Postfix (SMTP); a refused token is recorded with the
server's words and why (from its error challenge); the token never reaches the transcript, in any form."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from cryptography import x509

from maildoctor.facts import LoginOutcome, SessionFacts
from maildoctor.loginguard import LoginGuard
from maildoctor.model import Endpoint, Protocol, Security, ServerRole
from maildoctor.probes.base import SessionContext, token_forms
from maildoctor.probes.sessions import run_session
from maildoctor.protocol.oauth import OAuthFailure
from maildoctor.protocol.oauth_device import BearerToken
from maildoctor.tlsfacts.assess import TrustStores
from maildoctor_lab.certs import LabPKI
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.oauth2 import OAuth2Passdb, mint_token
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab

USER = "alice"


def _session(
    protocol: Protocol, port: int, token: BearerToken, pki: LabPKI, tmp_path: Path, username: str = USER
) -> tuple[SessionFacts, str]:
    security = Security.SSL
    role = ServerRole.OUTGOING if protocol == Protocol.SMTP else ServerRole.INCOMING
    context = SessionContext(
        role=role,
        endpoint=Endpoint(protocol, "mail.example.test", port, security),
        address="127.0.0.1",
        username=username,
        password=None,
        guard=LoginGuard(cache_dir=tmp_path),
        stores=TrustStores(extra=(x509.load_pem_x509_certificate(pki.ca.pem),)),
        deadline=time.monotonic() + 15,
        mail_address="alice@example.test",
        token=token,
    )
    facts = asyncio.run(run_session(context))
    transcript = "\n".join(line.text for line in facts.transcript)
    return facts, transcript


def _ports(dovecot: DovecotServer, postfix: PostfixServer) -> dict[Protocol, int]:
    return {
        Protocol.IMAP: dovecot.ports["imaps"],
        Protocol.POP3: dovecot.ports["pop3s"],
        Protocol.SMTP: postfix.ports["smtps"],
    }


@pytest.mark.parametrize("protocol", [Protocol.IMAP, Protocol.POP3, Protocol.SMTP])
def test_a_good_token_logs_in_and_stays_out_of_the_transcript(
    oauth_dovecot: DovecotServer,
    oauth_postfix: PostfixServer,
    pki: LabPKI,
    tmp_path: Path,
    protocol: Protocol,
) -> None:
    token = BearerToken(mint_token(OAuth2Passdb(), USER))
    facts, transcript = _session(
        protocol, _ports(oauth_dovecot, oauth_postfix)[protocol], token, pki, tmp_path
    )
    assert facts.login is not None, facts
    assert (facts.login.outcome, facts.login.mechanism) == (LoginOutcome.SUCCESS, "OAUTHBEARER")
    assert "AUTH" in transcript and "********" in transcript
    for form in token_forms(token, USER):
        assert form not in transcript and form not in repr(facts)


@pytest.mark.parametrize("protocol", [Protocol.IMAP, Protocol.POP3, Protocol.SMTP])
def test_an_expired_token_is_refused_with_the_servers_words_and_why(
    oauth_dovecot: DovecotServer,
    oauth_postfix: PostfixServer,
    pki: LabPKI,
    tmp_path: Path,
    protocol: Protocol,
) -> None:
    token = BearerToken(mint_token(OAuth2Passdb(), USER, lifetime=-60))
    facts, transcript = _session(
        protocol, _ports(oauth_dovecot, oauth_postfix)[protocol], token, pki, tmp_path
    )
    login = facts.login
    assert login is not None and login.outcome is LoginOutcome.REFUSED and login.words is not None
    assert "uthentication failed" in login.words.text  # the server's own words, kept
    assert login.oauth_failure == OAuthFailure.INVALID_TOKEN
    for form in token_forms(token, USER):
        assert form not in transcript
