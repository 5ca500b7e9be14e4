"""What `maildoctor web` was started with. The resolver, the trusted authorities and the deadline
are the server's (as the CLI's --dns, --ca-file, --timeout), never taken from a form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from maildoctor.web.ratelimit import Rate

if TYPE_CHECKING:
    from maildoctor.net.resolver import Nameserver

MAX_BODY_BYTES: Final = 5 * 1024 * 1024  # a bounce file of 4 MB and the form around it
MAX_FIELD_CHARS: Final = 20_000  # a pasted error message, or any one field


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8025
    nameservers: Sequence[Nameserver] = ()
    ca_file: Path | None = None
    timeout: float = 20.0
    cache_dir: Path | None = None  # remembered login failures; None: the user's cache
    # served beyond loopback: check targets on internal addresses refused unless allowed
    beyond_loopback: bool = False
    allow_internal_targets: bool = False
    # the accounts book (its users sign in; its pages); None: no book, nobody can sign in
    book_url: str | None = None
    # the Host headers answered (DNS rebinding); the port is added to the loopback names
    allowed_hosts: tuple[str, ...] = ()
    page_rate: Rate = field(default_factory=lambda: Rate(per_minute=240, burst=120))
    check_rate: Rate = field(default_factory=lambda: Rate(per_minute=6, burst=6))
    # checks of one server (or one address's domain), whoever asks: no hammering through the pages
    target_rate: Rate = field(default_factory=lambda: Rate(per_minute=10, burst=10))
    max_body_bytes: int = MAX_BODY_BYTES
    # scheme -> port of the web servers discovery asks (the lab's nginx is not on 443/80)
    web_ports: dict[str, int] | None = None

    @property
    def hosts(self) -> tuple[str, ...]:
        if self.allowed_hosts:
            return self.allowed_hosts
        names = ("127.0.0.1", "localhost", "[::1]")
        return (*names, *(f"{name}:{self.port}" for name in names))

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"


__all__ = ["MAX_BODY_BYTES", "MAX_FIELD_CHARS", "WebConfig"]
