"""maildoctor's own provider data, beside Thunderbird's ISPDB: one TOML file per provider.

The files are `maildoctor/data/providers/*.toml`; their schema is described in
the README there. Each file becomes a `ProviderEntry` (the same type the ISPDB
parser makes) with the metadata ISPDB has no room for: which password the
provider wants and where a person gets it, the page the settings come from and
the day they were read, the MX host names that mean "this domain is hosted
here", and the settings the provider has switched off (`RetiredSetting`).

The files are validated strictly: an unknown key, a port out of range, an
unknown protocol or security, a malformed date or address is an error that
names the file. Pure apart from reading the files; the shipped set is read once.
"""

from __future__ import annotations

import datetime
import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

import maildoctor.discover.domains as domains
import maildoctor.discover.ispdb as ispdb
import maildoctor.provider_tables as provider_tables
from maildoctor import domainname
from maildoctor.datacache import cached_parse
from maildoctor.discover.candidates import PasswordKind
from maildoctor.discover.domains import GENERIC_SECOND_LEVELS
from maildoctor.discover.ispdb import MXHOST, ProviderEntry, RetiredSetting, ServerTemplate
from maildoctor.domainname import normalize_domain
from maildoctor.model import Protocol, Security
from maildoctor.provider_tables import (
    DnsProvider,
    ProviderTableError,
    SelectorSource,
    parse_dns_host,
    parse_signer,
)

DATA_PACKAGE: Final = "maildoctor"
CONFIRMED: Final = frozenset({"stored-page", "recalled"})
MAX_NOTE_CHARS: Final = 300  # a note is one line for a person, not an essay

__all__ = [
    "CONFIRMED",
    "CuratedDataError",
    "RetiredSetting",
    "find_retired",
    "load_curated",
    "parse_provider",
]

_TOP_KEYS: Final = frozenset(
    {
        "id", "name", "domains", "mx_patterns", "password_kind", "password_note",
        "password_page", "source_url", "checked", "confirmed", "confirmed_note",
        "confirmed_words", "evidence", "overrides_ispdb", "notes", "incoming", "outgoing", "retired",
        "dkim_selectors", "dns_provider",
    }
)  # fmt: skip
_REQUIRED_TOP: Final = (
    "id", "name", "domains", "mx_patterns", "password_kind", "password_note",
    "password_page", "source_url", "checked", "confirmed",
)  # fmt: skip
_SERVER_KEYS: Final = frozenset({"protocol", "host", "port", "security", "username", "authentication"})
_REQUIRED_SERVER: Final = ("protocol", "host", "port", "security", "username")
_RETIRED_KEYS: Final = frozenset(
    {"host", "port", "security", "protocol", "replacement", "since", "source_url", "note"}
)
_REPLACEMENT_KEYS: Final = frozenset({"host", "port", "security"})

_INCOMING: Final = {"imap": Protocol.IMAP, "pop3": Protocol.POP3}
_OUTGOING: Final = {"smtp": Protocol.SMTP}
_PROTOCOLS: Final = {**_INCOMING, **_OUTGOING}
_SECURITY: Final = {"ssl": Security.SSL, "starttls": Security.STARTTLS, "none": Security.NONE}

_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME: Final = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
_PATTERN_CHARS: Final = re.compile(r"^[a-z0-9.*?-]+$")
_PLACEHOLDER: Final = re.compile(r"%[A-Z]+%")
_KNOWN_PLACEHOLDERS: Final = {
    # what each placeholder stands for when a template is checked for being a host name
    "%EMAILADDRESS%": "user@example.jp",
    "%EMAILLOCALPART%": "user",
    "%EMAILDOMAIN%": "example.jp",
    MXHOST: "mx1.example.jp",
}
_URL: Final = re.compile(r"^https?://[^\s/]+\.[^\s/]+(?:/\S*)?$")
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SINCE: Final = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


class CuratedDataError(ValueError):
    """A provider file that does not follow the schema; the message names the file."""


# --------------------------------------------------------------------------- small checks


class _Checker:
    """Typed access to one file's values, every error prefixed with the file name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, problem: str) -> CuratedDataError:
        return CuratedDataError(f"{self.name}: {where}: {problem}")

    def keys(
        self, table: Mapping[str, object], where: str, allowed: frozenset[str], required: Sequence[str]
    ) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(where, f"unknown key {key!r}")
        for key in required:
            if key not in table:
                raise self.fail(where, f"missing key {key!r}")

    def text(self, value: object, where: str, *, one_line: bool = False) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "must be a non-empty string")
        if value != value.strip():
            raise self.fail(where, "has leading or trailing white space")
        if one_line and ("\n" in value or len(value) > MAX_NOTE_CHARS):
            raise self.fail(where, f"must be one line of at most {MAX_NOTE_CHARS} characters")
        return value

    def optional_text(self, table: Mapping[str, object], key: str, where: str) -> str | None:
        return None if key not in table else self.text(table[key], f"{where}{key}", one_line=True)

    def strings(self, value: object, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(where, "must be a list of strings")
        if len(set(value)) != len(value):
            raise self.fail(where, "lists a value twice")
        return tuple(value)

    def url(self, value: object, where: str) -> str:
        text = self.text(value, where)
        if not _URL.match(text):
            raise self.fail(where, f"not an http(s):// address: {text!r}")
        return text

    def port(self, value: object, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            raise self.fail(where, f"port must be a whole number from 1 to 65535, not {value!r}")
        return value

    def security(self, value: object, where: str) -> Security:
        if not isinstance(value, str) or value not in _SECURITY:
            raise self.fail(where, f"security must be one of {sorted(_SECURITY)}, not {value!r}")
        return _SECURITY[value]

    def hostname(self, value: object, where: str) -> str:
        text = self.text(value, where)
        if not _HOSTNAME.match(text):
            raise self.fail(where, f"not a lower-case host name: {text!r}")
        return text

    def template(self, value: object, where: str, *, host: bool) -> str:
        if not isinstance(value, str):
            raise self.fail(where, "must be a string")
        for placeholder in _PLACEHOLDER.findall(value):
            if placeholder not in _KNOWN_PLACEHOLDERS:
                raise self.fail(where, f"unknown placeholder {placeholder}")
        if host:
            example = _PLACEHOLDER.sub(lambda match: _KNOWN_PLACEHOLDERS[match.group(0)], value)
            if "%EMAILADDRESS%" in value or "%EMAILLOCALPART%" in value or not _HOSTNAME.match(example):
                raise self.fail(where, f"not a host name template: {value!r}")
        return value


def _registrable(domain: str) -> bool:
    """At least a registered domain: "xserver.jp", "example.co.jp"; not "jp" or "ne.jp"."""
    labels = domain.split(".")
    need = 3 if ".".join(labels[-2:]) in GENERIC_SECOND_LEVELS else 2
    return len(labels) >= need and all(labels)


def _domain(check: _Checker, value: str, where: str) -> str:
    base = value[2:] if value.startswith("*.") else value
    if normalize_domain(base) != base or not _HOSTNAME.match(base):
        raise check.fail(where, f"not a lower-case domain (or '*.' and one): {value!r}")
    if value.startswith("*.") and not _registrable(base):
        raise check.fail(where, f"'*.' needs at least a registered domain after it: {value!r}")
    return value


def _mx_pattern(check: _Checker, value: str, where: str) -> str:
    if not _PATTERN_CHARS.match(value) or ".." in value or value.startswith(".") or value.endswith("."):
        raise check.fail(where, f"not a lower-case host name pattern: {value!r}")
    labels = value.split(".")
    wild = [i for i, label in enumerate(labels) if "*" in label or "?" in label]
    literal = ".".join(labels[wild[-1] + 1 :]) if wild else value
    if (wild and not _registrable(literal)) or (not wild and not _HOSTNAME.match(value)):
        raise check.fail(where, f"too broad: name at least the provider's registered domain: {value!r}")
    return value


def _date(check: _Checker, value: object, where: str) -> str:
    text = check.text(value, where)
    try:
        valid = _DATE.match(text) is not None and datetime.date.fromisoformat(text).isoformat() == text
    except ValueError:
        valid = False
    if not valid:
        raise check.fail(where, f"not a YYYY-MM-DD date: {text!r}")
    return text


def _since(check: _Checker, value: object, where: str) -> str:
    text = check.text(value, where)
    if not _SINCE.match(text):
        raise check.fail(where, f"not YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
    return text


# --------------------------------------------------------------------------- servers and retired settings


def _authentication(kind: PasswordKind) -> tuple[str, ...]:
    return ("OAuth2",) if kind is PasswordKind.OAUTH2 else ("password-cleartext",)


def _server(
    check: _Checker, value: object, where: str, protocols: Mapping[str, Protocol], kind: PasswordKind
) -> ServerTemplate:
    if not isinstance(value, dict):
        raise check.fail(where, "must be a table")
    check.keys(value, where, _SERVER_KEYS, _REQUIRED_SERVER)
    protocol = value["protocol"]
    if not isinstance(protocol, str) or protocol not in protocols:
        raise check.fail(f"{where}.protocol", f"must be one of {sorted(protocols)}, not {protocol!r}")
    authentication = (
        check.strings(value["authentication"], f"{where}.authentication")
        if "authentication" in value
        else _authentication(kind)
    )
    if not authentication:
        raise check.fail(f"{where}.authentication", "must name at least one method")
    return ServerTemplate(
        protocol=protocols[protocol],
        hostname_template=check.template(value["host"], f"{where}.host", host=True),
        port=check.port(value["port"], f"{where}.port"),
        socket_type=check.security(value["security"], f"{where}.security"),
        username_template=check.template(value["username"], f"{where}.username", host=False),
        authentication=authentication,
    )


def _servers(
    check: _Checker,
    table: Mapping[str, object],
    key: str,
    protocols: Mapping[str, Protocol],
    kind: PasswordKind,
) -> tuple[ServerTemplate, ...]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise check.fail(key, "must be an array of tables ([[" + key + "]])")
    servers = tuple(_server(check, item, f"{key}[{i}]", protocols, kind) for i, item in enumerate(value))
    seen = [(s.protocol, s.hostname_template, s.port, s.socket_type) for s in servers]
    if len(set(seen)) != len(seen):
        raise check.fail(key, "lists the same server twice")
    return servers


def _retired(
    check: _Checker, value: object, where: str, provider_id: str, provider_name: str
) -> RetiredSetting:
    if not isinstance(value, dict):
        raise check.fail(where, "must be a table")
    check.keys(value, where, _RETIRED_KEYS, ("host", "replacement", "source_url"))
    replacement = value["replacement"]
    if not isinstance(replacement, dict):
        raise check.fail(f"{where}.replacement", "must be a table {host = ..., port = ..., security = ...}")
    check.keys(replacement, f"{where}.replacement", _REPLACEMENT_KEYS, ("host",))
    protocol = value.get("protocol")
    if protocol is not None and (not isinstance(protocol, str) or protocol not in _PROTOCOLS):
        raise check.fail(f"{where}.protocol", f"must be one of {sorted(_PROTOCOLS)}, not {protocol!r}")
    return RetiredSetting(
        host=check.hostname(value["host"], f"{where}.host"),
        port=None if "port" not in value else check.port(value["port"], f"{where}.port"),
        security=None if "security" not in value else check.security(value["security"], f"{where}.security"),
        protocol=None if protocol is None else _PROTOCOLS[protocol],
        replacement_host=check.template(replacement["host"], f"{where}.replacement.host", host=True),
        replacement_port=(
            None
            if "port" not in replacement
            else check.port(replacement["port"], f"{where}.replacement.port")
        ),
        replacement_security=(
            None
            if "security" not in replacement
            else check.security(replacement["security"], f"{where}.replacement.security")
        ),
        since=None if "since" not in value else _since(check, value["since"], f"{where}.since"),
        source_url=check.url(value["source_url"], f"{where}.source_url"),
        note=check.optional_text(value, "note", f"{where}."),
        provider_id=provider_id,
        provider_name=provider_name,
    )


# --------------------------------------------------------------------------- one file


def parse_provider(data: bytes | str, name: str) -> ProviderEntry:
    """One provider file (`name` is its file name, for the messages) as a `ProviderEntry`."""
    check = _Checker(name)
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        table = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CuratedDataError(f"{name}: not valid UTF-8 TOML: {error}") from error
    check.keys(table, "top level", _TOP_KEYS, _REQUIRED_TOP)

    provider_id = check.text(table["id"], "id")
    if not _ID.match(provider_id):
        raise check.fail("id", f"use lower-case letters, digits and '-': {provider_id!r}")
    if name.endswith(".toml") and name.removesuffix(".toml") != provider_id:
        raise check.fail("id", f"must equal the file name without .toml ({name!r})")
    display_name = check.text(table["name"], "name", one_line=True)
    kind_text = table["password_kind"]
    if not isinstance(kind_text, str) or kind_text not in {kind.value for kind in PasswordKind}:
        kinds = [kind.value for kind in PasswordKind]
        raise check.fail("password_kind", f"must be one of {kinds}, not {kind_text!r}")
    kind = PasswordKind(kind_text)
    confirmed = check.text(table["confirmed"], "confirmed")
    if confirmed not in CONFIRMED:
        raise check.fail("confirmed", f"must be one of {sorted(CONFIRMED)}, not {confirmed!r}")
    if "confirmed_note" in table:
        check.text(table["confirmed_note"], "confirmed_note")
    words = table.get("confirmed_words")
    words = None if words is None else check.text(words, "confirmed_words")
    if confirmed != "recalled" and not words:
        raise check.fail("confirmed_words", f"a {confirmed} claim needs the words read on source_url")
    evidence = check.strings(table.get("evidence", []), "evidence")
    for i, url in enumerate(evidence):
        check.url(url, f"evidence[{i}]")

    domains = tuple(
        _domain(check, domain, f"domains[{i}]")
        for i, domain in enumerate(check.strings(table["domains"], "domains"))
    )
    mx_patterns = tuple(
        _mx_pattern(check, pattern, f"mx_patterns[{i}]")
        for i, pattern in enumerate(check.strings(table["mx_patterns"], "mx_patterns"))
    )
    if not domains and not mx_patterns:
        raise check.fail("domains", "an entry needs at least one domain or one MX pattern")

    incoming = _servers(check, table, "incoming", _INCOMING, kind)
    outgoing = _servers(check, table, "outgoing", _OUTGOING, kind)
    if any(MXHOST in server.hostname_template for server in incoming + outgoing) and not mx_patterns:
        raise check.fail("mx_patterns", "a server named %MXHOST% needs an MX pattern to be found by")
    notes = check.optional_text(table, "notes", "")
    if not incoming and not outgoing and not notes:
        raise check.fail("notes", "an entry without servers must say why in notes")

    retired_value = table.get("retired", [])
    if not isinstance(retired_value, list):
        raise check.fail("retired", "must be an array of tables ([[retired]])")
    retired = tuple(
        _retired(check, item, f"retired[{i}]", provider_id, display_name)
        for i, item in enumerate(retired_value)
    )
    current = {(s.hostname_template, s.port, s.socket_type) for s in incoming + outgoing}
    for i, setting in enumerate(retired):
        if any(
            setting.matches(host, port, security) for host, port, security in current if MXHOST not in host
        ):
            raise check.fail(f"retired[{i}]", "matches one of the provider's current servers")

    return ProviderEntry(
        id=provider_id,
        display_name=display_name,
        domains=domains,
        incoming=incoming,
        outgoing=outgoing,
        password_kind=kind,
        password_note=check.text(table["password_note"], "password_note", one_line=True),
        password_page=check.url(table["password_page"], "password_page"),
        source_url=check.url(table["source_url"], "source_url"),
        checked=_date(check, table["checked"], "checked"),
        mx_patterns=mx_patterns,
        retired=retired,
        confirmed=confirmed,
        overrides_ispdb=check.optional_text(table, "overrides_ispdb", ""),
        notes=notes,
        evidence=evidence,
        confirmed_words=words,
        curated=True,
        dkim_selectors=_signer(name, table, provider_id, mx_patterns),
        dns_provider=_dns_host(name, table, provider_id),
    )


def _signer(
    name: str, table: Mapping[str, object], provider_id: str, mx: tuple[str, ...]
) -> SelectorSource | None:
    """The file's `[dkim_selectors]` table (maildoctor/provider_tables.py); its MX patterns by default."""
    if "dkim_selectors" not in table:
        return None
    try:
        return parse_signer(
            f"{name}: dkim_selectors", table["dkim_selectors"], provider_id=provider_id, mx_patterns=mx
        )
    except ProviderTableError as error:
        raise CuratedDataError(str(error)) from None


def _dns_host(name: str, table: Mapping[str, object], provider_id: str) -> DnsProvider | None:
    """The file's `[dns_provider]` table (maildoctor/provider_tables.py): the provider as a DNS host."""
    if "dns_provider" not in table:
        return None
    try:
        return parse_dns_host(f"{name}: dns_provider", table["dns_provider"], provider_id=provider_id)
    except ProviderTableError as error:
        raise CuratedDataError(str(error)) from None


# --------------------------------------------------------------------------- the set


def _check_set(entries: Sequence[tuple[str, ProviderEntry]]) -> None:
    """Ids, domains and MX patterns each belong to one entry only."""
    owners: dict[tuple[str, str], str] = {}
    for name, entry in entries:
        claims = [("id", entry.id)]
        claims += [("domain", domain) for domain in entry.domains]
        claims += [("MX pattern", pattern) for pattern in entry.mx_patterns]
        for claim in claims:
            if claim in owners:
                raise CuratedDataError(f"{name}: {claim[0]} {claim[1]!r} is already in {owners[claim]}")
            owners[claim] = name


def _load(directory: Traversable) -> tuple[ProviderEntry, ...]:
    if not directory.is_dir():
        raise CuratedDataError(f"{directory}: not a folder")
    files = sorted(
        (item for item in directory.iterdir() if item.name.endswith(".toml") and item.is_file()),
        key=lambda item: item.name,
    )
    parsed = [(item.name, parse_provider(item.read_bytes(), item.name)) for item in files]
    _check_set(parsed)
    return tuple(entry for _, entry in parsed)


@functools.cache
def _shipped() -> tuple[ProviderEntry, ...]:
    folder = resources.files(DATA_PACKAGE).joinpath("data").joinpath("providers")
    code = (__file__, ispdb.__file__, domains.__file__, domainname.__file__, provider_tables.__file__)
    return cached_parse("providers", folder, ".toml", code, lambda: _load(folder))


def load_curated(directory: Traversable | None = None) -> tuple[ProviderEntry, ...]:
    """Every `*.toml` provider file in `directory`, in file name order.

    Without a directory: the files maildoctor ships (`maildoctor/data/providers/`),
    read once and then cached. Raises `CuratedDataError` naming the file for a
    file that breaks the schema, and for an id, domain or MX pattern that two
    files claim.
    """
    return _shipped() if directory is None else _load(directory)


def find_retired(
    host: str,
    port: int | None = None,
    security: Security | None = None,
    entries: Iterable[ProviderEntry] | None = None,
) -> RetiredSetting | None:
    """The switched-off setting `host` (with `port` and `security`) is, or None.

    The host is compared without case; the port and security only where the
    retired setting names them. The result names its provider (`provider_id`,
    `provider_name`) and what replaced it. `entries` defaults to the shipped
    curated entries.
    """
    for entry in load_curated() if entries is None else entries:
        for setting in entry.retired:
            if setting.matches(host, port, security):
                return setting
    return None
