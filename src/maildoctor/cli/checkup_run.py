"""What `maildoctor checkup` does once its options are read: open the book, check each company,
print the report (text, or JSON), and keep it. Imported only when `checkup` runs."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys

from rich.console import Console
from sqlalchemy.engine import Engine

from maildoctor.checkup.limits import ServerLimits
from maildoctor.checkup.passwords import KEY_VARIABLE, store_in_file, store_in_keyring
from maildoctor.checkup.report import CheckupReport
from maildoctor.checkup.runner import CheckupOptions, checkup_company
from maildoctor.cli.checkup_common import CheckupCommand, companies, show_reports, with_book
from maildoctor.cli.checkup_send import plan_problem, schedule_command
from maildoctor.display import say
from maildoctor.exitcode import ExitCode
from maildoctor.i18n import Translator
from maildoctor.ledger.location import ledger_url
from maildoctor.ledger.store import open_book
from maildoctor.model import Secret
from maildoctor.net.resolver import Nameserver


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
    if command.queue or command.worker:
        from maildoctor.cli.checkup_queue import run_queue_command

        return run_queue_command(command, options, translator)

    def work() -> int:
        engine = open_book(ledger_url(command.db, os.environ))
        codes = companies(engine, command)
        reports = asyncio.run(_checkup_all(engine, codes, options, None if command.json else err, translator))
        return show_reports(engine, reports, command, translator)

    return with_book(translator, work)
