"""`checkup --send` and `checkup --schedule monthly|--unschedule`, once the options are read: where
the report goes, sending each company's report and saying what went where, and the monthly timer
(the same as `ledger schedule`, with the sending options carried into it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, Protocol

from rich.console import Console
from sqlalchemy.engine import Engine

from maildoctor.checkup.report import CheckupReport
from maildoctor.checkup.sending import SendPlan, mail_route, send
from maildoctor.cli.ledger_run import LedgerRun
from maildoctor.cli.ledger_schedule import schedule_checkup
from maildoctor.display import say
from maildoctor.i18n import N_, Translator

URLS_VARIABLE: Final = "MAILDOCTOR_NOTIFY_URLS"
NOWHERE: Final = N_(
    "--send needs somewhere to send: --mail-from ADDRESS (an account of the book) with --mail-to, "
    "or --notify URL."
)
TO_WITHOUT_FROM: Final = N_("--mail-to needs --mail-from: the account of the book that sends the report.")
NOT_MONTHLY: Final = N_("--schedule takes one value: monthly.")
BOTH: Final = N_("--schedule and --unschedule cannot be given together.")
NO_URLS_IN_TIMER: Final = N_(
    "A notification address holds its secret token, so it is not written into the timer. Give it to the "
    "scheduled check-up in the variable {variable} instead, and schedule without --notify."
)
SENT_HEAD: Final = N_("The report of {company}:")


class Sending(Protocol):
    """The options of `checkup` that say where the report goes and when it runs."""

    @property
    def company(self) -> str | None: ...

    @property
    def all_companies(self) -> bool: ...

    @property
    def db(self) -> str | None: ...

    @property
    def send(self) -> bool: ...

    @property
    def mail_from(self) -> str | None: ...

    @property
    def mail_to(self) -> tuple[str, ...]: ...

    @property
    def notify(self) -> tuple[str, ...]: ...

    @property
    def schedule(self) -> str | None: ...

    @property
    def unschedule(self) -> bool: ...


def plan_problem(command: Sending, environ: Mapping[str, str]) -> str | None:
    """What is wrong with the sending and scheduling options (a message id), or None."""
    if command.schedule is not None and command.schedule.strip().lower() != "monthly":
        return NOT_MONTHLY
    if command.schedule is not None and command.unschedule:
        return BOTH
    if command.mail_to and not command.mail_from:
        return TO_WITHOUT_FROM
    if command.schedule is not None and command.notify:
        return NO_URLS_IN_TIMER
    scheduling = command.schedule is not None or command.unschedule
    # a scheduled --send may find its addresses in the variable when it runs
    if command.send and not scheduling and not (command.mail_from or notify_urls(command, environ)):
        return NOWHERE
    return None


def notify_urls(command: Sending, environ: Mapping[str, str]) -> tuple[str, ...]:
    return (*command.notify, *environ.get(URLS_VARIABLE, "").split())


def send_plan(command: Sending, environ: Mapping[str, str], ca_file: Path | None) -> SendPlan:
    return SendPlan(
        mail_from=command.mail_from,
        mail_to=command.mail_to,
        apprise_urls=notify_urls(command, environ),
        ca_file=ca_file,
    )


def schedule_command(command: Sending, extra: Sequence[str], translator: Translator, lang: str | None) -> int:
    """Install or remove the monthly check-up; `extra` the options the scheduled run is given."""
    options = LedgerRun(translator, db=command.db, company=command.company)
    return schedule_checkup(
        options,
        turn_on=command.schedule is not None,
        all_companies=command.all_companies,
        system=False,
        use_cron=False,
        dry_run=False,
        lang=lang,
        extra=extra,
    )


def send_reports(
    engine: Engine,
    reports: Sequence[CheckupReport],
    plan: SendPlan,
    lang: str,
    translator: Translator,
    err: Console,
) -> bool:
    """Send each company's report and say what went where; False when anything failed to go."""
    route = mail_route(engine, plan)
    all_ok = True
    for report in reports:
        _told, outcome = send(engine, report, plan, lang, route)
        say(err, translator.gettext(SENT_HEAD).format(company=report.company))
        for line in outcome.describe(translator):
            say(err, f"  {line}")
        all_ok = all_ok and outcome.ok
    return all_ok


def sending_extra(command: Sending) -> tuple[str, ...]:
    """The sending options as the scheduled `checkup` is given them (addresses only, no secret)."""
    if not command.send:
        return ()
    words: list[str] = ["--send"]
    if command.mail_from:
        words += ["--mail-from", command.mail_from]
    for address in command.mail_to:
        words += ["--mail-to", address]
    return tuple(words)
