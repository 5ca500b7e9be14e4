"""Export and import of the whole book as rows of text (the same rows for CSV and JSON), so nothing
is locked in.

An import adds the rows it does not find and edits the ones it finds (by company and key), each
change logged in one batch. Into an empty book (a restore), the exported change log is copied as it
was; into a book that has companies already, it is left out (the log of one book cannot be merged
into another's) and counted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select

from maildoctor.i18n import N_
from maildoctor.ledger import records
from maildoctor.ledger.book import Book
from maildoctor.ledger.changes import refuse_secrets
from maildoctor.ledger.errors import LedgerError
from maildoctor.ledger.records import BOOK_TABLES, CHANGES, COMPANIES, TABLES, Table
from maildoctor.ledger.schema import Change, Company

SCHEMA: Final = "maildoctor.ledger/1"
Rows = list[dict[str, str | None]]


@dataclass
class ImportSummary:
    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    history_restored: int = 0
    history_left_out: int = 0


def export_tables(book: Book, company: Company | None = None) -> dict[str, Rows]:
    """Every table of the book (of one company, if given) as rows of text, the change log last."""
    tables: dict[str, Rows] = {
        table.name: [records.shown(table, row) for row in book.rows(table, company)] for table in BOOK_TABLES
    }
    log = book.history(company)
    codes = {found.id: found.code for found in book.session.scalars(select(Company))}
    tables[CHANGES.name] = [
        {**records.shown(CHANGES, change), "company": codes.get(change.company_id)} for change in log
    ]
    return tables


def to_json(tables: Mapping[str, Rows]) -> str:
    return json.dumps({"schema": SCHEMA, "tables": tables}, ensure_ascii=False, indent=2) + "\n"


def from_json(text: str, name: str) -> dict[str, Rows]:
    """The tables of an exported JSON file; numbers and yes/no given as JSON values are taken as text."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise LedgerError(N_("{file} is not JSON: {reason}"), file=name, reason=error) from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise LedgerError(
            N_("{file} is not a book exported by maildoctor ({schema})."), file=name, schema=SCHEMA
        )
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise LedgerError(N_("{file} has no tables."), file=name)
    result: dict[str, Rows] = {}
    for table_name, rows in tables.items():
        if table_name not in TABLES or not isinstance(rows, list):
            raise LedgerError(
                N_("{file}: “{table}” is not a table of the book."), file=name, table=table_name
            )
        result[table_name] = [_json_row(row, name, table_name) for row in rows]
    return result


def _json_row(row: Any, name: str, table: str) -> dict[str, str | None]:
    if not isinstance(row, dict):
        raise LedgerError(N_("{file}: a row of {table} is not an object."), file=name, table=table)
    refuse_secrets(row)
    return {str(key): records.as_text(value) for key, value in row.items()}


def import_tables(book: Book, tables: Mapping[str, Sequence[Mapping[str, str | None]]]) -> ImportSummary:
    summary = ImportSummary()
    log = tables.get(CHANGES.name, ())
    # a restore: an empty book, and a file whose log already records how its rows came to be
    restoring = bool(log) and book.session.scalar(select(Company.id).limit(1)) is None
    book.logging = not restoring
    for table in BOOK_TABLES:
        for number, row in enumerate(tables.get(table.name, ()), start=2):  # row 1 holds the headings
            try:
                _import_row(book, table, row, summary)
            except LedgerError as error:
                error.where = (table.name, number)
                raise
    book.logging = True
    if restoring:
        for number, row in enumerate(log, start=2):
            try:
                book.session.add(_restored_change(book, row))
            except LedgerError as error:
                error.where = (CHANGES.name, number)
                raise
        summary.history_restored = len(log)
    elif log:
        summary.history_left_out = len(log)
    book.session.flush()
    return summary


def _import_row(book: Book, table: Table, row: Mapping[str, str | None], summary: ImportSummary) -> None:
    refuse_secrets(row)
    typed = {
        key: value or ""
        for key, value in row.items()
        if key != "company" and (key not in _READ_ONLY.get(table.name, ()))
    }
    company = None if table is COMPANIES else book.company(row.get("company") or None)
    key_column = table.column(table.key)
    if key_column.put is None:  # pragma: no cover -- every book table's key is typed
        raise LedgerError(N_("{table} cannot be imported."), table=table.name)
    probe = table.model()
    if company is not None:
        probe.company = company
    key_column.put(probe, typed.get(table.key, ""), book.lookup(company or probe))
    key = getattr(probe, table.key)
    if book.find(table, company, key) is None:
        book.add(table, company, {name: value for name, value in typed.items() if value})
        summary.added[table.name] = summary.added.get(table.name, 0) + 1
    elif book.edit(table, company, key, typed):
        summary.changed[table.name] = summary.changed.get(table.name, 0) + 1


_READ_ONLY: Final = {
    table.name: frozenset(column.id for column in table.columns if column.put is None)
    for table in BOOK_TABLES
}


def _restored_change(book: Book, row: Mapping[str, str | None]) -> Change:
    company = book.company(row.get("company") or None)
    at_text = row.get("at") or ""
    try:
        at = datetime.fromisoformat(at_text.replace("Z", "+00:00"))
    except ValueError:
        raise LedgerError(N_("“{value}” is not a date and time."), value=at_text) from None
    if at.tzinfo is None:
        raise LedgerError(N_("“{value}” is not a date and time."), value=at_text)
    return Change(
        company_id=company.id,
        at=at,
        actor=row.get("actor") or "?",
        batch=row.get("batch") or book.batch,
        entity=row.get("entity") or "?",
        entity_key=row.get("entity_key") or "?",
        field=row.get("field") or None,
        old=row.get("old") or None,
        new=row.get("new") or None,
        note=row.get("note") or None,
    )
