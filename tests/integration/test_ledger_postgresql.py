"""The book on a real PostgreSQL (Debian's, started here as the `postgres` user on 127.0.0.1):
migrations up and down, the append-only triggers, the book's operations, the CLI by --db URL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from conftest import lab_unavailable
from maildoctor.ledger.book import Book
from maildoctor.ledger.records import ACCOUNTS, COMPANIES, PEOPLE
from maildoctor.ledger.schema import Base
from maildoctor.ledger.store import downgrade, make_engine, open_book, transaction, upgrade
from maildoctor_lab.common import free_ports

pytestmark = pytest.mark.lab
PROVIDERS = frozenset({"sakura"})


@pytest.fixture(scope="module")
def postgresql() -> Iterator[str]:
    """A throw-away cluster; the URL of its `postgres` database for the role `maildoctor`."""
    # Debian keeps the server's programs out of PATH, in /usr/lib/postgresql/<version>/bin
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    search = os.pathsep.join([*(str(p) for p in reversed(debian)), os.environ.get("PATH", "")])
    initdb = shutil.which("initdb", path=search)
    pg_ctl = shutil.which("pg_ctl", path=search)
    if initdb is None or pg_ctl is None or shutil.which("runuser") is None:
        lab_unavailable("PostgreSQL (initdb, pg_ctl) is not installed")
    if os.geteuid() != 0:
        lab_unavailable("starting PostgreSQL as its own user needs root")
    folder = Path(tempfile.mkdtemp(prefix="maildoctor-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = free_ports(1)[0]
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_postgres, initdb, "-D", str(data), "-A", "trust", "-U", "maildoctor", "-E", "UTF8"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    subprocess.run(
        [*as_postgres, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        yield f"postgresql+psycopg://maildoctor@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_migrations_up_and_down_on_postgresql(postgresql: str) -> None:
    engine = make_engine(postgresql)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            triggers = connection.execute(
                text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            ).scalars()
            assert set(triggers) == {"changes_append_only"}
        downgrade(engine)
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        with engine.connect() as connection:
            functions = connection.execute(
                text("SELECT count(*) FROM pg_proc WHERE proname = 'changes_append_only'")
            )
            assert functions.scalar() == 0
        upgrade(engine)
    finally:
        downgrade(engine)
        engine.dispose()


def test_the_book_and_its_append_only_log_on_postgresql(postgresql: str) -> None:
    engine = open_book(postgresql, create=True)
    try:
        with transaction(engine) as session:
            book = Book(session, "田中", providers=PROVIDERS)
            company = book.add(COMPANIES, None, {"code": "yamada", "name": "山田商事"})
            book.add(PEOPLE, company, {"name": "山田太郎"})
            book.add(
                ACCOUNTS, company, {"address": "taro@example.jp", "person": "山田太郎", "provider": "sakura"}
            )
        with transaction(engine) as session:
            book = Book(session, "鈴木", note="移行", providers=PROVIDERS)
            changes = book.edit(
                ACCOUNTS, book.company(None), "taro@example.jp", {"address": "t.yamada@example.jp"}
            )
            assert [(c.field, c.old, c.new) for c in changes] == [
                ("address", "taro@example.jp", "t.yamada@example.jp")
            ]
        with transaction(engine) as session:
            book = Book(session, "x", providers=PROVIDERS)
            log = book.history(book.company(None), account="t.yamada@example.jp")
            assert log[0].field is None and log[-1].note == "移行"
        for statement in ("UPDATE changes SET actor = 'x'", "DELETE FROM changes", "TRUNCATE changes"):
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        downgrade(engine)
        engine.dispose()


def test_the_cli_on_a_shared_desk(postgresql: str, tmp_path: Path) -> None:
    """`--db URL`: the same commands on PostgreSQL; backup says to use the database's own tools."""
    command = [sys.executable, "-m", "maildoctor", "ledger"]
    env = {**os.environ, "LANG": "ja_JP.UTF-8", "MAILDOCTOR_LEDGER_URL": postgresql}

    def ledger(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args], capture_output=True, text=True, env=env, timeout=120, check=False
        )

    try:
        for args in (
            ("init",),
            ("company", "add", "yamada", "山田商事"),
            ("account", "add", "taro@example.jp"),
        ):
            done = ledger(*args)
            assert done.returncode == 0, done.stderr
        listing = ledger("account", "list", "--json")
        assert '"taro@example.jp"' in listing.stdout
        backup = ledger("backup", str(tmp_path / "copy.sqlite3"))
        assert backup.returncode == 3 and "pg_dump" in backup.stderr
    finally:
        engine = make_engine(postgresql)
        downgrade(engine)
        engine.dispose()


def test_check_day_runs_on_postgresql(postgresql: str) -> None:
    """The check day's tables (migration 0002) on PostgreSQL: a run recorded item by item, an item
    kept once, read back as the report's input."""
    from maildoctor.checkup import runs
    from maildoctor.checkup.model import ItemKind, Outcome, RecordedFinding, RecordedItem

    engine = open_book(postgresql, create=True)
    try:
        with transaction(engine) as session:
            company = Book(session, "田中", providers=PROVIDERS).add(
                COMPANIES, None, {"code": "acme", "name": "ア"}
            )
            company_id = company.id
        run_id, done = runs.start(engine, company_id)
        assert done == set()
        found = RecordedFinding(
            "AUTH_FAILED", "taro@example.jp", "mail.example.jp", "error", (("host", "mail"),)
        )
        item = RecordedItem(ItemKind.ACCOUNT, "taro@example.jp", Outcome.CHECKED, (found,), facts={"x": "1"})
        assert runs.record(engine, run_id, item)
        assert not runs.record(engine, run_id, item)  # kept once
        runs.finish(engine, run_id)
        [recorded] = runs.recorded_runs(engine, company_id)
        assert recorded.finished and recorded.items == (item,)
    finally:
        downgrade(engine)
        engine.dispose()
