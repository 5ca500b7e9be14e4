"""--dns: what the option takes (an IP address, optionally :PORT), checked while the options are read.

A DNS server is named by its address: a name would itself need DNS to be found. Anything else
("ルーター", "8.8.8.8:abc") is a usage error (exit 2) before any network work starts.
"""

from __future__ import annotations

import ipaddress
from enum import Enum


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
