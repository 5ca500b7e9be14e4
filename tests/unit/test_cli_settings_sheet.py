"""`maildoctor settings --format sheet`, `--output FILE` and `--memo`, with discovery fed offline."""

import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from maildoctor.cli import settings_command
from maildoctor.cli.app import main
from maildoctor.discover.candidates import (
    DiscoveredSettings,
    PasswordKind,
    ProviderInfo,
    ServerCandidate,
    Source,
)
from maildoctor.discover.engine import DiscoveryRequest
from maildoctor.exitcode import ExitCode
from maildoctor.export.sheet import PdfUnavailableError, ensure_pdf_support
from maildoctor.model import Protocol, Security

LAB_REQUIRED = os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1"
LOCALE_AND_COLOUR_VARIABLES = (
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "LANG",
    "FORCE_COLOR",
    "NO_COLOR",
    "TTY_COMPATIBLE",
    "GITHUB_ACTIONS",
    "PY_COLORS",
    "TERMINAL_WIDTH",
)
ADDRESS = "taro@example.jp"
IMAP = ServerCandidate(
    Protocol.IMAP, "imap.example.jp", 993, Security.SSL, ADDRESS, source=Source.PROVIDER, verified=True
)
SMTP = ServerCandidate(
    Protocol.SMTP,
    "smtp.example.jp",
    587,
    Security.STARTTLS,
    ADDRESS,
    password_kind=PasswordKind.APP_SPECIFIC,
    source=Source.AUTOCONFIG,
)
FOUND = DiscoveredSettings(ADDRESS, ProviderInfo("example", "Example ISP"), (IMAP,), (SMTP,))


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


CliRunner = Callable[..., Run]


@dataclass
class FakeDiscovery:
    settings: DiscoveredSettings
    requests: list[DiscoveryRequest]

    async def __call__(self, request: DiscoveryRequest) -> tuple[DiscoveredSettings, None]:
        self.requests.append(request)
        return self.settings, None


@pytest.fixture
def discovery(monkeypatch: pytest.MonkeyPatch) -> FakeDiscovery:
    """Discovery answers from memory: nothing leaves the machine."""
    fake = FakeDiscovery(FOUND, [])
    monkeypatch.setattr(settings_command, "discover", fake)

    async def trusted(*_args: object) -> None:
        return None  # the resolver is not asked about names that certainly exist either

    monkeypatch.setattr(settings_command, "resolver_verdict", trusted)
    return fake


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, discovery: FakeDiscovery) -> CliRunner:
    for variable in LOCALE_AND_COLOUR_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> Run:
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as exit_info:
            main(list(args))
        code = exit_info.value.code
        return Run(code if isinstance(code, int) else 0, stdout.getvalue(), stderr.getvalue())

    return run


def pdf_renderer_or_skip() -> None:
    try:
        ensure_pdf_support()
    except PdfUnavailableError as exc:
        if LAB_REQUIRED:
            pytest.fail(f"WeasyPrint is required but cannot load: {exc.reason}")
        pytest.skip(f"WeasyPrint cannot load: {exc.reason}")


def test_sheet_on_standard_output(cli: CliRunner) -> None:
    run = cli("settings", ADDRESS, "--format", "sheet")
    assert run.code == ExitCode.OK, run.stderr
    assert run.stdout.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "imap.example.jp" in run.stdout and "size: A4" in run.stdout
    assert '<section class="memo">' not in run.stdout
    assert run.stderr == ""


def test_sheet_in_japanese_with_the_memo(cli: CliRunner, discovery: FakeDiscovery) -> None:
    run = cli(
        "settings",
        ADDRESS,
        "--lang",
        "ja",
        "--format",
        "sheet",
        "--memo",
        "--client",
        "iphone",
        "--incoming",
        "imaps://imap.example.jp:587",
        "--error",
        "サーバに接続できません <0x800CCC0E>",
    )
    assert run.code == ExitCode.OK, run.stderr
    assert '<html lang="ja">' in run.stdout
    assert '<section class="memo">' in run.stdout
    assert "IMAP  imap.example.jp  ポート 587  SSL/TLS" in run.stdout
    assert "サーバに接続できません &lt;0x800CCC0E&gt;" in run.stdout
    assert discovery.requests[0].address == ADDRESS


def test_sheet_to_an_html_file(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "sheet.html"
    run = cli("settings", ADDRESS, "--format", "sheet", "--output", str(target))
    assert run.code == ExitCode.OK, run.stderr
    assert run.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"Saved to {target}." in run.stderr


def test_sheet_to_a_pdf_file(cli: CliRunner, tmp_path: Path) -> None:
    pdf_renderer_or_skip()
    target = tmp_path / "設定シート.PDF"  # the suffix in any case, a Japanese file name
    run = cli("settings", ADDRESS, "--lang", "ja", "--format", "sheet", "--memo", "--output", str(target))
    assert run.code == ExitCode.OK, run.stderr
    assert run.stdout == ""
    assert target.read_bytes().startswith(b"%PDF-")
    assert f"{target} に保存しました。" in run.stderr
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
        assert "(A4)" in info and re.search(r"^Pages:\s+2$", info, re.MULTILINE)


def test_no_pdf_renderer_is_said_plainly_and_nothing_is_written(
    cli: CliRunner, discovery: FakeDiscovery, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def unavailable() -> None:
        raise PdfUnavailableError("OSError: cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(settings_command, "ensure_pdf_support", unavailable)
    target = tmp_path / "sheet.pdf"
    run = cli("settings", ADDRESS, "--lang", "ja", "--format", "sheet", "--output", str(target))
    assert run.code == ExitCode.NOT_RUN
    assert "このコンピューターでは PDF を作れません" in run.stderr
    assert "libpango-1.0-0" in run.stderr
    assert not target.exists()
    assert discovery.requests == []  # said before waiting for the discovery
    run = cli("settings", ADDRESS, "--format", "sheet", "--output", str(target))
    assert "A PDF cannot be made on this computer" in run.stderr


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("ja", "PDF を作る部分は maildoctor の追加部品"),
        ("en", "the PDF maker is an optional part of maildoctor that is not installed"),
    ],
)
def test_without_the_pdf_extra_the_install_command_is_named(
    cli: CliRunner,
    discovery: FakeDiscovery,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    language: str,
    says: str,
) -> None:
    # `pip install maildoctor` without [pdf]: importing WeasyPrint fails as if it were not installed
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    monkeypatch.setattr(settings_command, "fonts_for", lambda _language: ("IPAGothic",))
    target = tmp_path / "sheet.pdf"
    run = cli("settings", ADDRESS, "--lang", language, "--format", "sheet", "--output", str(target))
    assert run.code == ExitCode.NOT_RUN
    assert says in run.stderr
    assert "\n  pip install 'maildoctor[pdf]'\n" in run.stderr  # on a line of its own, to be copied
    assert ".html" in run.stderr  # the way that works without it
    assert "Traceback" not in run.stderr and "weasyprint" not in run.stderr.lower()
    assert run.stdout == ""
    assert not target.exists()
    assert discovery.requests == []  # said before waiting for the discovery


def test_memo_as_text(cli: CliRunner) -> None:
    run = cli(
        "settings",
        ADDRESS,
        "--memo",
        "--client",
        "outlook",
        "--incoming",
        "pop3s://pop.example.jp",
        "--outgoing",
        "smtps://smtp.example.jp:587",
        "--user",
        "taro",
        "--error",
        "0x800CCC0E\x1b[2J",
    )
    assert run.code == ExitCode.OK, run.stderr
    text = run.stdout
    assert text.startswith("Memo for calling support\n")
    assert "Device / mail program: Outlook\n" in text
    assert "  Incoming mail server: POP  pop.example.jp  port 995  SSL/TLS\n" in text
    assert "  Outgoing mail server: SMTP  smtp.example.jp  port 587  SSL/TLS\n" in text
    assert "  User name: taro\n" in text
    assert "  | 0x800CCC0E\\x1b[2J\n" in text and "\x1b" not in text
    assert "  Incoming mail server: IMAP  imap.example.jp  port 993  SSL/TLS" in text
    assert "The password is deliberately not in this memo." in text
    assert "Host name" not in text  # the memo instead of the table, not both


def test_memo_in_japanese_to_a_file(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "memo.txt"
    run = cli("settings", ADDRESS, "--lang", "ja", "--memo", "--output", str(target))
    assert run.code == ExitCode.OK, run.stderr
    assert target.read_text(encoding="utf-8").startswith("サポート窓口に問い合わせる前のメモ\n")


def test_memo_when_nothing_was_found(cli: CliRunner, discovery: FakeDiscovery) -> None:
    discovery.settings = DiscoveredSettings(ADDRESS, None, (), ())
    run = cli("settings", ADDRESS, "--memo", "--error", "Cannot get mail")
    assert run.code == 1  # nothing found, and still the memo: it is what support needs most then
    assert "  Incoming mail server: (not found)\n" in run.stdout
    assert "  | Cannot get mail\n" in run.stdout
    run = cli("settings", ADDRESS, "--format", "sheet")
    assert run.code == 1 and run.stdout == ""
    assert "No settings were found for taro@example.jp." in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "json", "--memo"], "--memo cannot be combined with --format json"),
        (["--format", "mobileconfig", "--memo"], "--memo cannot be combined with --format mobileconfig"),
        (["--format", "json", "--output", "x.pdf"], "Only the printable sheet can be saved as a PDF"),
        (["--memo", "--output", "memo.pdf"], "Only the printable sheet can be saved as a PDF"),
        (["--memo", "--incoming", "imaps://user:secret@imap.example.jp"], "--incoming"),
        (["--memo", "--outgoing", "smtp.example.jp"], "--outgoing"),
    ],
)
def test_usage_errors(cli: CliRunner, discovery: FakeDiscovery, args: list[str], message: str) -> None:
    run = cli("settings", ADDRESS, *args)
    assert run.code == ExitCode.USAGE
    assert message in run.stderr
    assert "secret" not in run.stdout + run.stderr
    assert discovery.requests == []


def test_the_other_formats_still_work_and_can_go_to_a_file(cli: CliRunner, tmp_path: Path) -> None:
    run = cli("settings", ADDRESS, "--format", "json")
    assert run.code == ExitCode.OK and '"schema": "maildoctor.settings/1"' in run.stdout
    run = cli("settings", ADDRESS, "--format", "autoconfig", "--output", str(tmp_path / "config-v1.1.xml"))
    assert run.code == ExitCode.OK and run.stdout == ""
    assert "<hostname>imap.example.jp</hostname>" in (tmp_path / "config-v1.1.xml").read_text()
    run = cli("settings", ADDRESS, "--output", str(tmp_path / "table.txt"))
    assert run.code == ExitCode.OK
    table = (tmp_path / "table.txt").read_text(encoding="utf-8")
    assert "imap.example.jp" in table and "\x1b" not in table
    run = cli("settings", ADDRESS)
    assert run.code == ExitCode.OK and "imap.example.jp" in run.stdout


def test_an_unwritable_file_is_reported(cli: CliRunner, tmp_path: Path) -> None:
    run = cli("settings", ADDRESS, "--format", "sheet", "--output", str(tmp_path / "missing" / "sheet.html"))
    assert run.code == ExitCode.NOT_RUN
    assert "could not be written" in " ".join(run.stderr.split())  # wrapped to the terminal


def test_help_lists_the_new_options(cli: CliRunner) -> None:
    run = cli("settings", "--help")
    assert run.code == 0
    for option in ("--output", "--incoming", "--outgoing", "--user", "--error", "--memo", "--client"):
        assert option in run.stdout, option
    run = cli("settings", "--help", "--lang", "ja")
    assert "メモ用：" in run.stdout


def test_memo_names_what_differs_from_the_settings_found(cli: CliRunner) -> None:
    run = cli(
        "settings",
        ADDRESS,
        "--lang",
        "en",
        "--memo",
        "--incoming",
        "imaps://imap.example.jp:143",
        "--outgoing",
        "smtp+starttls://smtp.example.jp:587",
        "--user",
        "taro",
    )
    assert run.code == ExitCode.OK, run.stderr
    # port 143 cannot go with SSL/TLS; the provider's servers want the whole address as user name
    assert "The encryption setting does not match the port number" in run.stdout
    assert "The user name is in the wrong form" in run.stdout
