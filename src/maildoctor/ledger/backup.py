"""A copy of a SQLite book made with SQLite's own backup API: consistent even while another
program writes to the book."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from maildoctor.i18n import N_
from maildoctor.ledger.errors import LedgerError, ProblemKind


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the book at `source` to a new file `target`; returns the size of the copy in bytes."""
    if target.exists():
        raise LedgerError(N_("{file} exists already: give the name of a new file."), file=target)
    try:
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as book,
            closing(sqlite3.connect(target)) as copy,
        ):
            book.backup(copy)
    except sqlite3.Error as error:
        target.unlink(missing_ok=True)
        raise LedgerError(
            N_("The book could not be copied to {file}: {reason}"),
            ProblemKind.NOT_RUN,
            file=target,
            reason=error,
        ) from error
    return target.stat().st_size
