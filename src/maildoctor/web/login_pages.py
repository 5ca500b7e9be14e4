"""Signing in and out of the web pages. The name and password are checked against the book's users
(argon2); failed tries slow down per user and per client (loginguard.py), whoever is right."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Final

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from maildoctor.i18n import N_
from maildoctor.web.loginguard import LoginGuard
from maildoctor.web.pagekit import checked_form, field, page
from maildoctor.web.sessions import COOKIE, SessionStore
from maildoctor.web.users import authenticate, user_count

MAX_HASHING: Final = 2  # password checks at once


def safe_next(target: str | None) -> str:
    """Only a path on this server (never //elsewhere or a scheme): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class LoginPages:
    def __init__(self, book: Engine | None, sessions: SessionStore, guard: LoginGuard | None = None) -> None:
        self.book = book
        self.sessions = sessions
        self.guard = guard or LoginGuard(time.monotonic)
        # argon2 takes 64 MiB and tens of milliseconds a try: a flood of tries waits its turn
        self.hashing = asyncio.Semaphore(MAX_HASHING)

    def _form(self, request: Request, status: int = 200, problems: list[str] | None = None) -> Response:
        no_users = self.book is None or user_count(self.book) == 0
        return page(
            request,
            "login.html",
            status=status,
            problems=problems or [],
            no_users=no_users,
            next=safe_next(request.query_params.get("next")),
            wait=None,
        )

    async def form(self, request: Request) -> Response:
        return self._form(request)

    async def submit(self, request: Request) -> Response:
        form = await checked_form(request)
        name = field(form, "name")
        raw = form.get("password")
        password = raw if isinstance(raw, str) else ""
        client = request.client.host if request.client else "?"
        wait = self.guard.wait_left(name, client)
        if wait > 0:
            problem = N_("Too many failed sign-ins. Wait {seconds} seconds, then try again.")
            response = page(
                request,
                "login.html",
                status=429,
                problems=[],
                no_users=False,
                next=safe_next(field(form, "next")),
                wait=(problem, math.ceil(wait)),
            )
            response.headers["retry-after"] = str(math.ceil(wait))
            return response
        role = None
        if self.book is not None and name and password:
            async with self.hashing:
                role = await run_in_threadpool(authenticate, self.book, name, password)
        del password, raw
        if role is None:
            self.guard.failed(name, client)
            return self._form(request, 401, [N_("The name or the password is not right.")])
        self.guard.succeeded(name, client)
        token = self.sessions.start(name, role.value)
        signed = RedirectResponse(safe_next(field(form, "next")), status_code=303)
        signed.headers.append("set-cookie", self.sessions.cookie(token, secure=request.url.scheme == "https"))
        return signed

    async def logout(self, request: Request) -> Response:
        await checked_form(request)
        self.sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.headers.append(
            "set-cookie", self.sessions.cleared_cookie(secure=request.url.scheme == "https")
        )
        return response


__all__ = ["LoginPages", "safe_next"]
