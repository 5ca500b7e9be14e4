"""One render path for untrusted text: safe() and every CLI output scanned for raw control bytes."""

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from maildoctor.cli.app import main
from maildoctor.cli.render_check import render_findings
from maildoctor.display import safe, safe_markup, say, show
from maildoctor.i18n import get_translator
from maildoctor.model import Finding, Layer, ServerRole, Severity

# what must never reach a terminal raw: C0 but the line break, DEL, C1, bidi, zero width
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
HOSTILE = [
    "taro\x1b[31m@example.jp",
    "taro@exa\x1b]8;;http://evil.example/\x07mple.jp",
    "taro@example.jp\r\x1b[2Kforged",
    "taro@\u202egnp.elpmaxe",
    "ta\u200bro@exam\u2066ple.jp\x9b31m",
    "[bold red]taro[/]@example.jp",
]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("taro@example.jp", "taro@example.jp"),
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("bell\x07", "bell\\x07"),
        ("cr\rlf\n", "cr\\rlf\\n"),
        ("c1\x9b", "c1\\x9b"),
        ("rtl\u202eevil\u2066", "rtl\\u202eevil\\u2066"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("日本語　全角＠ ✉ C:\\Users", "日本語　全角＠ ✉ C:\\Users"),
    ],
)
def test_safe(text: str, shown: str) -> None:
    assert safe(text) == shown


def test_safe_keeps_line_breaks_when_asked() -> None:
    assert safe("a\r\nb\rc\x1b", multiline=True) == "a\nb\nc\\x1b"


def test_markup_is_escaped_and_never_read() -> None:
    assert safe_markup("[bold]x[/]") == "\\[bold]x\\[/]"
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(show("[bold]x[/] \x1b[31m"))
    say(console, "[link=http://evil.example/]y[/link]")
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[bold]x[/]" in printed and "[link=http://evil.example/]y[/link]" in printed
    assert not RAW.search(printed)


@given(st.text())
def test_safe_leaves_nothing_raw(text: str) -> None:
    assert not RAW.search(safe(text))
    assert not RAW.search(safe(text, multiline=True).replace("\n", ""))


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "60")
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit):
        main(args)
    return stdout.getvalue() + stderr.getvalue()


OFFLINE = ["--dns", "127.0.0.1:9", "--timeout", "1"]


# every kind of hostile character in one argument: a run of the CLI per command and language
EVERYTHING = "ta\u200bro\x1b[31m@exa\x1b]8;;http://evil.example/\x07mple\u202e.jp\r\x9b[bold]x[/]\x07"


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("hostile", [EVERYTHING])
@pytest.mark.parametrize(
    "command",
    [
        ["check", "{x}", "--no-auth", *OFFLINE],
        ["check", "taro@example.jp", "--user", "{x}", "--no-auth", *OFFLINE],
        ["settings", "{x}", *OFFLINE],
        ["settings", "taro@example.jp", "--memo", "--user", "{x}", "--error", "{x}", *OFFLINE],
        ["domain", "{x}", *OFFLINE],
        ["domain", "example.jp", "--helo", "{x}", *OFFLINE],
        ["check", "taro@example.jp", "--incoming", "imaps://{x}", "--no-auth", *OFFLINE],
    ],
)
def test_no_cli_output_carries_raw_control_bytes(
    command: list[str], hostile: str, lang: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # the login guard's cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    args = [part.replace("{x}", hostile) for part in command] + ["--lang", lang]
    output = _run(args, monkeypatch)
    assert output.strip()
    assert not RAW.search(output), (args, output)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize(
    "command",
    [
        ["explain", "{x}"],
        ["{x}"],
        ["check", "--{x}"],
        ["check", "taro@example.jp", "--timeout", "{x}"],
        ["check", "taro@example.jp", "{x}"],
        ["settings", "taro@example.jp", "--format", "{x}", *OFFLINE],
    ],
)
def test_no_usage_error_carries_raw_control_bytes(
    command: list[str], hostile: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [part.replace("{x}", hostile) for part in command] + ["--lang", lang]
    output = _run(args, monkeypatch)
    assert output.strip()
    assert not RAW.search(output), (args, output)


def test_evidence_and_titles_in_the_box_and_below_are_safe() -> None:
    finding = Finding(
        cause="AUTH_FAILED",
        server=ServerRole.INCOMING,
        layer=Layer.AUTH,
        severity=Severity.ERROR,
        evidence=("NO [AUTHENTICATIONFAILED] \x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \u202eevil",),
    )
    console = Console(file=io.StringIO(), width=60, color_system=None)
    render_findings(console, (finding, finding), get_translator("ja"), 60)
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert not RAW.search(printed)
    assert "\\x1b]8;;" in printed and "\\u202eevil" in printed


def test_lint_problems_and_record_placeholders_are_words() -> None:
    from maildoctor.knowledge import translate_value

    ja, en = get_translator("ja"), get_translator("en")
    assert translate_value("problem", "fullwidth_chars", ja) == "全角の文字"
    assert translate_value("kinds", "trailing_space,lookalike", ja) == "末尾の空白、見間違えやすい文字"
    assert (
        translate_value("kinds", "trailing_space,lookalike", en)
        == "a space at the end, characters that look alike"
    )
    record = 'sel._domainkey.example.jp TXT "v=DKIM1; k=rsa; p=<the public key your provider gives you>"'
    assert translate_value("suggested_record", record, ja).endswith('p=<プロバイダーから渡される公開鍵>"')


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["chek", "taro@example.jp", "--lang", "ja"], ["「chek」というコマンドはありません", "「check」"]),
        (["chek", "taro@example.jp", "--lang", "en"], ["There is no command “chek”", "“check”"]),
        (["check", "--lang", "ja"], ["ADDRESS が指定されていません"]),
        (
            ["check", "x", "--tmeout", "3", "--lang", "ja"],
            ["--tmeout というオプションはありません", "--timeout"],
        ),
        (
            ["check", "x", "--timeout", "abc", "--lang", "ja"],
            ["--timeout には制限時間を秒で", "「abc」"],
        ),
        (["check", "a", "b", "--lang", "ja"], ["コマンドに余分な語があります: b"]),
        (["check", "x", "--timeout", "--lang", "en"], ["--timeout takes the time limit in seconds"]),
        (["--lang", "ja"], ["コマンドを指定してください: check, settings"]),
        (["--lang", "en"], ["Give a command: check, settings"]),
    ],
)
def test_usage_errors_are_in_the_readers_language(
    args: list[str], words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    for word in words:
        assert word in stderr.getvalue(), stderr.getvalue()
    for english in ("No such", "Missing argument", "Missing command", "Invalid value", "Got unexpected"):
        assert english not in stderr.getvalue()


def test_a_record_and_a_url_in_a_finding_stay_whole_in_and_below_the_box() -> None:
    from maildoctor.model import Evidence

    record = '_dmarc.example.jp TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.jp"'
    url = "https://www.nttdocomo.co.jp/service/docomo_mail/other/security/"
    finding = Finding(
        cause="DMARC_FAIL",
        server=ServerRole.DOMAIN,
        layer=Layer.DNS,
        severity=Severity.ERROR,
        evidence=(
            Evidence.of("The record as it should be: {suggested_record}", suggested_record=record),
            url,
        ),
    )
    for width in (40, 60, 80, 100):
        for lang in ("ja", "en"):
            console = Console(file=io.StringIO(), width=width, color_system=None)
            render_findings(console, (finding, finding), get_translator(lang), min(width, 100))
            printed = console.file.getvalue()  # type: ignore[attr-defined]
            assert record in printed, (width, printed)
            assert url in printed, (width, printed)
            assert not any(line.lstrip("│ ").startswith(("。", "、", "）")) for line in printed.splitlines())


@pytest.mark.parametrize(
    "command",
    [
        ["check", "{x}", "--no-auth", *OFFLINE],
        ["settings", "{x}", *OFFLINE],
        ["domain", "{x}", *OFFLINE],
        ["settings", "taro@example.jp", "--format", "{x}", *OFFLINE],
        ["check", "taro@example.jp", "--client", "{x}", "--no-auth", *OFFLINE],
    ],
)
def test_a_line_break_typed_into_an_argument_cannot_fake_a_line(
    command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    forged = "taro@example.jp\nFORGED\rLINE"
    output = _run([part.replace("{x}", forged) for part in command] + ["--lang", "en"], monkeypatch)
    assert not any(line.startswith(("FORGED", "LINE")) for line in output.splitlines()), output
