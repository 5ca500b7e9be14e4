"""The book's printables: the account list and the 「メールが止まったら」 wall sheet, pure and through
`maildoctor ledger print`, in ja and en."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from maildoctor.export.sheet import PdfUnavailableError, ensure_pdf_support
from maildoctor.i18n import get_translator
from maildoctor.ledger.printables import (
    AccountLine,
    ContactLine,
    DeviceLine,
    ProviderSupport,
    WallFacts,
    device_text,
    render_accounts,
    render_wall,
)

DAY = date(2026, 12, 7)

LedgerCli = Callable[..., tuple[int, str, str]]  # the ledger_cli fixture (tests/unit/conftest.py)


def device(protocol: str = "pop3", leave: bool | None = True, days: int | None = 14) -> DeviceLine:
    return DeviceLine("事務所PC", "山田太郎", "outlook", protocol, leave, days)


@pytest.mark.parametrize(
    ("lang", "line", "expected"),
    [
        ("ja", device(), "事務所PC (山田太郎, outlook) — POP, サーバーに14日間残す"),
        ("en", device(), "事務所PC (山田太郎, outlook) — POP, leaves mail on the server for 14 days"),
        ("ja", device(days=None), "事務所PC (山田太郎, outlook) — POP, サーバーに残す"),
        ("en", device(leave=False), "事務所PC (山田太郎, outlook) — POP, removes mail from the server"),
        ("ja", device(leave=False), "事務所PC (山田太郎, outlook) — POP, サーバーから削除する"),
        ("en", device("imap", None, None), "事務所PC (山田太郎, outlook) — IMAP"),
        ("en", device(leave=None), "事務所PC (山田太郎, outlook) — POP"),  # not known: nothing claimed
    ],
)
def test_a_device_as_the_guides_write_it(lang: str, line: DeviceLine, expected: str) -> None:
    assert device_text(line, get_translator(lang)) == expected


def account(address: str = "taro@yamada.example.jp", **changes: object) -> AccountLine:
    fields: dict[str, object] = {
        "address": address,
        "person": "山田太郎",
        "provider": "さくらのレンタルサーバ",
        "incoming": "imaps://yamada.sakura.ne.jp:993",
        "outgoing": "smtp+starttls://yamada.sakura.ne.jp:587",
        "username": address,
        "password_manager": "総務の佐藤",
        "password_location": "金庫のファイル",
        "devices": (device(),),
        "last_change": date(2026, 11, 30),
    }
    fields.update(changes)
    return AccountLine(**fields)  # type: ignore[arg-type]


def cells_of(page: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>", 1)[1], re.S)
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows]


def test_the_account_list_has_one_row_per_account_with_every_column_of_the_guides() -> None:
    page = render_accounts(
        "山田商事",
        [account(), account("hanako@yamada.example.jp", devices=(), person=None)],
        get_translator("ja"),
        made_on=DAY,
        version="9.9",
    )
    assert '<html lang="ja">' in page and "<title>山田商事のメールアカウント一覧</title>" in page
    assert "作成日：2026年12月7日" in page
    rows = cells_of(page)
    assert len(rows) == 2
    first = rows[0]
    assert "taro@yamada.example.jp" in first[0] and "山田太郎" in first[0]
    assert first[1] == "さくらのレンタルサーバ"
    assert (
        "imaps://yamada.sakura.ne.jp:993" in first[2]
        and "smtp+starttls://yamada.sakura.ne.jp:587" in first[2]
    )
    assert "総務の佐藤" in first[4] and "金庫のファイル" in first[4]
    assert "サーバーに14日間残す" in first[5]
    assert first[6] == "2026/11/30"
    assert "記録なし" in rows[1][5]
    assert "パスワード" in page and "secret" not in page


def test_the_account_list_in_english_and_empty() -> None:
    page = render_accounts("Yamada", [], get_translator("en"), made_on=DAY, version="9.9")
    assert "<h1>Mail accounts of Yamada</h1>" in page
    assert "The book has no accounts for this company yet." in page
    assert "size: A4 landscape" in page


def test_typed_text_is_escaped_and_control_characters_made_visible() -> None:
    hostile = account(person="<script>alert(1)</script>", password_location="\x1b[31m赤")
    page = render_accounts('"><img src=x>', [hostile], get_translator("en"), made_on=DAY, version="1")
    assert "<script>" not in page and "<img" not in page and "\x1b" not in page
    assert "&lt;script&gt;" in page and "&quot;&gt;&lt;img src=x&gt;" in page


def facts(*contacts: ContactLine) -> WallFacts:
    support = ProviderSupport("さくらのレンタルサーバ", "https://help.sakura.ad.jp/", None)
    return WallFacts("山田商事", contacts, (support,))


SATO = ContactLine("佐藤花子", "inhouse", "総務部", "03-1234-5678", None, None)
SAKURA = ContactLine("さくら サポート", "provider", None, "0120-775-664", None, "https://help.sakura.ad.jp/")


def test_the_wall_sheet_puts_the_first_contact_in_the_box_and_the_three_checks() -> None:
    page = render_wall(facts(SATO, SAKURA), get_translator("ja"), made_on=DAY, version="1")
    assert "<h1>メールが止まったら</h1>" in page
    box = page.split('<div class="first">', 1)[1].split("</div>", 1)[0]
    assert "佐藤花子" in box and "03-1234-5678" in box and "総務部（社内の担当者）" in box
    assert "さくら サポート" not in box
    checks = re.findall(r"<li>(.*?)</li>", page.split('<ol class="checks">', 1)[1].split("</ol>", 1)[0])
    assert len(checks) == 3
    assert "ホームページ" in checks[0] and "エラー" in checks[1] and "パスワード" in checks[2]
    then = page.split("連絡がつかないとき", 1)[1]
    assert "さくら サポート" in then and "0120-775-664" in then
    assert "メール会社のサポート" in page and "https://help.sakura.ad.jp/" in page
    assert "size: A4 portrait" in page


def test_the_wall_sheet_without_contacts_says_how_to_add_one() -> None:
    page = render_wall(facts(), get_translator("en"), made_on=DAY, version="1")
    assert "No contact is in the book yet." in page and "maildoctor ledger contact add" in page
    assert "If they cannot be reached" not in page


# ------------------------------------------------------------------ through the command line


@pytest.fixture
def book(tmp_path: Path, ledger_cli: LedgerCli) -> Path:
    path = tmp_path / "book.sqlite3"
    steps = [
        ("init",),
        ("company", "add", "yamada", "山田商事", "--provider", "sakura"),
        ("person", "add", "山田太郎"),
        ("account", "add", "taro@yamada.example.jp", "--person", "山田太郎", "--password-manager", "佐藤"),
        ("device", "add", "山田のiPhone", "--account", "taro@yamada.example.jp", "--kind", "iphone",
         "--protocol", "imap"),
        ("contact", "add", "さくら", "--role", "provider", "--order", "2", "--phone", "0120-775-664"),
        ("contact", "add", "佐藤花子", "--role", "inhouse", "--order", "1", "--phone", "03-1234-5678"),
    ]  # fmt: skip
    for step in steps:
        assert ledger_cli(path, *step)[0] == 0, step
    return path


def test_print_accounts_on_standard_output(ledger_cli: LedgerCli, book: Path) -> None:
    code, out, _ = ledger_cli(book, "print", "accounts", "--lang", "ja")
    assert code == 0
    assert out.startswith("<!DOCTYPE html>") and "山田のiPhone (iphone) — IMAP" in out
    assert "さくらのレンタルサーバ" in out  # the provider's name from maildoctor's data, in Japanese


def test_print_wall_to_an_html_file_calls_priority_one_first(
    ledger_cli: LedgerCli, book: Path, tmp_path: Path
) -> None:
    target = tmp_path / "wall.html"
    code, out, err = ledger_cli(book, "print", "wall", "--output", str(target), "--lang", "en")
    assert code == 0 and out == "" and "Saved to" in err
    box = target.read_text(encoding="utf-8").split('<div class="first">', 1)[1].split("</div>", 1)[0]
    assert "佐藤花子" in box and "03-1234-5678" in box


def test_print_for_an_unknown_company_is_a_usage_error(ledger_cli: LedgerCli, book: Path) -> None:
    code, out, err = ledger_cli(book, "print", "wall", "--company", "nope", "--lang", "ja")
    assert code == 2 and out == "" and "nope" in err


def test_print_wall_as_pdf(ledger_cli: LedgerCli, book: Path, tmp_path: Path) -> None:
    try:
        ensure_pdf_support()
    except PdfUnavailableError:
        pytest.skip("WeasyPrint or Pango is not installed here")
    target = tmp_path / "メールが止まったら.pdf"
    code, _, err = ledger_cli(book, "print", "wall", "-o", str(target), "--lang", "ja")
    if code == 3 and "日本語" in err:
        pytest.skip("no Japanese font here")
    assert code == 0 and target.read_bytes().startswith(b"%PDF-")


def test_print_pdf_without_the_extra_names_the_install_command(
    ledger_cli: LedgerCli, book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)
    monkeypatch.setattr("maildoctor.export.fonts.fonts_for", lambda language: ("IPAexGothic",))
    target = tmp_path / "wall.pdf"
    code, _, err = ledger_cli(book, "print", "wall", "-o", str(target), "--lang", "en")
    assert code == 3 and not target.exists()
    assert "pip install 'maildoctor[pdf]'" in err


def test_print_pdf_without_a_japanese_font_writes_nothing_and_says_how_to_get_one(
    ledger_cli: LedgerCli, book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("maildoctor.export.fonts.fonts_for", lambda language: ())
    target = tmp_path / "wall.pdf"
    code, out, err = ledger_cli(book, "print", "wall", "-o", str(target), "--lang", "ja")
    assert code == 3 and out == "" and not target.exists()
    assert "日本語のフォント" in err and "sudo apt install fonts-ipafont-gothic" in err
