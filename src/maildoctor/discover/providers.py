"""The providers maildoctor knows without asking the network: its own curated entries and Thunderbird's ISPDB.

`ProviderIndex.load()` reads maildoctor's curated provider files
(`maildoctor/data/providers/*.toml`, see `maildoctor.discover.curated`) and the
ISPDB copy (`maildoctor/data/ispdb/*.xml`, MPL-2.0, see the README there) once,
curated entries first, so that a curated entry wins a domain both name. It
answers by the address's domain, or by the domain's MX hosts: first by the
curated entries' MX patterns ("sv*.xserver.jp", "*.mail.protection.outlook.com"),
then, as Thunderbird does for hosted domains, by the domains the MX hosts
belong to. `ProviderIndex.load_ispdb()` is the ISPDB alone.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

from maildoctor.datacache import cached_parse
from maildoctor.discover import ispdb
from maildoctor.discover.curated import load_curated
from maildoctor.discover.domains import mx_lookup_domains
from maildoctor.discover.ispdb import ProviderEntry, parse_client_config
from maildoctor.domainname import normalize_domain

DATA_PACKAGE: Final = "maildoctor"

__all__ = ["DATA_PACKAGE", "ProviderIndex", "ispdb_overrides"]


class ProviderIndex:
    """Provider entries by domain; the first entry to name a domain keeps it.

    A domain written "*.example.ne.jp" (curated entries) stands for every
    sub-domain of example.ne.jp, not for example.ne.jp itself; a domain named
    exactly wins over such a wildcard, and a longer wildcard over a shorter one.
    """

    def __init__(self, entries: Iterable[ProviderEntry]) -> None:
        self._entries = tuple(entries)
        self._by_domain: dict[str, ProviderEntry] = {}
        self._by_parent: dict[str, ProviderEntry] = {}  # "ocn.ne.jp" for "*.ocn.ne.jp"
        self._mx_patterns: list[tuple[str, ProviderEntry]] = []
        for entry in self._entries:
            for domain in entry.domains:
                wildcard = domain.startswith("*.")
                key = normalize_domain(domain[2:] if wildcard else domain)
                if key:
                    (self._by_parent if wildcard else self._by_domain).setdefault(key, entry)
            self._mx_patterns.extend((pattern.lower(), entry) for pattern in entry.mx_patterns)

    @classmethod
    def load(cls) -> ProviderIndex:
        """maildoctor's curated entries, then the ISPDB copy it ships (read once, then cached)."""
        return _shipped_index()

    @classmethod
    def load_ispdb(cls) -> ProviderIndex:
        """The ISPDB copy alone, as Thunderbird would answer (read once, then cached)."""
        return _ispdb_index()

    @property
    def entries(self) -> tuple[ProviderEntry, ...]:
        return self._entries

    @property
    def domains(self) -> frozenset[str]:
        return frozenset(self._by_domain)

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, domain: str) -> ProviderEntry | None:
        """The provider of `domain` (any case, Unicode or A-labels, with or without a trailing dot)."""
        key = normalize_domain(domain)
        if not key:
            return None
        if (entry := self._by_domain.get(key)) is not None:
            return entry
        labels = key.split(".")
        for start in range(1, len(labels) - 1):  # "a.b.ocn.ne.jp": "b.ocn.ne.jp", "ocn.ne.jp", "ne.jp"
            if (entry := self._by_parent.get(".".join(labels[start:]))) is not None:
                return entry
        return None

    def match_by_mx(self, mx_hosts: Sequence[str]) -> tuple[ProviderEntry, str] | None:
        """The provider hosting a domain with these MX hosts (most preferred first), and the MX host.

        Each MX host is tried in turn: first against the curated MX patterns
        (fnmatch style, "*" and "?", case-insensitive), then by Thunderbird's
        rule, the host without its first label and the host's registered
        domain (`mx_lookup_domains`). The MX host comes back lower case, in
        A-labels, without a trailing dot: the value for %MXHOST%.
        """
        for mx_host in mx_hosts:
            host = normalize_domain(mx_host)
            if not host:
                continue
            for pattern, patterned in self._mx_patterns:
                if fnmatch.fnmatchcase(host, pattern):
                    return patterned, host
            for domain in mx_lookup_domains(host):
                if (entry := self._by_domain.get(domain)) is not None:
                    return entry, host
        return None

    def lookup_by_mx(self, mx_hosts: Sequence[str]) -> ProviderEntry | None:
        """The provider `match_by_mx` finds, without the MX host."""
        match = self.match_by_mx(mx_hosts)
        return None if match is None else match[0]


def ispdb_overrides(
    curated: Iterable[ProviderEntry], ispdb: Iterable[ProviderEntry]
) -> dict[str, ProviderEntry]:
    """The ISPDB domains a curated entry takes over (named exactly by both), each with its curated entry."""
    ispdb_domains = {key for entry in ispdb for domain in entry.domains if (key := normalize_domain(domain))}
    return {
        key: entry
        for entry in curated
        for domain in entry.domains
        if not domain.startswith("*.") and (key := normalize_domain(domain)) in ispdb_domains
    }


def _name(item: Traversable) -> str:
    return item.name


@functools.cache
def _ispdb_entries() -> tuple[ProviderEntry, ...]:
    folder = resources.files(DATA_PACKAGE).joinpath("data").joinpath("ispdb")

    def parse() -> tuple[ProviderEntry, ...]:
        files = sorted(
            (item for item in folder.iterdir() if item.name.endswith(".xml")), key=lambda i: i.name
        )
        return tuple(parse_client_config(item.read_bytes()) for item in files)

    return cached_parse("ispdb", folder, ".xml", (ispdb.__file__, __file__), parse)


@functools.cache
def _ispdb_index() -> ProviderIndex:
    return ProviderIndex(_ispdb_entries())


@functools.cache
def _shipped_index() -> ProviderIndex:
    return ProviderIndex((*load_curated(), *_ispdb_entries()))
