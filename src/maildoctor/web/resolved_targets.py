"""The SSRF guard for names: before a check (or a settings or domain look-up) runs on a server served
beyond loopback, the names it will reach are resolved through the same resolver the check uses, and
any internal address among the answers refuses the whole request (targets.py decides what is
internal). The names: the typed servers, the address's domain, its mail exchangers, its SRV
targets and the names discovery tries first."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Final

from maildoctor.facts import DnsOutcome
from maildoctor.i18n import N_
from maildoctor.lint.domain_input import domain_of_input
from maildoctor.net.seam import Resolver
from maildoctor.web.config import WebConfig
from maildoctor.web.targets import TargetRefusal, target_refusal

GUESSED: Final = ("", "mail.", "imap.", "pop.", "pop3.", "smtp.", "autoconfig.", "autodiscover.")
SRV: Final = (
    "_imaps._tcp.",
    "_imap._tcp.",
    "_pop3s._tcp.",
    "_pop3._tcp.",
    "_submissions._tcp.",
    "_submission._tcp.",
    "_autodiscover._tcp.",
)
INTERNAL_TARGET: Final = N_("This server may not be checked from here (an address inside the network).")
MAX_NAMES: Final = 40  # a hostile domain's answers do not make the guard resolve without end


def guessed_names(domain: str | None) -> list[str]:
    """Pure: the names of `domain` discovery may reach without being told by DNS."""
    return [prefix + domain for prefix in GUESSED] if domain else []


def named_in(answers: Iterable[str]) -> list[str]:
    """Pure: the host names in MX ("10 mail.example.jp.") or SRV ("0 1 993 imap.example.jp.") answers."""
    names = []
    for answer in answers:
        name = answer.split()[-1].rstrip(".") if answer.split() else ""
        if name:
            names.append(name.lower())
    return names


async def refusal_for(
    hosts: Sequence[str],
    domain: str | None,
    resolver: Resolver,
    *,
    lifetime: float,
) -> TargetRefusal | None:
    """Why a request that will reach `hosts` and the servers of `domain` is refused, or None."""
    names = [*hosts, *guessed_names(domain)]
    if domain:
        found = await asyncio.gather(
            resolver.lookup(domain, "MX", lifetime),
            *(resolver.lookup(prefix + domain, "SRV", lifetime) for prefix in SRV),
        )
        for lookup in found:
            if lookup.outcome is DnsOutcome.OK:
                names += named_in(lookup.answers)
    unique = list(dict.fromkeys(name for name in names if name and name != "."))[:MAX_NAMES]
    resolutions = await asyncio.gather(*(resolver.resolve_host(name, lifetime) for name in unique))
    addresses = [address for resolution in resolutions for address in resolution.addresses]
    return target_refusal(addresses, beyond_loopback=True, allow_internal=False)


async def refused_here(config: WebConfig, hosts: Sequence[str], typed: str) -> bool:
    """True when this server (beyond loopback, internal targets not allowed) must not reach what
    `hosts` and the domain of `typed` (an address or a domain) resolve to."""
    if not config.beyond_loopback or config.allow_internal_targets:
        return False
    from maildoctor.net.resolver import DnsClient

    domain = domain_of_input(typed).domain if typed else None
    resolver = DnsClient(config.nameservers)  # the resolver the check itself uses (Network.system)
    return await refusal_for(hosts, domain, resolver, lifetime=min(config.timeout, 5.0)) is not None


__all__ = ["INTERNAL_TARGET", "guessed_names", "named_in", "refusal_for", "refused_here"]
