"""`--client` on the command line: check, settings and explain speak in the person's mail program.

Offline: check and settings get `--dns 127.0.0.1:9` (nothing answers there), so no test asks the
system resolver; `settings` for a Gmail address is answered from the curated provider data.
"""

from __future__ import annotations

import json

import pytest
from test_cli import CliRunner, cli

from maildoctor.cli import settings_command
from maildoctor.clients import ClientId, Lang, load_client
from maildoctor.discover.candidates import DiscoveredSettings, ProviderInfo, ServerCandidate, Source
from maildoctor.discover.engine import DiscoveryRequest
from maildoctor.model import Protocol, Security

__all__ = ["cli"]  # the fixture, imported from test_cli

NO_DNS = ("--dns", "127.0.0.1:9")


def unwrapped(text: str) -> str:
    """The text without line breaks, indents or spaces (Japanese lines break between any two characters)."""
    return "".join(text.split())


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_unknown_program_is_a_usage_error_that_lists_the_known_ones(cli: CliRunner, lang: Lang) -> None:
    run = cli("check", "x@example.jp", "--client", "nonsense", *NO_DNS, "--lang", lang)
    assert run.code == 2, run.output
    assert "nonsense" in run.stderr
    flat = " ".join(run.stderr.split())  # Rich wraps the list at the terminal's width
    for client in ClientId:
        assert client.value in flat
        assert " ".join(load_client(client).name.get(lang).split()) in flat
    assert run.stdout == ""


def test_explain_refuses_an_unknown_program_too(cli: CliRunner) -> None:
    run = cli("explain", "0x800CCC0E", "--client", "eudora", "--lang", "en")
    assert run.code == 2, run.output
    assert "Unknown mail program for --client: eudora" in run.stderr


def test_explain_an_iphone_message_speaks_in_iphone_menus(cli: CliRunner) -> None:
    # no --client: the message is the iPhone's own, so its paths are the iPhone's
    run = cli("explain", "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。", "--lang", "ja")
    assert run.code == 0, run.stderr
    flat = unwrapped(run.stdout)
    assert "(AUTH_FAILED)" in run.stdout
    assert unwrapped("→ 設定 → アプリ → メール → メールアカウント → taro@example.jp →") in flat
    assert (
        unwrapped("メールアカウント → taro@example.jp → アカウント → 受信メールサーバ → パスワード") in flat
    )
    assert "Outlook" not in run.stdout and "Gmail アプリ" not in run.stdout


def test_explain_shows_no_placeholder(cli: CliRunner) -> None:
    run = cli("explain", "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。", "--lang", "ja")
    assert run.code == 0, run.stderr
    assert "{" not in run.stdout and "}" not in run.stdout


def test_explain_a_code_in_the_named_program_as_json(cli: CliRunner) -> None:
    run = cli("explain", "0x800CCC0E", "--client", "thunderbird", "--json", "--lang", "en")
    assert run.code == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["client"] == "thunderbird"
    findings = document["findings"]
    assert findings[0]["cause"] == "SERVER_UNREACHABLE"
    assert "where" in findings[0]
    assert all(len(item["where"]) == len(item["fix"]) for item in findings if "where" in item)
    lines = [line for item in findings for step in item.get("where", []) for line in step]
    assert lines
    assert all(" → " in line and line.startswith("≡ (application menu)") for line in lines)
    assert any(line.endswith("Server Settings → Port") for line in lines)


def test_explain_json_without_a_program_has_no_client(cli: CliRunner) -> None:
    # an unknown text names no program: nothing to speak in, and the document says so
    run = cli("explain", "550 5.7.1 relaying denied", "--json", "--lang", "en")
    document = json.loads(run.stdout)
    assert "client" not in document


def test_explain_the_client_option_beats_the_messages_program(cli: CliRunner) -> None:
    text = "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。"
    run = cli("explain", text, "--client", "gmail", "--json", "--lang", "ja")
    assert run.code == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["client"] == "gmail-android"
    lines = [line for step in document["findings"][0]["where"] for line in step]
    assert lines and all(line.startswith("Gmail → ") for line in lines)


def test_settings_for_gmail_in_outlook(cli: CliRunner) -> None:
    # the curated provider data knows Gmail without DNS; with no DNS answering, nothing could be
    # tried, so the run counts as not done (exit 3) while the provider's settings are shown
    run = cli("settings", "taro@gmail.com", "--client", "outlook", "--lang", "en", *NO_DNS, "--timeout", "3")
    assert run.code == 3, run.output
    assert "No DNS server answered" in run.output
    assert "In Outlook (classic, Windows), enter:" in run.stdout
    block = run.stdout.split("In Outlook (classic, Windows), enter:", 1)[1]
    entries = " ".join(block.split()).split("→ File → ")  # one entry per "→ File → …" line, unwrapped
    assert any("Incoming mail server: imap.gmail.com" in entry for entry in entries)
    assert any("Outgoing mail server (SMTP): smtp.gmail.com" in entry for entry in entries)
    assert any("User Name: taro@gmail.com" in entry for entry in entries)
    assert "imap.gmail.com" in block


# ------------------------------------------------------------------ settings with discovery faked

POP = ServerCandidate(
    Protocol.POP3, "pop.example.jp", 995, Security.SSL, "taro@example.jp", source=Source.PROVIDER
)
SMTP = ServerCandidate(
    Protocol.SMTP, "smtp.example.jp", 587, Security.STARTTLS, "taro@example.jp", source=Source.PROVIDER
)
FOUND = DiscoveredSettings("taro@example.jp", ProviderInfo("example", "Example ISP"), (POP,), (SMTP,))


@pytest.fixture
def discovery(monkeypatch: pytest.MonkeyPatch) -> list[DiscoveryRequest]:
    """Discovery answers FOUND from memory, and records that it was asked."""
    asked: list[DiscoveryRequest] = []

    async def fake(request: DiscoveryRequest) -> tuple[DiscoveredSettings, None]:
        asked.append(request)
        return FOUND, None

    monkeypatch.setattr(settings_command, "discover", fake)
    return asked


def test_settings_in_iphone_fields_in_japanese(cli: CliRunner, discovery: list[DiscoveryRequest]) -> None:
    run = cli("settings", "taro@example.jp", "--client", "iphone", "--lang", "ja", *NO_DNS)
    assert run.code == 0, run.output
    name = load_client(ClientId.IPHONE).name.get("ja")
    assert name in run.stdout
    flat = unwrapped(run.stdout)
    prefix = "設定 → アプリ → メール → メールアカウント → taro@example.jp → アカウント"
    for entry in (
        "受信メールサーバ → ホスト名: pop.example.jp",
        "SMTP → プライマリサーバ → ホスト名: smtp.example.jp",
        "SMTP → プライマリサーバ → サーバポート: 587",
    ):
        assert unwrapped(f"{prefix} → {entry}") in flat
    # POP: where the "delete from server" choice is, and what the iPhone does by default
    assert "初期設定" in run.stdout


def test_settings_without_a_client_has_no_program_block(
    cli: CliRunner, discovery: list[DiscoveryRequest]
) -> None:
    run = cli("settings", "taro@example.jp", "--lang", "en", *NO_DNS)
    assert run.code == 0, run.output
    assert "pop.example.jp" in run.stdout
    assert ", enter:" not in run.stdout and " → " not in run.stdout


def test_settings_refuses_an_unknown_program(cli: CliRunner, discovery: list[DiscoveryRequest]) -> None:
    run = cli("settings", "taro@example.jp", "--client", "eudora", "--lang", "en", *NO_DNS)
    assert run.code == 2, run.output
    assert "Unknown mail program for --client: eudora" in run.stderr


def test_settings_refuses_an_unknown_program_before_discovering(
    cli: CliRunner, discovery: list[DiscoveryRequest]
) -> None:
    run = cli("settings", "taro@example.jp", "--client", "eudora", "--lang", "en", *NO_DNS)
    assert run.code == 2
    assert discovery == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_version_older_than_every_menu_kept_says_so(cli: CliRunner, lang: Lang) -> None:
    text = "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。"
    older = cli("explain", text, "--client", "iphone@12", "--json", "--lang", lang)
    assert older.code == 0, older.stderr
    assert json.loads(older.stdout)["client"] == "iphone"
    said = unwrapped(older.stderr)
    assert "12" in said and "iOS17" in said  # the oldest menus kept: iOS 17's
    assert ("notkeptseparately" if lang == "en" else "用意していない") in said
    for name in ("iphone@17", "iphone@18"):  # a version whose menus are kept: no such line
        kept = cli("explain", text, "--client", name, "--json", "--lang", lang)
        assert kept.code == 0 and kept.stderr == "", kept.stderr
        assert json.loads(kept.stdout)["client"] == "iphone"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_version_chooses_the_menus(cli: CliRunner, lang: Lang) -> None:
    """iOS 17 and iOS 18 differ in where the accounts are; Thunderbird 128 and 133+ in adding one."""
    text = "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。"
    shown = {
        name: unwrapped(cli("explain", text, "--client", name, "--lang", lang).stdout)
        for name in ("iphone@17", "iphone@18", "iphone")
    }
    apps, accounts = (
        ("Settings→Apps→Mail→MailAccounts", "Settings→Mail→Accounts")
        if lang == "en"
        else ("設定→アプリ→メール→メールアカウント", "設定→メール→アカウント")
    )
    assert accounts in shown["iphone@17"] and apps not in shown["iphone@17"]
    assert apps in shown["iphone@18"] and accounts not in shown["iphone@18"]
    assert shown["iphone"] == shown["iphone@18"]  # no version: the current menus


@pytest.mark.parametrize(
    ("name", "program"),
    [
        ("outlook@classic", "outlook-classic"),
        ("outlook@new", "outlook-new"),
        ("outlook@2016", "outlook-classic"),
    ],
)
def test_outlook_at_classic_or_new_names_the_program(cli: CliRunner, name: str, program: str) -> None:
    text = "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。"
    run = cli("explain", text, "--client", name, "--json", "--lang", "en")
    assert run.code == 0 and run.stderr == "", run.stderr
    assert json.loads(run.stdout)["client"] == program


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_without_a_version_a_line_says_where_older_versions_differ(cli: CliRunner, lang: Lang) -> None:
    text = "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。"
    for name, words in (
        ("iphone", ("iphone@17", "iOS17")),
        ("thunderbird", ("thunderbird@128", "128")),
        ("outlook", ("outlook@new",)),
        ("new-outlook", ("outlook@classic",)),
    ):
        run = cli("explain", text, "--client", name, "--json", "--lang", lang)
        assert run.code == 0
        said = unwrapped(run.stderr)
        assert all(word in said for word in words), (name, said)
    assert cli("explain", text, "--client", "gmail", "--json").stderr == ""  # one menu for all versions
