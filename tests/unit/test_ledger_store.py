"""The book on real SQLite: migrations up and down, the append-only log, changes and history, backup."""

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, inspect, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from maildoctor.ledger.backup import backup_sqlite
from maildoctor.ledger.book import Book
from maildoctor.ledger.errors import LedgerError, ProblemKind
from maildoctor.ledger.location import ENV_VARIABLE, ledger_url, sqlite_path, sqlite_url
from maildoctor.ledger.records import ACCOUNTS, COMPANIES, DEVICES, PEOPLE, shown
from maildoctor.ledger.schema import Base, Change
from maildoctor.ledger.store import AppendOnlyError, downgrade, make_engine, open_book, transaction, upgrade

PROVIDERS = frozenset({"sakura", "xserver"})
BOOK_TABLES = {"companies", "people", "accounts", "devices", "domains", "contacts", "changes"}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_book(sqlite_url(tmp_path / "book.sqlite3"), create=True)
    yield engine
    engine.dispose()


def in_one_transaction(engine: Engine, work: Callable[[Session], object]) -> None:
    with transaction(engine) as session:
        work(session)


def seeded(engine: Engine) -> None:
    with transaction(engine) as session:
        book = Book(session, "田中", providers=PROVIDERS)
        company = book.add(COMPANIES, None, {"code": "yamada", "name": "山田商事"})
        book.add(PEOPLE, company, {"name": "山田太郎"})
        book.add(
            ACCOUNTS,
            company,
            {
                "address": "taro@example.jp",
                "person": "山田太郎",
                "provider": "sakura",
                "incoming": "imaps://imap.example.jp",
            },
        )
        book.add(
            DEVICES,
            company,
            {"name": "太郎のiPhone", "account": "taro@example.jp", "kind": "iphone", "protocol": "pop"},
        )


# ------------------------------------------------------------------ migrations


def test_migrations_up_to_head_match_the_models_and_back_to_base(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "m.sqlite3"))
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= BOOK_TABLES
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        triggers = {
            row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
        }
    assert differences == []  # the migrations build exactly the tables the models describe
    assert triggers == {"changes_no_update", "changes_no_delete"}
    downgrade(engine)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM sqlite_master WHERE type='trigger'")).scalar() == 0
        )
    upgrade(engine)  # and up again from base
    assert set(inspect(engine).get_table_names()) >= BOOK_TABLES
    engine.dispose()


def test_a_missing_book_is_not_created_by_accident(tmp_path: Path) -> None:
    path = tmp_path / "typo.sqlite3"
    with pytest.raises(LedgerError) as raised:
        open_book(sqlite_url(path))
    assert raised.value.kind is ProblemKind.NOT_RUN
    assert not path.exists()


def test_a_database_that_is_not_a_book_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE t (x)")
    with pytest.raises(LedgerError, match="not a maildoctor book") as raised:
        open_book(sqlite_url(path))
    assert raised.value.kind is ProblemKind.NOT_RUN


def test_where_the_book_is(tmp_path: Path) -> None:
    assert ledger_url(None, {}, tmp_path) == f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    assert ledger_url(None, {ENV_VARIABLE: "postgresql+psycopg://desk/book"}, tmp_path).startswith(
        "postgresql"
    )
    assert ledger_url("other.sqlite3", {ENV_VARIABLE: "postgresql://x/y"}, tmp_path).endswith(
        "/other.sqlite3"
    )
    assert sqlite_path("sqlite:////tmp/a.sqlite3") == Path("/tmp/a.sqlite3")
    assert sqlite_path("postgresql://desk/book") is None
    assert sqlite_path("sqlite://") is None


# ------------------------------------------------------------------ the append-only log


def _rewrite_entry(session: Session) -> None:
    entry = session.get(Change, 1)
    assert entry is not None
    entry.new = "rewritten"


def _remove_entry(session: Session) -> None:
    session.delete(session.get(Change, 1))


def _bulk_update(session: Session) -> None:
    session.execute(update(Change).values(actor="someone else"))


def _bulk_delete(session: Session) -> None:
    session.execute(delete(Change))


@pytest.mark.parametrize("rewrite", [_rewrite_entry, _remove_entry, _bulk_update, _bulk_delete])
def test_the_log_refuses_changes_in_code(engine: Engine, rewrite: Callable[[Session], None]) -> None:
    seeded(engine)
    with pytest.raises(AppendOnlyError):
        in_one_transaction(engine, rewrite)
    with transaction(engine) as session:
        assert session.get(Change, 1) is not None and session.get(Change, 1).actor == "田中"  # type: ignore[union-attr]


def test_the_database_refuses_changes_to_the_log(engine: Engine) -> None:
    seeded(engine)
    for statement in ("UPDATE changes SET actor = 'x'", "DELETE FROM changes"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM changes WHERE actor = '田中'")).scalar() > 0


# ------------------------------------------------------------------ changes and history


def test_an_edit_logs_each_field_old_to_new_in_one_batch(engine: Engine) -> None:
    seeded(engine)
    with transaction(engine) as session:
        book = Book(session, "鈴木", note="プロバイダー変更", providers=PROVIDERS)
        company = book.company(None)
        changes = book.edit(
            ACCOUNTS,
            company,
            "taro@example.jp",
            {"incoming": "pop3s://pop.example.jp", "provider": "xserver"},
        )
        assert [(c.field, c.old, c.new) for c in changes] == [
            ("provider", "sakura", "xserver"),
            ("incoming", "imaps://imap.example.jp:993", "pop3s://pop.example.jp:995"),
        ]
        assert book.edit(ACCOUNTS, company, "taro@example.jp", {"provider": "xserver"}) == ()  # nothing new
    with transaction(engine) as session:
        book = Book(session, "x", providers=PROVIDERS)
        log = book.history(book.company(None), account="taro@example.jp")
    assert log[0].field is None and log[0].new == "taro@example.jp"  # created
    edits = [entry for entry in log if entry.actor == "鈴木"]
    assert len(edits) == 2 and len({entry.batch for entry in edits}) == 1
    assert {entry.note for entry in edits} == {"プロバイダー変更"}
    assert edits[0].batch != log[0].batch


def test_history_follows_a_changed_address_and_a_person(engine: Engine) -> None:
    seeded(engine)
    with transaction(engine) as session:
        book = Book(session, "鈴木", providers=PROVIDERS)
        company = book.company(None)
        book.add(PEOPLE, company, {"name": "佐藤花子"})
        book.edit(
            ACCOUNTS, company, "taro@example.jp", {"address": "t.yamada@example.jp", "person": "佐藤花子"}
        )
    with transaction(engine) as session:
        book = Book(session, "x", providers=PROVIDERS)
        company = book.company(None)
        account_log = book.history(company, account="t.yamada@example.jp")
        person_log = book.history(company, person="佐藤花子")
        all_log = book.history(company)
    assert any(entry.field is None and entry.new == "taro@example.jp" for entry in account_log)
    assert any(entry.field == "address" and entry.new == "t.yamada@example.jp" for entry in account_log)
    assert any(entry.entity == "people" for entry in person_log)
    assert any(entry.field == "person" and entry.new == "佐藤花子" for entry in person_log)
    assert len(all_log) > len(account_log)


def _with_book(engine: Engine, work: Callable[[Book], object]) -> None:
    with transaction(engine) as session:
        work(Book(session, "x", providers=PROVIDERS))


def test_refused_input_changes_nothing(engine: Engine) -> None:
    seeded(engine)
    with pytest.raises(LedgerError):
        _with_book(
            engine,
            lambda book: book.edit(ACCOUNTS, book.company(None), "taro@example.jp", {"provider": "nobody"}),
        )
    with pytest.raises(LedgerError, match="already"):
        _with_book(
            engine, lambda book: book.add(ACCOUNTS, book.company(None), {"address": "taro@example.jp"})
        )
    with pytest.raises(LedgerError, match="no person"):
        _with_book(
            engine,
            lambda book: book.add(
                ACCOUNTS, book.company(None), {"address": "jiro@example.jp", "person": "誰か"}
            ),
        )
    with transaction(engine) as session:
        book = Book(session, "x", providers=PROVIDERS)
        company = book.company(None)
        rows = [shown(ACCOUNTS, row) for row in book.rows(ACCOUNTS, company)]
        assert [row["provider"] for row in rows] == ["sakura"]
        assert len(book.history(company)) == 11  # seeded: 4 rows created, 7 fields set


def test_every_row_belongs_to_its_company(engine: Engine) -> None:
    seeded(engine)
    with transaction(engine) as session:
        book = Book(session, "x", providers=PROVIDERS)
        other = book.add(COMPANIES, None, {"code": "sato", "name": "佐藤工務店"})
        with pytest.raises(LedgerError, match="no account"):  # an account of another company
            book.add(
                DEVICES,
                other,
                {"name": "pc", "account": "taro@example.jp", "kind": "outlook", "protocol": "imap"},
            )
        with pytest.raises(LedgerError, match="several companies"):
            book.company(None)
        assert book.rows(ACCOUNTS, other) == []
        assert len(book.rows(ACCOUNTS, book.company("yamada"))) == 1


# ------------------------------------------------------------------ backup


def test_backup_through_the_sqlite_api(engine: Engine, tmp_path: Path) -> None:
    seeded(engine)
    source = sqlite_path(engine.url.render_as_string())
    assert source is not None
    copy = tmp_path / "copy.sqlite3"
    size = backup_sqlite(source, copy)
    assert size == copy.stat().st_size > 0
    with sqlite3.connect(copy) as restored:
        assert restored.execute("SELECT address FROM accounts").fetchall() == [("taro@example.jp",)]
        assert restored.execute("SELECT count(*) FROM changes").fetchone() == (11,)
    with pytest.raises(LedgerError, match="exists already"):
        backup_sqlite(source, copy)


def test_a_database_password_in_the_url_is_never_shown() -> None:
    with pytest.raises(LedgerError) as raised:
        open_book("nosuchdriver://desk:S3cret-pw@db.example.jp/book")
    assert raised.value.kind is ProblemKind.NOT_RUN
    assert "S3cret-pw" not in " ".join(raised.value.params.values())
    assert "***" in raised.value.params["url"]


def test_a_missing_database_driver_is_named() -> None:
    with pytest.raises(LedgerError, match="driver") as raised:
        open_book("postgresql+pg8000://desk@db.example.jp/book")  # a driver that is not installed
    assert raised.value.params["driver"] == "pg8000"
    assert raised.value.kind is ProblemKind.NOT_RUN
