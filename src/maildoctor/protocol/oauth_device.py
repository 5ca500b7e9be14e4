"""The OAuth 2.0 device authorization grant (RFC 8628), sans-IO: the requests as form bodies, the
authorization server's answers read (bounded, strict), and what each poll means (pure).

    client -> device_authorization_endpoint   client_id, scope
    server -> device_code, user_code, verification_uri[_complete], expires_in, interval
    the person opens verification_uri and types user_code (or opens verification_uri_complete)
    client -> token_endpoint (every `interval` s)  grant_type=...device_code, device_code, client_id
    server -> 400 authorization_pending | slow_down (+5 s) | access_denied | expired_token
              200 access_token, token_type, expires_in, scope

The access token is kept in a `BearerToken`, whose repr and str never show it: it is as secret as a
password (interface.md: nothing the program writes contains it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final
from urllib.parse import urlencode, urlsplit

DEVICE_GRANT: Final = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP: Final = 5  # seconds added to the interval on slow_down (RFC 8628 3.5)
DEFAULT_INTERVAL: Final = 5
MAX_ANSWER: Final = 64 * 1024  # an authorization server's JSON answer is a few hundred bytes
_MAX_FIELD: Final = 2048
_MAX_SECONDS: Final = 24 * 3600


class DeviceFlowError(ValueError):
    """The authorization server's answer is not what RFC 8628 / RFC 6749 say it is."""


class PollOutcome(StrEnum):
    PENDING = "authorization_pending"  # the person has not approved yet: poll again
    SLOW_DOWN = "slow_down"  # polled too fast: poll again, 5 s slower
    DENIED = "access_denied"  # the person refused
    EXPIRED = "expired_token"  # the device code expired before approval
    GRANTED = "granted"
    ERROR = "error"  # any other error (invalid_client, invalid_scope, ...): `error` says which


class BearerToken:
    """An access token that does not show itself (repr, str, format give a mask)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The token itself: only for the SASL initial response."""
        return self._value

    def __repr__(self) -> str:
        return "BearerToken(********)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BearerToken) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("BearerToken", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a bearer token is not pickled")


@dataclass(frozen=True, slots=True)
class DeviceAuthorization:
    """What to show the person, and how to poll (`device_code` is secret too: never shown)."""

    user_code: str
    verification_uri: str
    expires_in: int
    interval: int
    verification_uri_complete: str | None = None
    device_code: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class PollResult:
    outcome: PollOutcome
    token: BearerToken | None = None
    scope: str = ""
    expires_in: int | None = None
    error: str = ""  # the server's `error` code, as written (shortened)
    description: str = ""  # its `error_description` (untrusted: escape where shown)


def device_request(client_id: str, scope: str) -> bytes:
    """The form body for the device authorization endpoint."""
    return urlencode({"client_id": client_id, "scope": scope}).encode("ascii")


def token_request(client_id: str, device_code: str) -> bytes:
    """The form body for one poll of the token endpoint."""
    return urlencode({"grant_type": DEVICE_GRANT, "device_code": device_code, "client_id": client_id}).encode(
        "ascii"
    )


def _document(body: bytes) -> dict[str, object]:
    if len(body) > MAX_ANSWER:
        raise DeviceFlowError("the answer is too long")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DeviceFlowError("the answer is not JSON") from exc
    if not isinstance(document, dict):
        raise DeviceFlowError("the answer is not a JSON object")
    return document


def _text(document: dict[str, object], name: str, *, required: bool = True) -> str:
    value = document.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > _MAX_FIELD:
        raise DeviceFlowError(f"{name} is missing or not a short string")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise DeviceFlowError(f"{name} holds control characters")
    return value


def _seconds(document: dict[str, object], name: str, default: int | None) -> int:
    value = document.get(name, default)
    if isinstance(value, str) and value.isdigit() and len(value) < 7:
        value = int(value)  # some servers (Microsoft's v1 endpoint) write numbers as strings
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= _MAX_SECONDS:
        raise DeviceFlowError(f"{name} is missing or not a number of seconds")
    return value


def _web_address(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DeviceFlowError(f"{name} is not a web address")
    return value


def parse_device_authorization(body: bytes) -> DeviceAuthorization:
    """The device authorization response (RFC 8628 3.2); DeviceFlowError when it is not one.
    Microsoft's older endpoint writes `verification_url`: read as `verification_uri`."""
    document = _document(body)
    uri_name = "verification_uri" if "verification_uri" in document else "verification_url"
    complete = _text(document, "verification_uri_complete", required=False) or None
    return DeviceAuthorization(
        user_code=_text(document, "user_code"),
        verification_uri=_web_address(_text(document, uri_name), uri_name),
        expires_in=_seconds(document, "expires_in", None),
        interval=_seconds(document, "interval", DEFAULT_INTERVAL),
        verification_uri_complete=_web_address(complete, "verification_uri_complete") if complete else None,
        device_code=_text(document, "device_code"),
    )


_OUTCOMES: Final = {outcome.value: outcome for outcome in PollOutcome if outcome is not PollOutcome.GRANTED}


def parse_token_response(status: int, body: bytes) -> PollResult:
    """One poll's answer (RFC 8628 3.5, RFC 6749 5.1/5.2); DeviceFlowError when it is neither a token nor
    an error."""
    document = _document(body)
    if status == 200 and "access_token" in document:
        token_type = _text(document, "token_type", required=False)
        if token_type and token_type.lower() != "bearer":
            raise DeviceFlowError("the token is not a bearer token")
        token = _text(document, "access_token")
        expires = _seconds(document, "expires_in", None) if "expires_in" in document else None
        scope = _text(document, "scope", required=False)
        return PollResult(PollOutcome.GRANTED, BearerToken(token), scope, expires)
    error = document.get("error")
    if not isinstance(error, str) or not error:
        raise DeviceFlowError("the answer holds neither a token nor an error")
    description = document.get("error_description")
    return PollResult(
        _OUTCOMES.get(error, PollOutcome.ERROR),
        error=error[:100],
        description=description[:500] if isinstance(description, str) else "",
    )


def next_interval(interval: int, outcome: PollOutcome) -> int:
    """How long to wait before the next poll (RFC 8628 3.5: slow_down adds 5 seconds for good)."""
    return interval + SLOW_DOWN_STEP if outcome is PollOutcome.SLOW_DOWN else interval


__all__ = [
    "DEVICE_GRANT",
    "BearerToken",
    "DeviceAuthorization",
    "DeviceFlowError",
    "PollOutcome",
    "PollResult",
    "device_request",
    "next_interval",
    "parse_device_authorization",
    "parse_token_response",
    "token_request",
]
