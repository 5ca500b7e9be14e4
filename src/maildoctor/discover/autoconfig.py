"""Autoconfig as Thunderbird asks for it: the domain's own clientConfig file over HTTPS.

Thunderbird's order for the address's domain:

1. ``https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=<address>``, and
   ``http://`` of the same URL only when HTTPS could not connect (marked `plain_http`:
   anyone on the path could have written that answer);
2. ``https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml``.

Both are asked at once; the first in that order that gives a clientConfig wins. Every URL
tried is kept with its status or error for the report, and a 404, a refused connection or
a certificate that does not verify is a tried-and-failed attempt, never an exception.
A config reached through a redirect to another domain is flagged (`needs_confirmation`):
the caller asks the person before a password goes there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from maildoctor.discover.candidates import DiscoveredSettings, ServerCandidate, Source
from maildoctor.discover.ispdb import fill, parse_client_config, to_candidates
from maildoctor.net.http import (
    CONNECT_FAILURES,
    HostResolver,
    HttpFailure,
    HttpFetchError,
    Redirect,
    http_get,
)

# bytes of a clientConfig -> settings (ValueError when it is none); default: discover/ispdb.py
ConfigParser = Callable[[bytes], DiscoveredSettings]


class AutoconfigMethod(StrEnum):
    SUBDOMAIN = "autoconfig-subdomain"  # https://autoconfig.<domain>/mail/config-v1.1.xml
    WELL_KNOWN = "well-known"  # https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml


class AttemptOutcome(StrEnum):
    FOUND = "found"  # a clientConfig with at least one server
    HTTP_STATUS = "http-status"  # an answer other than 200 (404 ...)
    INVALID = "invalid"  # 200, but not a usable clientConfig
    FAILED = "failed"  # no HTTP answer: DNS, refused, TLS, timeout, too large ... (see failure)


@dataclass(frozen=True, slots=True)
class AutoconfigAttempt:
    """One URL asked, and what came of it."""

    method: AutoconfigMethod
    url: str
    plain_http: bool
    outcome: AttemptOutcome
    status: int | None = None
    failure: HttpFailure | None = None
    error: str = ""
    final_url: str | None = None
    redirects: tuple[Redirect, ...] = ()

    @property
    def cross_domain_redirect(self) -> bool:
        return any(redirect.cross_domain for redirect in self.redirects)


@dataclass(frozen=True, slots=True)
class AutoconfigResult:
    address: str
    attempts: tuple[AutoconfigAttempt, ...]  # in Thunderbird's order
    settings: DiscoveredSettings | None = None  # candidates with Source.AUTOCONFIG
    found: AutoconfigAttempt | None = None  # the attempt the settings came from

    @property
    def candidates(self) -> tuple[ServerCandidate, ...]:
        return () if self.settings is None else self.settings.incoming + self.settings.outgoing

    @property
    def needs_confirmation(self) -> bool:
        """The config came from another domain (by redirect): ask before sending a password there."""
        return self.found is not None and self.found.cross_domain_redirect

    @property
    def insecure(self) -> bool:
        """The config came over plain HTTP (the fallback, or a redirect down to http://)."""
        return self.found is not None and (
            self.found.plain_http or any(redirect.downgrade for redirect in self.found.redirects)
        )


def autoconfig_urls(address: str) -> tuple[str, str, str]:
    """(https subdomain URL, its http fallback, https well-known URL) for an address."""
    domain = _domain(address)
    query = quote(address, safe="@")
    subdomain = f"autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={query}"
    return (
        f"https://{subdomain}",
        f"http://{subdomain}",
        f"https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
    )


async def fetch_autoconfig(
    address: str,
    *,
    resolver: HostResolver,
    ssl_context: ssl.SSLContext | None = None,
    port_override: Mapping[str, int] | None = None,
    timeout: float = 10.0,
    parse: ConfigParser | None = None,
) -> AutoconfigResult:
    """Ask the domain's autoconfig URLs; never raises for what the network does."""
    domain = _domain(address)
    subdomain_https, subdomain_http, well_known = autoconfig_urls(address)
    parser = parse if parse is not None else _default_parser(address)

    async def attempt(
        method: AutoconfigMethod, url: str
    ) -> tuple[AutoconfigAttempt, DiscoveredSettings | None]:
        plain = url.startswith("http://")
        try:
            result = await http_get(
                url,
                resolver=resolver,
                ssl_context=ssl_context,
                port_override=port_override,
                timeout=timeout,
                site_domain=domain,
            )
        except HttpFetchError as exc:
            failed = AutoconfigAttempt(
                method, url, plain, AttemptOutcome.FAILED, None, exc.failure, exc.detail, None, exc.redirects
            )
            return failed, None

        def tried(outcome: AttemptOutcome, error: str = "") -> AutoconfigAttempt:
            return AutoconfigAttempt(
                method, url, plain, outcome, result.status, None, error, result.final_url, result.redirects
            )

        if result.status != 200:
            return tried(AttemptOutcome.HTTP_STATUS), None
        try:
            settings = parser(result.body)
        except ValueError as exc:
            return tried(AttemptOutcome.INVALID, str(exc)[:300]), None
        if not settings.incoming and not settings.outgoing:
            return tried(AttemptOutcome.INVALID, "no usable server"), None
        return tried(AttemptOutcome.FOUND), settings

    async def subdomain() -> list[tuple[AutoconfigAttempt, DiscoveredSettings | None]]:
        first = await attempt(AutoconfigMethod.SUBDOMAIN, subdomain_https)
        failure = first[0].failure
        if failure is not None and (failure in CONNECT_FAILURES or failure is HttpFailure.TIMEOUT):
            return [first, await attempt(AutoconfigMethod.SUBDOMAIN, subdomain_http)]
        return [first]

    first_attempts, well_known_attempt = await asyncio.gather(
        subdomain(), attempt(AutoconfigMethod.WELL_KNOWN, well_known)
    )
    results = (*first_attempts, well_known_attempt)
    attempts = tuple(tried for tried, _ in results)
    for tried, settings in results:
        if settings is not None:
            return AutoconfigResult(address, attempts, _for_address(settings, address), tried)
    return AutoconfigResult(address, attempts)


# --------------------------------------------------------------------------- templates


def _default_parser(address: str) -> ConfigParser:
    """ISPDB's clientConfig reader (DOCTYPE/ENTITY refused, 1 MiB at most), filled for `address`."""

    def parse(data: bytes) -> DiscoveredSettings:
        return to_candidates(parse_client_config(data), address)

    return parse


def _for_address(settings: DiscoveredSettings, address: str) -> DiscoveredSettings:
    """Every candidate marked Source.AUTOCONFIG, templates an injected parser left filled in."""

    def mark(candidate: ServerCandidate) -> ServerCandidate:
        return dataclasses.replace(
            candidate,
            host=fill(candidate.host, address).lower(),
            username=fill(candidate.username, address),
            source=Source.AUTOCONFIG,
        )

    return DiscoveredSettings(
        address,
        settings.provider,
        tuple(mark(candidate) for candidate in settings.incoming),
        tuple(mark(candidate) for candidate in settings.outgoing),
    )


def _domain(address: str) -> str:
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an email address: {address!r}")
    return domain.lower().rstrip(".")


__all__ = [
    "AttemptOutcome",
    "AutoconfigAttempt",
    "AutoconfigMethod",
    "AutoconfigResult",
    "ConfigParser",
    "autoconfig_urls",
    "fetch_autoconfig",
]
