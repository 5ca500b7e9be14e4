"""The accounts book in the browser, read-only, behind the login (gate.py): its tables with the
same columns and labels as `maildoctor ledger list` and its CSV (ledger/records.py), a person's
retirement checklist, the check-day history and a check day's "what changed" report. Changing
the book stays in `maildoctor ledger` for now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from maildoctor.i18n import N_
from maildoctor.ledger.book import Book
from maildoctor.ledger.errors import LedgerError
from maildoctor.ledger.records import BOOK_TABLES, COMPANIES, PEOPLE, Table, as_text, shown
from maildoctor.ledger.retirement import ENTITY, FIELD_LABELS, STEP_LABELS, Step, StepStatus, checklist
from maildoctor.ledger.schema import Account, Change, CheckupItem, CheckupRun, Company, Device, Person
from maildoctor.ledger.store import transaction
from maildoctor.web.pagekit import language, page

TABLES: Final = {table.name: table for table in BOOK_TABLES}
STATUS_LABELS: Final = {
    StepStatus.DONE: N_("done"),
    StepStatus.OPEN: N_("to do"),
    StepStatus.SKIPPED: N_("not needed"),
}
MAX_ROWS: Final = 5_000  # a page a browser can still show; the CSV export has them all
NOT_FOUND: Final = N_("This is not in the book.")


@dataclass(frozen=True, slots=True)
class RunLine:
    id: int
    company: str
    started: str
    finished: str | None
    items: int


def _table_rows(book: Engine, table: Table) -> tuple[list[list[str | None]], bool]:
    with transaction(book) as session:
        rows = Book(session, actor="web").rows(table, None)
        return [list(shown(table, row).values()) for row in rows[:MAX_ROWS]], len(rows) > MAX_ROWS


def _companies(book: Engine) -> list[tuple[str, str]]:
    with transaction(book) as session:
        return [(row.code, row.name) for row in session.scalars(select(Company).order_by(Company.code))]


def _retirement(book: Engine, code: str, name: str) -> dict[str, Any]:
    with transaction(book) as session:
        company = session.scalar(select(Company).filter_by(code=code))
        person = company and session.scalar(select(Person).filter_by(company=company, name=name))
        if company is None or person is None:
            raise HTTPException(404, NOT_FOUND)
        devices = list(session.scalars(select(Device.name).filter_by(person=person).order_by(Device.id)))
        accounts = list(
            session.scalars(select(Account.address).filter_by(person=person).order_by(Account.id))
        )
        logged = session.execute(
            select(Change.field, Change.new)
            .where(Change.company_id == company.id, Change.entity == ENTITY, Change.entity_key == person.name)
            .order_by(Change.id)
        )
        state = checklist(((field, new) for field, new in logged), devices)
    return {
        "company": code,
        "person": name,
        "accounts": accounts,
        "devices": devices,
        "steps": [
            (STEP_LABELS[step], STATUS_LABELS[state.status(step)], state.status(step).value) for step in Step
        ],
        "recorded": [
            (label, state.values.get(field))
            for field, label in FIELD_LABELS.items()
            if state.values.get(field)
        ],
        "complete": state.complete,
    }


def _runs(book: Engine) -> list[RunLine]:
    with transaction(book) as session:
        items = (
            select(CheckupItem.run_id, func.count().label("counted")).group_by(CheckupItem.run_id).subquery()
        )
        query = (
            select(CheckupRun, Company.code, items.c.counted)
            .join(Company, Company.id == CheckupRun.company_id)
            .outerjoin(items, items.c.run_id == CheckupRun.id)
            .order_by(CheckupRun.started_at.desc(), CheckupRun.id.desc())
            .limit(500)
        )
        return [
            RunLine(
                run.id,
                code,
                _moment(run.started_at),
                _moment(run.finished_at) if run.finished_at else None,
                count or 0,
            )
            for run, code, count in session.execute(query)
        ]


def _moment(value: datetime) -> str:
    return as_text(value.replace(microsecond=0)) or ""


def _report(book: Engine, run_id: int, lang: str) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    from maildoctor.checkup.report import CheckupReport
    from maildoctor.checkup.runs import recorded_runs

    with transaction(book) as session:
        run = session.get(CheckupRun, run_id)
        if run is None or run.finished_at is None:
            raise HTTPException(404, NOT_FOUND)
        company_id = run.company_id
    return CheckupReport.of(recorded_runs(book, company_id, upto=run_id)).sections(lang)


def _last_run(book: Engine, code: str) -> int:
    with transaction(book) as session:
        found = session.scalar(
            select(CheckupRun.id)
            .join(Company, Company.id == CheckupRun.company_id)
            .where(Company.code == code, CheckupRun.finished_at.is_not(None))
            .order_by(CheckupRun.started_at.desc(), CheckupRun.id.desc())
            .limit(1)
        )
    if found is None:
        raise HTTPException(404, N_("No check day has finished for this company yet."))
    return found


class BookPages:
    def __init__(self, book: Engine | None) -> None:
        self.book = book

    def _book(self) -> Engine:
        if self.book is None:
            raise HTTPException(
                404, N_("There is no accounts book yet. Start one with: maildoctor ledger init")
            )
        return self.book

    async def index(self, request: Request) -> Response:
        if self.book is None:
            return page(request, "ledger.html", tables=[], companies=[], no_book=True)
        try:
            companies = await run_in_threadpool(_companies, self.book)
        except LedgerError as error:
            raise HTTPException(500, error.message) from error
        tables = [(table.name, table.label) for table in BOOK_TABLES]
        return page(request, "ledger.html", tables=tables, companies=companies, no_book=False)

    async def table(self, request: Request) -> Response:
        table = TABLES.get(request.path_params["table"])
        if table is None:
            raise HTTPException(404, NOT_FOUND)
        rows, cut = await run_in_threadpool(_table_rows, self._book(), table)
        key_column = [column.id for column in table.columns].index(table.key)
        company_column = (
            [column.id for column in table.columns].index("company") if table is not COMPANIES else None
        )
        return page(
            request,
            "ledger_table.html",
            table=table,
            headings=[column.label for column in table.columns],
            rows=rows,
            cut=cut,
            people=table is PEOPLE,
            key_column=key_column,
            company_column=company_column,
        )

    async def retirement(self, request: Request) -> Response:
        code = request.query_params.get("company", "")[:200]
        name = request.query_params.get("person", "")[:200]
        state = await run_in_threadpool(_retirement, self._book(), code, name)
        return page(request, "ledger_retirement.html", **state)

    async def checkups(self, request: Request) -> Response:
        runs = await run_in_threadpool(_runs, self._book())
        return page(request, "ledger_checkups.html", runs=runs)

    async def report(self, request: Request) -> Response:
        text = request.path_params["run"]
        if not text.isdigit() or len(text) > 12:
            raise HTTPException(404, NOT_FOUND)
        lang = language(request).value
        headline, sections = await run_in_threadpool(_report, self._book(), int(text), lang)
        return page(request, "ledger_report.html", headline=headline, sections=sections)

    async def last_report(self, request: Request) -> Response:
        run_id = await run_in_threadpool(
            _last_run, self._book(), request.query_params.get("company", "")[:200]
        )
        request.scope["path_params"] = {"run": str(run_id)}
        return await self.report(request)


__all__ = ["BookPages"]
