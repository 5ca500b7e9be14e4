"""`--client NAME@VERSION`: which version of a mail program the person has, and so which menus.

A program's file (data/clients/<id>.toml) holds the current menus and, where a version changed them,
`[[variant]]` tables for the older ones (iOS 17 and earlier: Settings → Mail → Accounts; Thunderbird
128: New Account → Existing Email Address). `choose_variant` picks the variant for a version number;
`older_than_covered` says when even the oldest menus kept are newer than the person's version, so a
label may differ. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from maildoctor.clients.model import Variant

_NUMBER: Final = re.compile(r"\d+")


def split_version(name: str) -> tuple[str, str | None]:
    """("iphone@18" -> ("iphone", "18")); a name without '@' has no version."""
    program, at, version = name.partition("@")
    if not at:
        return name, None
    return program, version.strip() or None


def version_number(text: str) -> int | None:
    """The first whole number in a version ("iOS 17.5" -> 17, "128" -> 128), or None."""
    match = _NUMBER.search(text)
    return int(match.group()) if match else None


def oldest_covered(versions: Sequence[str]) -> int | None:
    """The smallest version number the data file's `versions` name, or None when none has one."""
    numbers = [number for number in (version_number(v) for v in versions) if number is not None]
    return min(numbers) if numbers else None


def older_than_covered(version: str, versions: Sequence[str]) -> bool:
    """True when `version` is older than every version the menu data was written for."""
    number, oldest = version_number(version), oldest_covered(versions)
    return number is not None and oldest is not None and number < oldest


def choose_variant(version: str, variants: Sequence[Variant]) -> Variant | None:
    """The older menus for `version` (the variant with the lowest `before` above its number), or None
    for the current menus (a version at or after every variant's `before`, or one without a number)."""
    number = version_number(version)
    if number is None:
        return None
    fitting = [variant for variant in variants if number < variant.before]
    return min(fitting, key=lambda variant: variant.before) if fitting else None
