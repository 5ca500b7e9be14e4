"""The compiled methods of dataclasses, kept between runs of the command line.

For every dataclass, the standard library writes the source of its methods (__init__, __repr__,
__eq__, and for a frozen one __hash__, __setattr__, __delattr__) and compiles it with exec(). A
`check` defines ~230 dataclasses before it starts: ~1,050 compilations, ~90 ms of a ~0.5 s run's
CPU on Python 3.11 (3.13 compiles them in one exec() per class and is no faster). The source of
each method is the same from run to run, so the compiled code is kept in the user's cache folder,
keyed by the exact source and the Python version (as Python keeps a module's byte code in
__pycache__), and a later run executes the kept code instead of compiling it again: the same
source gives the same code, so the classes are the same.

Only the process's own entry points turn it on (`python -m maildoctor` before its imports, and
`main()` for the console script), never an import: a program or a test run that imports maildoctor
compiles as usual. The kept file is read only when the current user owns it and nobody else may
write it (datacache's rule, the same trust as the user's own files); it is written atomically as
the process ends, and only when this run compiled something the file did not have.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import CodeType
from typing import Any

FILE_NAME = "dataclass-code.marshal"
MAX_KEPT = 5000  # sources; past that the file keeps only what the last run used


class _Kept:
    """This process's compiled methods: those read from the file and those compiled since."""

    def __init__(self, folder: Path, codes: Mapping[str, CodeType]) -> None:
        self.folder = folder
        self.codes = dict(codes)
        self.used: set[str] = set()
        self.compiled = 0

    def exec(self, source: object, namespace: dict[str, Any] | None = None, local: Any = None, /) -> None:
        if not isinstance(source, str):  # a code object or bytes: as the built-in does
            builtins.exec(source, namespace, local)  # type: ignore[arg-type]  # noqa: S102 - the caller's
            return
        code = self.codes.get(source)
        if code is None:
            # no inherited `from __future__` flags: compiled exactly as dataclasses' own exec() would
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.codes[source] = code
            self.compiled += 1
        self.used.add(source)
        builtins.exec(code, namespace, local)  # noqa: S102 - dataclasses' own source, compiled


_active: list[_Kept] = []  # at most one: the kept code of this process, once turned on


def _read(path: Path) -> dict[str, CodeType]:
    from maildoctor.datacache import is_trusted

    with contextlib.suppress(Exception):  # missing, foreign, damaged, or another Python's: compile
        if is_trusted(path):
            version, codes = marshal.loads(path.read_bytes())  # noqa: S302 - the user's own file
            if version == sys.version and isinstance(codes, dict):
                return {
                    key: value
                    for key, value in codes.items()
                    if isinstance(key, str) and isinstance(value, CodeType)
                }
    return {}


def keep_generated_code(cache_dir: Path | None = None) -> None:
    """From now on in this process, dataclasses' methods run kept code where the cache has it
    (idempotent). `cache_dir`: the user's cache folder unless given."""
    if _active:
        return
    from maildoctor.loginguard import default_cache_dir

    folder = (cache_dir or default_cache_dir()) / "data"
    kept = _Kept(folder, _read(folder / FILE_NAME))
    _active.append(kept)
    dataclasses.exec = kept.exec  # type: ignore[attr-defined]  # the name _create_fn's exec() finds


def stop() -> None:
    """Dataclasses compile as usual again; nothing is written."""
    if _active:
        _active.clear()
        with contextlib.suppress(AttributeError):
            del dataclasses.exec  # type: ignore[attr-defined]


def save() -> None:
    """Writes the code compiled in this run to the cache folder (nothing when it compiled nothing,
    or when the data cache was told to keep nothing: the demo)."""
    if not _active or not _active[0].compiled:
        return
    from maildoctor.datacache import keeping

    if not keeping():
        return
    kept = _active[0]
    codes = kept.codes
    if len(codes) > MAX_KEPT:
        codes = {source: code for source, code in codes.items() if source in kept.used}
    with contextlib.suppress(OSError, ValueError):
        kept.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=kept.folder, prefix=".dataclass-code-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(marshal.dumps((sys.version, codes)))
            Path(temporary).replace(kept.folder / FILE_NAME)
        finally:
            Path(temporary).unlink(missing_ok=True)
    kept.compiled = 0


__all__ = ["FILE_NAME", "MAX_KEPT", "keep_generated_code", "save", "stop"]
