"""The device authorization grant (RFC 8628) run against an authorization server: ask for a code, show
it, poll the token endpoint at the pace the server asks for, until the person approves, refuses, or the
code expires. The requests and answers are read by `protocol.oauth_device`; the HTTP is `net.http`'s
(bounded, one deadline). The token is never logged: it comes back inside a `BearerToken`.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from maildoctor.net.http import HostResolver, http_exchange
from maildoctor.protocol.oauth_device import (
    DeviceAuthorization,
    DeviceFlowError,
    PollOutcome,
    PollResult,
    device_request,
    next_interval,
    parse_device_authorization,
    parse_token_response,
    token_request,
)

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Authority:
    """An authorization server's two endpoints for the device grant (Microsoft's:
    https://login.microsoftonline.com/<tenant>/oauth2/v2.0/devicecode and .../token)."""

    device_endpoint: str
    token_endpoint: str
    port_override: Mapping[str, int] = field(default_factory=dict)


async def _post(
    url: str,
    body: bytes,
    authority: Authority,
    resolver: HostResolver,
    context: ssl.SSLContext,
    deadline: float,
) -> tuple[int, bytes]:
    status, _, answer = await http_exchange(
        "POST",
        url,
        resolver=resolver,
        ssl_context=context,
        port_override=authority.port_override,
        deadline=deadline,
        body=body,
        content_type=_FORM,
        accept=_JSON,
    )
    return status, answer


def _refusal(status: int, answer: bytes) -> str:
    """The `error` of a refused device authorization request (invalid_client, ...), or its HTTP status."""
    try:
        return parse_token_response(status, answer).error or f"HTTP {status}"
    except DeviceFlowError:
        return f"HTTP {status}"


async def device_flow(
    authority: Authority,
    client_id: str,
    scope: str,
    *,
    show: Callable[[DeviceAuthorization], None],
    resolver: HostResolver,
    ssl_context: ssl.SSLContext,
    timeout: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> PollResult:
    """Run the grant; the result says GRANTED (with the token) or why not. The code's own expiry and
    `timeout` both end the polling as EXPIRED. HttpFetchError / DeviceFlowError when the server cannot
    be reached or does not speak RFC 8628."""
    deadline = time.monotonic() + timeout
    status, answer = await _post(
        authority.device_endpoint,
        device_request(client_id, scope),
        authority,
        resolver,
        ssl_context,
        deadline,
    )
    if status != 200:
        raise DeviceFlowError(_refusal(status, answer))
    authorization = parse_device_authorization(answer)
    show(authorization)
    expires = min(deadline, time.monotonic() + authorization.expires_in)
    interval = authorization.interval
    body = token_request(client_id, authorization.device_code)
    while True:
        if time.monotonic() + interval >= expires:
            return PollResult(PollOutcome.EXPIRED, error="expired_token")
        await sleep(interval)
        status, answer = await _post(
            authority.token_endpoint, body, authority, resolver, ssl_context, deadline
        )
        result = parse_token_response(status, answer)
        if result.outcome not in (PollOutcome.PENDING, PollOutcome.SLOW_DOWN):
            return result
        interval = next_interval(interval, result.outcome)


__all__ = ["Authority", "device_flow"]
