"""Which provider refused or reported a bounce: a host name to the provider id of our data.

The ids are those of `maildoctor/data/providers/*.toml` (one id per provider everywhere). A
host matches a provider when it fits one of its MX patterns, or when it lies under one of its
address domains or under the registered domain its MX patterns name ("*.mail.protection.
outlook.com" names outlook.com, so any host under protection.outlook.com is Microsoft 365).
Pure apart from reading the shipped provider files once (through `load_curated`).
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Sequence
from typing import Final

from maildoctor.discover.curated import load_curated
from maildoctor.discover.ispdb import ProviderEntry

_MAX_HOST: Final = 255


def _suffix_of_pattern(pattern: str) -> str:
    """The fixed tail of an MX pattern after its last wildcard: "*.mail.protection.outlook.com"
    gives "mail.protection.outlook.com"; a pattern without a wildcard gives itself."""
    tail = pattern.rsplit("*", 1)[-1].rsplit("?", 1)[-1]
    return tail.lstrip(".-")


@functools.cache
def _shipped() -> tuple[ProviderEntry, ...]:
    return load_curated()


def _under(host: str, domain: str) -> bool:
    return bool(domain) and (host == domain or host.endswith("." + domain))


def provider_of(hosts: Sequence[str], entries: Iterable[ProviderEntry] | None = None) -> str:
    """The provider id of the first host that matches one, else ""."""
    known = tuple(entries) if entries is not None else _shipped()
    for raw in hosts:
        host = raw.strip().strip("[].").lower()[:_MAX_HOST]
        if not host or "." not in host:
            continue
        for entry in known:  # an MX pattern is the surest sign
            if any(fnmatch.fnmatchcase(host, pattern) for pattern in entry.mx_patterns):
                return entry.id
        for entry in known:
            domains = [domain.removeprefix("*.") for domain in entry.domains]
            tails = [_suffix_of_pattern(pattern) for pattern in entry.mx_patterns]
            if any(_under(host, domain) for domain in (*domains, *tails)):
                return entry.id
    return ""
