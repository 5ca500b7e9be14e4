"""What the `checkup` runs share once the options are read: the options, the companies to check,
the book's refusals said plainly, and the reports shown (text or JSON, --html) and sent (--send)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from maildoctor.checkup.limits import PER_SERVER, PER_USER
from maildoctor.checkup.report import CheckupReport
from maildoctor.cli.checkup_send import send_plan, send_reports, sending_extra
from maildoctor.cli.ledger_run import refuse
from maildoctor.display import show
from maildoctor.exitcode import ExitCode
from maildoctor.i18n import N_, Translator
from maildoctor.ledger.book import Book
from maildoctor.ledger.errors import LedgerError, ProblemKind
from maildoctor.ledger.schema import Company
from maildoctor.ledger.store import transaction

JSON_FORMAT = "maildoctor.checkup/1"


@dataclass(frozen=True)
class CheckupCommand:
    company: str | None
    all_companies: bool
    db: str | None
    per_user: int
    per_server: int
    html: Path | None
    registration: bool
    dns: tuple[str, ...]
    ca_file: Path | None
    timeout: float
    json: bool
    store_password: str | None = None
    send: bool = False
    mail_from: str | None = None
    mail_to: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    schedule: str | None = None
    unschedule: bool = False
    queue: bool = False
    worker: bool = False

    def scheduled_options(self) -> tuple[str, ...]:
        """The options the monthly timer gives its `checkup`: how to check, and where to send."""
        words: list[str] = []
        for server in self.dns:
            words += ["--dns", server]
        if self.ca_file is not None:
            words += ["--ca-file", str(self.ca_file.resolve())]
        if self.per_user != PER_USER:
            words += ["--per-user", str(self.per_user)]
        if self.per_server != PER_SERVER:
            words += ["--per-server", str(self.per_server)]
        if not self.registration:
            words.append("--no-rdap")
        return (*words, *sending_extra(self))


def companies(engine: Engine, command: CheckupCommand) -> list[str]:
    with transaction(engine) as session:
        if command.all_companies:
            codes = list(session.scalars(select(Company.code).order_by(Company.code)))
            if not codes:
                raise LedgerError(
                    N_("The book has no company yet. Add one: maildoctor ledger company add CODE NAME")
                )
            return codes
        return [Book(session, actor="checkup").company(command.company).code]


def with_book(translator: Translator, work: Callable[[], int]) -> int:
    """`work`'s exit status, or the book's refusal (usage, or could not run) said plainly."""
    try:
        return work()
    except LedgerError as error:
        return refuse(translator, error)
    except SQLAlchemyError as error:
        return refuse(
            translator,
            LedgerError(
                N_("The book could not be written: {reason}"),
                ProblemKind.NOT_RUN,
                reason=type(error).__name__,
            ),
        )


def show_reports(
    engine: Engine, reports: list[CheckupReport], command: CheckupCommand, translator: Translator
) -> int:
    """Send (with --send), print (text or JSON) and write (--html) the reports; the exit status.
    Raises LedgerError or SQLAlchemyError from the book."""
    err = Console(stderr=True, highlight=False)
    sent_ok = True
    if command.send:
        plan = send_plan(command, os.environ, command.ca_file)
        sent_ok = send_reports(engine, reports, plan, translator.language.value, translator, err)
    lang = translator.language.value
    if command.json:
        print(
            json.dumps(
                {"format": JSON_FORMAT, "reports": [r.to_json() for r in reports]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        out = Console(highlight=False)
        for report in reports:
            out.print(show(report.text(lang), multiline=True), soft_wrap=True)
    if command.html is not None:
        command.html.write_text("\n".join(report.html(lang) for report in reports), encoding="utf-8")
    if not sent_ok:
        return int(ExitCode.NOT_RUN)
    problems = any(report.changes.new or report.changes.still for report in reports)
    return int(ExitCode.PROBLEMS if problems else ExitCode.OK)
