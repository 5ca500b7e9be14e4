"""The kept code of dataclasses' methods and of regular expressions (cli/codecache.py): the same
classes and patterns, compiled once."""

from __future__ import annotations

import dataclasses
import inspect
import marshal
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from maildoctor import datacache
from maildoctor.cli import codecache

SOURCE = textwrap.dedent(
    """
    from dataclasses import dataclass, field


    @dataclass(frozen=True, slots=True)
    class Point:
        x: int
        label: str = "origin"
        tags: tuple[str, ...] = field(default=())


    @dataclass
    class Box:
        size: int
        items: list[str] = field(default_factory=list)
    """
)


def _define() -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": "test_codecache_classes"}
    sys.modules["test_codecache_classes"] = type(sys)("test_codecache_classes")
    try:
        exec(compile(SOURCE, "<classes>", "exec", dont_inherit=True), namespace)  # noqa: S102 - our own text
    finally:
        del sys.modules["test_codecache_classes"]
    return namespace


def _describe(namespace: dict[str, object]) -> list[object]:
    point_class, box_class = namespace["Point"], namespace["Box"]
    point = point_class(1, "a", ("t",))  # type: ignore[operator]
    box = box_class(2)  # type: ignore[operator]
    described: list[object] = [repr(point), repr(box), point == point_class(1, "a", ("t",))]  # type: ignore[operator]
    described += [hash(point) == hash(point_class(1, "a", ("t",))), box == box_class(2)]  # type: ignore[operator]
    for cls in (point_class, box_class):
        described += [cls.__doc__, str(inspect.signature(cls)), cls.__init__.__annotations__]  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 5
    return described


PATTERNS: list[tuple[str | bytes, int]] = [
    (r"(?P<local>[^@\s]+)@(?P<domain>[a-z0-9.-]+)", re.IGNORECASE),
    (r"^\s*v\s*=", 0),
    (r"[\u3000-\u30ff\uff00-\uffef]+|(a|b)?c{2,5}?", re.VERBOSE | re.MULTILINE),
    (rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S),
    (r"(?i)x(?=y)", 0),
]


def _patterns() -> list[re.Pattern[str] | re.Pattern[bytes]]:
    re.purge()  # re's own cache would answer without compiling
    return [re.compile(pattern, flags) for pattern, flags in PATTERNS]  # type: ignore[call-overload]


@pytest.fixture
def turned_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(codecache, "MIN_NEW", 1)  # these tests compile a few things only
    # a demo run earlier in the same process (an in-process CLI test) turns the data cache off
    monkeypatch.setattr(datacache._Switch, "keep", True)
    codecache.stop()
    yield
    codecache.stop()


@pytest.mark.usefixtures("turned_off")
def test_kept_code_gives_the_same_classes_and_a_second_run_compiles_nothing(tmp_path: Path) -> None:
    plain = _describe(_define())
    plain_patterns = _patterns()

    codecache.keep_generated_code(tmp_path)
    first = _describe(_define())
    first_patterns = _patterns()
    assert codecache._active[0].compiled > 0
    codecache.save()
    kept_file = tmp_path / "data" / codecache.FILE_NAME
    assert kept_file.is_file()
    assert kept_file.stat().st_mode & 0o077 == 0

    codecache.stop()
    codecache.keep_generated_code(tmp_path)  # the next run
    second = _describe(_define())
    second_patterns = _patterns()
    assert codecache._active[0].compiled == 0
    assert plain == first == second
    # equal patterns: same text, same flags, same program
    assert plain_patterns == first_patterns == second_patterns
    assert [pattern.groupindex for pattern in plain_patterns] == [p.groupindex for p in second_patterns]
    assert second_patterns[0].match("Taro@Example.jp").group("domain") == "Example.jp"  # type: ignore[union-attr]


@pytest.mark.usefixtures("turned_off")
def test_a_damaged_foreign_or_other_pythons_file_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    kept_file = folder / codecache.FILE_NAME
    plain = _describe(_define())
    plain_patterns = _patterns()
    for content, mode in (
        (b"\x00not marshal", 0o600),
        (marshal.dumps(("2.7.18", {})), 0o600),
        (marshal.dumps((sys.version, {"x": "not code"}, {})), 0o600),
        (marshal.dumps((sys.version, {}, {("a", 0): (0, ["x"], 0, {}, ())})), 0o600),
    ):
        kept_file.write_bytes(content)
        kept_file.chmod(mode)
        codecache.stop()
        codecache.keep_generated_code(tmp_path)
        assert _describe(_define()) == plain
        assert _patterns() == plain_patterns
        assert codecache._active[0].compiled > 0

    codecache.save()  # replaced by a good one
    codecache.stop()
    kept_file.chmod(0o666)  # others may write it: not read
    codecache.keep_generated_code(tmp_path)
    _describe(_define())
    assert codecache._active[0].compiled > 0


@pytest.mark.usefixtures("turned_off")
def test_nothing_is_written_when_the_data_cache_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datacache._Switch, "keep", False)
    codecache.keep_generated_code(tmp_path)
    _define()
    codecache.save()
    assert not (tmp_path / "data").exists()


def test_the_command_line_keeps_the_code_and_a_second_start_reuses_it(tmp_path: Path) -> None:
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    probe = [sys.executable, "-m", "maildoctor", "explain", "550 5.1.1 user unknown", "--lang", "en"]
    first = subprocess.run(probe, capture_output=True, text=True, env=environment, timeout=120, check=False)
    kept_file = tmp_path / "maildoctor" / "data" / codecache.FILE_NAME
    assert kept_file.is_file()
    written = kept_file.stat().st_mtime_ns
    second = subprocess.run(probe, capture_output=True, text=True, env=environment, timeout=120, check=False)
    assert (first.returncode, first.stdout) == (second.returncode, second.stdout)
    assert kept_file.stat().st_mtime_ns == written  # nothing new compiled: not written again


def test_the_console_script_turns_it_on_before_the_command_line_is_imported(tmp_path: Path) -> None:
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    probe = (
        "import sys; sys.argv = ['maildoctor', '--version']; from maildoctor.cli.entry import main; main()"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("maildoctor ")
    # `--version` imports only the command line: its classes and patterns were kept, so the kept
    # code was on before the command line's imports
    kept = (tmp_path / "maildoctor" / "data" / codecache.FILE_NAME).read_bytes()
    _, codes, patterns = marshal.loads(kept)  # noqa: S302 - written by the run above
    assert len(codes) + len(patterns) >= codecache.MIN_NEW


@pytest.mark.usefixtures("turned_off")
def test_what_it_cannot_keep_compiles_as_usual(tmp_path: Path) -> None:
    class Text(str):
        __slots__ = ()

    codecache.keep_generated_code(tmp_path)
    re.purge()
    pattern = re.compile(Text(r"a(?P<b>b)"))
    assert pattern.match("ab").group("b") == "b"  # type: ignore[union-attr]
    with pytest.raises(re.error):
        re.compile(r"(unclosed")
    assert codecache._active[0].compiled == 0
