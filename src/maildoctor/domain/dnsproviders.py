"""Who holds the domain's DNS, named from its NS host names: "know who holds your DNS".

A small table of DNS hosting services by the names of their name servers. Every change to
MX, SPF, DKIM or DMARC is made where the DNS is held, which is often not where the mail
or the web site is (a domain bought at お名前.com, mail at Microsoft 365, DNS at
Cloudflare), so the report names the place.

Each entry matches NS host names by a regular expression over the whole name (lower case,
no trailing dot). `recalled=True`: the name-server pattern is from memory (seen in the
wild), not checked against the provider's documentation; the others are patterns that
each provider documents or shows in its console. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from maildoctor.domainname import normalize_domain


@dataclass(frozen=True, slots=True)
class DnsProvider:
    key: str  # stable id
    name: str  # as the provider writes it (also in a Japanese report: a proper name)
    name_ja: str  # the name Japanese customers know it by (often the same)
    pattern: str  # a regular expression matched against the whole NS host name
    operator: str = ""  # the company, where it differs from the name
    recalled: bool = False

    def matches(self, host: str) -> bool:
        return re.fullmatch(self.pattern, normalize_domain(host, a_labels=False)) is not None


DNS_PROVIDERS: Final = (
    DnsProvider(
        "route53",
        "Amazon Route 53",
        "Amazon Route 53",
        r"ns-\d+\.awsdns-\d+\.(com|net|org|co\.uk)",
        "Amazon Web Services",
    ),
    DnsProvider("cloudflare", "Cloudflare", "Cloudflare", r"[a-z0-9-]+\.ns\.cloudflare\.com"),
    DnsProvider(
        "google-cloud-dns",
        "Google Cloud DNS",
        "Google Cloud DNS",
        r"ns-cloud-[a-z]\d+\.googledomains\.com",
        "Google",
    ),
    DnsProvider(
        "azure-dns", "Azure DNS", "Azure DNS", r"ns\d-\d+\.azure-dns\.(com|net|org|info)", "Microsoft"
    ),
    DnsProvider(
        "microsoft365",
        "Microsoft 365 (DNS hosted by Microsoft)",
        "Microsoft 365（マイクロソフトの DNS）",
        r"ns\d+\.bdm\.microsoftonline\.com",
        "Microsoft",
        recalled=True,
    ),
    DnsProvider(
        "onamae",
        "Onamae.com",
        "お名前.com",
        r"(\d+\.dnsv\.jp|dns\d+\.onamae\.com)",
        "GMO Internet Group",
        recalled=True,
    ),
    DnsProvider(
        "xserver", "Xserver", "エックスサーバー", r"ns\d+\.xserver\.jp", "Xserver Inc.", recalled=True
    ),
    DnsProvider(
        "xdomain",
        "Xdomain",
        "XServerドメイン / Xdomain",
        r"ns\d+\.xdomain\.ne\.jp",
        "Xserver Inc.",
        recalled=True,
    ),
    DnsProvider(
        "sakura",
        "Sakura Internet",
        "さくらインターネット",
        r"ns\d+\.dns\.ne\.jp",
        "SAKURA internet Inc.",
        recalled=True,
    ),
    DnsProvider(
        "conoha", "ConoHa", "ConoHa", r"ns-[a-z]\d+\.conoha\.io", "GMO Internet Group", recalled=True
    ),
    DnsProvider(
        "value-domain",
        "VALUE-DOMAIN",
        "バリュードメイン",
        r"ns\d+\.value-domain\.com",
        "GMO Digirock",
        recalled=True,
    ),
    DnsProvider(
        "muumuu",
        "Muumuu Domain",
        "ムームードメイン",
        r"dns\d+\.muumuu-domain\.com",
        "GMO Pepabo",
        recalled=True,
    ),
    DnsProvider("lolipop", "Lolipop!", "ロリポップ！", r"uns\d+\.lolipop\.jp", "GMO Pepabo", recalled=True),
    DnsProvider("godaddy", "GoDaddy", "GoDaddy", r"ns\d+\.domaincontrol\.com"),
    DnsProvider("namecheap", "Namecheap", "Namecheap", r"dns\d+\.registrar-servers\.com"),
    DnsProvider("digitalocean", "DigitalOcean", "DigitalOcean", r"ns\d\.digitalocean\.com"),
    DnsProvider(
        "akamai", "Akamai Edge DNS", "Akamai Edge DNS", r"a\d+-\d+\.akam\.net", "Akamai", recalled=True
    ),
    DnsProvider("ns1", "NS1", "NS1", r"dns\d+\.p\d+\.nsone\.net", recalled=True),
    DnsProvider("vercel", "Vercel", "Vercel", r"ns\d\.vercel-dns\.com"),
    DnsProvider("wix", "Wix", "Wix", r"ns\d+\.wixdns\.net", recalled=True),
)


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
    by_key = {provider.key: provider for provider in DNS_PROVIDERS}
    providers = tuple(ProviderMatch(by_key[key], tuple(names)) for key, names in matched.items())
    return DnsHosting(hosts, providers, tuple(own), tuple(unknown))


def provider_of(host: str) -> DnsProvider | None:
    return next((provider for provider in DNS_PROVIDERS if provider.matches(host)), None)


__all__ = [
    "DNS_PROVIDERS",
    "DnsHosting",
    "DnsProvider",
    "ProviderMatch",
    "identify_dns_hosting",
    "provider_of",
]
