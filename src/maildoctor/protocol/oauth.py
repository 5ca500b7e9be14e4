"""SASL with an OAuth 2.0 bearer token: XOAUTH2 (Google's and Microsoft's) and OAUTHBEARER (RFC 7628),
for IMAP, POP3 and SMTP alike; and the server's error challenge read and classified (pure).

A login with a token goes:

    client: AUTHENTICATE XOAUTH2 <initial response>      (IMAP; SMTP/POP3: AUTH XOAUTH2 <...>)
    server: OK / 235 / +OK                               the token was taken
    server: + <base64 JSON> / 334 <base64 JSON>          the token was refused: the error challenge
    client: <the dummy answer>                           XOAUTH2: an empty line; OAUTHBEARER: base64 of
                                                         %x01 ("AQ==", RFC 7628 3.2.3)
    server: NO / 535 / -ERR <words>                      the refusal itself

The JSON (RFC 7628 3.2.2) holds `status` (RFC 6750's error code: `invalid_token`,
`insufficient_scope`, `invalid_request`; Google's XOAUTH2 writes an HTTP code: "401", "400"), and
optionally `scope` and `openid-configuration`. `classify_oauth_failure` turns the challenge and the
server's final words into what went wrong (`OAuthFailure`).

The initial responses carry the token: the transcript must redact every line built from them, as for
a password. Nothing here decodes more than `MAX_CHALLENGE` bytes of a challenge.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ._syntax import check_argument

# A challenge is a few hundred bytes (Google's: ~100); a hostile server's longer one is not read.
MAX_CHALLENGE: Final = 4096
_MAX_FIELD: Final = 500  # characters kept of each field of the JSON

XOAUTH2: Final = "XOAUTH2"
OAUTHBEARER: Final = "OAUTHBEARER"
MECHANISMS: Final = (OAUTHBEARER, XOAUTH2)  # the standard one first when both are offered

# What the client sends after an error challenge, before the server's final refusal.
XOAUTH2_ERROR_ACK: Final = b""  # an empty response (Google's and Microsoft's XOAUTH2 documentation)
OAUTHBEARER_ERROR_ACK: Final = base64.b64encode(b"\x01")  # "AQ==": RFC 7628 3.2.3


class OAuthFailure(StrEnum):
    """Why a token was refused."""

    # expired, revoked, for another user or audience: sign in again
    INVALID_TOKEN = "invalid_token"  # noqa: S105 -- a kind's name, not a secret
    MISSING_SCOPE = "missing_scope"  # the token does not allow mail (IMAP/POP/SMTP) access
    # the organisation's policy refuses it (the protocol switched off, Conditional Access)
    TENANT_POLICY = "tenant_policy"
    # signed in, but the mailbox is not there or not licensed for this protocol
    NOT_LICENSED = "not_licensed"
    INVALID_REQUEST = "invalid_request"  # the request itself was malformed
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class OAuthChallenge:
    """The server's error challenge, decoded (each field as the server wrote it, shortened)."""

    status: str
    scope: str = ""
    schemes: str = ""
    openid_configuration: str = ""


def _field(value: object) -> str:
    return value[:_MAX_FIELD] if isinstance(value, str) else ""


def _gs2_name(username: str) -> str:
    """RFC 5801 saslname: `,` and `=` escaped as `=2C` and `=3D`."""
    return username.replace("=", "=3D").replace(",", "=2C")


def _check(username: str, token: str) -> None:
    check_argument(username, "username")
    check_argument(token, "token")
    if not username:
        raise ValueError("username is empty")
    if not token:
        raise ValueError("token is empty")
    if "\x01" in username or "\x01" in token or any(char.isspace() for char in token):
        raise ValueError("username or token contains a separator character")


def xoauth2_response(username: str, token: str) -> bytes:
    """base64 of `user=<username>^Aauth=Bearer <token>^A^A` (Google's and Microsoft's XOAUTH2). Carries the
    token."""
    _check(username, token)
    return base64.b64encode(f"user={username}\x01auth=Bearer {token}\x01\x01".encode())


def oauthbearer_response(username: str, token: str, host: str = "", port: int | None = None) -> bytes:
    """base64 of RFC 7628's client response: `n,a=<username>,^Ahost=..^Aport=..^Aauth=Bearer <token>^A^A`.
    Carries the token."""
    _check(username, token)
    check_argument(host, "host")
    parts = [f"n,a={_gs2_name(username)},"]
    if host:
        parts.append(f"host={host}")
    if port is not None:
        parts.append(f"port={int(port)}")
    parts.append(f"auth=Bearer {token}")
    return base64.b64encode(("\x01".join(parts) + "\x01\x01").encode())


def initial_response(
    mechanism: str, username: str, token: str, host: str = "", port: int | None = None
) -> bytes:
    """The initial response of `mechanism` (XOAUTH2 or OAUTHBEARER). Carries the token."""
    if mechanism.upper() == XOAUTH2:
        return xoauth2_response(username, token)
    if mechanism.upper() == OAUTHBEARER:
        return oauthbearer_response(username, token, host, port)
    raise ValueError(f"not an OAuth mechanism: {mechanism!r}")


def error_ack(mechanism: str) -> bytes:
    """What to answer an error challenge with, without the line end."""
    return OAUTHBEARER_ERROR_ACK if mechanism.upper() == OAUTHBEARER else XOAUTH2_ERROR_ACK


def chosen_mechanism(offered: tuple[str, ...] | frozenset[str]) -> str | None:
    """The OAuth mechanism to use from what the server offers (OAUTHBEARER first), or None."""
    names = {name.upper() for name in offered}
    return next((mechanism for mechanism in MECHANISMS if mechanism in names), None)


def parse_challenge(data: bytes | str) -> OAuthChallenge | None:
    """The error challenge (base64 of JSON, as after `+ ` / `334 `), or None when it is not one: not
    base64, too long, not a JSON object, or no `status`."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    raw = raw.strip()
    if not raw or len(raw) > MAX_CHALLENGE:
        return None
    try:
        decoded = base64.b64decode(raw, validate=True)
        document = json.loads(decoded.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    status = document.get("status")
    if isinstance(status, int) and not isinstance(status, bool):
        status = str(status)
    if not isinstance(status, str) or not status:
        return None
    return OAuthChallenge(
        status=_field(status),
        scope=_field(document.get("scope")),
        schemes=_field(document.get("schemes")),
        openid_configuration=_field(document.get("openid-configuration")),
    )


# The server's final words, where the challenge does not say (or there was none): Microsoft's
# "User is authenticated but not connected." (the mailbox has no IMAP/POP access or licence: signed in,
# no mailbox), policy words, scope words.
_NOT_LICENSED: Final = re.compile(
    r"authenticated but not connected|not licensed|no mailbox|mailbox (?:is )?(?:not|disabled)|"
    r"(?:imap|pop3?|pop) (?:access )?(?:is )?disabled for (?:this|the) (?:user|mailbox|account)",
    re.IGNORECASE,
)
_POLICY: Final = re.compile(
    r"conditional access|policy|SmtpClientAuthentication is disabled|disabled for the tenant|"
    r"blocked by (?:your|the) (?:organi[sz]ation|administrator)|AADSTS53",
    re.IGNORECASE,
)
_SCOPE: Final = re.compile(r"insufficient[_ ]scope|scope", re.IGNORECASE)
_EXPIRED: Final = re.compile(r"invalid[_ ]token|token (?:has )?expired|expired token", re.IGNORECASE)

_BY_STATUS: Final = {
    "invalid_token": OAuthFailure.INVALID_TOKEN,
    "401": OAuthFailure.INVALID_TOKEN,
    "insufficient_scope": OAuthFailure.MISSING_SCOPE,
    "403": OAuthFailure.MISSING_SCOPE,
    "invalid_request": OAuthFailure.INVALID_REQUEST,
    "400": OAuthFailure.INVALID_REQUEST,
}


def classify_oauth_failure(challenge: OAuthChallenge | None, words: str = "") -> OAuthFailure:
    """Why the token was refused: the server's final words name a policy or a missing mailbox most
    exactly; then the challenge's `status`; then the words' other hints."""
    if _NOT_LICENSED.search(words):
        return OAuthFailure.NOT_LICENSED
    if _POLICY.search(words):
        return OAuthFailure.TENANT_POLICY
    if challenge is not None:
        known = _BY_STATUS.get(challenge.status.strip().lower())
        if known is not None:
            return known
    if _EXPIRED.search(words):
        return OAuthFailure.INVALID_TOKEN
    if _SCOPE.search(words):
        return OAuthFailure.MISSING_SCOPE
    return OAuthFailure.UNKNOWN


__all__ = [
    "MAX_CHALLENGE",
    "MECHANISMS",
    "OAUTHBEARER",
    "OAUTHBEARER_ERROR_ACK",
    "XOAUTH2",
    "XOAUTH2_ERROR_ACK",
    "OAuthChallenge",
    "OAuthFailure",
    "chosen_mechanism",
    "classify_oauth_failure",
    "error_ack",
    "initial_response",
    "oauthbearer_response",
    "parse_challenge",
    "xoauth2_response",
]
