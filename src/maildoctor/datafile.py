"""Checked reading of maildoctor's TOML data files: the field rules the data catalogues share.

Each catalogue (the mail programs' messages, the SMTP replies, the mail programs' menus) passes
its own error class, a `DataFileError`, so a broken entry fails the tests with a message that
names the file and the entry rather than reaching a user.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from enum import StrEnum
from importlib import resources
from typing import TypeVar

from maildoctor.causes import CauseCode

_E = TypeVar("_E", bound=StrEnum)


class DataFileError(ValueError):
    """A packaged data file breaks its schema; the message names the entry."""


def one_line(
    where: str,
    table: Mapping[str, object],
    key: str,
    error: type[DataFileError],
    *,
    exact: bool = False,
) -> str:
    """A required one-line, non-empty string; `exact`: also without spaces around it."""
    if key not in table:
        raise error(f"{where}: missing key {key}")
    value = table[key]
    if not isinstance(value, str) or not value.strip() or "\n" in value or (exact and value != value.strip()):
        around = " without outer spaces" if exact else ""
        raise error(f"{where}: {key} must be a one-line, non-empty string{around}")
    return value


def choice(
    where: str, table: Mapping[str, object], key: str, kind: type[_E], error: type[DataFileError]
) -> _E:
    """One of an enumeration's values."""
    value = one_line(where, table, key, error)
    try:
        return kind(value)
    except ValueError:
        raise error(f"{where}: unknown {key} {value!r}") from None


def cause_list(
    where: str, table: Mapping[str, object], error: type[DataFileError], *, required: bool = True
) -> tuple[CauseCode, ...]:
    """`causes`: cause codes, most likely first, each once; at least one when `required`."""
    value = table.get("causes")
    if not isinstance(value, list) or (required and not value):
        raise error(f"{where}: causes must be a {'non-empty ' if required else ''}list")
    causes: list[CauseCode] = []
    for item in value:
        try:
            code = CauseCode(item)
        except ValueError:
            raise error(f"{where}: unknown cause code {item!r}") from None
        if code in causes:
            raise error(f"{where}: cause {code} is listed twice")
        causes.append(code)
    return tuple(causes)


def check_keys(
    where: str,
    table: Mapping[str, object],
    required: frozenset[str],
    optional: frozenset[str],
    error: type[DataFileError],
) -> None:
    """No key outside `required | optional`, and every required key present."""
    unknown = sorted(set(table) - required - optional)
    if unknown:
        raise error(f"{where}: unknown keys {', '.join(unknown)}")
    missing = sorted(required - set(table))
    if missing:
        raise error(f"{where}: missing keys {', '.join(missing)}")


@functools.cache
def provider_ids() -> frozenset[str]:
    """The provider ids: the curated provider files' names (data/providers/<id>.toml; their loader checks
    that each file's `id` is its name). Every data file names a provider by one of these."""
    folder = resources.files("maildoctor").joinpath("data").joinpath("providers")
    return frozenset(
        item.name.removesuffix(".toml") for item in folder.iterdir() if item.name.endswith(".toml")
    )
