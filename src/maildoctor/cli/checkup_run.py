"""What `maildoctor checkup` does once its options are read: open the book, check each company,
print the report (text, or JSON), and keep it. Imported only when `checkup` runs."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from maildoctor.checkup.limits import PER_SERVER, PER_USER, ServerLimits
from maildoctor.checkup.passwords import KEY_VARIABLE, store_in_file, store_in_keyring
from maildoctor.checkup.report import CheckupReport
from maildoctor.checkup.runner import CheckupOptions, checkup_company
from maildoctor.cli.checkup_send import plan_problem, schedule_command, send_plan, send_reports, sending_extra
from maildoctor.cli.ledger_run import refuse
from maildoctor.display import say, show
from maildoctor.exitcode import ExitCode
from maildoctor.i18n import N_, Translator
from maildoctor.ledger.book import Book
from maildoctor.ledger.errors import LedgerError, ProblemKind
from maildoctor.ledger.location import ledger_url
from maildoctor.ledger.schema import Company
from maildoctor.ledger.store import open_book, transaction
from maildoctor.model import Secret
from maildoctor.net.resolver import Nameserver

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
    not_yet: tuple[str, ...] = ()
    store_password: str | None = None
    send: bool = False
    mail_from: str | None = None
    mail_to: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    schedule: str | None = None
    unschedule: bool = False

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


def _companies(engine: Engine, command: CheckupCommand) -> list[str]:
    with transaction(engine) as session:
        if command.all_companies:
            codes = list(session.scalars(select(Company.code).order_by(Company.code)))
            if not codes:
                raise LedgerError(
                    N_("The book has no company yet. Add one: maildoctor ledger company add CODE NAME")
                )
            return codes
        return [Book(session, actor="checkup").company(command.company).code]


async def _checkup_all(
    engine: Engine, codes: list[str], options: CheckupOptions, err: Console | None, translator: Translator
) -> list[CheckupReport]:
    limits = ServerLimits(options.per_user, options.per_server)  # one count for all the companies
    reports = []
    for code in codes:
        if err is not None:
            say(err, translator.gettext("Checking {company}…").format(company=code))
        reports.append(await checkup_company(engine, code, options, limits=limits))
    return reports


def _store_password(address: str, translator: Translator) -> int:
    """Read one line (the password) from standard input and keep it where the check day looks."""
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    if sys.stdin.isatty():
        typed = getpass.getpass(_("Password of {address}: ").format(address=address))
    else:
        typed = sys.stdin.readline(4096).rstrip("\r\n")
    if not typed:
        say(err, _("No password was given: nothing was kept."))
        return int(ExitCode.USAGE)
    secret = Secret(typed)
    try:
        if os.environ.get(KEY_VARIABLE, "").strip():
            path = store_in_file(address, secret, os.environ)
            say(
                err,
                _("Kept the password of {address} in the encrypted file {path}.").format(
                    address=address, path=path
                ),
            )
        else:
            store_in_keyring(address, secret)
            say(err, _("Kept the password of {address} in the keyring.").format(address=address))
    except Exception as error:
        say(err, _("The password could not be kept: {reason}").format(reason=type(error).__name__))
        return int(ExitCode.NOT_RUN)
    return int(ExitCode.OK)


def run_checkup_command(command: CheckupCommand, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    if command.not_yet:
        say(
            err,
            _("“{option}” is not available in this version of maildoctor yet.").format(
                option=", ".join(command.not_yet)
            ),
        )
        return int(ExitCode.NOT_RUN)
    if command.store_password is not None:
        return _store_password(command.store_password, translator)
    problem = plan_problem(command, os.environ)
    if problem is not None:
        say(err, _(problem).format(variable="MAILDOCTOR_NOTIFY_URLS"))
        return int(ExitCode.USAGE)
    if command.schedule is not None or command.unschedule:
        return schedule_command(command, command.scheduled_options(), translator, translator.language.value)
    try:
        nameservers = tuple(Nameserver.parse(text) for text in command.dns)
    except ValueError:
        say(err, _("A --dns value is not an address."))
        return int(ExitCode.USAGE)
    options = CheckupOptions(
        nameservers=nameservers,
        timeout=command.timeout,
        per_user=command.per_user,
        per_server=command.per_server,
        ca_file=command.ca_file,
        registration=command.registration,
    )
    try:
        engine = open_book(ledger_url(command.db, os.environ))
        codes = _companies(engine, command)
        reports = asyncio.run(_checkup_all(engine, codes, options, None if command.json else err, translator))
        sent_ok = True
        if command.send:
            plan = send_plan(command, os.environ, command.ca_file)
            sent_ok = send_reports(engine, reports, plan, translator.language.value, translator, err)
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
