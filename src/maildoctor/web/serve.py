"""Start `maildoctor web`: check the address it is to listen on, print the URL, run uvicorn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn  # here, at import: without the [web] extra the command says what to install

from maildoctor.web.app import create_app, open_users_book
from maildoctor.web.config import WebConfig
from maildoctor.web.targets import is_loopback_host
from maildoctor.web.users import Role, add_user, user_count


def refuses_host(host: str, book_url: str) -> bool:
    """Beyond loopback every page needs a login: refused while nobody can sign in."""
    if is_loopback_host(host):
        return False
    book = open_users_book(book_url)
    try:
        return book is None or user_count(book) == 0
    finally:
        if book is not None:
            book.dispose()


def web_config(
    host: str,
    port: int,
    dns: Sequence[str],
    ca_file: Path | None,
    timeout: float,
    *,
    book_url: str | None = None,
    allow_internal_targets: bool = False,
) -> WebConfig:
    """The server's settings from the command's options (the --dns values were checked on reading)."""
    from maildoctor.net.resolver import Nameserver

    return WebConfig(
        host=host,
        port=port,
        nameservers=tuple(Nameserver.parse(text) for text in dns),
        ca_file=ca_file,
        timeout=timeout,
        beyond_loopback=not is_loopback_host(host),
        allow_internal_targets=allow_internal_targets,
        book_url=book_url,
        allowed_hosts=_beyond_loopback_hosts(host, port),
    )


def _beyond_loopback_hosts(host: str, port: int) -> tuple[str, ...]:
    """The Host headers answered beyond loopback: the address listened on (with and without the
    port); listening on every address (0.0.0.0, ::) the name people use is not known: any."""
    if is_loopback_host(host):
        return ()
    if host.strip("[]") in ("0.0.0.0", "::"):  # noqa: S104 -- a comparison, nothing bound
        return ("*",)
    named = f"[{host}]" if ":" in host else host
    return (named, f"{named}:{port}")


def create_user(book_url: str, name: str, password: str, role: Role) -> None:
    """Add a user to the book (made when there is none yet). Raises UserError or LedgerError."""
    from maildoctor.ledger.store import open_book

    book = open_book(book_url, create=True)
    try:
        add_user(book, name, password, role)
    finally:
        book.dispose()


def serve(config: WebConfig, announce: Callable[[str], None]) -> None:
    app = create_app(config)
    announce(config.url)
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=2,
    )


__all__ = ["create_user", "refuses_host", "serve", "web_config"]
