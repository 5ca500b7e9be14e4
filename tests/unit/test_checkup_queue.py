"""The task queue's pure parts and its refusals: the libpq address from the book's URL, the advisory
lock keys, and `--queue`/`--worker` refused plainly on a book that is not PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_checkup_send import checkup_cli

from maildoctor.checkup import queue


def test_the_queue_reaches_the_books_postgresql() -> None:
    assert queue.conninfo("postgresql+psycopg://desk:pw@127.0.0.1:5432/book") == (
        "postgresql://desk:pw@127.0.0.1:5432/book"
    )
    with pytest.raises(ValueError, match="PostgreSQL"):
        queue.conninfo("sqlite:////tmp/book.sqlite3")


def test_lock_keys_are_int4_and_tell_servers_and_users_apart() -> None:
    keys = [("127.0.0.11", ""), ("127.0.0.11", "u01"), ("127.0.0.12", "")]
    numbers = [queue._key_number(key) for key in keys]
    assert len(set(numbers)) == 3
    assert all(-(2**31) <= number < 2**31 for number in numbers)
    assert numbers[0] == queue._key_number(("127.0.0.11", ""))  # the same in every worker


@pytest.mark.parametrize("flag", ["--queue", "--worker"])
def test_the_queue_needs_a_postgresql_book(
    tmp_path: Path, flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAILDOCTOR_LEDGER_URL", raising=False)
    code, out, err = checkup_cli(tmp_path / "book.sqlite3", flag)
    assert code == 2 and out == ""
    assert "PostgreSQL" in err and "--db postgresql+psycopg://" in " ".join(err.split())
