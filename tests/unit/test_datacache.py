"""Parsed data kept between runs: parsed again whenever a data file or the parsing code changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from maildoctor import datacache
from maildoctor.datacache import cached_parse


@pytest.fixture(autouse=True)
def keeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeping switched on, whatever ran before in this process (the demo switches it off for good)."""
    monkeypatch.setattr(datacache._Switch, "keep", True)


def _world(tmp_path: Path) -> tuple[Path, Path, Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.xml").write_text("one")
    (folder / "b.xml").write_text("two")
    (folder / "ignored.txt").write_text("x")
    code = tmp_path / "parser.py"
    code.write_text("# v1")
    return folder, code, tmp_path / "cache"


def test_parsed_once_then_kept(tmp_path: Path) -> None:
    folder, code, cache = _world(tmp_path)
    calls: list[int] = []

    def parse() -> tuple[str, ...]:
        calls.append(1)
        return tuple(sorted(item.read_text() for item in folder.glob("*.xml")))

    first = cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache)
    second = cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache)
    assert first == second == ("one", "two")
    assert len(calls) == 1
    kept = list((cache / "data").glob("demo-*.pickle"))
    assert len(kept) == 1
    assert kept[0].stat().st_mode & 0o077 == 0


def test_a_changed_file_or_parser_is_parsed_again(tmp_path: Path) -> None:
    folder, code, cache = _world(tmp_path)
    calls: list[int] = []

    def parse() -> str:
        calls.append(1)
        return (folder / "a.xml").read_text()

    cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache)
    (folder / "a.xml").write_text("changed, longer")
    assert cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache) == "changed, longer"
    code.write_text("# version two")
    cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache)
    (folder / "c.xml").write_text("new")
    cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache)
    (folder / "ignored.txt").write_text("not a data file: no new parse")
    cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache)
    assert len(calls) == 4
    assert len(list((cache / "data").glob("demo-*.pickle"))) == 1  # the old copies are removed


def test_a_copy_others_may_write_is_not_read(tmp_path: Path) -> None:
    folder, code, cache = _world(tmp_path)
    calls: list[int] = []

    def parse() -> int:
        calls.append(1)
        return len(calls)

    cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache)
    (kept,) = (cache / "data").glob("demo-*.pickle")
    kept.chmod(0o666)
    assert cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache) == 2
    (kept,) = (cache / "data").glob("demo-*.pickle")
    assert kept.stat().st_mode & 0o077 == 0  # written again, for the user alone
    kept.write_bytes(b"not a pickle")  # damaged: parsed again, never an error
    assert cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache) == 3
    assert cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache) == 3


def test_keep_nothing_parses_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, code, cache = _world(tmp_path)
    monkeypatch.setattr(datacache._Switch, "keep", True)
    calls: list[int] = []

    def parse() -> int:
        calls.append(1)
        return len(calls)

    datacache.keep_nothing()
    assert cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache) == 1
    assert cached_parse("demo", folder, ".xml", [str(code)], parse, cache_dir=cache) == 2
    assert not cache.exists()
