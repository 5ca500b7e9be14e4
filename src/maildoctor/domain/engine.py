"""`maildoctor domain`: every examination of a domain's sending side at once, under one deadline.

Gathers facts only (the modules beside this one judge them; `findings.py` turns the judgements
into findings). Two rounds: what needs nothing but the domain (MX, SPF, DMARC, MTA-STS,
registration, the SPF check of each sending address), then what needs the first round's answers
(DKIM selectors of the MX's provider, TLS-RPT's weight from MTA-STS, the blocklists).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from maildoctor.domain.blocklists import BlocklistFacts, check_blocklists
from maildoctor.domain.bootstrap_cache import BootstrapCache
from maildoctor.domain.dkim import DkimSurvey, find_dkim_keys
from maildoctor.domain.dmarc import DmarcDiscovery, discover_dmarc
from maildoctor.domain.dnssource import DnsClientSource
from maildoctor.domain.mtasts import MtaStsCheck, TlsRptCheck, check_mta_sts, check_tlsrpt
from maildoctor.domain.mx import MxFacts, lookup_mx_facts
from maildoctor.domain.registration import IANA_DNS_BOOTSTRAP, RegistrationCheck, check_registration
from maildoctor.domain.spf import SpfCheck, SpfPolicy, analyze_spf_policy, check_mail_from
from maildoctor.domainname import normalize_domain
from maildoctor.facts import DnsLookup
from maildoctor.net.http import web_ssl_context
from maildoctor.net.resolver import DnsClient, Nameserver


@dataclass(frozen=True)
class DomainRequest:
    domain: str
    nameservers: Sequence[Nameserver] = ()
    sender_ips: tuple[str, ...] = ()  # the servers that really send the domain's mail
    helo: str = ""
    mail_from: str = ""  # default: postmaster@<domain>
    blocklists: bool = False  # off by default: the lists have usage rules
    dkim_selectors: tuple[str, ...] = ()  # selectors the person names, beside the usual ones
    registration: bool = True  # RDAP (asks IANA's bootstrap and the registry over the internet)
    ca_file: Path | None = None
    timeout: float = 20.0
    # scheme -> port of the web servers asked (the lab's nginx is not on 443/80)
    port_override: Mapping[str, int] | None = None
    # RDAP bootstrap URL (the lab serves its own)
    rdap_bootstrap_url: str | None = None
    # where IANA's bootstrap is kept for a day (None: fetched every time)
    cache_dir: Path | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class DomainFacts:
    domain: str
    mx: MxFacts
    spf_policy: SpfPolicy
    spf_checks: tuple[SpfCheck, ...]
    dmarc: DmarcDiscovery
    dkim: DkimSurvey
    mta_sts: MtaStsCheck
    tlsrpt: TlsRptCheck
    blocklists: BlocklistFacts | None
    registration: RegistrationCheck | None
    checked_at: datetime
    elapsed_ms: int


async def examine_domain(request: DomainRequest) -> DomainFacts:
    started = time.monotonic()
    domain = normalize_domain(request.domain, a_labels=False)  # as typed: a Unicode name stays Unicode
    dns = DnsClient(request.nameservers)
    lifetime = min(5.0, request.timeout / 3)
    web = web_ssl_context(request.ca_file)

    async def lookup_txt(name: str) -> DnsLookup:
        return await dns.lookup(name, "TXT", lifetime)

    async def spf_checks() -> tuple[SpfCheck, ...]:
        mail_from = request.mail_from or f"postmaster@{domain}"
        checks = [
            check_mail_from(
                DnsClientSource(dns, lifetime),
                ip,
                mail_from=mail_from,
                helo=request.helo or domain,
                time_limit=request.timeout / 2,
            )
            for ip in request.sender_ips
        ]
        return tuple(await asyncio.gather(*checks))

    async def registration() -> RegistrationCheck | None:
        if not request.registration:
            return None
        return await check_registration(
            domain,
            dns,
            ssl_context=web,
            bootstrap_url=request.rdap_bootstrap_url or IANA_DNS_BOOTSTRAP,
            port_override=request.port_override,
            timeout=min(10.0, request.timeout / 2),
            dns_lifetime=lifetime,
            cache=BootstrapCache(request.cache_dir) if request.cache_dir is not None else None,
        )

    mx, policy, checks, dmarc, sts, held = await asyncio.gather(
        lookup_mx_facts(domain, dns, timeout=request.timeout / 2, per_query=lifetime),
        analyze_spf_policy(DnsClientSource(dns, lifetime), domain),
        spf_checks(),
        discover_dmarc(domain, lookup_txt),
        check_mta_sts(
            domain,
            dns=dns,
            ssl_context=web,
            port_override=request.port_override,
            timeout=min(10.0, request.timeout / 2),
            lifetime=lifetime,
        ),
        registration(),
    )
    mx_hosts = tuple(host.host for host in mx.hosts)

    async def blocklists() -> BlocklistFacts | None:
        if not request.blocklists or not request.sender_ips:
            return None
        return await check_blocklists(request.sender_ips, dns, lifetime=lifetime)

    dkim, tlsrpt, listed = await asyncio.gather(
        find_dkim_keys(domain, lookup_txt, named=request.dkim_selectors, mx_hosts=mx_hosts),
        check_tlsrpt(domain, dns=dns, lifetime=lifetime, mta_sts_enabled=sts.enforced),
        blocklists(),
    )
    return DomainFacts(
        domain=domain,
        mx=mx,
        spf_policy=policy,
        spf_checks=checks,
        dmarc=dmarc,
        dkim=dkim,
        mta_sts=sts,
        tlsrpt=tlsrpt,
        blocklists=listed,
        registration=held,
        checked_at=request.now or datetime.now(UTC),
        elapsed_ms=int((time.monotonic() - started) * 1000),
    )
