"""The support memo: what was typed, what was shown, what was found, in both languages, never the password."""

import unicodedata

import pytest

from maildoctor.discover.candidates import (
    DiscoveredSettings,
    PasswordKind,
    ProviderInfo,
    ServerCandidate,
    Source,
)
from maildoctor.export.memo import MAX_ERROR_CHARS, Memo, build_memo, render_memo_text, visible
from maildoctor.i18n import get_translator
from maildoctor.model import (
    Evidence,
    Finding,
    Layer,
    MailSettings,
    Protocol,
    Secret,
    Security,
    ServerRole,
    Severity,
    leak_forms,
    parse_server_url,
)

IMAP = ServerCandidate(
    Protocol.IMAP,
    "imap.example.jp",
    993,
    Security.SSL,
    "taro@example.jp",
    source=Source.PROVIDER,
    verified=True,
)
POP = ServerCandidate(Protocol.POP3, "pop.example.jp", 995, Security.SSL, "taro", source=Source.GUESS)
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
TYPED = MailSettings(
    incoming=parse_server_url("imaps://imap.example.jp:587"),
    outgoing=parse_server_url("smtp://smtp.example.jp"),
    username="taro",
)
AUTH_FAILED = Finding(
    "AUTH_FAILED",
    Severity.ERROR,
    Layer.AUTH,
    ServerRole.INCOMING,
    evidence=("NO [AUTHENTICATIONFAILED] Authentication failed.",),
)
PASSWORD = Secret("Kab3-Tsuki!pw")


def memo_text(lang: str, **changes: object) -> str:
    translator = get_translator(lang)
    arguments: dict[str, object] = {
        "typed": TYPED,
        "client": "iphone",
        "error_text": "サーバに接続できません。",
        "settings": SETTINGS,
        "findings": (AUTH_FAILED,),
    }
    arguments.update(changes)
    memo = build_memo("taro@example.jp", translator, **arguments)  # type: ignore[arg-type]
    return render_memo_text(memo, translator)


def test_japanese_memo_has_every_part() -> None:
    text = memo_text("ja")
    assert text.startswith("サポート窓口に問い合わせる前のメモ\n")
    for line in (
        "メールアドレス：taro@example.jp",
        "プロバイダー：Example ISP",
        "使っている機器・メールソフト：iPhone",
        "  受信メールサーバ：IMAP  imap.example.jp  ポート 587  SSL/TLS",
        "  送信メールサーバ：SMTP  smtp.example.jp  ポート 25  暗号化なし",
        "  ユーザ名：taro",
        "  | サーバに接続できません。",
        "  受信メールサーバ：IMAP  imap.example.jp  ポート 993  SSL/TLS  ユーザ名 taro@example.jp"
        "（プロバイダーが公開している設定、今回つながることを確認済み）",
        "  - ユーザー名またはパスワードが間違っています",
        "      NO [AUTHENTICATIONFAILED] Authentication failed.",
    ):
        assert line + "\n" in text, line
    assert "パスワードは、わざとこのメモに書いていません。" in text
    assert "taro@example.jp（ドメインの自動設定ファイル（autoconfig）、未確認）" in text  # the outgoing one
    assert "pop.example.jp" not in text  # the best candidate of each side only


def test_english_memo_has_every_part() -> None:
    text = memo_text("en", error_text="Cannot connect to the server.")
    assert text.startswith("Memo for calling support\n")
    for line in (
        "Email address: taro@example.jp",
        "Provider: Example ISP",
        "Device / mail program: iPhone",
        "Settings as typed in the mail program:",
        "  Incoming mail server: IMAP  imap.example.jp  port 587  SSL/TLS",
        "  Outgoing mail server: SMTP  smtp.example.jp  port 25  no encryption",
        "  User name: taro",
        "Error message as shown:",
        "  | Cannot connect to the server.",
        "Settings maildoctor found:",
        "  - The user name or password is wrong",
    ):
        assert line + "\n" in text, line
    assert "The password is deliberately not in this memo." in text
    assert not any("\u3040" <= char <= "\u30ff" for char in text)  # no kana left untranslated


def test_what_was_not_given_says_so() -> None:
    translator = get_translator("ja")
    text = render_memo_text(build_memo("taro@example.jp", translator), translator)
    assert "使っている機器・メールソフト：（指定なし）" in text
    assert "  受信メールサーバ：（指定なし）" in text
    assert "  ユーザ名：（指定なし）" in text
    assert "表示されたエラー" in text and "：（指定なし）" in text
    assert "  受信メールサーバ：（見つかりませんでした）" in text
    assert "プロバイダー：（不明）" in text
    assert "これまでの診断結果：（まだありません）" in text
    english = get_translator("en")
    text = render_memo_text(build_memo("taro@example.jp", english, settings=SETTINGS), english)
    assert "Device / mail program: (not given)" in text
    assert "The diagnosis so far: (nothing yet)" in text
    assert "  Incoming mail server: IMAP  imap.example.jp  port 993" in text


def test_the_diagnosis_lists_each_finding_title_and_its_evidence() -> None:
    mismatch = Finding(
        "PORT_SECURITY_MISMATCH",
        Severity.ERROR,
        Layer.TLS,
        ServerRole.INCOMING,
        evidence=(Evidence.of("no such sentence {port}", port=587),),
    )
    future = Finding("SOME_FUTURE_CAUSE", Severity.WARNING, Layer.SERVER, ServerRole.OUTGOING)
    text = memo_text("en", findings=[AUTH_FAILED, mismatch, future])
    lines = text.splitlines()
    titles = [line for line in lines if line.startswith("  - ")]
    assert titles[0] == "  - The user name or password is wrong"
    assert len(titles) == 3
    assert titles[2] == "  - SOME_FUTURE_CAUSE"  # a code this version does not know: shown as the code
    assert "      no such sentence 587" in lines


def test_the_error_text_is_kept_verbatim_with_control_characters_made_visible() -> None:
    error = "送信できません\r\n\x1b[31mred\x1b[0m\ttab\u202eevil\u200b\r\nC:\\Users\\taro  「0x800CCC0E」 ✉"
    text = memo_text("en", error_text=error)
    assert "  | 送信できません\n" in text
    assert "  | \\x1b[31mred\\x1b[0m\\ttab\\u202eevil\\u200b\n" in text
    assert "  | C:\\Users\\taro  「0x800CCC0E」 ✉\n" in text  # backslashes, spaces and symbols as they were
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    for char in text:
        assert char == "\n" or unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp"}, repr(char)


def test_control_characters_in_any_value_are_made_visible() -> None:
    hostile = ServerCandidate(
        Protocol.IMAP, "imap.example.jp\x1b]0;owned\x07", 993, Security.SSL, "taro\nFAKE: line"
    )
    settings = DiscoveredSettings("taro@example.jp", ProviderInfo("x", "Evil\x1b[2J ISP"), (hostile,), ())
    text = memo_text("en", settings=settings, client="my\x1bclient")
    assert "\x1b" not in text and "\x07" not in text
    assert "imap.example.jp\\x1b]0;owned\\x07" in text
    assert "Evil\\x1b[2J ISP" in text
    assert "user name taro\\nFAKE: line" in text  # a line break in a single-line value cannot fake a line


def test_a_very_long_error_text_is_cut_and_says_so() -> None:
    text = memo_text("ja", error_text="x" * (MAX_ERROR_CHARS + 500))
    assert "x" * MAX_ERROR_CHARS in text
    assert "x" * (MAX_ERROR_CHARS + 1) not in text
    assert "（…以下 500 文字は省略しました）" in text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_password_never_appears_even_when_it_is_at_hand(lang: str) -> None:
    password = PASSWORD.reveal()
    forms = leak_forms(PASSWORD, ("taro", "taro@example.jp"))
    auth_plain = next(form for form in forms if form not in (password,) and form.startswith("AHRhcm8"))
    text = memo_text(
        lang,
        error_text=f"Login failed for taro:{password}@imap.example.jp ({auth_plain})",
        typed=MailSettings(incoming=None, outgoing=None, username=f"taro {password}"),
        findings=[
            Finding("AUTH_FAILED", Severity.ERROR, Layer.AUTH, ServerRole.INCOMING, evidence=(password,))
        ],
        redact=PASSWORD,
    )
    for form in forms:
        assert form not in text
    assert Secret.MASK in text
    # and without a password at hand there is nothing to mask: the memo holds no field for one
    assert Secret.MASK not in memo_text(lang)


def test_a_password_with_a_control_character_is_masked_too() -> None:
    secret = Secret("pa\x1bss")
    translator = get_translator("en")
    memo = build_memo("taro@example.jp", translator, error_text="it said pa\x1bss", redact=secret)
    text = render_memo_text(memo, translator)
    assert "pa\x1bss" not in text and "pa\\x1bss" not in text
    assert f"it said {Secret.MASK}" in text


def test_client_names_are_written_as_their_makers_write_them() -> None:
    assert "Device / mail program: Outlook\n" in memo_text("en", client="OUTLOOK")
    assert "Device / mail program: Thunderbird\n" in memo_text("en", client="thunderbird")
    assert "Device / mail program: Becky 2.8\n" in memo_text("en", client="Becky 2.8")


def test_the_memo_is_data_for_other_layouts() -> None:
    translator = get_translator("en")
    memo = build_memo("taro@example.jp", translator, error_text="line 1\nline 2", settings=SETTINGS)
    assert isinstance(memo, Memo)
    error = next(item for item in memo.items if item.label == "Error message as shown")
    assert error.verbatim and error.lines == ("line 1\nline 2",)
    assert memo.password_note.startswith("The password is deliberately not in this memo.")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain", "plain"),
        ("a\tb", "a\\tb"),
        ("a\x00b", "a\\x00b"),
        ("a\u2028b", "a\\u2028b"),
        ("日本語　全角スペース", "日本語　全角スペース"),  # the ideographic space is a visible space
        ("👍🏽", "👍🏽"),
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_visible_keeps_line_breaks_only_when_asked() -> None:
    assert visible("a\r\nb\rc\n", multiline=True) == "a\nb\nc\n"
    assert visible("a\nb") == "a\\nb"
