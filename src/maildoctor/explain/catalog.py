"""Read and check `maildoctor/data/client_messages.toml`, the client-message catalogue.

Every entry names a client, the message patterns and/or an error code, its likely
causes (codes of `maildoctor.causes`, most likely first), a plain meaning (an English
gettext message id, extracted by babel.cfg; the ja catalog translates it), the
`maildoctor check` command that tells the causes apart, where the text comes from
(`source`) and how sure that is (`confirmed`). A broken entry raises
`CatalogError` naming the entry, so a data mistake fails the tests rather than a user.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Final, TypeVar

from maildoctor.causes import CauseCode
from maildoctor.datafile import DataFileError, cause_list, check_keys, choice, one_line

CATALOG_FILE: Final = "client_messages.toml"

_E = TypeVar("_E", bound=StrEnum)


class CatalogError(DataFileError):
    """The client-message catalogue breaks its schema; the message names the entry."""


class Client(StrEnum):
    OUTLOOK = "outlook"
    THUNDERBIRD = "thunderbird"
    IPHONE = "iphone"
    WINDOWS_MAIL = "windows-mail"
    GMAIL = "gmail"
    ANDROID = "android"


class Confirmed(StrEnum):
    DATA = "data"  # the text or code is in the cited data file
    RECALLED = "recalled"  # from memory: confirm against the cited page


@dataclass(frozen=True, slots=True)
class ClientMessage:
    id: str
    client: Client
    patterns: tuple[str, ...]  # as shown; {name} marks the part that differs (account, server, ...)
    code: str | None  # canonical form: "0x" + 8 upper-case hex digits
    symbol: str | None
    key: str | None  # the client's own string key (Thunderbird .properties)
    causes: tuple[CauseCode, ...]  # most likely first
    meaning: str  # a message id: whoever shows it translates it (`translator.gettext`)
    check: str  # "maildoctor check ADDRESS ..."
    source: str
    confirmed: Confirmed
    identifies: bool = False  # the wording (not just the code) is this program's alone: it names the program


_REQUIRED: Final = frozenset({"id", "client", "causes", "meaning", "check", "source", "confirmed"})
_OPTIONAL: Final = frozenset({"code", "symbol", "key", "patterns", "identifies"})
_ID: Final = re.compile(r"[a-z0-9][A-Za-z0-9-]*")
_CODE: Final = re.compile(r"0x[0-9A-F]{8}")
_PLACEHOLDER: Final = re.compile(r"\{([a-z]+)\}")
PLACEHOLDERS: Final = frozenset({"account", "server", "recipient", "folder", "response", "size"})


def _text(entry: str, table: Mapping[str, object], key: str) -> str:
    return one_line(entry, table, key, CatalogError)


def _optional(entry: str, table: Mapping[str, object], key: str) -> str | None:
    return _text(entry, table, key) if key in table else None


def _choice(entry: str, table: Mapping[str, object], key: str, kind: type[_E]) -> _E:
    return choice(entry, table, key, kind, CatalogError)


def _patterns(entry: str, table: Mapping[str, object]) -> tuple[str, ...]:
    value = table.get("patterns", [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise CatalogError(f"{entry}: patterns must be a list of non-empty strings")
    for pattern in value:
        for name in _PLACEHOLDER.findall(pattern):
            if name not in PLACEHOLDERS:
                raise CatalogError(f"{entry}: unknown placeholder {{{name}}} in {pattern!r}")
        if not _PLACEHOLDER.sub("", pattern).strip():
            raise CatalogError(f"{entry}: pattern {pattern!r} has no words of its own")
    return tuple(value)


def parse_entry(table: Mapping[str, object], position: int) -> ClientMessage:
    """One `[[entry]]` table; `position` (1-based) names it when it has no usable id."""
    raw_id = table.get("id")
    entry = raw_id if isinstance(raw_id, str) and raw_id else f"entry #{position}"
    check_keys(entry, table, _REQUIRED, _OPTIONAL, CatalogError)
    if not _ID.fullmatch(entry):
        raise CatalogError(f"{entry}: id must be letters, digits and '-'")
    code = _optional(entry, table, "code")
    if code is not None and not _CODE.fullmatch(code):
        raise CatalogError(f"{entry}: code {code!r} must be 0x and 8 upper-case hex digits")
    patterns = _patterns(entry, table)
    if code is None and not patterns:
        raise CatalogError(f"{entry}: needs a code or at least one pattern")
    identifies = table.get("identifies", False)
    if not isinstance(identifies, bool):
        raise CatalogError(f"{entry}: identifies must be true or false")
    check = _text(entry, table, "check")
    if not check.startswith("maildoctor check ADDRESS"):
        raise CatalogError(f"{entry}: check must start with 'maildoctor check ADDRESS'")
    return ClientMessage(
        id=entry,
        client=_choice(entry, table, "client", Client),
        patterns=patterns,
        code=code,
        symbol=_optional(entry, table, "symbol"),
        key=_optional(entry, table, "key"),
        causes=cause_list(entry, table, CatalogError),
        meaning=_text(entry, table, "meaning"),
        check=check,
        source=_text(entry, table, "source"),
        confirmed=_choice(entry, table, "confirmed", Confirmed),
        identifies=identifies,
    )


def parse_catalog(data: bytes | str) -> tuple[ClientMessage, ...]:
    """Parse and check a whole catalogue; ids and codes must be unique."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CatalogError(f"{CATALOG_FILE}: not valid TOML: {error}") from None
    extra = sorted(set(document) - {"entry"})
    if extra:
        raise CatalogError(f"{CATALOG_FILE}: unknown top-level keys {', '.join(extra)}")
    tables = document.get("entry", [])
    if not isinstance(tables, list):
        raise CatalogError(f"{CATALOG_FILE}: entry must be an array of tables")
    entries: list[ClientMessage] = []
    seen_ids: set[str] = set()
    seen_codes: dict[str, str] = {}
    for position, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            raise CatalogError(f"entry #{position}: not a table")
        entry = parse_entry(table, position)
        if entry.id in seen_ids:
            raise CatalogError(f"{entry.id}: id used twice")
        seen_ids.add(entry.id)
        if entry.code is not None:
            if entry.code in seen_codes:
                raise CatalogError(f"{entry.id}: code {entry.code} is already in {seen_codes[entry.code]}")
            seen_codes[entry.code] = entry.id
        entries.append(entry)
    return tuple(entries)


@functools.cache
def _shipped() -> tuple[ClientMessage, ...]:
    return parse_catalog(resources.files("maildoctor").joinpath("data").joinpath(CATALOG_FILE).read_bytes())


def load_catalog() -> tuple[ClientMessage, ...]:
    """The catalogue maildoctor ships, read and checked once, then cached."""
    return _shipped()
