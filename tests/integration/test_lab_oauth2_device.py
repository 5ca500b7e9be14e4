"""The device authorization grant (RFC 8628) end to end on loopback: maildoctor's client
(net.oauth_device) asks the lab's authorization server for a code, shows it, and polls; the test plays
the person and approves (or refuses) through the server's approval endpoint; the token issued logs in to
the lab's Dovecot (IMAP) and Postfix (SMTP) with XOAUTH2/OAUTHBEARER. Then the failure paths: refused
consent, polling too fast (slow_down), the code expiring, a token of the wrong scope, an expired token.
Introspection (RFC 7662) tells a live token from a dead one."""

from __future__ import annotations

import asyncio
import json
import ssl
import urllib.request
from collections.abc import Awaitable, Callable, Iterator

import pytest
from test_lab_oauth2 import PASSDB, imap_login, smtp_login  # the same servers' login helpers

from maildoctor.facts import DnsLookup, DnsOutcome, HostResolution
from maildoctor.net.oauth_device import Authority, device_flow
from maildoctor.protocol import oauth
from maildoctor.protocol.oauth import OAuthFailure
from maildoctor.protocol.oauth_device import DeviceAuthorization, PollOutcome, PollResult
from maildoctor_lab.certs import StandardCerts
from maildoctor_lab.dovecot import DovecotServer
from maildoctor_lab.oauth2_server import AuthServer, AuthServerOptions, start_auth_server
from maildoctor_lab.postfix import PostfixServer

pytestmark = pytest.mark.lab

CLIENT_ID = "maildoctor-lab-client"
USER = "alice"


async def _loopback(host: str) -> HostResolution:
    return HostResolution(
        host, DnsLookup(host, "A", DnsOutcome.OK, ("127.0.0.1",)), DnsLookup(host, "AAAA", DnsOutcome.NODATA)
    )


@pytest.fixture
def auth_server(request: pytest.FixtureRequest, certs: StandardCerts) -> Iterator[AuthServer]:
    options = getattr(request, "param", AuthServerOptions())
    server = start_auth_server(certs.good, options)
    yield server
    server.stop()


def _authority(server: AuthServer) -> Authority:
    base = f"https://mail.example.test:{server.port}"
    return Authority(f"{base}/devicecode", f"{base}/token")


def _post(
    server: AuthServer, context: ssl.SSLContext, path: str, fields: dict[str, str]
) -> dict[str, object]:
    """The test, as the person at the browser (or the mail server introspecting)."""
    data = "&".join(f"{key}={value}" for key, value in fields.items()).encode()
    request = urllib.request.Request(f"https://localhost:{server.port}{path}", data=data, method="POST")
    with urllib.request.urlopen(request, context=context, timeout=5) as answer:  # noqa: S310 -- loopback https
        document = json.loads(answer.read())
    assert isinstance(document, dict)
    return document


def run_flow(
    server: AuthServer,
    context: ssl.SSLContext,
    person: Callable[[DeviceAuthorization], None] | None,
    *,
    scope: str = PASSDB.scope,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    timeout: float = 20,
) -> tuple[PollResult, list[DeviceAuthorization]]:
    shown: list[DeviceAuthorization] = []

    def show(authorization: DeviceAuthorization) -> None:
        shown.append(authorization)
        if person is not None:
            person(authorization)

    result = asyncio.run(
        device_flow(
            _authority(server),
            CLIENT_ID,
            scope,
            show=show,
            resolver=_loopback,
            ssl_context=context,
            timeout=timeout,
            sleep=sleep,
        )
    )
    return result, shown


def approve(
    server: AuthServer, context: ssl.SSLContext, decision: str = "allow"
) -> Callable[[DeviceAuthorization], None]:
    def person(authorization: DeviceAuthorization) -> None:
        answer = _post(
            server,
            context,
            "/approve",
            {"user_code": authorization.user_code, "user": USER, "decision": decision},
        )
        assert answer == {"approved": decision == "allow"}

    return person


def test_device_code_shown_approved_token_issued_and_logins_succeed(
    auth_server: AuthServer,
    oauth_dovecot: DovecotServer,
    oauth_postfix: PostfixServer,
    lab_ca_context: ssl.SSLContext,
) -> None:
    result, shown = run_flow(auth_server, lab_ca_context, approve(auth_server, lab_ca_context))
    (authorization,) = shown
    assert authorization.user_code and authorization.verification_uri.endswith("/device")
    assert "device_code" not in repr(authorization)  # the device code is not shown either
    assert result.outcome is PollOutcome.GRANTED and result.token is not None
    token = result.token.reveal()
    assert token not in repr(result) and token not in str(result.token)
    assert _post(auth_server, lab_ca_context, "/introspect", {"token": token})["active"] is True
    for mechanism in (oauth.XOAUTH2, oauth.OAUTHBEARER):
        assert imap_login(oauth_dovecot, lab_ca_context, mechanism, token)[:2] == (True, None)
        assert smtp_login(oauth_postfix, lab_ca_context, mechanism, token)[:2] == (True, None)


def test_the_person_refuses(auth_server: AuthServer, lab_ca_context: ssl.SSLContext) -> None:
    result, _ = run_flow(auth_server, lab_ca_context, approve(auth_server, lab_ca_context, "deny"))
    assert (result.outcome, result.token, result.error) == (PollOutcome.DENIED, None, "access_denied")


@pytest.mark.parametrize("auth_server", [AuthServerOptions(slow_down_first=True)], indirect=True)
def test_slow_down_makes_the_client_wait_five_seconds_longer(
    auth_server: AuthServer, lab_ca_context: ssl.SSLContext
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(1.0)  # the server's real pace; the waits asked for are what is checked

    result, _ = run_flow(auth_server, lab_ca_context, approve(auth_server, lab_ca_context), sleep=sleep)
    assert result.outcome is PollOutcome.GRANTED
    assert [answer for _, answer in auth_server.polls][:2] == ["slow_down", "granted"]
    assert waits[:2] == [1, 6]  # RFC 8628 3.5: +5 s after slow_down, and for good


def test_polling_too_fast_is_told_slow_down(auth_server: AuthServer, lab_ca_context: ssl.SSLContext) -> None:
    async def impatient(seconds: float) -> None:
        del seconds
        await asyncio.sleep(0.05)

    result, _ = run_flow(auth_server, lab_ca_context, None, sleep=impatient, timeout=3)
    assert result.outcome is PollOutcome.EXPIRED  # never approved: the client gives up at the deadline
    answers = [answer for _, answer in auth_server.polls]
    assert answers[0] == "authorization_pending" and set(answers[1:]) == {"slow_down"}


@pytest.mark.parametrize("auth_server", [AuthServerOptions(code_lifetime=1.5)], indirect=True)
def test_the_code_expires_before_approval(auth_server: AuthServer, lab_ca_context: ssl.SSLContext) -> None:
    result, shown = run_flow(auth_server, lab_ca_context, None)
    assert shown[0].expires_in == 1
    assert result.outcome is PollOutcome.EXPIRED and result.token is None


def test_a_token_of_the_wrong_scope_is_refused_by_the_mail_server(
    auth_server: AuthServer, oauth_dovecot: DovecotServer, lab_ca_context: ssl.SSLContext
) -> None:
    result, _ = run_flow(auth_server, lab_ca_context, approve(auth_server, lab_ca_context), scope="calendar")
    assert result.outcome is PollOutcome.GRANTED and result.token is not None and result.scope == "calendar"
    ok, challenge, words = imap_login(oauth_dovecot, lab_ca_context, oauth.XOAUTH2, result.token.reveal())
    assert not ok and challenge is not None and challenge.scope == "mail"
    assert oauth.classify_oauth_failure(challenge, words) is OAuthFailure.INVALID_TOKEN


@pytest.mark.parametrize("auth_server", [AuthServerOptions(token_lifetime=-30)], indirect=True)
def test_an_expired_token_is_refused_and_introspects_inactive(
    auth_server: AuthServer, oauth_dovecot: DovecotServer, lab_ca_context: ssl.SSLContext
) -> None:
    result, _ = run_flow(auth_server, lab_ca_context, approve(auth_server, lab_ca_context))
    assert result.token is not None
    token = result.token.reveal()
    assert _post(auth_server, lab_ca_context, "/introspect", {"token": token}) == {"active": False}
    ok, challenge, _ = imap_login(oauth_dovecot, lab_ca_context, oauth.OAUTHBEARER, token)
    assert not ok and challenge is not None and challenge.status == "invalid_token"


def test_an_unknown_client_id_is_refused(auth_server: AuthServer, lab_ca_context: ssl.SSLContext) -> None:
    from maildoctor.protocol.oauth_device import DeviceFlowError

    with pytest.raises(DeviceFlowError):
        asyncio.run(
            device_flow(
                _authority(auth_server), "someone-elses-client", "mail", show=lambda _: None,
                resolver=_loopback, ssl_context=lab_ca_context, timeout=5,
            )
        )  # fmt: skip
