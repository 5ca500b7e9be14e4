"""What one `maildoctor check` is asked to do: the address, the servers as typed, the options.

On its own, below both, so that diagnose (which runs the check) and checkplan (which fills in the
servers not given) share it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from maildoctor.model import Endpoint, Secret, ServerRole

if TYPE_CHECKING:
    from maildoctor.net.resolver import Nameserver
    from maildoctor.protocol.oauth_device import BearerToken

__all__ = ["CheckRequest"]


@dataclass(frozen=True)
class CheckRequest:
    address: str
    incoming: Endpoint | None = None
    outgoing: Endpoint | None = None
    username: str | None = None
    password: Secret | None = None
    login: bool = True
    outgoing_auth: bool = True
    force_login: bool = False
    nameservers: Sequence[Nameserver] = ()
    ca_file: Path | None = None
    timeout: float = 20.0
    # standard port -> the port it is really on (the demo's servers run on free ports)
    port_map: Mapping[int, int] = field(default_factory=dict)
    cache_dir: Path | None = None  # where remembered login failures live; None: the user's cache
    remember_failures: bool = True
    roundtrip: bool = False
    # told each step that finished (role, step, passed?), for a live view
    progress: Callable[[ServerRole, str, bool], None] | None = None
    # find the right settings too: fill the servers not given, and compare the typed ones with them
    discover: bool = True
    # scheme -> port of the web server discovery asks (the lab's nginx is not on 443/80)
    web_ports: Mapping[str, int] | None = None
    # also examine the sending side of the address's domain (SPF, DMARC, DKIM, expiry)
    sending_domain: bool = True
    # the mail program in use (a ClientId value), when the person named it
    client: str | None = None
    # the bearer token of the person's sign-in (check --oauth2): logins use it instead of a password
    token: BearerToken | None = None

    @property
    def user(self) -> str:
        return self.username or self.address
