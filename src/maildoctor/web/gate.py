"""The login gate: which pages need a signed-in user. The accounts book always does; served beyond
loopback every page does (the sign-in page and the static files excepted). Whoever is signed in is
put in the request's state for the pages. A raw ASGI middleware, like the guards."""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from maildoctor.web.sessions import COOKIE, SessionStore

OPEN_PATHS: Final = ("/login", "/favicon.ico")
OPEN_PREFIXES: Final = ("/static/",)
BOOK_PREFIX: Final = "/ledger"


def needs_login(path: str, *, beyond_loopback: bool) -> bool:
    """Pure: whether `path` is shown only to a signed-in user."""
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return False
    return beyond_loopback or path == BOOK_PREFIX or path.startswith(BOOK_PREFIX + "/")


def login_location(path: str) -> str:
    return "/login?next=" + quote(path, safe="/")


class LoginGate:
    def __init__(self, app: ASGIApp, sessions: SessionStore, beyond_loopback: bool) -> None:
        self.app = app
        self.sessions = sessions
        self.beyond_loopback = beyond_loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        signed_in = self.sessions.get(HTTPConnection(scope).cookies.get(COOKIE))
        scope.setdefault("state", {})["signed_in"] = signed_in
        scope["state"]["beyond_loopback"] = self.beyond_loopback
        if signed_in is None and needs_login(scope["path"], beyond_loopback=self.beyond_loopback):
            location = login_location(scope["path"]) if scope["method"] == "GET" else "/login"
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", location.encode()), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


__all__ = ["LoginGate", "login_location", "needs_login"]
