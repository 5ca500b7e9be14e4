"""The printable sheet: A4 HTML with nothing from outside, every value escaped, an empty password box,
and a PDF that really is one A4 page (looked at through pdftoppm)."""

import dataclasses
import os
import re
import shutil
import socket
import subprocess
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from maildoctor.clients.model import ClientId
from maildoctor.discover.candidates import (
    DiscoveredSettings,
    PasswordKind,
    ProviderInfo,
    ServerCandidate,
    Source,
)
from maildoctor.export.memo import build_memo
from maildoctor.export.sheet import PdfUnavailableError, ensure_pdf_support, render_sheet, sheet_to_pdf
from maildoctor.i18n import get_translator
from maildoctor.model import MailSettings, Protocol, Secret, Security, leak_forms, parse_server_url

# CI sets this: there a PDF renderer that cannot load is a failure, not a skip.
LAB_REQUIRED = os.environ.get("MAILDOCTOR_LAB_REQUIRED") == "1"
DAY = date(2026, 11, 25)

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
SMTP_465 = ServerCandidate(
    Protocol.SMTP, "smtp.example.jp", 465, Security.SSL, "taro@example.jp", source=Source.SRV, verified=True
)
PROVIDER = ProviderInfo("example", "Example ISP", password_page="https://example.jp/member/mail-password")
SETTINGS = DiscoveredSettings("taro@example.jp", PROVIDER, (IMAP, POP), (SMTP, SMTP_465))
PASSWORD = Secret("Kab3-Tsuki!pw")

# the only elements and attributes the sheet is made of: nothing that loads, runs or links out
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "strong", "span", "br", "a",
    "table", "thead", "tbody", "tr", "th", "td", "div", "section", "footer", "ol", "li",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "scope", "href"}


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def parse(document: str) -> Elements:
    parser = Elements()
    parser.feed(document)
    parser.close()
    return parser


def sheet(lang: str = "ja", *, settings: DiscoveredSettings = SETTINGS, **memo: object) -> str:
    translator = get_translator(lang)
    built = build_memo(settings.address, translator, settings=settings, **memo) if memo else None  # type: ignore[arg-type]
    return render_sheet(settings, translator, made_on=DAY, version="9.8.7", memo=built)


def test_a4_print_css_and_nothing_from_outside() -> None:
    document = sheet()
    assert document.startswith("<!DOCTYPE html>\n")
    assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:", document)
    assert '<meta charset="utf-8">' in document
    assert "default-src 'none'" in document  # a browser opening the file loads nothing either
    for outside in ("<link", "<script", "<img", "@import", "url(", "src=", "@font-face", "//fonts."):
        assert outside not in document, outside
    hrefs = [value for tag, attrs in parse(document).tags for name, value in attrs if name == "href"]
    assert hrefs == ["https://example.jp/member/mail-password"]  # the only link, to the password page
    # local fonts, Japanese ones by name, and a generic family last
    assert '"IPAexGothic"' in document and '"Noto Sans CJK JP"' in document and '"Meiryo"' in document


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_only_plain_elements(lang: str) -> None:
    for tag, attrs in parse(sheet(lang, client="iphone", error_text="<b>x</b>")).tags:
        assert tag in ALLOWED_TAGS, tag
        for name, _value in attrs:
            assert name in ALLOWED_ATTRIBUTES, (tag, name)


def test_japanese_sheet_uses_the_words_of_the_phone_and_outlook_screens() -> None:
    document = sheet("ja")
    assert '<html lang="ja">' in document
    for words in (
        "メール設定シート",
        "受信メールサーバ",
        "送信メールサーバ",
        "アカウントの種類",
        "ホスト名",
        "ポート",
        "SSLを使用 / 暗号化方式",
        "オン / SSL/TLS",
        "オフ / STARTTLS",
        "ユーザ名",
        "いつものアカウントのパスワード",
        "アプリ用パスワード",
        "プロバイダーが公開している設定",
        "今回つながることを確認済み",
        "未確認",
        "パスワードの確認・変更ページ",
        "ほかの候補",
        "作成日：2026年11月25日",
        "maildoctor 9.8.7",
    ):
        assert words in document, words
    texts = parse(document).texts
    assert "imap.example.jp" in texts and "993" in texts and "smtp.example.jp" in texts and "587" in texts


def test_english_sheet() -> None:
    document = sheet("en")
    assert '<html lang="en">' in document
    for words in (
        "Email settings sheet",
        "Incoming mail server",
        "Outgoing mail server",
        "Host name",
        "User name",
        "On / SSL/TLS",
        "An app password",
        "Where to get or change the password",
        "Other possibilities",
        "Made on November 25, 2026",
        "maildoctor 9.8.7",
    ):
        assert words in document, words
    assert not re.search(r"[\u3040-\u30ff]", document)  # no kana: nothing left in Japanese


def test_the_password_box_is_empty_for_handwriting() -> None:
    for lang, label in (("ja", "パスワード："), ("en", "Password:")):
        document = sheet(lang)
        box = re.search(r'<div class="password-box">(.*?)</div>', document, re.DOTALL)
        assert box is not None
        assert f'<th scope="row">{label}</th><td class="blank"></td>' in box.group(1)
        assert "blank" in document.split("<style>")[1]  # styled as a line to write on


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_password_anywhere_even_when_one_is_at_hand(lang: str) -> None:
    password = PASSWORD.reveal()
    document = sheet(
        lang,
        error_text=f"535 auth failed for taro:{password}",
        typed=MailSettings(parse_server_url("imaps://imap.example.jp"), None, "taro"),
        redact=PASSWORD,
    )
    for form in leak_forms(PASSWORD, ("taro", "taro@example.jp")):
        assert form not in document
    assert "535 auth failed for taro:" + Secret.MASK in document


def test_hostile_names_are_escaped() -> None:
    evil_host = "<script>alert(1)</script>.example.jp"
    evil_user = '"><img src=x onerror=alert(1)>'
    evil = ServerCandidate(Protocol.IMAP, evil_host, 993, Security.SSL, evil_user)
    alternative = dataclasses.replace(evil, host="x.jp\x1b[2J", certificate_host="<b>sv1.example.net</b>")
    settings = DiscoveredSettings(
        "taro@example.jp",
        ProviderInfo("evil", "Evil & <b>Co</b> \"'", password_page='javascript:alert("x")'),
        (evil, alternative),
        (dataclasses.replace(SMTP, host="</td></tr></table><h1>fake</h1>"),),
    )
    document = sheet("en", settings=settings, client="<i>phone</i>", error_text="</div><script>x</script>")
    for raw in ("<script", "<img", "<b>", "<i>", "<h1>fake", "</table><h1>", 'javascript:alert("x")'):
        assert raw not in document, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.example.jp" in document
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in document
    assert "Evil &amp; &lt;b&gt;Co&lt;/b&gt; &quot;&#x27;" in document
    assert "x.jp\\x1b[2J" in document and "\x1b" not in document
    assert "&lt;b&gt;sv1.example.net&lt;/b&gt;" in document  # the certificate note, escaped too
    # a password page that is no web address is shown as text, never as a link
    assert "javascript:alert(&quot;x&quot;)" in document
    assert not [attrs for tag, attrs in parse(document).tags if tag == "a"]
    assert [tag for tag, _ in parse(document).tags].count("h1") == 1


def test_alternatives_only_when_there_are_some() -> None:
    alone = DiscoveredSettings("taro@example.jp", None, (IMAP,), (SMTP,))
    document = sheet("ja", settings=alone)
    assert "ほかの候補" not in document and 'class="small"' not in document
    assert "プロバイダー：不明" in document
    assert "ほかの候補" in sheet("ja")


def test_a_missing_side_says_not_found() -> None:
    document = sheet("ja", settings=DiscoveredSettings("taro@example.jp", None, (IMAP,), ()))
    assert '<td class="v"><span class="missing">見つかりませんでした</span></td>' in document


def test_the_memo_becomes_a_section_on_its_own_page() -> None:
    document = sheet("ja", client="iphone", error_text="エラー 0x800CCC0E\n2行目")
    assert '<section class="memo">' in document
    assert "section.memo {{" not in document and re.search(
        r"section\.memo \{ break-before: page; \}", document
    )
    assert "サポート窓口に問い合わせる前のメモ" in document
    assert '<div class="verbatim">エラー 0x800CCC0E\n2行目</div>' in document
    assert "パスワードは、わざとこのメモに書いていません。" in document
    assert '<section class="memo">' not in sheet("ja")


def test_the_sheet_depends_only_on_what_it_is_given() -> None:
    assert sheet("ja") == sheet("ja")
    assert sheet("ja") != sheet("en")


# ------------------------------------------------------------------ the PDF


def renderer_or_skip() -> None:
    try:
        ensure_pdf_support()
    except PdfUnavailableError as exc:
        if LAB_REQUIRED:
            pytest.fail(f"WeasyPrint is required but cannot load: {exc.reason}")
        pytest.skip(f"WeasyPrint cannot load: {exc.reason}")
    for tool in ("pdfinfo", "pdftoppm", "pdffonts"):
        if shutil.which(tool) is None:
            if LAB_REQUIRED:
                pytest.fail(f"{tool} (poppler-utils) is required but missing")
            pytest.skip(f"{tool} (poppler-utils) is missing")


def pdf_info(path: Path) -> dict[str, str]:
    output = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in output.splitlines())
    }


def dark_share(pgm: bytes) -> float:
    """The share of pixels darker than mid-grey in a binary PGM (P5) image."""
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    assert header is not None
    pixels = pgm[header.end() :]
    return sum(1 for value in pixels if value < 128) / len(pixels)


@pytest.mark.parametrize(
    ("lang", "with_memo", "pages"), [("ja", False, 1), ("en", False, 1), ("ja", True, 2)]
)
def test_the_pdf_is_a4_and_looks_like_a_sheet(tmp_path: Path, lang: str, with_memo: bool, pages: int) -> None:
    renderer_or_skip()
    document = sheet(lang, client="iphone", error_text="サーバに接続できません") if with_memo else sheet(lang)
    started = time.perf_counter()
    pdf = sheet_to_pdf(document)
    elapsed = time.perf_counter() - started
    assert pdf.startswith(b"%PDF-")
    assert elapsed < 30, f"rendering took {elapsed:.1f} s"
    path = tmp_path / f"sheet-{lang}.pdf"
    path.write_bytes(pdf)

    info = pdf_info(path)
    assert info["Pages"] == str(pages)
    assert info["Page size"].startswith("595.2") and "841.8" in info["Page size"], info["Page size"]
    assert "(A4)" in info["Page size"]

    # a real Japanese font is embedded (not boxes in place of the characters)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    if lang == "ja":
        assert re.search(r"IPA|Noto\S*CJK|Gothic", fonts), fonts

    # and the page has something on it: pdftoppm makes the PNG a person looks at
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    width, height = (
        int.from_bytes(png.read_bytes()[16:20], "big"),
        int.from_bytes(png.read_bytes()[20:24], "big"),
    )
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", str(path), str(tmp_path / "grey")], check=True
    )
    share = dark_share(next(tmp_path.glob("grey*.pgm")).read_bytes())
    assert 0.01 < share < 0.25, share  # text and table lines, on a mostly white page


def test_rendering_the_pdf_fetches_nothing() -> None:
    renderer_or_skip()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.2)
        port = listener.getsockname()[1]
        html = (
            f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">'
            f"<style>@import url(http://127.0.0.1:{port}/b.css);</style></head>"
            f'<body><img src="http://127.0.0.1:{port}/c.png"><img src="file:///etc/hostname">x</body></html>'
        )
        assert sheet_to_pdf(html).startswith(b"%PDF-")
        with pytest.raises(TimeoutError):
            listener.accept()


@pytest.mark.parametrize(
    ("client", "words"), [(ClientId.IPHONE, "サーバポート"), (ClientId.THUNDERBIRD, "接続の保護")]
)
def test_with_a_mail_program_each_value_comes_with_its_field(client: ClientId, words: str) -> None:
    document = render_sheet(SETTINGS, get_translator("ja"), made_on=DAY, version="9.8.7", client=client)
    elements = parse(document)
    assert {tag for tag, _ in elements.tags} <= ALLOWED_TAGS
    section = document[document.index('<section class="client">') :]
    for server in (*SETTINGS.incoming[:1], *SETTINGS.outgoing[:1]):
        assert f"{server.host}" in section and f": {server.port}" in section
    assert words in section
    assert "{" not in section


def test_without_a_mail_program_there_is_no_such_section() -> None:
    assert 'class="client"' not in sheet("ja")
