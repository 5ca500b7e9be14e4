"""What the `ledger` commands do once their options are read: open the book, do one thing in one
transaction, then show the result (Rich for people, JSON for programs).

Imported only inside the `ledger` commands, so SQLAlchemy is never loaded for `check`.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable
from sqlalchemy.exc import SQLAlchemyError

from maildoctor.display import say, show
from maildoctor.i18n import N_, Translator
from maildoctor.ledger import csvtext, retirement, transfer
from maildoctor.ledger.backup import backup_sqlite
from maildoctor.ledger.book import Book
from maildoctor.ledger.changes import FieldChange
from maildoctor.ledger.errors import LedgerError, ProblemKind
from maildoctor.ledger.location import ledger_url, sqlite_path
from maildoctor.ledger.records import ACCOUNTS, CHANGES, COMPANIES, DEVICES, TABLES, Table, field_label, shown
from maildoctor.ledger.store import open_book, transaction

ACTOR_VARIABLE: Final = "MAILDOCTOR_LEDGER_ACTOR"
OK, USAGE, NOT_RUN = 0, 2, 3  # the exit statuses of interface.md
Shown = Callable[[], int]  # prints the result once the transaction is committed; the exit status

_ADDED: Final[Mapping[str, str]] = {
    "companies": N_("Added the company {key}."),
    "people": N_("Added the person {key}."),
    "accounts": N_("Added the account {key}."),
    "devices": N_("Added the device {key}."),
    "domains": N_("Added the domain {key}."),
    "contacts": N_("Added the contact {key}."),
}


# The columns a terminal list shows (as the guides draw the book); --json and export have them all.
_LIST_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "companies": ("code", "name", "default_provider", "default_password_manager"),
    "people": ("name", "department", "email"),
    "accounts": ("address", "person", "incoming", "outgoing", "username", "password_manager", "updated_at"),
    "devices": (
        "name",
        "person",
        "account",
        "kind",
        "protocol",
        "leave_on_server",
        "leave_days",
        "last_seen",
    ),
    "domains": ("name", "registrar", "dns_provider", "expires_on", "renewal_on"),
    "contacts": ("priority", "name", "role", "organisation", "phone"),
}


_YES_NO: Final = {"yes": N_("yes"), "no": N_("no")}
# A field named in a message, in the reader's words: the columns' labels, then the retirement's.
_FIELD_NAMES: Final[Mapping[str, str]] = {
    **{column.id: column.label for table in reversed(list(TABLES.values())) for column in table.columns},
    **retirement.FIELD_LABELS,
    "on": N_("Last working day"),
    "skip": N_("Not needed"),
    "keep_copy": N_("Copy kept"),
}
_OTHER_ENTITIES: Final = {retirement.ENTITY: N_("Retirement")}  # log entries that are not rows of a table


@dataclass(frozen=True, slots=True)
class LedgerRun:
    """The options every ledger command shares."""

    translator: Translator
    db: str | None = None
    company: str | None = None
    actor: str | None = None
    note: str | None = None
    json: bool = False

    def stdout(self) -> Console:
        return Console(highlight=False)

    def say(self, message: str, **params: object) -> None:
        say(self.stdout(), self.translator.gettext(message).format(**params))


def actor_name(given: str | None, environ: Mapping[str, str]) -> str:
    """Who is changing the book: --by, else MAILDOCTOR_LEDGER_ACTOR, else the login name."""
    if given and given.strip():
        return given.strip()
    if environ.get(ACTOR_VARIABLE, "").strip():
        return environ[ACTOR_VARIABLE].strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "?"


def run(options: LedgerRun, work: Callable[[Book], Shown], *, create: bool = False) -> int:
    """Open the book, run `work` in one transaction, show its result after the commit.

    A LedgerError is the person's input (exit 2) or a book that cannot be used (exit 3); nothing
    is written then."""
    try:
        url = ledger_url(options.db, os.environ)
        engine = open_book(url, create=create)
        try:
            with transaction(engine) as session:
                book = Book(session, actor_name(options.actor, os.environ), note=options.note)
                shown_after = work(book)
        finally:
            engine.dispose()
    except LedgerError as error:
        return refuse(options.translator, error)
    except SQLAlchemyError as error:
        return refuse(
            options.translator,
            LedgerError(
                N_("The book could not be written: {reason}"),
                ProblemKind.NOT_RUN,
                reason=error.__class__.__name__,
            ),
        )
    return shown_after()


def refuse(translator: Translator, error: LedgerError) -> int:
    _ = translator.gettext
    params = dict(error.params)
    if "field" in params:
        params["field"] = _(_FIELD_NAMES.get(params["field"], params["field"]))
    message = _(error.message).format(**params)
    if error.where is not None:
        table, row = error.where
        message = _("{table}, row {row}: {message}").format(table=table, row=row, message=message)
    console = Console(stderr=True, highlight=False)
    # a command to type goes on a line of its own, so that it can be copied whole
    found = _TRAILING_COMMAND.match(message)
    if found is None:
        say(console, message)
    else:
        say(console, found.group(1))
        console.print(show(f"  {found.group(2)}"), soft_wrap=True)
    return USAGE if error.kind is ProblemKind.USAGE else NOT_RUN


_TRAILING_COMMAND: Final = re.compile(r"^(.*[:：])\s*(maildoctor [^\n]+)$", re.S)


# ------------------------------------------------------------------ adding and editing


def add(options: LedgerRun, table: Table, typed: Mapping[str, str | None], defaults: bool = False) -> int:
    """Add one row; with `defaults`, the company's defaults fill what was not typed (accounts)."""

    def work(book: Book) -> Shown:
        company = None if table is COMPANIES else book.company(options.company)
        given = {name: value for name, value in typed.items() if value is not None}
        if defaults and company is not None:
            for name in ("provider", "incoming", "outgoing", "password_manager", "password_location"):
                default = getattr(company, f"default_{name}")
                if name not in given and default is not None:
                    given[name] = default
        row = book.add(table, company, given)
        key = getattr(row, table.key)
        return lambda: _said(options, _ADDED[table.name], key=key)

    return run(options, work)


def _said(options: LedgerRun, message: str, **params: object) -> int:
    options.say(message, **params)
    return OK


def edit(options: LedgerRun, table: Table, key: str, typed: Mapping[str, str | None]) -> int:
    def work(book: Book) -> Shown:
        company = None if table is COMPANIES else book.company(options.company)
        row_key = getattr(book.get(table, company, _key_of(book, table, company, key)), table.key)
        changes = book.edit(table, company, row_key, {n: v for n, v in typed.items() if v is not None})
        return lambda: _show_changes(options, table, row_key, changes)

    return run(options, work)


def _key_of(book: Book, table: Table, company: Any, typed_key: str) -> str:
    """The key as the book keeps it (an address folded, a code lower-cased)."""
    probe = table.model()
    column = table.column(table.key)
    assert column.put is not None
    column.put(probe, typed_key, book.lookup(company or probe))
    return str(getattr(probe, table.key))


def _show_changes(options: LedgerRun, table: Table, key: str, changes: Sequence[FieldChange]) -> int:
    _ = options.translator.gettext
    if options.json:
        document = {
            "schema": "maildoctor.ledger.changes/1",
            "key": key,
            "changes": [vars_of(c) for c in changes],
        }
        print(json.dumps(document, ensure_ascii=False))
        return OK
    if not changes:
        options.say(N_("Nothing changed: {key} already has these values."), key=key)
        return OK
    console = options.stdout()
    options.say(N_("Changed {key}:"), key=key)
    for change in changes:
        label = _(field_label(table.name, change.field))
        before = _logged_value(options.translator, change.field, change.old)
        after = _logged_value(options.translator, change.field, change.new)
        console.print(show(f"  {label}: {before} → {after}"))
    return OK


def vars_of(change: FieldChange) -> dict[str, str | None]:
    return {"field": change.field, "old": change.old, "new": change.new}


# ------------------------------------------------------------------ lists


def listing(options: LedgerRun, table: Table) -> int:
    def work(book: Book) -> Shown:
        company = book.company(options.company) if options.company else None
        rows = [shown(table, row) for row in book.rows(table, company)]
        return lambda: _show_rows(options, table, rows)

    return run(options, work)


def _show_rows(options: LedgerRun, table: Table, rows: Sequence[Mapping[str, str | None]]) -> int:
    if options.json:
        print(
            json.dumps(
                {"schema": "maildoctor.ledger.rows/1", "table": table.name, "rows": rows}, ensure_ascii=False
            )
        )
        return OK
    if not rows:
        options.say(N_("There is nothing in {table} yet."), table=table.name)
        return OK
    _ = options.translator.gettext
    several = len({row.get("company") for row in rows}) > 1
    wanted = ("company",) * several + _LIST_COLUMNS.get(table.name, ())
    columns = [table.column(column_id) for column_id in wanted]
    headings = [_(column.label) for column in columns]
    cells = [[_cell(options.translator, row, column.id) for column in columns] for row in rows]
    console = options.stdout()
    widths = [
        max(cell_len(text) for text in (heading, *column))
        for heading, column in zip(headings, zip(*cells, strict=True), strict=True)
    ]
    if sum(widths) + 3 * len(widths) <= console.width:
        grid = RichTable(highlight=False, box=box.SIMPLE_HEAD, pad_edge=False)
        for heading in headings:
            grid.add_column(heading, overflow="fold")
        for row_cells in cells:
            grid.add_row(*(show(text) for text in row_cells))
        console.print(grid)
        return OK
    for row_cells in cells:  # too wide for a table: one block per row, a line per column
        console.print(_key_values(zip(headings, row_cells, strict=True)))
        console.print()
    return OK


def _key_values(pairs: Iterable[tuple[str, str]]) -> RichTable:
    grid = RichTable(show_header=False, highlight=False, box=None, pad_edge=False)
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in pairs:
        grid.add_row(show(label), show(value or "-"))
    return grid


def _cell(translator: Translator, row: Mapping[str, str | None], column_id: str) -> str:
    value = row.get(column_id) or ""
    if column_id == "updated_at":
        return local_time(value)[:10]  # the day is enough in a list
    if column_id == "leave_on_server" and value in _YES_NO:
        return translator.gettext(_YES_NO[value])
    return value


def show_account(options: LedgerRun, address: str) -> int:
    def work(book: Book) -> Shown:
        company = book.company(options.company)
        account = book.get(ACCOUNTS, company, _key_of(book, ACCOUNTS, company, address))
        fields = shown(ACCOUNTS, account)
        devices = [shown(DEVICES, row) for row in book.rows(DEVICES, company) if row.account_id == account.id]
        return lambda: _show_account(options, fields, devices)

    return run(options, work)


def _show_account(
    options: LedgerRun, fields: Mapping[str, str | None], devices: Sequence[Mapping[str, str | None]]
) -> int:
    if options.json:
        document = {"schema": "maildoctor.ledger.account/1", "account": fields, "devices": devices}
        print(json.dumps(document, ensure_ascii=False))
        return OK
    _ = options.translator.gettext
    grid = _key_values(
        (
            _(column.label),
            local_time(fields.get(column.id)) if column.id == "updated_at" else fields.get(column.id) or "",
        )
        for column in ACCOUNTS.columns
    )
    console = options.stdout()
    console.print(grid)
    if devices:
        console.print()
        _show_rows(options, DEVICES, devices)
    return OK


# ------------------------------------------------------------------ history


def history(options: LedgerRun, account: str | None, person: str | None) -> int:
    def work(book: Book) -> Shown:
        company = book.company(options.company) if options.company or account or person else None
        log = book.history(company, account=account, person=person)
        rows = [{**shown(CHANGES, entry), "company": book.company_code(entry)} for entry in log]
        return lambda: _show_history(options, rows)

    return run(options, work)


def _show_history(options: LedgerRun, rows: Sequence[Mapping[str, str | None]]) -> int:
    if options.json:
        print(json.dumps({"schema": "maildoctor.ledger.history/1", "changes": rows}, ensure_ascii=False))
        return OK
    if not rows:
        options.say(N_("No changes are recorded for this yet."))
        return OK
    _ = options.translator.gettext
    console = options.stdout()
    batch = None
    for row in rows:
        if row["batch"] != batch:
            batch = row["batch"]
            heading = f"{local_time(row['at'])}  {row['actor']}  {row['company']}"
            console.print(show(heading + (f"  ({row['note']})" if row["note"] else ""), "bold"))
        entity = row["entity"] or ""
        table = TABLES.get(entity)
        table_label = _(table.label) if table is not None else _(_OTHER_ENTITIES.get(entity, entity))
        if row["field"] is None:
            line = _("  created {table} {key}").format(table=table_label, key=row["entity_key"])
        else:
            field = row["field"]
            before = _logged_value(options.translator, field, row["old"])
            after = _logged_value(options.translator, field, row["new"])
            label = _logged_field(options.translator, entity, field)
            line = f"  {table_label} {row['entity_key']}  {label}: {before} → {after}"
        console.print(show(line))
    return OK


def _logged_field(translator: Translator, entity: str, field: str) -> str:
    """A logged field's name for people: a column label, or a retirement step's."""
    _ = translator.gettext
    if entity != retirement.ENTITY:
        return _(field_label(entity, field))
    if field.startswith(retirement.SKIP_PREFIX):
        step = field.removeprefix(retirement.SKIP_PREFIX)
        label = next((text for key, text in retirement.STEP_LABELS.items() if key.value == step), step)
        return _(retirement.SKIPPED_LABEL).format(step=_(label))
    return _(retirement.FIELD_LABELS.get(field, field))


def _logged_value(translator: Translator, field: str, value: str | None) -> str:
    """A logged value for people: yes/no and the mailbox choices in their words."""
    if value is None:
        return "-"
    if value in _YES_NO:
        return translator.gettext(_YES_NO[value])
    if field == "mailbox" and value in retirement.MAILBOX_LABELS:
        return translator.gettext(retirement.MAILBOX_LABELS[value])
    return value


def local_time(moment: str | None) -> str:
    """A logged moment (UTC, ISO) as the reader's local date and time, to the minute."""
    if not moment:
        return "-"
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return moment
    return parsed.astimezone().strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------ init, export, import, backup


def init(options: LedgerRun) -> int:
    url = ledger_url(options.db, os.environ)

    def work(book: Book) -> Shown:
        return lambda: _said(options, N_("The book is ready: {place}"), place=_place(url))

    return run(options, work, create=True)


def _place(url: str) -> str:
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def export(options: LedgerRun, fmt: str, target: Path) -> int:
    def work(book: Book) -> Shown:
        company = book.company(options.company) if options.company else None
        tables = transfer.export_tables(book, company)
        if fmt == "json":
            text = transfer.to_json(tables)
            if str(target) == "-":
                return lambda: _printed(text)
            target.write_text(text, encoding="utf-8")
        else:
            target.mkdir(parents=True, exist_ok=True)
            for name, rows in tables.items():
                (target / f"{name}.csv").write_bytes(
                    csvtext.write_rows(TABLES[name], rows).encode("utf-8-sig")
                )
        count = sum(len(rows) for rows in tables.values())
        return lambda: _said(options, N_("Exported {count} rows to {place}."), count=count, place=target)

    return run(options, work)


def _printed(text: str) -> int:
    print(text, end="")
    return OK


def import_(options: LedgerRun, fmt: str, source: Path) -> int:
    def work(book: Book) -> Shown:
        tables = _read_import(fmt, source)
        summary = transfer.import_tables(book, tables)
        return lambda: _show_import(options, summary)

    return run(options, work)


def _read_import(fmt: str, source: Path) -> dict[str, transfer.Rows]:
    if not source.exists():
        raise LedgerError(N_("{file} does not exist."), file=source)
    if fmt == "json":
        return transfer.from_json(csvtext.decode(source.read_bytes(), source.name), source.name)
    files = sorted(source.glob("*.csv")) if source.is_dir() else [source]
    tables: dict[str, transfer.Rows] = {}
    for file in files:
        table = TABLES.get(file.stem)
        if table is None:
            raise LedgerError(
                N_("{file}: the file name says which table it is: one of {tables}."),
                file=file.name,
                tables=", ".join(f"{name}.csv" for name in TABLES),
            )
        rows = csvtext.read_rows(csvtext.decode(file.read_bytes(), file.name), table, file.name)
        tables[table.name] = [dict(row) for row in rows]
    return tables


def _show_import(options: LedgerRun, summary: transfer.ImportSummary) -> int:
    _ = options.translator.gettext
    options.say(
        N_("Imported: {added} rows added, {changed} rows changed."),
        added=sum(summary.added.values()),
        changed=sum(summary.changed.values()),
    )
    if summary.history_restored:
        options.say(
            N_("The change log of the file was restored ({count} entries)."), count=summary.history_restored
        )
    if summary.history_left_out:
        options.say(
            N_("The change log of the file ({count} entries) was left out: this book has its own."),
            count=summary.history_left_out,
        )
    return OK


def backup(options: LedgerRun, target: Path) -> int:
    url = ledger_url(options.db, os.environ)
    source = sqlite_path(url)
    if source is None:
        return refuse(
            options.translator,
            LedgerError(
                N_(
                    "Backup copies a SQLite book; for a PostgreSQL book, "
                    "use the database's own tools (pg_dump)."
                ),
                ProblemKind.NOT_RUN,
            ),
        )

    def work(book: Book) -> Shown:  # opening the book first: a missing or foreign file is said so
        size = backup_sqlite(source, target)
        return lambda: _said(
            options, N_("The book was copied to {file} ({size} bytes)."), file=target, size=size
        )

    return run(options, work)
