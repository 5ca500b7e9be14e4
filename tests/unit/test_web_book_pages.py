"""The accounts book in the browser: behind the login, the same columns and labels as the ledger's
list and CSV, a person's retirement checklist, the check-day history and its "what changed" report;
Japanese first, hostile text escaped, no inline script or style."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("argon2")

from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from maildoctor.checkup import runs
from maildoctor.checkup.model import ItemKind, LoginMode, Outcome, RecordedFinding, RecordedItem
from maildoctor.i18n import get_translator
from maildoctor.ledger.book import Book
from maildoctor.ledger.changes import FieldChange
from maildoctor.ledger.location import sqlite_url
from maildoctor.ledger.records import ACCOUNTS, BOOK_TABLES, COMPANIES, PEOPLE, Table
from maildoctor.ledger.retirement import ENTITY
from maildoctor.ledger.store import open_book, transaction
from maildoctor.web.app import create_app
from maildoctor.web.config import WebConfig
from maildoctor.web.users import Role, add_user

HOSTILE = "<script>alert(1)</script>"
PASSWORD = "viewer password 1"


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Engine]:
    engine = open_book(sqlite_url(tmp_path / "book.sqlite3"), create=True)
    add_user(engine, "viewer", PASSWORD, Role.VIEWER)
    with transaction(engine) as session:
        ledger = Book(session, "test", providers=frozenset())
        company = ledger.add(COMPANIES, None, {"code": "acme", "name": "株式会社アクメ"})
        ledger.add(PEOPLE, company, {"name": "田中 太郎", "note": HOSTILE})
        ledger.add(PEOPLE, company, {"name": "A&B <x>"})
        ledger.add(ACCOUNTS, company, {"address": "taro@example.jp", "person": "田中 太郎"})
        ledger.record(company, ENTITY, "田中 太郎", [FieldChange("forward_to", None, "hanako@example.jp")])
        company_id = company.id
    for day in range(2):
        run_id, _done = runs.start(engine, company_id)
        found = (
            ()
            if day == 0
            else (RecordedFinding("AUTH_FAILED", "taro@example.jp", "mail.example.jp", "error", ()),)
        )
        item = RecordedItem(
            ItemKind.ACCOUNT, "taro@example.jp", Outcome.CHECKED, found, login=LoginMode.LOGGED_IN
        )
        runs.record(engine, run_id, item)
        runs.finish(engine, run_id)
    yield engine
    engine.dispose()


@pytest.fixture
def web(book: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(WebConfig(allowed_hosts=("testserver",)), book)) as client:
        page = client.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found is not None
        client.post("/login", data={"csrf_token": found.group(1), "name": "viewer", "password": PASSWORD})
        yield client


def assert_clean(html: str) -> None:
    assert "<script>alert" not in html and "<x>" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script"
    assert " style=" not in html and "<style" not in html and " on" not in re.sub(r">[^<]*<", "><", html)


def test_the_book_is_behind_the_login(book: Engine) -> None:
    with TestClient(create_app(WebConfig(allowed_hosts=("testserver",)), book)) as client:
        for path in (
            "/ledger",
            "/ledger/accounts",
            "/ledger/checkups",
            "/ledger/checkups/1",
            "/ledger/retirement",
        ):
            assert client.get(path, follow_redirects=False).status_code == 303, path


@pytest.mark.parametrize("table", BOOK_TABLES, ids=lambda table: table.name)
def test_each_table_has_the_ledgers_labels_in_japanese(web: TestClient, table: Table) -> None:
    page = web.get(f"/ledger/{table.name}", headers={"accept-language": "ja"})
    assert page.status_code == 200
    ja = get_translator("ja").gettext
    headings = re.findall(r'<th scope="col">([^<]*)</th>', page.text)
    assert headings[: len(table.columns)] == [ja(column.label) for column in table.columns]
    assert_clean(page.text)


def test_rows_are_shown_and_escaped(web: TestClient) -> None:
    people = web.get("/ledger/people", headers={"accept-language": "ja"}).text
    assert "田中 太郎" in people and "&lt;script&gt;alert(1)&lt;/script&gt;" in people
    assert "A&amp;B &lt;x&gt;" in people
    assert "/ledger/retirement?company=acme&amp;person=A%26B%20%3Cx%3E" in people
    accounts = web.get("/ledger/accounts").text
    assert "taro@example.jp" in accounts
    assert_clean(people)


def test_the_retirement_checklist_is_shown(web: TestClient) -> None:
    page = web.get(
        "/ledger/retirement",
        params={"company": "acme", "person": "田中 太郎"},
        headers={"accept-language": "ja"},
    )
    assert page.status_code == 200
    ja = get_translator("ja").gettext
    assert (
        ja("Forward the mail to someone") in page.text
        and ja("done") in page.text
        and ja("to do") in page.text
    )
    assert "hanako@example.jp" in page.text and "taro@example.jp" in page.text
    assert web.get("/ledger/retirement", params={"company": "acme", "person": "nobody"}).status_code == 404


def test_the_check_day_history_and_what_changed(web: TestClient) -> None:
    history = web.get("/ledger/checkups", headers={"accept-language": "en"})
    assert history.status_code == 200 and history.text.count("/ledger/checkups/") == 2
    last = web.get("/ledger/checkups/last", params={"company": "acme"}, headers={"accept-language": "en"})
    assert last.status_code == 200
    assert "taro@example.jp" in last.text and "acme" in last.text
    first = web.get("/ledger/checkups/1", headers={"accept-language": "en"})
    assert first.status_code == 200 and first.text != last.text
    assert web.get("/ledger/checkups/99").status_code == 404
    assert web.get("/ledger/checkups/last", params={"company": "nope"}).status_code == 404
    assert_clean(last.text)


def test_the_index_in_japanese_links_every_list(web: TestClient) -> None:
    page = web.get("/ledger", headers={"accept-language": "ja"})
    assert page.status_code == 200 and '<html lang="ja">' in page.text
    for table in BOOK_TABLES:
        assert f'href="/ledger/{table.name}"' in page.text
    assert "株式会社アクメ" in page.text
    assert web.get("/ledger/nothing").status_code == 404


def test_without_a_book_the_page_says_how_to_start_one() -> None:
    with TestClient(create_app(WebConfig(allowed_hosts=("testserver",)), None)) as client:
        assert client.get("/ledger", follow_redirects=False).status_code == 303  # nobody can sign in
