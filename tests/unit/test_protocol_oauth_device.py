"""RFC 8628 device authorization grant, sans-IO: the answers of authorization servers read strictly, each
poll's meaning, slow_down's +5 s, and a token that never shows itself."""

from __future__ import annotations

import json
import pickle
from urllib.parse import parse_qs

import pytest

from maildoctor.protocol.oauth_device import (
    DEVICE_GRANT,
    BearerToken,
    DeviceFlowError,
    PollOutcome,
    device_request,
    next_interval,
    parse_device_authorization,
    parse_token_response,
    token_request,
)

# Microsoft identity platform's device authorization answer (the shape of its v2.0 endpoint)
MICROSOFT = {
    "user_code": "F6X9N2KQP",
    "device_code": "DAQABAAEAAAAmoFfGtYxvRrNriQdPKIZ-secret",
    "verification_uri": "https://microsoft.com/devicelogin",
    "expires_in": 900,
    "interval": 5,
    "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin ...",
}
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.canary-token-body.sig"


def _json(document: object) -> bytes:
    return json.dumps(document).encode()


def test_microsofts_answer_is_read() -> None:
    authorization = parse_device_authorization(_json(MICROSOFT))
    assert (authorization.user_code, authorization.verification_uri) == (
        "F6X9N2KQP",
        "https://microsoft.com/devicelogin",
    )
    assert (authorization.expires_in, authorization.interval) == (900, 5)
    assert "secret" not in repr(authorization)


def test_older_field_names_and_a_missing_interval() -> None:
    document = {k: v for k, v in MICROSOFT.items() if k not in ("verification_uri", "interval")}
    document["verification_url"] = "https://microsoft.com/devicelogin"
    document["expires_in"] = "900"
    authorization = parse_device_authorization(_json(document))
    assert authorization.interval == 5 and authorization.expires_in == 900


@pytest.mark.parametrize(
    "change",
    [
        {"user_code": ""},
        {"user_code": "AB\x1b[31mCD"},
        {"verification_uri": "javascript:alert(1)"},
        {"expires_in": 0},
        {"expires_in": True},
        {"interval": -1},
        {"device_code": None},
    ],
)
def test_a_broken_answer_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(DeviceFlowError):
        parse_device_authorization(_json({**MICROSOFT, **change}))


@pytest.mark.parametrize("body", [b"", b"not json", b"[1]", b"{" * 5000, b" " * 70_000])
def test_what_is_not_json_is_refused(body: bytes) -> None:
    with pytest.raises(DeviceFlowError):
        parse_device_authorization(body)


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        ("authorization_pending", PollOutcome.PENDING),
        ("slow_down", PollOutcome.SLOW_DOWN),
        ("access_denied", PollOutcome.DENIED),
        ("expired_token", PollOutcome.EXPIRED),
        ("invalid_client", PollOutcome.ERROR),
        ("invalid_scope", PollOutcome.ERROR),
    ],
)
def test_each_poll_answer(error: str, outcome: PollOutcome) -> None:
    result = parse_token_response(400, _json({"error": error, "error_description": "AADSTS70016: pending"}))
    assert (result.outcome, result.error, result.token) == (outcome, error, None)


def test_a_granted_token_is_kept_out_of_sight() -> None:
    body = _json(
        {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3599, "scope": "IMAP.AccessAsUser.All"}
    )
    result = parse_token_response(200, body)
    assert result.outcome is PollOutcome.GRANTED and result.token is not None
    assert result.token.reveal() == TOKEN
    for shown in (repr(result), str(result), f"{result.token}", repr(result.token)):
        assert TOKEN not in shown and "canary" not in shown
    with pytest.raises(TypeError):
        pickle.dumps(result.token)
    assert result.token == BearerToken(TOKEN) and (result.scope, result.expires_in) == (
        "IMAP.AccessAsUser.All",
        3599,
    )


@pytest.mark.parametrize(
    "body", [{"access_token": TOKEN, "token_type": "mac"}, {"token_type": "Bearer"}, {"error": ""}, {}]
)
def test_neither_token_nor_error(body: dict[str, object]) -> None:
    with pytest.raises(DeviceFlowError):
        parse_token_response(200, _json(body))


def test_slow_down_adds_five_seconds() -> None:
    assert next_interval(5, PollOutcome.SLOW_DOWN) == 10
    assert next_interval(5, PollOutcome.PENDING) == 5


def test_the_form_bodies() -> None:
    assert parse_qs(device_request("my-client", "offline_access IMAP.AccessAsUser.All").decode()) == {
        "client_id": ["my-client"],
        "scope": ["offline_access IMAP.AccessAsUser.All"],
    }
    assert parse_qs(token_request("my-client", "dc&x=1").decode()) == {
        "grant_type": [DEVICE_GRANT],
        "device_code": ["dc&x=1"],
        "client_id": ["my-client"],
    }
