"""The SSRF guard: a server that others reach (beyond loopback) must not become a way into the
network it stands in. Check targets whose addresses are private, loopback, link-local or otherwise
not on the public internet are refused there, unless the operator allowed them. Pure."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from enum import StrEnum

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefusal(StrEnum):
    INTERNAL = "internal"  # private, loopback, link-local, reserved…
    NOT_AN_ADDRESS = "not an address"


def _unwrapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return mapped
    return address


def is_internal(address: IPAddress) -> bool:
    """True for any address that is not a public unicast one (IPv4-mapped IPv6 judged as IPv4)."""
    plain = _unwrapped(address)
    return (
        plain.is_private
        or plain.is_loopback
        or plain.is_link_local
        or plain.is_multicast
        or plain.is_reserved
        or plain.is_unspecified
        or not plain.is_global
    )


def target_refusal(
    addresses: Iterable[str], *, beyond_loopback: bool, allow_internal: bool
) -> TargetRefusal | None:
    """Why a check of a server at `addresses` (what its name resolved to, or the typed address) is
    refused, or None when it may go ahead. On loopback the person checks their own network: all
    is allowed. Any one internal address refuses the whole target (DNS may answer both)."""
    if not beyond_loopback or allow_internal:
        return None
    for text in addresses:
        try:
            address = ipaddress.ip_address(text.strip().strip("[]").partition("%")[0])
        except ValueError:
            return TargetRefusal.NOT_AN_ADDRESS
        if is_internal(address):
            return TargetRefusal.INTERNAL
    return None


def is_loopback_host(host: str) -> bool:
    """True for the names and addresses that only this computer reaches."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


__all__ = ["TargetRefusal", "is_internal", "is_loopback_host", "target_refusal"]
