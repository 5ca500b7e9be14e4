"""What every start compiles the same way, kept between runs of the command line: the methods of
dataclasses and the regular expressions.

For every dataclass, the standard library writes the source of its methods (__init__, __repr__,
__eq__, and for a frozen one __hash__, __setattr__, __delattr__) and compiles it with exec(). A
`check` defines ~230 dataclasses before it starts: ~1,050 compilations, ~90 ms of a ~0.5 s run's
CPU on Python 3.11 (3.13 compiles them in one exec() per class and is no faster). Likewise the
~450 regular expressions its modules (and email_validator's, cryptography's) compile at import:
`re` parses each and builds its program in Python, ~45 ms.

Both give the same result from run to run, so the results are kept in the user's cache folder,
keyed by the exact source (the pattern and its flags) and the Python version, as Python keeps a
module's byte code in __pycache__; a later run uses the kept result instead of compiling again.
Same source, same code: the classes and patterns are the same. For a pattern what is kept is
what `re._compiler.compile` hands to `_sre.compile` (the flags, the program, the groups' names),
so that is the step it skips; the kept part is turned on only where `re` has those parts
(Python 3.11 to 3.13 do).

Only the process's own entry points turn it on (`python -m maildoctor` before its imports, and
`main()` for the console script), never an import: a program or a test run that imports maildoctor
compiles as usual. The kept file is read only when the current user owns it and nobody else may
write it (datacache's rule, the same trust as the user's own files); it is written atomically as
the process ends, and only when this run compiled some things (MIN_NEW) the file did not have.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import builtins
import contextlib
import dataclasses
import marshal
import os
import re
import sys
import tempfile
from pathlib import Path
from types import CodeType
from typing import Any, cast

FILE_NAME = "compiled-code.marshal"
MAX_KEPT = 8000  # entries; past that the file keeps only what the last run used
# A run that compiled fewer new things leaves the file as it is: a few patterns are built from sets,
# whose order changes from run to run (email's header parser), and are compiled anew every time.
MIN_NEW = 20

# what _sre.compile takes after the pattern: flags, program, groups, name -> index, index -> name
PatternParts = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
PatternKey = tuple[str | bytes, int]

_original_compile = getattr(getattr(re, "_compiler", None), "compile", None)
_PATTERNS_KEPT = all(
    hasattr(module, name)
    for module, name in (
        (getattr(re, "_compiler", None), "_code"),
        (getattr(re, "_parser", None), "parse"),
        (_sre, "compile"),
    )
)


def _pattern_parts(pattern: str | bytes, flags: int) -> PatternParts:
    """What re._compiler.compile(pattern, flags) hands to _sre.compile, its steps in its order."""
    parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    program = [int(item) for item in re._compiler._code(parsed, flags)]  # type: ignore[attr-defined]
    names: dict[str, int] = dict(parsed.state.groupdict)
    by_index: list[str | None] = [None] * parsed.state.groups
    for name, index in names.items():
        by_index[index] = name
    return flags | parsed.state.flags, program, parsed.state.groups - 1, names, tuple(by_index)


class _Kept:
    """This process's compiled code: what was read from the file and what was compiled since."""

    def __init__(self, folder: Path, codes: dict[str, CodeType], patterns: dict[PatternKey, PatternParts]):
        self.folder = folder
        self.codes = codes
        self.patterns = patterns
        self.used: set[object] = set()
        self.compiled = 0

    def exec(self, source: object, namespace: dict[str, Any] | None = None, local: Any = None, /) -> None:
        """dataclasses' exec(): the kept code of `source`."""
        if type(source) is not str:  # a code object, bytes, a str subclass: as the built-in does
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

    def compile_pattern(self, pattern: object, flags: int = 0) -> re.Pattern[Any]:
        """re._compiler.compile: a pattern from its kept parts."""
        if type(pattern) not in (str, bytes) or flags & re.DEBUG:  # parsed, a subclass, or debug output
            return _original_compile(pattern, flags)  # type: ignore[misc,no-any-return]
        text = cast("str | bytes", pattern)
        key = (text, int(flags))
        parts = self.patterns.get(key)
        if parts is None:
            parts = self.patterns[key] = _pattern_parts(text, int(flags))
            self.compiled += 1
        self.used.add(key)
        compiled: re.Pattern[Any] = _sre.compile(pattern, *parts)
        return compiled


_active: list[_Kept] = []  # at most one: the kept code of this process, once turned on


def _read(path: Path) -> tuple[dict[str, CodeType], dict[PatternKey, PatternParts]]:
    from maildoctor.datacache import is_trusted

    with contextlib.suppress(Exception):  # missing, foreign, damaged, or another Python's: compile
        if is_trusted(path):
            version, codes, patterns = marshal.loads(path.read_bytes())  # noqa: S302 - the user's own file
            if version == sys.version and isinstance(codes, dict) and isinstance(patterns, dict):
                return (
                    {key: value for key, value in codes.items() if isinstance(value, CodeType)},
                    {key: value for key, value in patterns.items() if _well_formed(key, value)},
                )
    return {}, {}


def _well_formed(key: object, parts: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 2
        and isinstance(key[0], str | bytes)
        and isinstance(parts, tuple)
        and len(parts) == 5
        and isinstance(parts[0], int)
        and isinstance(parts[1], list)
        and all(type(item) is int for item in parts[1])
        and isinstance(parts[2], int)
        and isinstance(parts[3], dict)
        and isinstance(parts[4], tuple)
    )


def keep_generated_code(cache_dir: Path | None = None) -> None:
    """From now on in this process, dataclasses' methods and regular expressions come from the kept
    code where the cache has it (idempotent). `cache_dir`: the user's cache folder unless given."""
    if _active:
        return
    from maildoctor.loginguard import default_cache_dir

    folder = (cache_dir or default_cache_dir()) / "data"
    kept = _Kept(folder, *_read(folder / FILE_NAME))
    _active.append(kept)
    dataclasses.exec = kept.exec  # type: ignore[attr-defined]  # the name their exec() call finds
    if _PATTERNS_KEPT:
        re._compiler.compile = kept.compile_pattern  # type: ignore[attr-defined]  # re._compile's


def stop() -> None:
    """Everything compiles as usual again; nothing is written."""
    if _active:
        _active.clear()
        with contextlib.suppress(AttributeError):
            del dataclasses.exec  # type: ignore[attr-defined]
        if _PATTERNS_KEPT:
            re._compiler.compile = _original_compile  # type: ignore[attr-defined]


def save() -> None:
    """Writes the code compiled in this run to the cache folder (nothing when it compiled less than
    MIN_NEW things, or when the data cache was told to keep nothing: the demo)."""
    if not _active or _active[0].compiled < MIN_NEW:
        return
    from maildoctor.datacache import keeping

    if not keeping():
        return
    kept = _active[0]
    codes, patterns = kept.codes, kept.patterns
    if len(codes) + len(patterns) > MAX_KEPT:
        codes = {source: code for source, code in codes.items() if source in kept.used}
        patterns = {key: parts for key, parts in patterns.items() if key in kept.used}
    with contextlib.suppress(OSError, ValueError):
        kept.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=kept.folder, prefix=".compiled-code-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(marshal.dumps((sys.version, codes, patterns)))
            Path(temporary).replace(kept.folder / FILE_NAME)
        finally:
            Path(temporary).unlink(missing_ok=True)
    kept.compiled = 0


__all__ = ["FILE_NAME", "MAX_KEPT", "MIN_NEW", "keep_generated_code", "save", "stop"]
