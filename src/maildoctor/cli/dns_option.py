"""--dns: what the option takes (an IP address, optionally :PORT), checked while the options are read.

A DNS server is named by its address: a name would itself need DNS to be found. Anything else
("ルーター", "8.8.8.8:abc") is a usage error (exit 2) before any network work starts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING

from maildoctor.display import safe, say

if TYPE_CHECKING:
    from rich.console import Console

    from maildoctor.i18n import Translator
    from maildoctor.net.resolver import Nameserver


class DnsValueProblem(Enum):
    NOT_AN_ADDRESS = "not an address"
    BAD_PORT = "bad port"


def _split(text: str) -> tuple[str, str | None]:
    """HOST and PORT (None when none), as net.resolver.Nameserver.parse reads them."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest and not rest.startswith(":"):
            return text, None  # "[::1]x": not an address
        return host, rest[1:] if rest else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, port
    return text, None


def dns_value_problem(text: str) -> tuple[DnsValueProblem, str] | None:
    """What is wrong with a --dns value (and the part at fault), or None when it can be used."""
    host, port = _split(text.strip())
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return DnsValueProblem.NOT_AN_ADDRESS, text
    if port is not None and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return DnsValueProblem.BAD_PORT, port
    return None


def parse_nameservers(
    values: Sequence[str], err: Console, translator: Translator
) -> tuple[Nameserver, ...] | None:
    """The --dns values as the resolver's nameservers; None, after saying so on `err`, when one is
    not a server address (a usage error)."""
    from maildoctor.net.resolver import Nameserver  # here: the options are read without the resolver

    try:
        return tuple(Nameserver.parse(text) for text in values)
    except ValueError:
        message = translator.gettext("A --dns value is not a server address: {value}")
        say(err, message.format(value=safe(", ".join(values))))
        return None
