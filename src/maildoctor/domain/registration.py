"""The domain's registration: expiry date, registrar and status through RDAP; who holds its DNS.

RDAP (RFC 9082 queries, RFC 9083 answers, RFC 9224 bootstrap): the registry's RDAP
service for a top-level domain is named in IANA's bootstrap file (dns.json); the answer is
JSON with the events (``expiration``), the statuses (``client hold``, ``redemption
period``...), the registrar (an entity with the role ``registrar``) and the name servers.

Our own small client over net/http.py rather than whoisit (looked at: meeb/whoisit), because
that library
* fetches with requests/httpx, so host names resolve through the system's getaddrinfo:
  --dns (and the lab's DNS in tests) would be bypassed, and its TLS trust could not be the
  lab CA without reaching into a session;
* keeps its HTTP session in a module global (the first session passed in becomes the
  default for the whole process) and loads its bootstrap only as all five IANA files
  together (asn, dns, ipv4, ipv6, object-tags), where a domain needs dns.json alone;
* brings requests, httpx, urllib3 and dateutil for what is one GET and a JSON walk here.
Here the bootstrap data (`RdapBootstrap`, or its URL) and the RDAP base URL can both be
given, so tests serve them from the lab's nginx on loopback, and nothing is fetched at
import.

A top-level domain without an RDAP service in the bootstrap (``.jp``: JPRS offers none
for .jp domains as far as is known) is its own outcome, NO_SERVICE, with the place to look
instead (JPRS WHOIS for .jp); it is not an error.

The registered domain (the name the registry knows: example.co.jp for mail.example.co.jp)
comes from the Public Suffix List, ICANN section only.

Pure parts: `parse_bootstrap`, `parse_rdap_domain`, `expiry_state`, `judge_registration`.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Protocol
from urllib.parse import quote

from publicsuffixlist import PublicSuffixList

from maildoctor.causes import CauseCode
from maildoctor.domain.dnsproviders import DnsHosting, identify_dns_hosting
from maildoctor.domain.mx import DomainProblem, lookup_lines, problem
from maildoctor.domain.suffixes import public_suffix_list
from maildoctor.domainname import normalize_domain
from maildoctor.facts import DnsLookup, DnsOutcome
from maildoctor.i18n import N_
from maildoctor.model import Severity
from maildoctor.net.http import HostResolver, HttpFetchError, dns_resolver, http_get
from maildoctor.net.resolver import DnsClient

IANA_DNS_BOOTSTRAP: Final = "https://data.iana.org/rdap/dns.json"
EXPIRY_WINDOW: Final = timedelta(days=30)

# RDAP statuses (RFC 8056's mapping of EPP statuses) under which the domain is out of DNS
_HOLD_STATUSES: Final = frozenset({"client hold", "server hold"})
_DELETE_STATUSES: Final = frozenset({"redemption period", "pending delete", "pending restore"})


def _public_suffixes(name: str) -> PublicSuffixList:
    return public_suffix_list(name, only_icann=True)


def registered_domain(domain: str) -> str | None:
    """The name a registry holds (example.co.jp for mail.example.co.jp); None for a suffix."""
    name = normalize_domain(domain)
    result = _public_suffixes(name).privatesuffix(name)
    return result if isinstance(result, str) else None


# --------------------------------------------------------------------------- bootstrap


class BootstrapStore(Protocol):
    """Where a fetched bootstrap is kept between runs (`bootstrap_cache.BootstrapCache`)."""

    def load(self, url: str) -> RdapBootstrap | None: ...

    def store(self, url: str, bootstrap: RdapBootstrap) -> None: ...


@dataclass(frozen=True, slots=True)
class RdapBootstrap:
    """IANA's dns.json (RFC 9224): top-level domains (or longer suffixes) -> RDAP base URLs."""

    services: Mapping[str, tuple[str, ...]]  # suffix -> https base URLs, each ending in "/"
    publication: str = ""

    def base_urls(self, domain: str) -> tuple[str, ...]:
        """The RDAP base URLs for `domain`, by the longest matching suffix; () when none."""
        labels = normalize_domain(domain).split(".")
        for start in range(len(labels)):
            urls = self.services.get(".".join(labels[start:]))
            if urls:
                return urls
        return ()


def parse_bootstrap(data: bytes | str) -> RdapBootstrap:
    """dns.json as RdapBootstrap; ValueError when it is not a bootstrap file.

    Only https base URLs are kept (RFC 9224 section 5 allows http as well; an RDAP answer
    read over plain HTTP could be anybody's).
    """
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"the bootstrap file is not JSON: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("services"), list):
        raise ValueError("the bootstrap file has no services list")  # noqa: TRY004 -- bad data, one error type
    services: dict[str, tuple[str, ...]] = {}
    for entry in document["services"]:
        if not (isinstance(entry, list) and len(entry) >= 2):
            continue
        suffixes, urls = entry[0], entry[1]
        if not (isinstance(suffixes, list) and isinstance(urls, list)):
            continue
        bases = tuple(
            url if url.endswith("/") else f"{url}/"
            for url in urls
            if isinstance(url, str) and url.lower().startswith("https://")
        )
        if not bases:
            continue
        for suffix in suffixes:
            if isinstance(suffix, str) and suffix:
                services[normalize_domain(suffix)] = bases
    publication = document.get("publication")
    return RdapBootstrap(MappingProxyType(services), publication if isinstance(publication, str) else "")


def rdap_domain_url(base: str, domain: str) -> str:
    """RFC 9082 section 3.1.3: <base>domain/<name>."""
    return f"{base if base.endswith('/') else f'{base}/'}domain/{quote(normalize_domain(domain), safe='')}"


# --------------------------------------------------------------------------- the RDAP answer


@dataclass(frozen=True, slots=True)
class RdapDomain:
    name: str  # ldhName, lower case
    expires: datetime | None = None  # the "expiration" event, timezone-aware
    registered: datetime | None = None  # the "registration" event
    last_changed: datetime | None = None  # the "last changed" event
    registrar: str | None = None  # the registrar entity's name (vCard fn), or its handle
    registrar_iana_id: str | None = None
    statuses: tuple[str, ...] = ()  # lower case, as RDAP writes them ("client hold")
    nameservers: tuple[str, ...] = ()  # lower case, no trailing dot


def parse_rdap_domain(data: bytes | str) -> RdapDomain:
    """An RDAP domain answer (RFC 9083 section 5.3); ValueError when it is not one."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"the RDAP answer is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ValueError("the RDAP answer is not a JSON object")  # noqa: TRY004 -- bad data, one error type
    object_class = document.get("objectClassName")
    if object_class is not None and object_class != "domain":
        raise ValueError(f"the RDAP answer is a {object_class!r} object, not a domain")
    name = document.get("ldhName") or document.get("unicodeName")
    if not isinstance(name, str) or not name:
        raise ValueError("the RDAP answer names no domain (ldhName)")
    events = _events(document.get("events"))
    registrar = _registrar(document.get("entities"))
    statuses = tuple(
        status.strip().lower() for status in _list(document.get("status")) if isinstance(status, str)
    )
    nameservers = tuple(
        dict.fromkeys(
            server["ldhName"].lower().rstrip(".")
            for server in _list(document.get("nameservers"))
            if isinstance(server, dict) and isinstance(server.get("ldhName"), str)
        )
    )
    return RdapDomain(
        name.lower().rstrip("."),
        events.get("expiration"),
        events.get("registration"),
        events.get("last changed"),
        registrar[0],
        registrar[1],
        statuses,
        nameservers,
    )


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def parse_rdap_date(text: str) -> datetime | None:
    """An RDAP date (RFC 3339); a date without a zone is taken as UTC; None when unreadable."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _events(value: object) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    for event in _list(value):
        if not isinstance(event, dict):
            continue
        action, date = event.get("eventAction"), event.get("eventDate")
        if isinstance(action, str) and isinstance(date, str):
            parsed = parse_rdap_date(date)
            if parsed is not None:
                found.setdefault(action.strip().lower(), parsed)
    return found


def _registrar(value: object, depth: int = 0) -> tuple[str | None, str | None]:
    """(name, IANA registrar id) of the first entity with the role "registrar", nested ones too."""
    if depth > 3:
        return None, None
    for entity in _list(value):
        if not isinstance(entity, dict):
            continue
        roles = [role.lower() for role in _list(entity.get("roles")) if isinstance(role, str)]
        if "registrar" in roles:
            iana_id = next(
                (
                    str(public["identifier"])
                    for public in _list(entity.get("publicIds"))
                    if isinstance(public, dict)
                    and str(public.get("type", "")).lower() == "iana registrar id"
                    and public.get("identifier") is not None
                ),
                None,
            )
            handle = entity.get("handle")
            return _vcard_name(entity.get("vcardArray")) or (
                handle if isinstance(handle, str) else None
            ), iana_id
        nested = _registrar(entity.get("entities"), depth + 1)
        if nested != (None, None):
            return nested
    return None, None


def _vcard_name(value: object) -> str | None:
    """The "fn" of a jCard (RFC 7095): ["vcard", [["fn", {}, "text", "Name"], ...]]."""
    card = _list(value)
    if len(card) < 2:
        return None
    for item in _list(card[1]):
        properties = _list(item)
        if len(properties) >= 4 and properties[0] == "fn" and isinstance(properties[3], str):
            return properties[3].strip() or None
    return None


# --------------------------------------------------------------------------- where to look without RDAP


@dataclass(frozen=True, slots=True)
class WhoisHint:
    """Where a person finds the expiry date when the registry offers no RDAP."""

    tld: str
    service: str  # "JPRS WHOIS"
    url: str  # a web page to look the domain up
    note: str  # English message id (N_)


_JPRS: Final = WhoisHint(
    "jp",
    "JPRS WHOIS",
    "https://whois.jprs.jp/",  # JPRS' web WHOIS (recalled); its port-43 server is whois.jprs.jp
    N_(
        "JPRS, the .jp registry, has no public RDAP service for .jp domains: JPRS WHOIS shows "
        "the domain's state and its expiry date, and so does your registrar's control panel."
    ),
)


def whois_hint(domain: str) -> WhoisHint:
    """Where to look instead of RDAP: JPRS WHOIS for .jp, IANA's page of the TLD otherwise."""
    tld = normalize_domain(domain).rpartition(".")[2]
    if tld == "jp":
        return _JPRS
    return WhoisHint(
        tld,
        "IANA Root Zone Database",
        f"https://www.iana.org/domains/root/db/{quote(tld, safe='')}.html",
        N_(
            "This top-level domain has no RDAP service: IANA's page for it names the registry "
            "and its WHOIS server, and your registrar's control panel shows the expiry date."
        ),
    )


# --------------------------------------------------------------------------- fetching


class RdapOutcome(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"  # 404: the registry has no such domain
    NO_SERVICE = "no_service"  # the bootstrap names no RDAP service for the TLD (.jp)
    BOOTSTRAP_FAILED = "bootstrap_failed"  # the bootstrap file could not be had
    RATE_LIMITED = "rate_limited"  # 429
    HTTP_ERROR = "http_error"  # another status
    FETCH_FAILED = "fetch_failed"  # DNS, connection, TLS, timeout (see detail)
    BAD_RESPONSE = "bad_response"  # 200, but no RDAP domain object
    NOT_ASKED = "not_asked"  # a public suffix (co.jp) was given: no registry record to ask for


@dataclass(frozen=True, slots=True)
class RegistrationFacts:
    domain: str  # the name asked (the registered domain)
    outcome: RdapOutcome
    url: str = ""  # the RDAP URL asked (the bootstrap URL for BOOTSTRAP_FAILED)
    http_status: int | None = None
    record: RdapDomain | None = None
    detail: str = ""  # the failure (HttpFailure value and detail, the server's error title)
    whois: WhoisHint | None = None  # NO_SERVICE: where to look instead
    ms: int = 0


class RdapBootstrapError(Exception):
    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.detail = detail


async def fetch_bootstrap(
    url: str = IANA_DNS_BOOTSTRAP,
    *,
    resolver: HostResolver,
    ssl_context: ssl.SSLContext | None = None,
    port_override: Mapping[str, int] | None = None,
    timeout: float = 10.0,
) -> RdapBootstrap:
    """Fetch and parse a bootstrap file (keep it to ask about many domains); RdapBootstrapError."""
    try:
        result = await http_get(
            url, resolver=resolver, ssl_context=ssl_context, port_override=port_override, timeout=timeout
        )
    except HttpFetchError as exc:
        raise RdapBootstrapError(url, _fetch_detail(exc)) from exc
    if result.status != 200:
        raise RdapBootstrapError(url, f"HTTP {result.status}")
    try:
        return parse_bootstrap(result.body)
    except ValueError as exc:
        raise RdapBootstrapError(url, str(exc)) from exc


async def lookup_registration(
    domain: str,
    *,
    resolver: HostResolver,
    ssl_context: ssl.SSLContext | None = None,
    bootstrap: RdapBootstrap | None = None,
    bootstrap_url: str = IANA_DNS_BOOTSTRAP,
    rdap_base: str | None = None,
    port_override: Mapping[str, int] | None = None,
    timeout: float = 10.0,
    cache: BootstrapStore | None = None,
) -> RegistrationFacts:
    """Ask the registry's RDAP service about `domain` (give the registered domain).

    rdap_base: ask this RDAP base URL, no bootstrap. bootstrap: the bootstrap data to use;
    else it is fetched from bootstrap_url. Never raises for what the network does.
    """
    started = time.monotonic()
    deadline = started + timeout
    name = normalize_domain(domain)

    def done(
        outcome: RdapOutcome,
        url: str = "",
        http_status: int | None = None,
        record: RdapDomain | None = None,
        detail: str = "",
        whois: WhoisHint | None = None,
    ) -> RegistrationFacts:
        ms = int((time.monotonic() - started) * 1000)
        return RegistrationFacts(name, outcome, url, http_status, record, detail, whois, ms)

    if rdap_base is not None:
        bases: tuple[str, ...] = (rdap_base,)
    else:
        if bootstrap is None and cache is not None:
            bootstrap = cache.load(bootstrap_url)
        if bootstrap is None:
            try:
                bootstrap = await fetch_bootstrap(
                    bootstrap_url,
                    resolver=resolver,
                    ssl_context=ssl_context,
                    port_override=port_override,
                    timeout=max(deadline - time.monotonic(), 0.1),
                )
            except RdapBootstrapError as exc:
                return done(RdapOutcome.BOOTSTRAP_FAILED, url=exc.url, detail=exc.detail)
            if cache is not None:
                cache.store(bootstrap_url, bootstrap)
        bases = bootstrap.base_urls(name)
        if not bases:
            return done(RdapOutcome.NO_SERVICE, whois=whois_hint(name))
    failure: RegistrationFacts | None = None
    for base in bases:  # the next base only when this one could not be reached
        url = rdap_domain_url(base, name)
        try:
            result = await http_get(
                url,
                resolver=resolver,
                ssl_context=ssl_context,
                port_override=port_override,
                timeout=max(deadline - time.monotonic(), 0.1),
            )
        except HttpFetchError as exc:
            failure = done(RdapOutcome.FETCH_FAILED, url=url, detail=_fetch_detail(exc))
            continue
        if result.status == 200:
            try:
                record = parse_rdap_domain(result.body)
            except ValueError as exc:
                return done(RdapOutcome.BAD_RESPONSE, url=url, http_status=200, detail=str(exc))
            return done(RdapOutcome.FOUND, url=url, http_status=200, record=record)
        outcome = {404: RdapOutcome.NOT_FOUND, 429: RdapOutcome.RATE_LIMITED}.get(
            result.status, RdapOutcome.HTTP_ERROR
        )
        return done(outcome, url=url, http_status=result.status, detail=_error_title(result.body))
    assert failure is not None
    return failure


def _fetch_detail(exc: HttpFetchError) -> str:
    return f"{exc.failure.value}: {exc.detail}" if exc.detail else exc.failure.value


def _error_title(body: bytes) -> str:
    """The title of an RDAP error answer (RFC 9083 section 6), when the body is one."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(document, dict) and isinstance(document.get("title"), str):
        return str(document["title"])[:200]
    return ""


# --------------------------------------------------------------------------- name servers


@dataclass(frozen=True, slots=True)
class NameserverFacts:
    """The NS records of the zone that holds `domain`, found by walking up its names."""

    domain: str
    lookups: tuple[DnsLookup, ...]  # in the order asked: domain, its parent, ...
    zone: str | None = None  # where the NS records are (None: not found)

    @property
    def hosts(self) -> tuple[str, ...]:
        """The NS host names, sorted (a resolver rotates their order), lower case, no dot."""
        for lookup in self.lookups:
            if lookup.outcome is DnsOutcome.OK and lookup.answers:
                return tuple(sorted({answer.lower().rstrip(".") for answer in lookup.answers}))
        return ()


async def lookup_nameservers(domain: str, dns: DnsClient, *, lifetime: float = 5.0) -> NameserverFacts:
    """NS of `domain`, else of each parent down to the registered domain.

    A name without NS records (NODATA) or that does not exist (NXDOMAIN) moves one label up;
    SERVFAIL, a timeout or a refusal stops the walk (the zone's DNS is broken there).
    """
    name = normalize_domain(domain)
    floor = registered_domain(name) or name
    lookups: list[DnsLookup] = []
    current = name
    while True:
        lookup = await dns.lookup(current, "NS", lifetime)
        lookups.append(lookup)
        if lookup.outcome is DnsOutcome.OK and lookup.answers:
            return NameserverFacts(name, tuple(lookups), current)
        if lookup.outcome not in (DnsOutcome.NODATA, DnsOutcome.NXDOMAIN) or current == floor:
            return NameserverFacts(name, tuple(lookups))
        parent = current.partition(".")[2]
        if not parent:
            return NameserverFacts(name, tuple(lookups))
        current = parent


@dataclass(frozen=True, slots=True)
class RegistrationCheck:
    """Everything about who holds the domain: registry data, name servers, DNS provider."""

    domain: str  # as asked, normalised
    registered: str | None  # the registered domain; None: a public suffix was asked
    nameservers: NameserverFacts
    hosting: DnsHosting  # from the NS records, else from RDAP's name servers
    rdap: RegistrationFacts


async def check_registration(
    domain: str,
    dns: DnsClient,
    *,
    ssl_context: ssl.SSLContext | None = None,
    bootstrap: RdapBootstrap | None = None,
    bootstrap_url: str = IANA_DNS_BOOTSTRAP,
    rdap_base: str | None = None,
    port_override: Mapping[str, int] | None = None,
    timeout: float = 10.0,
    dns_lifetime: float = 5.0,
    cache: BootstrapStore | None = None,
) -> RegistrationCheck:
    """NS walk and RDAP for `domain`, side by side; host names through `dns` (--dns)."""
    name = normalize_domain(domain)
    registered = registered_domain(name)
    nameservers_task = lookup_nameservers(name, dns, lifetime=dns_lifetime)
    if registered is None:
        nameservers = await nameservers_task
        rdap = RegistrationFacts(
            name, RdapOutcome.NOT_ASKED, detail="a public suffix, not a registered domain"
        )
    else:
        nameservers, rdap = await asyncio.gather(
            nameservers_task,
            lookup_registration(
                registered,
                resolver=dns_resolver(dns, dns_lifetime),
                ssl_context=ssl_context,
                bootstrap=bootstrap,
                bootstrap_url=bootstrap_url,
                rdap_base=rdap_base,
                port_override=port_override,
                timeout=timeout,
                cache=cache,
            ),
        )
    hosts: Sequence[str] = nameservers.hosts
    if not hosts and rdap.record is not None:
        hosts = rdap.record.nameservers
    hosting = identify_dns_hosting(hosts, nameservers.zone or registered or name)
    return RegistrationCheck(name, registered, nameservers, hosting, rdap)


# --------------------------------------------------------------------------- judgement


class ExpiryState(StrEnum):
    UNKNOWN = "unknown"  # no expiry date
    OK = "ok"
    EXPIRING = "expiring"  # within the window (30 days)
    EXPIRED = "expired"  # the date has passed


def expiry_state(expires: datetime | None, now: datetime, window: timedelta = EXPIRY_WINDOW) -> ExpiryState:
    """DOMAIN_EXPIRING is a decision over dates: expired, within `window`, or fine. Pure."""
    if expires is None:
        return ExpiryState.UNKNOWN
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    if expires <= now:
        return ExpiryState.EXPIRED
    if expires - now <= window:
        return ExpiryState.EXPIRING
    return ExpiryState.OK


def days_left(expires: datetime, now: datetime) -> int:
    """Whole days from `now` until `expires` (negative once passed)."""
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return (expires - now) // timedelta(days=1)


class RegistrationProblem(StrEnum):
    DOMAIN_EXPIRING = "DOMAIN_EXPIRING"  # expires within 30 days
    DOMAIN_EXPIRED = "DOMAIN_EXPIRED"  # the expiry date has passed (it may still work for a grace period)
    DOMAIN_ON_HOLD = "DOMAIN_ON_HOLD"  # client/server hold: the registry keeps it out of DNS
    DOMAIN_PENDING_DELETE = "DOMAIN_PENDING_DELETE"  # redemption period / pending delete
    DOMAIN_NOT_REGISTERED = "DOMAIN_NOT_REGISTERED"  # the registry's RDAP has no such domain
    RDAP_NO_SERVICE = "RDAP_NO_SERVICE"  # no RDAP for the TLD: look in WHOIS instead
    RDAP_UNAVAILABLE = "RDAP_UNAVAILABLE"  # RDAP could not be asked: expiry unknown


def judge_registration(
    facts: RegistrationFacts,
    now: datetime,
    *,
    resolves: bool | None = None,
    window: timedelta = EXPIRY_WINDOW,
) -> tuple[DomainProblem, ...]:
    """What the registry data means. Pure.

    resolves: whether the domain's DNS answers (its NS found); decides whether an RDAP
    404 means "not registered" (False) or only that the registry has no record under this
    name (True: a sub-zone, say). None: not known.
    """
    domain = facts.domain
    evidence = tuple(part for part in (facts.url, facts.detail) if part)
    if facts.outcome is RdapOutcome.NO_SERVICE:
        hint = facts.whois or whois_hint(domain)
        return (
            problem(
                RegistrationProblem.RDAP_NO_SERVICE,
                Severity.INFO,
                None,
                domain=domain,
                tld=hint.tld,
                service=hint.service,
                url=hint.url,
                note=hint.note,
            ),
        )
    if facts.outcome is RdapOutcome.NOT_FOUND:
        not_registered = resolves is False
        return (
            problem(
                RegistrationProblem.DOMAIN_NOT_REGISTERED,
                Severity.ERROR if not_registered else Severity.INFO,
                CauseCode.DOMAIN_NOT_RESOLVING if not_registered else None,
                evidence=(*evidence, f"HTTP {facts.http_status}" if facts.http_status else "HTTP -"),
                domain=domain,
            ),
        )
    if facts.outcome is not RdapOutcome.FOUND or facts.record is None:
        return (
            problem(
                RegistrationProblem.RDAP_UNAVAILABLE,
                Severity.INFO,
                None,
                evidence=evidence,
                domain=domain,
                outcome=facts.outcome.value,
            ),
        )
    record = facts.record
    problems: list[DomainProblem] = []
    statuses = set(record.statuses)
    status_line = f"status: {', '.join(record.statuses)}" if record.statuses else ""
    record_evidence = tuple(
        line
        for line in (
            facts.url,
            f"expiration: {record.expires.isoformat()}" if record.expires else "",
            status_line,
        )
        if line
    )
    if statuses & _DELETE_STATUSES:
        problems.append(
            problem(
                RegistrationProblem.DOMAIN_PENDING_DELETE,
                Severity.ERROR,
                CauseCode.DOMAIN_NOT_RESOLVING,
                evidence=record_evidence,
                domain=domain,
                statuses=", ".join(sorted(statuses & _DELETE_STATUSES)),
                registrar=record.registrar or "",
            )
        )
    elif statuses & _HOLD_STATUSES:
        problems.append(
            problem(
                RegistrationProblem.DOMAIN_ON_HOLD,
                Severity.ERROR,
                CauseCode.DOMAIN_NOT_RESOLVING,
                evidence=record_evidence,
                domain=domain,
                statuses=", ".join(sorted(statuses & _HOLD_STATUSES)),
                registrar=record.registrar or "",
            )
        )
    state = expiry_state(record.expires, now, window)
    if state in (ExpiryState.EXPIRING, ExpiryState.EXPIRED) and record.expires is not None:
        problems.append(
            problem(
                RegistrationProblem.DOMAIN_EXPIRED
                if state is ExpiryState.EXPIRED
                else RegistrationProblem.DOMAIN_EXPIRING,
                Severity.ERROR if state is ExpiryState.EXPIRED else Severity.WARNING,
                CauseCode.DOMAIN_EXPIRING,
                evidence=record_evidence,
                domain=domain,
                expires=record.expires.date().isoformat(),
                days=days_left(record.expires, now),
                registrar=record.registrar or "",
            )
        )
    return tuple(problems)


def nameserver_evidence(facts: NameserverFacts) -> tuple[str, ...]:
    """The NS lookups as evidence lines."""
    return tuple(line for lookup in facts.lookups for line in lookup_lines(lookup))


__all__ = [
    "EXPIRY_WINDOW",
    "IANA_DNS_BOOTSTRAP",
    "ExpiryState",
    "NameserverFacts",
    "RdapBootstrap",
    "RdapBootstrapError",
    "RdapDomain",
    "RdapOutcome",
    "RegistrationCheck",
    "RegistrationFacts",
    "RegistrationProblem",
    "WhoisHint",
    "check_registration",
    "days_left",
    "expiry_state",
    "fetch_bootstrap",
    "judge_registration",
    "lookup_nameservers",
    "lookup_registration",
    "nameserver_evidence",
    "parse_bootstrap",
    "parse_rdap_date",
    "parse_rdap_domain",
    "rdap_domain_url",
    "registered_domain",
    "whois_hint",
]
