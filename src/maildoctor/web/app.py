"""The Starlette application of `maildoctor web`: the routes, the static files, the guards."""

from __future__ import annotations

import time

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from maildoctor.i18n import N_
from maildoctor.web.book_pages import BookPages
from maildoctor.web.check_pages import CheckPages
from maildoctor.web.config import WebConfig
from maildoctor.web.gate import LoginGate
from maildoctor.web.guards import Guards
from maildoctor.web.jobs import JobStore
from maildoctor.web.login_pages import LoginPages
from maildoctor.web.pagekit import page
from maildoctor.web.pages import Pages
from maildoctor.web.sessions import SessionStore
from maildoctor.web.templating import STATIC


async def _error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else N_("Something went wrong in maildoctor.")
    return page(request, "error.html", status=status, status_code=status, detail=detail)


async def _no_icon(_request: Request) -> Response:
    return Response(status_code=204)  # no image files: the browser's request answered, nothing sent


def open_users_book(url: str | None) -> Engine | None:
    """The book whose users sign in, or None when there is none yet (nobody can sign in)."""
    if url is None:
        return None
    from maildoctor.ledger.errors import LedgerError
    from maildoctor.ledger.store import open_book

    try:
        return open_book(url)
    except LedgerError:
        return None


def create_app(config: WebConfig, book: Engine | None = None) -> Starlette:
    book = book if book is not None else open_users_book(config.book_url)
    checks = CheckPages(config, JobStore())
    pages = Pages(config)
    sessions = SessionStore(time.monotonic)
    login = LoginPages(book, sessions)
    book_pages = BookPages(book)
    routes = [
        Route("/", checks.start, methods=["GET"], name="start"),
        Route("/check", checks.submit, methods=["POST"], name="check"),
        Route("/check/{job}", checks.show, methods=["GET"], name="job"),
        Route("/check/{job}/events", checks.events, methods=["GET"], name="events"),
        Route("/check/{job}/answer", checks.answer_fragment, methods=["GET"], name="answer"),
        Route("/check/{job}/transcript.txt", checks.transcript, methods=["GET"], name="transcript"),
        Route("/check/{job}/print", checks.printable, methods=["GET"], name="print"),
        Route("/login", login.form, methods=["GET"], name="login"),
        Route("/login", login.submit, methods=["POST"], name="login_post"),
        Route("/logout", login.logout, methods=["POST"], name="logout"),
        Route("/favicon.ico", _no_icon, methods=["GET"]),
        Route("/settings", pages.settings_form, methods=["GET"], name="settings"),
        Route("/settings", pages.settings_lookup, methods=["POST"], name="settings_lookup"),
        Route("/settings/{key}/profile.mobileconfig", pages.profile, methods=["GET"], name="profile"),
        Route("/settings/{key}/sheet", pages.sheet, methods=["GET"], name="sheet"),
        Route("/settings/{key}/memo.txt", pages.memo, methods=["GET"], name="memo"),
        Route("/explain", pages.explain_form, methods=["GET"], name="explain"),
        Route("/explain", pages.explain, methods=["POST"], name="explain_post"),
        Route("/domain", pages.domain_form, methods=["GET"], name="domain"),
        Route("/domain", pages.domain, methods=["POST"], name="domain_post"),
        Route("/ledger", book_pages.index, methods=["GET"], name="ledger"),
        Route("/ledger/retirement", book_pages.retirement, methods=["GET"], name="retirement"),
        Route("/ledger/checkups", book_pages.checkups, methods=["GET"], name="checkups"),
        Route("/ledger/checkups/last", book_pages.last_report, methods=["GET"], name="last_report"),
        Route("/ledger/checkups/{run}", book_pages.report, methods=["GET"], name="report"),
        Route("/ledger/{table}", book_pages.table, methods=["GET"], name="book_table"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(Guards, config=config),
            Middleware(TrustedHostMiddleware, allowed_hosts=list(config.hosts)),
            Middleware(LoginGate, sessions=sessions, beyond_loopback=config.beyond_loopback),
        ],
        exception_handlers={HTTPException: _error, 500: _error},
    )


__all__ = ["create_app"]
