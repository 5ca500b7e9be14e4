"""Parsed data files kept between runs, so a start does not parse them again.

maildoctor ships provider data as files (the ISPDB copy: ~160 XML files; its own curated TOML
files) that every `check` and `settings` parses: ~40 ms of each start. The parsed values are
kept in the user's cache folder, under a key made of the files' names, sizes and modification
times and of the parsing code's own files, so any change to either parses them again.

The kept file is a pickle: it is read only when the current user owns it and nobody else may
write it (the same trust as the user's own files), and it is written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from maildoctor.loginguard import default_cache_dir

T = TypeVar("T")


class _Switch:
    keep = True  # False: parse every time, touch nothing on disk


def keep_nothing() -> None:
    """From now on in this process, nothing is read from or written to the cache folder (the
    demo promises to leave the user's cache alone)."""
    _Switch.keep = False


def keeping() -> bool:
    """False once keep_nothing() was called in this process."""
    return _Switch.keep


def _stamp(path: Path) -> str:
    info = path.stat()
    return f"{path.name}\0{info.st_size}\0{info.st_mtime_ns}"


def cache_key(name: str, folder: Path, suffix: str, code: Iterable[Path]) -> str:
    """The name of the kept file for `folder`'s `*suffix` files as parsed by the `code` files."""
    parts = [sys.version, *sorted(_stamp(item) for item in folder.iterdir() if item.name.endswith(suffix))]
    parts += [_stamp(path) for path in code]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return f"{name}-{digest}.pickle"


def is_trusted(path: Path) -> bool:
    """The current user's own file, which nobody else may write."""
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def cached_parse(
    name: str,
    folder: Traversable,
    suffix: str,
    code: Iterable[str | None],
    parse: Callable[[], T],
    cache_dir: Path | None = None,
) -> T:
    """`parse()`, or what it gave last time for the same files and code."""
    code_files = [Path(item) for item in code if item]
    if not _Switch.keep or not isinstance(folder, Path) or not folder.is_dir():  # a zip: nothing to stamp
        return parse()
    directory = (cache_dir or default_cache_dir()) / "data"
    try:
        kept = directory / cache_key(name, folder, suffix, code_files)
    except OSError:
        return parse()
    with contextlib.suppress(Exception):  # a missing, foreign or damaged copy: parse again
        if is_trusted(kept):
            with kept.open("rb") as file:
                value: T = pickle.load(file)  # noqa: S301 - the user's own file, checked above
            return value
    value = parse()
    with contextlib.suppress(OSError, pickle.PicklingError):
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for old in directory.glob(f"{name}-*.pickle"):
            old.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            Path(temporary).replace(kept)
        finally:
            Path(temporary).unlink(missing_ok=True)
    return value


__all__ = ["cache_key", "cached_parse", "is_trusted", "keep_nothing", "keeping"]
