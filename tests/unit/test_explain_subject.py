"""What `explain` was given: file name or text, and what bytes from a file or standard input hold."""

from __future__ import annotations

import pytest

from maildoctor.explain.subject import (
    ContentKind,
    content_kind,
    decode_text,
    looks_like_file_name,
    looks_like_mail,
    repaired_mojibake,
    unquoted,
    worth_probing,
)

OUTLOOK_0F = (
    "タスク 'taro@example.co.jp - 受信中' がエラー (0x800CCC0F) を報告しました: 'サーバーへの接続が中断され"
    "ました。"
    "問題が解決しない場合は、サーバー管理者またはインターネット サービス プロバイダー (ISP) に連絡してくだ"
    "さい。'"
)

FILE_NAMES = [
    "bounce.eml",
    "BOUNCE.EML",
    "Undelivered Mail Returned to Sender.eml",
    "配信不能：会議の件.eml",
    "error.txt",
    "saved.mbox",
    "notification.json",
    "Outlook のメッセージ.msg",
    "/home/taro/Mail/bounce",
    "~/Mail/x",
    "./x",
    "../mails/returned",
    "C:\\Users\\Taro Yamada\\Desktop\\bounce.eml",
    "C:/Users/taro/Desktop/returned",
    "\\\\fileserver\\share\\bounce.eml",
    "Mail/inbox-2026-12",
]
TEXTS = [
    OUTLOOK_0F,
    "0x800CCC0E",
    "0x800ccc0e/0x800CCC0F",
    "550 5.1.1",
    "5.7.1/550",
    "554 5.7.1 Service unavailable; Client host [203.0.113.45] blocked using zen.spamhaus.org",
    "https://www.spamhaus.org/query/ip/203.0.113.45",
    "taro@example.jp",
    "see error.log: it says the server refused",
    "サーバーに接続できません",
    "The connection to the server failed.",
    "送信エラー。詳しくは log.txt を見てください。",
    "Mail server pop.example.jp responded: -ERR [AUTH] Authentication failed.",
    "a" * 300,
    "x/" * 200,
    "",
    "   ",
    "line one\nbounce.eml",
    "bounce.eml\x00",
    "\x1b[31mbounce.eml",
    "/ は区切りです",
]


@pytest.mark.parametrize("name", FILE_NAMES)
def test_what_plainly_names_a_file(name: str) -> None:
    assert looks_like_file_name(name), name


@pytest.mark.parametrize("text", TEXTS)
def test_what_is_text(text: str) -> None:
    assert not looks_like_file_name(text), text


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ('"C:\\Users\\taro\\bounce.eml"', "C:\\Users\\taro\\bounce.eml"),  # Windows "Copy as path"
        ("'bounce.eml'", "bounce.eml"),
        ("  bounce.eml \n", "bounce.eml"),
        ("「bounce.eml」", "bounce.eml"),
        ('"unbalanced', '"unbalanced'),
        ('"', '"'),
    ],
)
def test_quotes_around_a_name_go(argument: str, expected: str) -> None:
    assert unquoted(argument) == expected


@pytest.mark.parametrize(
    "text",
    [OUTLOOK_0F * 20, "a" * 5000, "two\nlines", "tab\tinside", "nul\x00", "esc\x1b[0m", "", "\u2028sep"],
)
def test_what_is_never_handed_to_the_file_system(text: str) -> None:
    assert not worth_probing(text)


def test_a_long_one_line_name_is_still_probed_up_to_path_max() -> None:
    assert worth_probing("/" + "a" * 4000)
    assert not worth_probing("/" + "a" * 4100)
    assert not looks_like_file_name("/" + "a" * 300)  # one component over NAME_MAX: not a file's name


# ------------------------------------------------------------------ decoding pasted bytes

JAPANESE = "サーバーへの接続が中断されました。アカウント: taro@example.co.jp"


@pytest.mark.parametrize(
    "codec", ["utf-8", "cp932", "shift_jis", "euc-jp", "iso-2022-jp", "utf-8-sig", "utf-16"]
)
def test_japanese_text_in_every_usual_encoding(codec: str) -> None:
    assert decode_text(JAPANESE.encode(codec)) == JAPANESE


def test_undecodable_bytes_are_replaced_not_raised() -> None:
    text = decode_text(b"\xfa abc \x80\x81\xfc \xff")
    assert "abc" in text


def test_mojibake_stays_text() -> None:
    cp1252 = JAPANESE.encode("utf-8").decode("cp1252", "replace")  # a paste that went through Windows-1252
    sjis = JAPANESE.encode("utf-8").decode("cp932", "replace")
    for pasted in (cp1252, sjis):
        assert content_kind(pasted.encode("utf-8")) is ContentKind.TEXT
        assert decode_text(pasted.encode("utf-8")) == pasted


# ------------------------------------------------------------------ what the bytes hold

BOUNCE = (
    b"From: MAILER-DAEMON@mx.example.jp\r\nTo: taro@example.jp\r\nSubject: Undelivered Mail Returned to Sen"
    b"der\r\n"
    b"\r\n<hanako@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 User unknown\r\n"
)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", ContentKind.EMPTY),
        (b" \r\n\t\n", ContentKind.EMPTY),
        (b"\xef\xbb\xbf", ContentKind.EMPTY),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ContentKind.OUTLOOK_MSG),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ContentKind.BINARY),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), ContentKind.BINARY),
        (b"\xff\xd8\xff\xe0" + bytes(100), ContentKind.BINARY),
        (b"PK\x03\x04" + bytes(100), ContentKind.BINARY),
        (bytes(range(256)) * 8, ContentKind.BINARY),
        (b"\x7fELF\x02\x01\x01" + bytes(100), ContentKind.BINARY),
        (BOUNCE, ContentKind.MAIL),
        (b"From MAILER-DAEMON Mon Dec  7 10:00:00 2026\nFrom: x@y\nSubject: z\n\nbody", ContentKind.MAIL),
        (b'{"notificationType": "Bounce", "bounce": {}}', ContentKind.JSON),
        (OUTLOOK_0F.encode(), ContentKind.TEXT),
        (OUTLOOK_0F.encode("cp932"), ContentKind.TEXT),
        ("IMAPアカウント“taro”のパスワードが正しくありません。\r\n".encode("utf-16"), ContentKind.TEXT),
        (b"Subject line only: not a mail\nsecond line", ContentKind.TEXT),
        (b"550 5.1.1 <x@example.com>: Recipient address rejected", ContentKind.TEXT),
        (b"a pasted \x00 NUL and an \x1b[31m escape in a long enough line of text " * 3, ContentKind.TEXT),
    ],
)
def test_content_kind(data: bytes, kind: ContentKind) -> None:
    assert content_kind(data) is kind


def test_a_mail_needs_a_mail_field_and_header_lines_first() -> None:
    assert looks_like_mail("Received: from x\n\tby y\nFrom: a@b\n\nbody")
    assert not looks_like_mail("Note: this\nError: that")  # header-shaped, but no mail field
    assert not looks_like_mail("hello\nFrom: a@b\nTo: c@d")  # a sentence comes first
    assert not looks_like_mail("")


# ------------------------------------------------------------------ mojibake put right

IPHONE = "IMAPアカウント“taro@example.jp”のパスワードが正しくありません。"


def windows_1252_reading(text: str) -> str:
    """How a Windows-1252 program shows UTF-8 (its five undefined bytes shown as themselves)."""
    undefined = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    return "".join(chr(b) if b in undefined else bytes([b]).decode("cp1252") for b in text.encode())


@pytest.mark.parametrize(
    ("garbled", "meant"),
    [
        (windows_1252_reading(IPHONE), IPHONE),
        (IPHONE.encode().decode("latin-1"), IPHONE),
        ("認証エラー".encode().decode("cp932"), "認証エラー"),
        ("メールを送信できません".encode().decode("cp932"), "メールを送信できません"),
    ],
)
def test_mojibake_that_can_be_read_back_is(garbled: str, meant: str) -> None:
    assert repaired_mojibake(garbled) == meant


@pytest.mark.parametrize(
    "text",
    [
        IPHONE,
        "hello",
        "café",
        "Ã©té",
        "サーバー",
        "サーバーに接続できません".encode().decode("cp932", "replace"),
        "",
    ],
)
def test_text_that_is_not_mojibake_is_left_alone(text: str) -> None:
    assert repaired_mojibake(text) is None
