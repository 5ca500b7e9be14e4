"""SASL XOAUTH2 / OAUTHBEARER (RFC 7628): the initial responses, the error challenge as servers send it
(recorded), its dummy answer, and what the refusal means."""

from __future__ import annotations

import base64
import json

import pytest

from maildoctor.protocol import imap, oauth, pop3, smtp
from maildoctor.protocol.oauth import OAuthChallenge, OAuthFailure

TOKEN = "ya29.a0AfB_byC-canary-TOKEN-9f8e7d"

# Recorded error challenges, as servers send them after `+ ` / `334 `
GOOGLE_401 = (
    "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K"
)
RFC7628_INVALID = (
    "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRw"
    "czovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="
)
# Dovecot's oauth2 passdb (the lab): `{"status":"invalid_token","schemes":"bearer","scope":"mail"}`
DOVECOT_INVALID = base64.b64encode(b'{"status":"invalid_token","schemes":"bearer","scope":"mail"}').decode()
SCOPE = base64.b64encode(
    b'{"status":"insufficient_scope","scope":"https://outlook.office.com/IMAP.AccessAsUser.All"}'
)


def _decoded(response: bytes) -> str:
    return base64.b64decode(response).decode()


def test_xoauth2_initial_response() -> None:
    assert _decoded(oauth.xoauth2_response("taro@example.com", TOKEN)) == (
        f"user=taro@example.com\x01auth=Bearer {TOKEN}\x01\x01"
    )


def test_oauthbearer_initial_response_rfc7628() -> None:
    # RFC 7628 4.1's example shape: gs2 header, host, port, auth, two ^A at the end
    decoded = _decoded(
        oauth.oauthbearer_response(
            "user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143
        )
    )
    assert decoded == (
        "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
        "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
    )
    assert _decoded(oauth.oauthbearer_response("a,b=c", TOKEN)).startswith("n,a=a=2Cb=3Dc,\x01auth=Bearer ")


@pytest.mark.parametrize(
    ("username", "token"),
    [("", TOKEN), ("taro", ""), ("taro\r\n", TOKEN), ("taro", "a b"), ("ta\x01ro", TOKEN), ("taro", "t\0k")],
)
def test_bad_parts_are_refused(username: str, token: str) -> None:
    with pytest.raises(ValueError) as caught:
        oauth.xoauth2_response(username, token)
    assert token not in str(caught.value) or not token


def test_command_builders_carry_the_initial_response() -> None:
    initial = oauth.initial_response("xoauth2", "taro@example.com", TOKEN)
    assert smtp.auth_oauth("xoauth2", initial) == b"AUTH XOAUTH2 " + initial + b"\r\n"
    assert pop3.auth_oauth("OAUTHBEARER", initial) == b"AUTH OAUTHBEARER " + initial + b"\r\n"
    assert imap.authenticate_oauth("a1", "XOAUTH2", initial) == (
        b"a1 AUTHENTICATE XOAUTH2 " + initial + b"\r\n",
    )
    assert imap.authenticate_oauth("a1", "XOAUTH2", initial, sasl_ir=False) == (
        b"a1 AUTHENTICATE XOAUTH2\r\n",
        initial + b"\r\n",
    )
    with pytest.raises(ValueError):
        smtp.auth_oauth("X OAUTH", initial)
    with pytest.raises(ValueError):
        oauth.initial_response("PLAIN", "taro", TOKEN)


def test_the_error_challenge_is_answered_as_each_mechanism_requires() -> None:
    assert oauth.error_ack("OAUTHBEARER") == b"AQ=="
    assert base64.b64decode(oauth.error_ack("oauthbearer")) == b"\x01"
    assert oauth.error_ack("XOAUTH2") == b""


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (("PLAIN", "XOAUTH2", "OAUTHBEARER"), "OAUTHBEARER"),
        (("xoauth2", "LOGIN"), "XOAUTH2"),
        (("PLAIN",), None),
    ],
)
def test_the_standard_mechanism_is_preferred(offered: tuple[str, ...], chosen: str | None) -> None:
    assert oauth.chosen_mechanism(offered) == chosen


@pytest.mark.parametrize(
    ("challenge", "expected", "failure"),
    [
        (
            GOOGLE_401,
            OAuthChallenge("401", "https://mail.google.com/", "bearer mac"),
            OAuthFailure.INVALID_TOKEN,
        ),
        (
            RFC7628_INVALID,
            OAuthChallenge(
                "invalid_token", "example_scope", "", "https://example.com/.well-known/openid-configuration"
            ),
            OAuthFailure.INVALID_TOKEN,
        ),
        (DOVECOT_INVALID, OAuthChallenge("invalid_token", "mail", "bearer"), OAuthFailure.INVALID_TOKEN),
        (
            SCOPE.decode(),
            OAuthChallenge("insufficient_scope", "https://outlook.office.com/IMAP.AccessAsUser.All"),
            OAuthFailure.MISSING_SCOPE,
        ),
        (base64.b64encode(b'{"status":400}').decode(), OAuthChallenge("400"), OAuthFailure.INVALID_REQUEST),
    ],
)
def test_recorded_challenges(challenge: str, expected: OAuthChallenge, failure: OAuthFailure) -> None:
    parsed = oauth.parse_challenge(challenge)
    assert parsed == expected
    assert oauth.classify_oauth_failure(parsed, "AUTHENTICATE failed.") is failure


@pytest.mark.parametrize(
    "data",
    [
        "",
        "not base64!",
        base64.b64encode(b"[1, 2]").decode(),
        base64.b64encode(b'{"scope": "x"}').decode(),
        base64.b64encode(b'{"status": true}').decode(),
        base64.b64encode(b"\xff\xfe").decode(),
        base64.b64encode(json.dumps({"status": "x" * 5000}).encode()).decode(),
        base64.b64encode(b"[" * 3000 + b"]" * 3000).decode(),
    ],
)
def test_what_is_not_a_challenge(data: str) -> None:
    assert oauth.parse_challenge(data) is None


def test_long_fields_are_cut() -> None:
    data = base64.b64encode(json.dumps({"status": "invalid_token", "scope": "s" * 2000}).encode())
    parsed = oauth.parse_challenge(data)
    assert parsed is not None and len(parsed.scope) == 500


@pytest.mark.parametrize(
    ("words", "failure"),
    [
        # Microsoft: signed in, but the mailbox has no IMAP/POP access (not licensed, or switched off)
        ("User is authenticated but not connected.", OAuthFailure.NOT_LICENSED),
        (
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
            OAuthFailure.TENANT_POLICY,
        ),
        ("Access has been blocked by Conditional Access policies.", OAuthFailure.TENANT_POLICY),
        ("AUTHENTICATE failed: token expired", OAuthFailure.INVALID_TOKEN),
        ("AUTHENTICATE failed.", OAuthFailure.UNKNOWN),
    ],
)
def test_the_final_words_say_what_the_challenge_does_not(words: str, failure: OAuthFailure) -> None:
    assert oauth.classify_oauth_failure(None, words) is failure
    # the words name a policy or a missing mailbox more exactly than a generic status
    if failure in (OAuthFailure.NOT_LICENSED, OAuthFailure.TENANT_POLICY):
        assert oauth.classify_oauth_failure(OAuthChallenge("401"), words) is failure
