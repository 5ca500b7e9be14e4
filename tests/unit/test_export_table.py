"""The settings table: iPhone / Outlook words in Japanese, plain English, best first, markup-free."""

from rich.console import Console

from maildoctor.discover.candidates import (
    DiscoveredSettings,
    PasswordKind,
    ProviderInfo,
    ServerCandidate,
    Source,
)
from maildoctor.export.table import render_settings_table
from maildoctor.i18n import get_translator
from maildoctor.model import Protocol, Security

IMAP = ServerCandidate(
    Protocol.IMAP,
    "imap.example.jp",
    993,
    Security.SSL,
    "taro@example.jp",
    source=Source.PROVIDER,
    verified=True,
)
POP = ServerCandidate(Protocol.POP3, "pop.example.jp", 110, Security.STARTTLS, "taro", source=Source.GUESS)
SMTP = ServerCandidate(
    Protocol.SMTP,
    "smtp.example.jp",
    587,
    Security.STARTTLS,
    "taro@example.jp",
    password_kind=PasswordKind.APP_SPECIFIC,
    source=Source.AUTOCONFIG,
)
SETTINGS = DiscoveredSettings("taro@example.jp", ProviderInfo("example", "Example ISP"), (IMAP, POP), (SMTP,))


def render(settings: DiscoveredSettings, lang: str) -> str:
    console = Console(record=True, width=100, color_system=None)
    render_settings_table(console, settings, get_translator(lang))
    return console.export_text()


def test_japanese_labels_as_the_phone_shows_them() -> None:
    text = render(SETTINGS, "ja")
    for label in (
        "受信メールサーバ",
        "送信メールサーバ",
        "ホスト名",
        "ユーザ名",
        "ポート",
        "SSLを使用 / 暗号化方式",
        "パスワード",
    ):
        assert label in text, label
    assert "taro@example.jp の設定" in text
    assert "プロバイダー: Example ISP" in text
    assert "オン / SSL/TLS" in text and "オフ / STARTTLS" in text
    assert "プロバイダーが公開している設定" in text and "今回つながることを確認済み" in text
    assert "ドメインの自動設定ファイル" in text and "未確認" in text
    assert "アプリ用パスワード" in text
    assert "受信メールサーバのほかの候補" in text
    assert "Host name" not in text


def test_english_labels() -> None:
    text = render(SETTINGS, "en")
    for label in (
        "Incoming mail server",
        "Outgoing mail server",
        "Host name",
        "User name",
        "Port",
        "Use SSL / Encryption",
    ):
        assert label in text, label
    assert "Settings for taro@example.jp" in text
    assert "the provider's published settings" in text and "confirmed in this run" in text
    assert "guessed from the usual server names" in text and "not confirmed" in text


def test_best_first_then_alternatives() -> None:
    text = render(SETTINGS, "en")
    assert (
        text.index("imap.example.jp")
        < text.index("Other possible incoming mail servers")
        < text.index("pop.example.jp")
        < text.index("Outgoing mail server")
        < text.index("smtp.example.jp")
    )
    assert "993" in text and "110" in text and "587" in text
    assert "Other possible outgoing mail servers" not in text  # only one outgoing candidate


def test_server_strings_are_not_markup() -> None:
    odd = ServerCandidate(Protocol.IMAP, "[bold]imap[/bold].example.jp", 993, Security.SSL, "[red]taro[/]")
    text = render(DiscoveredSettings("taro@example.jp", ProviderInfo("x", "[i]ISP[/i]"), (odd,), ()), "en")
    assert "[bold]imap[/bold].example.jp" in text
    assert "[red]taro[/]" in text
    assert "Provider: [i]ISP[/i]" in text
    assert "No outgoing mail server was found." in text


def test_nothing_found() -> None:
    text = render(DiscoveredSettings("taro@example.jp", None, (), ()), "ja")
    assert "受信メールサーバが見つかりませんでした。" in text
    assert "送信メールサーバが見つかりませんでした。" in text
    assert "プロバイダー" not in text


def test_long_names_are_never_cut_short() -> None:
    host = "imap-backup-cluster-07.mail.hosting-provider-with-a-long-name.example.co.jp"
    far = ServerCandidate(Protocol.IMAP, host, 143, Security.STARTTLS, "customer-123456@example.co.jp")
    text = render(DiscoveredSettings("taro@example.jp", None, (IMAP, far), (SMTP,)), "ja")
    assert "…" not in text
    assert "ポート 143" in text
    # folded over lines at worst, every character still there
    joined = "".join(line.strip("│┃ ") for line in text.splitlines())
    assert "imap-backup-cluster-07" in joined and "customer-123456" in joined
