"""Who signs mail with which DKIM selectors, and who serves DNS by which name servers: data, read strictly.

Two kinds of rows, each kept where its provider is:

* a provider with a file in `data/providers/<id>.toml` carries its own `[dkim_selectors]` and
  `[dns_provider]` tables there (the provider's id is the row's id: one id everywhere);
* signers and DNS hosts without a provider file (Plesk, SendGrid, Cloudflare, ...) are rows of
  `data/dkim_selectors.toml` and `data/dns_providers.toml`.

`domain/dkim.py` and `domain/dnsproviders.py` join the two (provider files first, in file name
order, then the tables' rows in file order). A row's `name` is an English gettext message id
(babel.cfg extracts it); the reports show the name as the provider writes it, `name_ja` asks the
ja catalog. An unknown key, a missing one, a bad pattern or a second row with the same id is a
`ProviderTableError` naming the file and the row. Pure apart from reading the packaged files.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Final

from maildoctor.datafile import DataFileError, check_keys, one_line, provider_ids
from maildoctor.domainname import normalize_domain
from maildoctor.i18n import get_translator

DKIM_FILE: Final = "dkim_selectors.toml"
DNS_FILE: Final = "dns_providers.toml"
CONFIRMED: Final = frozenset({"stored-page", "recalled"})

_SIGNER_KEYS: Final = frozenset(
    {"name", "selectors", "mx_patterns", "source", "confirmed", "maintainer_note"}
)
_SIGNER_ROW_KEYS: Final = _SIGNER_KEYS | {"provider"}
_SIGNER_REQUIRED: Final = frozenset({"name", "selectors", "confirmed"})
_HOST_KEYS: Final = frozenset({"name", "ns_pattern", "operator", "recalled"})
_HOST_ROW_KEYS: Final = _HOST_KEYS | {"id"}
_HOST_REQUIRED: Final = frozenset({"name", "ns_pattern"})
_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]*")
_SELECTOR: Final = re.compile(r"[A-Za-z0-9_-]{1,63}")
_MX_PATTERN: Final = re.compile(r"[a-z0-9.*?-]+")


class ProviderTableError(DataFileError):
    """A DKIM-selector or DNS-provider row breaks its schema; the message names the file and the row."""


def _japanese(name: str) -> str:
    return get_translator("ja").gettext(name)


@dataclass(frozen=True, slots=True)
class SelectorSource:
    """Where a provider publishes its DKIM keys, and how sure we are of it."""

    provider: str  # the signer's name (a message id)
    selectors: tuple[str, ...]
    mx_patterns: tuple[str, ...]  # fnmatch patterns of MX hosts that mean "mail is hosted here"
    source: str  # the page it was read on ("" when recalled without one at hand)
    confirmed: str  # "stored-page": read on the page named; "recalled": the writer's knowledge
    note: str = ""
    provider_id: str | None = None  # the data/providers id, where the signer has a provider file

    @property
    def provider_ja(self) -> str:
        return _japanese(self.provider)


@dataclass(frozen=True, slots=True)
class DnsProvider:
    key: str  # stable id: the data/providers id where the provider has a file
    name: str  # as the provider writes it (also in a Japanese report: a proper name); a message id
    pattern: str  # a regular expression matched against the whole NS host name
    operator: str = ""  # the company, where it differs from the name
    recalled: bool = False

    @property
    def name_ja(self) -> str:
        """The name Japanese customers know it by (the ja catalog; often the same)."""
        return _japanese(self.name)

    def matches(self, host: str) -> bool:
        return re.fullmatch(self.pattern, normalize_domain(host, a_labels=False)) is not None


def _strings(where: str, table: Mapping[str, object], key: str, shape: re.Pattern[str]) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(item, str) and shape.fullmatch(item) for item in value
    ):
        raise ProviderTableError(f"{where}: {key} must be a list of strings like {shape.pattern}")
    return tuple(value)


def parse_signer(
    where: str,
    table: object,
    *,
    provider_id: str | None = None,
    mx_patterns: tuple[str, ...] = (),
    row: bool = False,
) -> SelectorSource:
    """One `[dkim_selectors]` table of a provider file (its MX patterns are the default), or one row
    of dkim_selectors.toml (`row`: may name its provider's id)."""
    if not isinstance(table, dict):
        raise ProviderTableError(f"{where}: not a table")
    check_keys(where, table, _SIGNER_REQUIRED, _SIGNER_ROW_KEYS if row else _SIGNER_KEYS, ProviderTableError)
    selectors = _strings(where, table, "selectors", _SELECTOR)
    if not selectors:
        raise ProviderTableError(f"{where}: selectors must not be empty")
    confirmed = one_line(where, table, "confirmed", ProviderTableError)
    if confirmed not in CONFIRMED:
        raise ProviderTableError(f"{where}: confirmed must be one of {sorted(CONFIRMED)}")
    source = str(table.get("source", ""))
    if source and not source.startswith("https://"):
        raise ProviderTableError(f"{where}: source must be an https:// page")
    if confirmed == "stored-page" and not source:
        raise ProviderTableError(f"{where}: a stored-page row names its page in source")
    if row and "provider" in table:
        provider_id = one_line(where, table, "provider", ProviderTableError)
        if provider_id not in provider_ids():
            raise ProviderTableError(f"{where}: provider {provider_id!r} has no file in data/providers")
    return SelectorSource(
        provider=one_line(where, table, "name", ProviderTableError, exact=True),
        selectors=selectors,
        mx_patterns=_strings(where, table, "mx_patterns", _MX_PATTERN)
        if "mx_patterns" in table
        else mx_patterns,
        source=source,
        confirmed=confirmed,
        note=one_line(where, table, "maintainer_note", ProviderTableError)
        if "maintainer_note" in table
        else "",
        provider_id=provider_id,
    )


def parse_dns_host(where: str, table: object, *, provider_id: str | None = None) -> DnsProvider:
    """One `[dns_provider]` table of a provider file (the id is the file's), or one row of
    dns_providers.toml (`provider_id` None: the row has its own `id`)."""
    if not isinstance(table, dict):
        raise ProviderTableError(f"{where}: not a table")
    required = _HOST_REQUIRED if provider_id is not None else _HOST_REQUIRED | {"id"}
    check_keys(
        where, table, required, _HOST_KEYS if provider_id is not None else _HOST_ROW_KEYS, ProviderTableError
    )
    key = provider_id if provider_id is not None else one_line(where, table, "id", ProviderTableError)
    if not _ID.fullmatch(key):
        raise ProviderTableError(f"{where}: id must be lower-case letters, digits and '-'")
    if provider_id is None and key in provider_ids():
        raise ProviderTableError(f"{where}: {key} has a provider file: its [dns_provider] table goes there")
    pattern = one_line(where, table, "ns_pattern", ProviderTableError, exact=True)
    try:
        re.compile(pattern)
    except re.error as error:
        raise ProviderTableError(f"{where}: ns_pattern is not a regular expression: {error}") from None
    recalled = table.get("recalled", False)
    if not isinstance(recalled, bool):
        raise ProviderTableError(f"{where}: recalled must be true or false")
    return DnsProvider(
        key=key,
        name=one_line(where, table, "name", ProviderTableError, exact=True),
        pattern=pattern,
        operator=one_line(where, table, "operator", ProviderTableError) if "operator" in table else "",
        recalled=recalled,
    )


def _rows(filename: str, data: bytes | str, array: str) -> list[object]:
    try:
        document = tomllib.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProviderTableError(f"{filename}: not valid TOML: {error}") from None
    extra = sorted(set(document) - {array})
    if extra:
        raise ProviderTableError(f"{filename}: unknown top-level keys {', '.join(extra)}")
    rows = document.get(array, [])
    if not isinstance(rows, list):
        raise ProviderTableError(f"{filename}: {array} must be an array of tables ([[{array}]])")
    return rows


def parse_signers(data: bytes | str, filename: str = DKIM_FILE) -> tuple[SelectorSource, ...]:
    """The rows of dkim_selectors.toml (`[[signer]]`), in file order."""
    rows = _rows(filename, data, "signer")
    return tuple(parse_signer(f"{filename}: signer #{i}", row, row=True) for i, row in enumerate(rows, 1))


def parse_dns_hosts(data: bytes | str, filename: str = DNS_FILE) -> tuple[DnsProvider, ...]:
    """The rows of dns_providers.toml (`[[dns_provider]]`), in file order; ids unique."""
    rows = _rows(filename, data, "dns_provider")
    hosts = tuple(parse_dns_host(f"{filename}: dns_provider #{i}", row) for i, row in enumerate(rows, 1))
    return unique_hosts(hosts, filename)


def unique_hosts(hosts: tuple[DnsProvider, ...], where: str) -> tuple[DnsProvider, ...]:
    seen: set[str] = set()
    for host in hosts:
        if host.key in seen:
            raise ProviderTableError(f"{where}: DNS provider {host.key} is named twice")
        seen.add(host.key)
    return hosts


def _packaged(filename: str) -> bytes:
    return resources.files("maildoctor").joinpath("data").joinpath(filename).read_bytes()


@functools.cache
def table_signers() -> tuple[SelectorSource, ...]:
    """The signers without a provider file (dkim_selectors.toml), read once."""
    return parse_signers(_packaged(DKIM_FILE))


@functools.cache
def table_dns_hosts() -> tuple[DnsProvider, ...]:
    """The DNS hosts without a provider file (dns_providers.toml), read once."""
    return parse_dns_hosts(_packaged(DNS_FILE))


__all__ = [
    "DnsProvider",
    "ProviderTableError",
    "SelectorSource",
    "parse_dns_host",
    "parse_dns_hosts",
    "parse_signer",
    "parse_signers",
    "table_dns_hosts",
    "table_signers",
    "unique_hosts",
]
