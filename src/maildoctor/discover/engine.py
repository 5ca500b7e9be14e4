"""Settings discovery: every source at once, the most authoritative answer first, each verified.

Sources: the provider data we ship (our curated entries, then Thunderbird's ISPDB), the domain's
own autoconfig, SRV records (RFC 6186 / 8314), Microsoft Autodiscover, and the provider of the
domain's MX hosts (a rental server's mail server may be the MX host itself); when none of them
knows the domain, the usual names and ports (imap., mail., ... × 993/143, 995/110, 465/587), kept
only where a probe answers.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from maildoctor.discover.autoconfig import AutoconfigResult, fetch_autoconfig
from maildoctor.discover.autodiscover import AutodiscoverResult, fetch_autodiscover
from maildoctor.discover.candidates import DiscoveredSettings, Source
from maildoctor.discover.guess import guesses, only_verified
from maildoctor.discover.ispdb import to_candidates
from maildoctor.discover.merge import merge
from maildoctor.discover.mx import MxResult, lookup_mx
from maildoctor.discover.providers import ProviderIndex
from maildoctor.discover.srv import SrvDiscovery, lookup_srv
from maildoctor.discover.verify import verify
from maildoctor.net.http import dns_resolver, web_ssl_context
from maildoctor.net.resolver import DnsClient, Nameserver

GUESS_CONNECT_TIMEOUT = 2.5  # seconds a guessed host and port may take to accept a connection


@dataclass(frozen=True)
class DiscoveryRequest:
    address: str
    nameservers: Sequence[Nameserver] = ()
    ca_file: Path | None = None
    timeout: float = 20.0
    verify: bool = True
    # when no source knows the domain, probe the usual names and ports (not when only comparing)
    guess: bool = True
    # scheme -> port, where the lab's web server is not on 443/80
    port_override: Mapping[str, int] | None = None


@dataclass(frozen=True)
class DiscoveryFacts:
    """What each source said, for the report and for `check` later."""

    autoconfig: AutoconfigResult | None
    srv: SrvDiscovery | None
    mx: MxResult | None
    provider_by_domain: bool
    provider_by_mx: bool
    autodiscover: AutodiscoverResult | None = None
    probes: int = 0  # servers probed to verify the candidates (each once, all at once)


def _with_source(settings: DiscoveredSettings, source: Source) -> DiscoveredSettings:
    return dataclasses.replace(
        settings,
        incoming=tuple(dataclasses.replace(c, source=source) for c in settings.incoming),
        outgoing=tuple(dataclasses.replace(c, source=source) for c in settings.outgoing),
    )


def _needing_consent(settings: DiscoveredSettings) -> DiscoveredSettings:
    """Candidates a password may only go to once the person agreed (redirected or unprotected source)."""
    return dataclasses.replace(
        settings,
        incoming=tuple(dataclasses.replace(c, needs_consent=True) for c in settings.incoming),
        outgoing=tuple(dataclasses.replace(c, needs_consent=True) for c in settings.outgoing),
    )


def known_settings(address: str) -> DiscoveredSettings:
    """What our own provider data says about the address's domain, asking nothing on the network:
    for when no DNS server answers at all and nothing can be looked up or tried."""
    address = address.strip()
    domain = address.rpartition("@")[2].lower().rstrip(".")
    entry = ProviderIndex.load().lookup(domain)
    return merge(address, [to_candidates(entry, address)] if entry is not None else [])


async def discover(request: DiscoveryRequest) -> tuple[DiscoveredSettings, DiscoveryFacts]:
    address = request.address.strip()
    domain = address.rpartition("@")[2].lower().rstrip(".")
    dns = DnsClient(request.nameservers)
    index = ProviderIndex.load()
    budget = request.timeout / 2 if request.verify else request.timeout

    web_context = web_ssl_context(request.ca_file)
    autoconfig_task = fetch_autoconfig(
        address,
        resolver=dns_resolver(dns, lifetime=min(5.0, budget)),
        ssl_context=web_context,
        port_override=request.port_override,
        timeout=budget,
    )
    autodiscover_task = fetch_autodiscover(
        address,
        resolver=dns_resolver(dns, lifetime=min(5.0, budget)),
        ssl_context=web_context,
        dns=dns,
        port_override=request.port_override,
        timeout=budget,
    )
    autoconfig, autodiscover, srv, mx = await asyncio.gather(
        autoconfig_task,
        autodiscover_task,
        lookup_srv(address, dns, lifetime=min(5.0, budget)),
        lookup_mx(domain, dns, min(5.0, budget)),
    )
    results: list[DiscoveredSettings] = []
    by_domain = index.lookup(domain)
    if by_domain is not None:
        results.append(to_candidates(by_domain, address))
    if autoconfig.settings is not None:
        trusted = not (autoconfig.needs_confirmation or autoconfig.insecure)
        results.append(autoconfig.settings if trusted else _needing_consent(autoconfig.settings))
    if srv.incoming or srv.outgoing:
        results.append(DiscoveredSettings(address, None, srv.incoming, srv.outgoing))
    if autodiscover.settings is not None:  # candidates needing consent are marked there already
        results.append(autodiscover.settings)
    by_mx = index.match_by_mx(mx.hosts) if by_domain is None and not mx.null_mx else None
    if by_mx is not None:
        entry, mx_host = by_mx
        results.append(_with_source(to_candidates(entry, address, mx_host=mx_host), Source.MX))
    settings = merge(address, results)
    guessed = False
    probes = 0
    if request.guess and not (settings.incoming or settings.outgoing) and not mx.null_mx:
        # nothing known: probe the usual names and ports, and keep what answers
        settings = merge(address, [guesses(address)])
        guessed = True
    if (request.verify or guessed) and (settings.incoming or settings.outgoing):
        # a guess that does not answer quickly is no server worth proposing: a shorter connect timeout
        settings, probes = await verify(
            settings,
            dns,
            ca_file=request.ca_file,
            timeout=request.timeout / 2,
            connect_timeout=GUESS_CONNECT_TIMEOUT if guessed else 4.0,
        )
    if guessed:
        settings = only_verified(settings)
    facts = DiscoveryFacts(
        autoconfig, srv, mx, by_domain is not None, by_mx is not None, autodiscover, probes
    )
    return settings, facts
