"""The providers maildoctor knows without asking the network: Thunderbird's ISPDB, shipped as data.

`ProviderIndex.load()` reads `maildoctor/data/ispdb/*.xml` once (MPL-2.0, see
the README there) and answers by the address's domain, or, as Thunderbird
does for hosted domains, by the domain's MX hosts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Final

import idna

from maildoctor.discover.ispdb import ProviderEntry, parse_client_config

DATA_PACKAGE: Final = "maildoctor"

# Second-level labels under which registrations happen one level deeper, so that the
# registered domain of "mx.example.co.jp" is "example.co.jp" and not "co.jp". A short,
# hand-kept stand-in for the Public Suffix List: the generic second levels of the
# countries whose providers the ISPDB and maildoctor's users mostly have.
GENERIC_SECOND_LEVELS: Final = frozenset(
    {
        # Japan (JPRS attribute-type domains)
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp",
        # United Kingdom
        "co.uk", "org.uk", "ac.uk", "me.uk", "ltd.uk", "plc.uk",
        # Australia, New Zealand
        "com.au", "net.au", "org.au", "edu.au", "co.nz", "net.nz", "org.nz",
        # elsewhere
        "com.br", "net.br", "co.kr", "com.cn", "net.cn", "com.tw", "co.za", "co.in", "com.mx",
    }
)  # fmt: skip


def normalize_domain(domain: str) -> str | None:
    """The lower-case A-label form of `domain` without a trailing dot, or None if it is no domain."""
    text = domain.strip().rstrip(".").lower()
    if not text or any(not label for label in text.split(".")):
        return None
    if text.isascii():
        return text
    try:
        return idna.encode(text, uts46=True).decode("ascii").lower()
    except idna.IDNAError:
        return None


def registered_domain(host: str) -> str:
    """The domain `host` is registered under: the last two labels, three under a generic second level."""
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in GENERIC_SECOND_LEVELS else 2
    return ".".join(labels[-keep:])


def mx_lookup_domains(mx_host: str) -> tuple[str, ...]:
    """The domains Thunderbird tries for one MX host: the host without its first label, then its base.

    "aspmx.l.google.com" -> ("l.google.com", "google.com"). The host without its
    first label is left out when it is no longer than the registered domain
    ("mx.example.com" -> just "example.com"; "example.co.jp" must not try "co.jp").
    """
    host = normalize_domain(mx_host)
    if host is None:
        return ()
    base = registered_domain(host)
    parent = host.partition(".")[2]
    if parent and len(parent.split(".")) > len(base.split(".")):
        return (parent, base)
    return (base,)


class ProviderIndex:
    """Provider entries by domain; the first entry to name a domain keeps it."""

    def __init__(self, entries: Iterable[ProviderEntry]) -> None:
        self._entries = tuple(entries)
        self._by_domain: dict[str, ProviderEntry] = {}
        for entry in self._entries:
            for domain in entry.domains:
                key = normalize_domain(domain)
                if key is not None:
                    self._by_domain.setdefault(key, entry)

    @classmethod
    def load(cls) -> ProviderIndex:
        """The index of the ISPDB copy maildoctor ships (read once, then cached)."""
        return _shipped_index()

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
        return None if key is None else self._by_domain.get(key)

    def lookup_by_mx(self, mx_hosts: Sequence[str]) -> ProviderEntry | None:
        """The provider whose domain one of the MX hosts (most preferred first) belongs to."""
        for mx_host in mx_hosts:
            for domain in mx_lookup_domains(mx_host):
                if (entry := self._by_domain.get(domain)) is not None:
                    return entry
        return None


@functools.cache
def _shipped_index() -> ProviderIndex:
    folder = resources.files(DATA_PACKAGE).joinpath("data").joinpath("ispdb")
    files = sorted((item for item in folder.iterdir() if item.name.endswith(".xml")), key=lambda i: i.name)
    return ProviderIndex(parse_client_config(item.read_bytes()) for item in files)
