"""Usage errors (exit 2): wrapped by maildoctor.wrap in their panel, in the reader's language, and
the option values checked while the command line is read (--lang, --dns)."""

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from rich.console import Console

from maildoctor.cli.app import language_for, main
from maildoctor.cli.dns_option import DnsValueProblem, dns_value_problem, parse_nameservers
from maildoctor.i18n import Language, get_translator
from maildoctor.net.resolver import Nameserver
from maildoctor.wrap import NO_LINE_START

CLICK_ENGLISH = ("Usage:", "Try '", "Value error", "is not one of", "Error ")


def _usage_error(args: list[str], monkeypatch: pytest.MonkeyPatch, columns: int = 80, lang: str = "") -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    if lang:
        monkeypatch.setenv("LANG", lang)
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2, stdout.getvalue() + stderr.getvalue()
    return stderr.getvalue()


def _panel_lines(printed: str) -> list[str]:
    return [line.strip("│ ") for line in printed.splitlines() if line.startswith("│")]


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://imap.example.co.jp/", "https"),
        ("imaps://imap.example.co.jp:99999", "imaps://imap.example.co.jp:99999"),
        ("imaps://imap.example.co.jp/INBOX", "imaps://imap.example.co.jp/INBOX"),
        ("smtps://smtp.example.co.jp:465", "smtps://smtp.example.co.jp:465"),  # a sending server
    ],
)
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("columns", [40, 60, 80, 100])
def test_a_usage_error_panel_keeps_urls_whole_and_no_line_starts_with_a_closing_mark(
    url: str, kept: str, lang: str, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["check", "taro@example.co.jp", "--incoming", url, "--no-auth", "--lang", lang]
    lines = _panel_lines(_usage_error(args, monkeypatch, columns))
    assert lines
    assert any(kept in line for line in lines), lines
    for line in lines:
        assert not line or line[0] not in NO_LINE_START, lines
    # the message names the option once: no "the value given to --incoming cannot be used:" before it
    joined = "".join(lines)
    assert "に指定した値は使えません" not in joined and "The value given to" not in joined, lines


@pytest.mark.parametrize(
    ("environment", "words"),
    [
        ("ja_JP.UTF-8", ["ja（日本語）", "en（英語）", "「fr」", "使い方"]),
        ("en_US.UTF-8", ["ja (Japanese)", "en (English)", "“fr”", "Usage:"]),
    ],
)
@pytest.mark.parametrize(
    "args",
    [
        ["check", "taro@example.co.jp", "--lang", "fr"],
        ["check", "taro@example.co.jp", "--lang=fr"],
        ["domain", "example.co.jp", "--lang", "fr"],
        ["--lang", "fr", "check", "taro@example.co.jp"],
    ],
)
def test_a_wrong_lang_is_told_in_the_language_of_the_locale(
    environment: str, words: list[str], args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = _usage_error(args, monkeypatch, lang=environment)
    for word in words:
        assert word in printed, printed
    if environment.startswith("ja"):
        for english in CLICK_ENGLISH:
            assert english not in printed, printed


def test_the_language_comes_from_lang_when_it_is_known_and_from_the_locale_otherwise() -> None:
    ja_locale = {"LANG": "ja_JP.UTF-8"}
    assert language_for(["--lang", "en"], ja_locale) is Language.EN
    assert language_for(["--lang", "EN"], ja_locale) is Language.EN
    assert language_for(["--lang", "fr"], ja_locale) is Language.JA
    assert language_for(["--lang=ja_JP"], {"LANG": "C"}) is Language.EN
    assert language_for(["--lang", "ja"], {"LANG": "C"}) is Language.JA


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", None),
        ("127.0.0.1:5353", None),
        ("::1", None),
        ("[::1]:5353", None),
        ("[::1]", None),
        ("2001:db8::53", None),
        ("ルーター", (DnsValueProblem.NOT_AN_ADDRESS, "ルーター")),
        ("ns.example.jp", (DnsValueProblem.NOT_AN_ADDRESS, "ns.example.jp")),
        ("192.168.1", (DnsValueProblem.NOT_AN_ADDRESS, "192.168.1")),
        ("", (DnsValueProblem.NOT_AN_ADDRESS, "")),
        ("[::1]x", (DnsValueProblem.NOT_AN_ADDRESS, "[::1]x")),
        ("127.0.0.1:abc", (DnsValueProblem.BAD_PORT, "abc")),
        ("127.0.0.1:0", (DnsValueProblem.BAD_PORT, "0")),
        ("127.0.0.1:65536", (DnsValueProblem.BAD_PORT, "65536")),
        ("127.0.0.1:５３", (DnsValueProblem.BAD_PORT, "５３")),
        ("[::1]:", (DnsValueProblem.BAD_PORT, "")),
    ],
)
def test_a_dns_value_is_an_ip_address_with_an_optional_port(
    text: str, expected: tuple[DnsValueProblem, str] | None
) -> None:
    assert dns_value_problem(text) == expected


@pytest.mark.parametrize(
    "command",
    [
        ["check", "taro@example.co.jp", "--no-auth"],
        ["settings", "taro@example.co.jp"],
        ["domain", "example.co.jp"],
    ],
)
@pytest.mark.parametrize(
    ("value", "lang", "words"),
    [
        ("ルーター", "ja", ["--dns", "IPアドレス", "「ルーター」"]),
        ("ルーター", "en", ["--dns", "IP address", "“ルーター”"]),
        ("127.0.0.1:abc", "ja", ["--dns", "ポート番号「abc」"]),
        ("127.0.0.1:abc", "en", ["--dns", "port number “abc”"]),
    ],
)
def test_a_dns_value_that_is_not_an_address_is_a_usage_error_on_every_command(
    command: list[str], value: str, lang: str, words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = _usage_error([*command, "--dns", value, "--lang", lang], monkeypatch)
    for word in words:
        assert word in printed, printed


def test_the_dns_values_become_nameservers_or_a_message() -> None:
    err = io.StringIO()
    console = Console(file=err, width=200)
    servers = parse_nameservers(["127.0.0.1:5353", "::1"], console, get_translator("en"))
    assert servers == (Nameserver("127.0.0.1", 5353), Nameserver("::1", 53))
    assert err.getvalue() == ""
    assert parse_nameservers(["127.0.0.1:x\x1b"], console, get_translator("en")) is None
    assert "A --dns value is not a server address: 127.0.0.1:x" in err.getvalue()
    assert "\x1b" not in err.getvalue()
