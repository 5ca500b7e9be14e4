"""`maildoctor explain` on pasted replies, through the real command: the server's reply leads, the
mail program is named only when the message shows it, and what a person reads holds no internal name."""

from __future__ import annotations

import json
import re

import pytest
from test_cli import CliRunner, Run, cli

from maildoctor.explain import load_catalog
from maildoctor.explain.smtp import load_rejections

__all__ = ["cli"]

R139 = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
R139_LONG = (
    "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. "
    "[TYCP286CA0012.JPNP286.PROD.OUTLOOK.COM 2026-12-07T09:12:34.567Z 08DDF3C2A1B4E5F6]"
)
SPAMHAUS = (
    "554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org; "
    "https://www.spamhaus.org/query/ip/203.0.113.45"
)
SPAMHAUS_MS = (
    "550 5.7.1 Service unavailable, Client host [203.0.113.45] blocked using Spamhaus. To request removal f"
    "rom this "
    "list see https://www.spamhaus.org/query/ip/203.0.113.45 (AS3130). "
    "[BN8NAM12FT004.eop-nam12.prod.protection.outlook.com 2026-12-07T08:00:00.000Z 08DC1A2B3C4D5E6F]"
)
GMAIL_579 = (
    "534-5.7.9 Application-specific password required. Learn more at\n"
    "534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor d9443c01a7336-21c3f2b1e5fsm1234567b3a"
    ".12 - gsmtp"
)

# (wrapper, the program it plainly shows, or None)
WRAPPERS: list[tuple[str, str | None]] = [
    ("{reply}", None),
    (
        "タスク 'taro@contoso.co.jp - 送信中' がエラー (0x800CCC78) を報告しました: 'メッセージを送信できま"
        "せん。"
        "電子メール アカウントのプロパティで、電子メール アドレスを確認してください。  サーバーの応答: {rep"
        "ly}'",
        "outlook-classic",
    ),
    ("送信エラー (0x800CCC78) メッセージを送信できません。サーバーの応答: {reply}", "outlook-classic"),
    (
        "タスク 'taro@example.co.jp - 送信中' がエラー (0x800CCC6A) を報告しました: 'サーバーでエラーが発生"
        "しました。"
        "アカウント: 'taro@example.co.jp', サーバー: 'smtp.example.co.jp', プロトコル: SMTP, サーバーの応答"
        ": '{reply}', "
        "ポート: 587, セキュリティで保護された接続 (SSL): いいえ, サーバー エラー: 554, エラー番号: 0x800CC"
        "C6A'",
        "outlook-classic",
    ),
    (
        "Send Message Error\nSending of the message failed.\nAn error occurred while sending mail. The mail"
        " server "
        "responded: {reply}. Please verify that your email address is correct in your account settings and "
        "try "
        "again.",
        "thunderbird",
    ),
    ("Sending of the message failed.\nThe mail server said: {reply}", None),
    (
        "メッセージの送信エラー\nメッセージを送信できませんでした。\nメールの送信中にエラーが発生しました。アカウント設定で"
        "メールアドレスの設定が正しいか確認し、再度試してください。メールサーバーからの応答: {reply}",
        "thunderbird",
    ),
    (
        "メールを送信できません\n受信者“hanako@example.com”はサーバによって拒否されました。サーバの応答: {r"
        "eply}",
        None,
    ),
    ("Cannot Send Mail\nThe message was rejected by the server. {reply}", None),
]
REPLIES = [(R139, "MODERN_AUTH_REQUIRED"), (R139_LONG, "MODERN_AUTH_REQUIRED"), (SPAMHAUS, "IP_BLOCKLISTED")]
REPLIES += [(SPAMHAUS_MS, "IP_BLOCKLISTED"), (GMAIL_579, "APP_PASSWORD_REQUIRED")]

KNOWLEDGE_IDS = sorted({entry.id for entry in load_catalog()} | {entry.id for entry in load_rejections()})
ENGLISH_RUN = re.compile(r"[A-Za-z][a-z']+(?:[ ,]+[A-Za-z][a-z']+){3,}")  # four English words in a row
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def outside_quotes(text: str, opening: str, closing: str) -> str:
    """The text without quoted words (a server's or a program's, shown as evidence) or command lines."""
    kept = re.sub(re.escape(opening) + r".*?" + re.escape(closing), " ", text, flags=re.DOTALL)
    return "\n".join(line for line in kept.splitlines() if not line.strip().startswith("maildoctor "))


def readable(run: Run, lang: str) -> None:
    """What a person reads: no knowledge id, no other language outside quotes."""
    for identifier in KNOWLEDGE_IDS:
        assert identifier not in run.output, identifier
    assert "ClientId." not in run.output and "CauseCode." not in run.output
    if lang == "ja":
        free = outside_quotes(" ".join(run.stdout.split("\n")), "「", "」")
        assert not ENGLISH_RUN.search(free), ENGLISH_RUN.search(free)
    else:
        free = outside_quotes(run.stdout, "“", "”")
        assert not JAPANESE.search(free), free


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("reply", "first"), REPLIES, ids=lambda value: str(value)[:24])
@pytest.mark.parametrize(("wrapper", "program"), WRAPPERS, ids=lambda value: str(value)[:20])
def test_the_replys_meaning_leads(
    cli: CliRunner, wrapper: str, program: str | None, reply: str, first: str, lang: str
) -> None:
    text = wrapper.format(reply=reply)
    document = json.loads(cli("explain", text, "--json", "--lang", lang).stdout)
    causes = [item["cause"] for item in document["findings"]]
    assert causes[0] == first, causes
    assert document.get("client") == program
    run = cli("explain", text, "--lang", lang)
    assert run.code == 0, run.output
    assert re.search(rf"^\s+1\. .*\n?.*\({first}\)", run.stdout, re.MULTILINE), run.stdout
    readable(run, lang)


@pytest.mark.parametrize(
    ("text", "lang", "said"),
    [
        (
            "受信 'taro' エラー (0x800ccc0e)",
            "ja",
            "のメッセージと判断しました（0x800CCC0Eはこのソフトのエラー番号です）",
        ),
        ("Task reported error (0x800CCC0E)", "en", "0x800CCC0E is one of its error codes"),
        (
            "An error occurred while sending mail. The mail server responded: "
            + R139
            + " Please check the message "
            "and try again.",
            "ja",
            "Thunderbirdのメッセージと判断しました（このソフト独自の文面です）",
        ),
    ],
)
def test_the_recognised_program_and_why(cli: CliRunner, text: str, lang: str, said: str) -> None:
    run = cli("explain", text, "--lang", lang)
    flat = "".join(run.stdout.split()) if lang == "ja" else " ".join(run.stdout.split())
    assert said.replace(" ", "") in flat.replace(" ", "")
    assert "--client" in run.stdout


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(
    "text",
    [
        "パスワードが正しくありません",
        "ユーザー名またはパスワードが正しくありません",
        "サーバーに接続できません",
        "Can't connect to server",
        "Couldn't sign in",
        "セキュリティエラーのためサーバーに接続できません",
    ],
)
def test_a_plain_message_names_no_program_and_shows_the_common_three(
    cli: CliRunner, text: str, lang: str
) -> None:
    run = cli("explain", text, "--lang", lang)
    assert run.code == 0, run.output
    document = json.loads(cli("explain", text, "--json", "--lang", lang).stdout)
    assert "client" not in document
    flat = "".join(run.stdout.split())
    assert "Samsung" not in run.stdout and "判断しました" not in run.stdout and "taken for" not in run.stdout
    if "→" in run.stdout:  # a step that changes a setting: where it is in the three common programs
        for program in ("iPhone", "Outlook", "Gmail"):
            assert program in run.stdout
        assert "--client" in flat
    readable(run, lang)


def test_the_client_option_still_decides(cli: CliRunner) -> None:
    run = cli("explain", "パスワードが正しくありません", "--client", "thunderbird", "--lang", "ja", "--json")
    assert json.loads(run.stdout)["client"] == "thunderbird"
    coded = cli("explain", "(0x800CCC0E)", "--client", "iphone", "--lang", "ja", "--json")
    document = json.loads(coded.stdout)
    assert document["client"] == "iphone" and document["client_from"] == "option"


def _every_known_message() -> list[str]:
    """Each mail program message and code, and each provider's reply, as a person would paste it."""
    values = {
        "account": "taro@example.jp",
        "server": "mail.example.jp",
        "response": "550 5.7.1 denied",
        "recipient": "hanako@example.com",
        "folder": "INBOX",
        "size": "10485760",
    }
    texts: list[str] = []
    for entry in load_catalog():
        texts += [re.sub(r"\{([a-z]+)\}", lambda found: values[found.group(1)], p) for p in entry.patterns]
        texts += [entry.code] if entry.code else []
    texts += [f"{r.reply_code} {r.status or ''} {p}" for r in load_rejections() for p in r.patterns]
    return texts


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_known_message_reads_cleanly(cli: CliRunner, lang: str) -> None:
    for text in _every_known_message():
        run = cli("explain", text, "--lang", lang)
        assert run.code in (0, 1), (text, run.output)
        readable(run, lang)
