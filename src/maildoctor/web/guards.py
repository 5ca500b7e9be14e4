"""The middleware every request goes through: rate limits per client, the size of a request body,
the security headers (a Content-Security-Policy without inline scripts or styles) and the CSRF
cookie. A raw ASGI middleware, so that streamed answers (the live check) pass untouched."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maildoctor.web import csrf
from maildoctor.web.config import WebConfig
from maildoctor.web.ratelimit import RateLimiter

CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: Final = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make a form's Origin "null"
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class BodyTooLargeError(Exception):
    pass


class Guards:
    def __init__(self, app: ASGIApp, config: WebConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.max_body = config.max_body_bytes
        self.pages = RateLimiter(config.page_rate, clock)
        self.checks = RateLimiter(config.check_rate, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        starts_check = scope["method"] == "POST" and scope["path"] in ("/check", "/domain", "/settings")
        # the static files (a stylesheet and two scripts, never a page's work) are not counted
        counted = not scope["path"].startswith("/static/")
        if (counted and not self.pages.allow(client)) or (starts_check and not self.checks.allow(client)):
            await _plain(send, 429, b"Too many requests: wait a minute and try again.\n")
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _plain(send, 413, b"The request is too large.\n")
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                headers.extend(HEADERS)
                token = scope.get("state", {}).get("csrf_new")
                if token:
                    secure = "; Secure" if scope.get("scheme") == "https" else ""
                    cookie = f"{csrf.COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"
                    headers.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, bounded_receive, guarded_send)
        except BodyTooLargeError:
            await _plain(send, 413, b"The request is too large.\n")


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-security-policy", CSP.encode()),
                *HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["CSP", "Guards"]
