"""`--client NAME@VERSION`: which version of a mail program the person has, against the versions the
menu data was written for (data/clients/<id>.toml `versions`). Pure: no I/O.

The menu paths are kept for the newest versions only (issue 17 asks for separate paths per version,
e.g. iOS 17 vs 18+, Thunderbird 128 vs 133+; not built yet). So a version is used for one thing today:
to say plainly when the person's version is older than the data covers, and that the labels shown may
differ there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

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
