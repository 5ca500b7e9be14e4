"""Who holds the domain's DNS, named from its NS host names: "know who holds your DNS".

A small table of DNS hosting services by the names of their name servers, kept as data: a
provider with a file in data/providers carries its `[dns_provider]` table there, the others are
rows of data/dns_providers.toml (both read by maildoctor/provider_tables.py). Every change to
MX, SPF, DKIM or DMARC is made where the DNS is held, which is often not where the mail
or the web site is (a domain bought at お名前.com, mail at Microsoft 365, DNS at
Cloudflare), so the report names the place.

Each entry matches NS host names by a regular expression over the whole name (lower case,
no trailing dot). `recalled=True`: the name-server pattern is from memory (seen in the
wild), not checked against the provider's documentation; the others are patterns that
each provider documents or shows in its console. Pure apart from reading the packaged data once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from maildoctor.discover.curated import load_curated
from maildoctor.domainname import normalize_domain
from maildoctor.provider_tables import DnsProvider, table_dns_hosts, unique_hosts


@functools.cache
def dns_providers() -> tuple[DnsProvider, ...]:
    """The provider files' `[dns_provider]` (file name order), then dns_providers.toml; ids unique."""
    from_files = tuple(entry.dns_provider for entry in load_curated() if entry.dns_provider is not None)
    return unique_hosts(from_files + table_dns_hosts(), "data/providers and data/dns_providers.toml")


def __getattr__(name: str) -> tuple[DnsProvider, ...]:
    # DNS_PROVIDERS is read on first use, not at import: the provider data is parsed (and cached
    # in the user's cache folder) only by a run that asks, and never by the demo, which keeps none
    if name == "DNS_PROVIDERS":
        return dns_providers()
    raise AttributeError(name)


@dataclass(frozen=True, slots=True)
class ProviderMatch:
    provider: DnsProvider
    hosts: tuple[str, ...]  # the NS host names it serves


@dataclass(frozen=True, slots=True)
class DnsHosting:
    """Who serves the zone: known providers, the domain's own name servers, the rest."""

    nameservers: tuple[str, ...]  # as given, normalised, each once
    providers: tuple[ProviderMatch, ...] = ()  # in the order their first NS came
    own: tuple[str, ...] = ()  # NS names inside the domain itself (ns1.example.jp for example.jp)
    unknown: tuple[str, ...] = ()  # neither

    @property
    def provider(self) -> DnsProvider | None:
        """The one provider when all name servers are one provider's; None otherwise."""
        if len(self.providers) == 1 and not self.own and not self.unknown:
            return self.providers[0].provider
        return None


def identify_dns_hosting(nameservers: Iterable[str], domain: str | None = None) -> DnsHosting:
    """Name the DNS provider(s) from the NS host names (and the zone's name, for own servers)."""
    names = (normalize_domain(host, a_labels=False) for host in nameservers)
    hosts = tuple(dict.fromkeys(name for name in names if name))
    zone = normalize_domain(domain, a_labels=False) if domain else None
    matched: dict[str, list[str]] = {}
    own: list[str] = []
    unknown: list[str] = []
    for host in hosts:
        provider = provider_of(host)
        if provider is not None:
            matched.setdefault(provider.key, []).append(host)
        elif zone and (host == zone or host.endswith(f".{zone}")):
            own.append(host)
        else:
            unknown.append(host)
    by_key = {provider.key: provider for provider in dns_providers()}
    providers = tuple(ProviderMatch(by_key[key], tuple(names)) for key, names in matched.items())
    return DnsHosting(hosts, providers, tuple(own), tuple(unknown))


def provider_of(host: str) -> DnsProvider | None:
    return next((provider for provider in dns_providers() if provider.matches(host)), None)


__all__ = [
    "DnsHosting",
    "DnsProvider",
    "ProviderMatch",
    "dns_providers",
    "identify_dns_hosting",
    "provider_of",
]
