"""SASL XOAUTH2 and OAUTHBEARER against real servers: the lab's Dovecot with its oauth2 passdb (a JWT
validated locally with a key dictionary, no network) for IMAP and POP3, and Postfix's SASL through that
Dovecot for SMTP. maildoctor's own command builders and readers (protocol.oauth, imap, pop3, smtp) speak;
a refused token brings the server's base64 JSON challenge, answered as each mechanism requires, then the
refusal in the server's own words."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable

import pytest

from maildoctor.protocol import imap, oauth, pop3, smtp
from maildoctor.protocol.oauth import OAuthChallenge, OAuthFailure
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.oauth2 import OAuth2Passdb, mint_token
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab

PASSDB = OAuth2Passdb()
USER = "alice"
MECHANISMS = (oauth.XOAUTH2, oauth.OAUTHBEARER)
EXPECTED_CHALLENGE = {
    oauth.XOAUTH2: OAuthChallenge("401", "mail", "bearer"),
    oauth.OAUTHBEARER: OAuthChallenge("invalid_token"),
}


class Line:
    """A TLS connection fed to one of maildoctor's readers (bounded reads, a deadline)."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext) -> None:
        raw = socket.create_connection((host, port), timeout=10)
        self.sock = context.wrap_socket(raw, server_hostname="mail.example.test")

    def read(
        self,
        reader: imap.ImapResponseReader | pop3.Pop3Reader | smtp.SmtpReplyReader,
        take: Callable[[], object],
    ) -> object:
        while (event := take()) is None:
            data = self.sock.recv(4096)
            assert data, "the server closed the connection"
            reader.feed(data)
        return event

    def close(self) -> None:
        self.sock.close()


def _challenge_then(
    line: Line, event: object, mechanism: str, text: Callable[[object], str | None]
) -> OAuthChallenge | None:
    """The error challenge, answered with the mechanism's dummy response; None when there was none."""
    words = text(event)
    if words is None:
        return None
    challenge = oauth.parse_challenge(words)
    line.sock.sendall(oauth.error_ack(mechanism) + b"\r\n")
    return challenge


def imap_login(
    server: DovecotServer, context: ssl.SSLContext, mechanism: str, token: str
) -> tuple[bool, OAuthChallenge | None, str]:
    line = Line(server.host, server.ports["imaps"], context)
    reader = imap.ImapResponseReader()
    try:
        line.read(reader, reader.next_response)  # the greeting
        initial = oauth.initial_response(mechanism, USER, token, "mail.example.test", server.ports["imaps"])
        line.sock.sendall(b"".join(imap.authenticate_oauth("a1", mechanism, initial)))
        event = line.read(reader, reader.next_response)
        challenge = _challenge_then(
            line, event, mechanism, lambda e: e.text if isinstance(e, imap.Continuation) else None
        )
        if challenge is not None:
            event = line.read(reader, reader.next_response)
        assert isinstance(event, imap.Tagged)
        return event.status == imap.ImapStatus.OK, challenge, f"{event.status} {event.text}"
    finally:
        line.close()


def pop3_login(
    server: DovecotServer, context: ssl.SSLContext, mechanism: str, token: str
) -> tuple[bool, OAuthChallenge | None, str]:
    line = Line(server.host, server.ports["pop3s"], context)
    reader = pop3.Pop3Reader()
    try:
        line.read(reader, reader.next_reply)
        line.sock.sendall(pop3.auth_oauth(mechanism, oauth.initial_response(mechanism, USER, token)))
        event = line.read(reader, reader.next_reply)
        challenge = _challenge_then(
            line, event, mechanism, lambda e: e.text if isinstance(e, pop3.Pop3Continuation) else None
        )
        if challenge is not None:
            event = line.read(reader, reader.next_reply)
        assert isinstance(event, pop3.Pop3Reply)
        return event.ok, challenge, event.text
    finally:
        line.close()


def smtp_login(
    server: PostfixServer, context: ssl.SSLContext, mechanism: str, token: str
) -> tuple[bool, OAuthChallenge | None, str]:
    line = Line(server.host, server.ports["smtps"], context)
    reader = smtp.SmtpReplyReader()
    try:
        line.read(reader, reader.next_reply)
        line.sock.sendall(smtp.ehlo("client.example.test"))
        ehlo = line.read(reader, reader.next_reply)
        assert isinstance(ehlo, smtp.SmtpReply)
        # Postfix offers what Dovecot's auth offers: the OAuth mechanisms among them
        assert oauth.chosen_mechanism(smtp.EhloInfo.parse(ehlo).auth_mechanisms) == oauth.OAUTHBEARER
        line.sock.sendall(smtp.auth_oauth(mechanism, oauth.initial_response(mechanism, USER, token)))
        event = line.read(reader, reader.next_reply)
        assert isinstance(event, smtp.SmtpReply)
        challenge = _challenge_then(
            line,
            event,
            mechanism,
            lambda e: " ".join(e.lines) if isinstance(e, smtp.SmtpReply) and e.code == 334 else None,
        )
        if challenge is not None:
            event = line.read(reader, reader.next_reply)
            assert isinstance(event, smtp.SmtpReply)
        return event.code == 235, challenge, f"{event.code} {' '.join(event.lines)}"
    finally:
        line.close()


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_valid_token_logs_in_to_imap_pop3_and_smtp(
    oauth_dovecot: DovecotServer, oauth_postfix: PostfixServer, lab_ca_context: ssl.SSLContext, mechanism: str
) -> None:
    token = mint_token(PASSDB, USER)
    assert imap_login(oauth_dovecot, lab_ca_context, mechanism, token)[:2] == (True, None)
    assert pop3_login(oauth_dovecot, lab_ca_context, mechanism, token)[:2] == (True, None)
    assert smtp_login(oauth_postfix, lab_ca_context, mechanism, token)[:2] == (True, None)


@pytest.mark.parametrize("mechanism", MECHANISMS)
@pytest.mark.parametrize(
    ("lifetime", "scope"), [(-60, None), (300, "calendar")], ids=["expired", "wrong-scope"]
)
def test_a_refused_token_brings_the_challenge_and_the_servers_words(
    oauth_dovecot: DovecotServer,
    oauth_postfix: PostfixServer,
    lab_ca_context: ssl.SSLContext,
    mechanism: str,
    lifetime: int,
    scope: str | None,
) -> None:
    token = mint_token(PASSDB, USER, lifetime=lifetime, scope=scope)
    # Dovecot 2.3 writes, for XOAUTH2, the HTTP code as Google does (401); for OAUTHBEARER, RFC 6750's
    # error code; both with the scope it wants
    expected = EXPECTED_CHALLENGE[mechanism]
    ok, challenge, words = imap_login(oauth_dovecot, lab_ca_context, mechanism, token)
    assert not ok and words == "NO Authentication failed."
    assert challenge == expected
    assert oauth.classify_oauth_failure(challenge, words) is OAuthFailure.INVALID_TOKEN
    ok, challenge, words = pop3_login(oauth_dovecot, lab_ca_context, mechanism, token)
    assert not ok and challenge == expected and words == "Authentication failed."
    ok, challenge, words = smtp_login(oauth_postfix, lab_ca_context, mechanism, token)
    assert not ok and challenge == expected
    assert words.startswith("535 5.7.8 Error: authentication failed")


def test_password_logins_still_work_beside_the_tokens(
    oauth_dovecot: DovecotServer, lab_ca_context: ssl.SSLContext
) -> None:
    import imaplib

    client = imaplib.IMAP4_SSL(oauth_dovecot.host, oauth_dovecot.ports["imaps"], ssl_context=lab_ca_context)
    assert "AUTH=XOAUTH2" in client.capabilities and "AUTH=OAUTHBEARER" in client.capabilities
    assert client.login("alice", "secret")[0] == "OK"
    client.logout()
