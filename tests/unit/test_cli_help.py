"""The help of every command in Japanese and English: examples, no internal words, no cut words."""

import io
import re
from contextlib import redirect_stderr, redirect_stdout

import pytest

from maildoctor.cli.app import main

COMMANDS = ("check", "settings", "domain", "explain", "demo")


def _help(args: list[str], monkeypatch: pytest.MonkeyPatch, columns: int = 80) -> str:
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", str(columns))
    stdout = io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    return stdout.getvalue()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_examples_and_no_internal_words(
    command: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _help([command, "--help", "--lang", lang], monkeypatch)
    assert ("使用例:" if lang == "ja" else "Examples:") in text
    examples = re.findall(rf"^\s*(maildoctor {command}\b.*?)\s*$", text, re.MULTILINE)
    assert len(examples) >= 2, text
    for forbidden in ("<bool>", "<str>", "interface.md"):
        assert forbidden not in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_main_help_has_examples(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _help(["--help", "--lang", lang], monkeypatch)
    assert ("使用例:" if lang == "ja" else "Examples:") in text
    assert "maildoctor check taro@example.jp" in text and "maildoctor explain 0x800CCC0F" in text


@pytest.mark.parametrize("columns", [50, 64, 80, 100])
@pytest.mark.parametrize("command", COMMANDS)
def test_japanese_help_keeps_words_whole(command: str, columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _help([command, "--help", "--lang", "ja"], monkeypatch, columns)
    body = "\n".join(line.strip("│ ") for line in text.splitlines())
    for word in ("Thunderbird", ".eml", "imaps://imap.example.jp:993", "taro@example.jp"):
        if columns >= 80 and word in _help([command, "--help", "--lang", "ja"], monkeypatch, 400):
            assert word in body, (word, columns, text)
    for line in body.splitlines():
        assert not line.startswith(("。", "、", "）", "」")), (columns, text)


def test_examples_in_the_help_are_commands_that_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _help(["check", "--help", "--lang", "en"], monkeypatch, 200)
    assert "maildoctor check taro@example.jp --incoming imaps://imap.example.jp:993" in text
