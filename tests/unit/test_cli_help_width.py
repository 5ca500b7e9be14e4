"""Help screens at 80 and 60 columns: the examples' commands and the URLs of the option texts whole."""

import io
import re
from contextlib import redirect_stdout

import pytest

from maildoctor.cli.app import main
from maildoctor.cli.help_examples import _EXAMPLES
from maildoctor.wrap import NO_LINE_START, copyable_spans

COMMANDS = ["check", "settings", "domain", "explain", "demo"]
URLS = ("imaps://imap.example.jp:993", "smtp+starttls://smtp.example.jp:587")


def _help(args: list[str], columns: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    stdout = io.StringIO()
    with redirect_stdout(stdout), pytest.raises(SystemExit) as exit_info:
        main([*args, "--help"])
    assert exit_info.value.code in (0, None)
    # the lines without box borders and indentation, as a person copies them
    return [" ".join(re.sub("[│╭╮╰╯─]", " ", line).split()) for line in stdout.getvalue().splitlines()]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("columns", [60, 80])
def test_every_example_command_is_whole_on_one_line(
    command: str, lang: str, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _help([command, "--lang", lang], columns, monkeypatch)
    for _sentence, example in _EXAMPLES[command]:
        assert example in lines, (example, lines)
    for line in lines:
        assert not line or line[0] not in NO_LINE_START or line.startswith(("-", ".", ":")), line


@pytest.mark.parametrize("command", ["check", "settings"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_server_url_examples_of_the_options_are_whole_at_80_columns(
    command: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _help([command, "--lang", lang], 80, monkeypatch)
    shown = [url for url in URLS if any(url in line for line in lines)]
    assert shown == list(URLS), lines


def test_an_options_plain_word_value_belongs_to_the_command() -> None:
    for text in (
        "示す:  maildoctor check taro@example.jp --no-auth --client iphone",
        "PDF:  maildoctor settings taro@example.jp --format sheet --output sheet.pdf",
    ):
        command = text[text.index("maildoctor") :]
        assert [text[start:end] for start, end in copyable_spans(text)] == [command]
    # a word after the command inside a sentence is the sentence's
    sentence = "Run maildoctor check taro@example.jp --no-auth to see more."
    spans = [sentence[a:b] for a, b in copyable_spans(sentence)]
    assert spans == ["maildoctor check taro@example.jp --no-auth"]
