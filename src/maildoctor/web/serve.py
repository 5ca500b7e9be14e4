"""Start `maildoctor web`: check the address it is to listen on, print the URL, run uvicorn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn  # here, at import: without the [web] extra the command says what to install

from maildoctor.web.app import create_app
from maildoctor.web.config import WebConfig
from maildoctor.web.targets import is_loopback_host


def refuses_host(host: str) -> bool:
    """Beyond loopback the pages need a login, which this version does not have yet."""
    return not is_loopback_host(host)


def web_config(host: str, port: int, dns: Sequence[str], ca_file: Path | None, timeout: float) -> WebConfig:
    """The server's settings from the command's options (the --dns values were checked on reading)."""
    from maildoctor.net.resolver import Nameserver

    return WebConfig(
        host=host,
        port=port,
        nameservers=tuple(Nameserver.parse(text) for text in dns),
        ca_file=ca_file,
        timeout=timeout,
        beyond_loopback=not is_loopback_host(host),
    )


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


__all__ = ["refuses_host", "serve", "web_config"]
