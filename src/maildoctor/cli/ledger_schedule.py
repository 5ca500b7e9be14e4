"""`maildoctor ledger schedule monthly|off`: the monthly check day on a systemd timer or in crontab,
and exactly what was installed or removed. Imported only when the command runs."""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from typing import Final

from rich.console import Console

from maildoctor.cli.ledger_run import OK, LedgerRun, Shown, refuse, run
from maildoctor.display import say, show
from maildoctor.i18n import N_, Translator
from maildoctor.ledger import schedule
from maildoctor.ledger.book import Book
from maildoctor.ledger.schedule import Done, Job, ScheduleError, Scheduler

HOW: Final = {
    (Scheduler.SYSTEMD, False): N_("a systemd timer for your user"),
    (Scheduler.SYSTEMD, True): N_("a systemd timer for the whole computer"),
    (Scheduler.CRON, False): N_("a line in the crontab"),
    (Scheduler.CRON, True): N_("a line in the crontab"),
}
INSTALLED: Final = N_("Installed the monthly check-up {name} ({how}).")
WOULD_INSTALL: Final = N_("Would install the monthly check-up {name} ({how}).")
WOULD: Final = N_("Nothing was changed (--dry-run). This is what would be done:")
WROTE: Final = N_("File {file}:")
RAN: Final = N_("Command:")
CRON_LINE: Final = N_("Crontab line:")
REMOVED: Final = N_("Removed the monthly check-up {name}.")
WOULD_REMOVE: Final = N_("Would remove the monthly check-up {name}.")
NOTHING_TO_REMOVE: Final = N_("No monthly check-up {name} was installed; nothing to remove.")
SECRETS: Final = N_(
    "The timer has no keyring. Put its passwords in {file} (only you can read it), one per line: "
    "MAILDOCTOR_PASSWORDS_KEY=the key of the encrypted password file, and with --send "
    "MAILDOCTOR_NOTIFY_PASSWORD=the password of the account that sends the report."
)
LINGER: Final = N_(
    "A user timer runs only while you are logged in. To run it while nobody is logged in, run once:"
)


def schedule_checkup(
    options: LedgerRun,
    *,
    turn_on: bool,
    all_companies: bool,
    system: bool,
    use_cron: bool,
    dry_run: bool,
    lang: str | None,
    extra: Sequence[str] = (),
) -> int:
    """Install (turn_on) or remove the monthly check-up of one company or of all; the exit status.
    `extra`: more options for the scheduled `checkup` (where it sends the report)."""

    def work(book: Book) -> Shown:
        code = None if all_companies else book.company(options.company).code
        return lambda: _apply(options, code, turn_on, system, use_cron, dry_run, lang, extra)

    return run(options, work)


def _apply(
    options: LedgerRun,
    company: str | None,
    turn_on: bool,
    system: bool,
    use_cron: bool,
    dry_run: bool,
    lang: str | None,
    extra: Sequence[str] = (),
) -> int:
    try:
        job = schedule.job_for(company, db=options.db or os.environ.get("MAILDOCTOR_LEDGER_URL"), lang=lang,
                               system=system, extra=extra,
                               secrets_file=schedule.default_secrets_file(system))  # fmt: skip
        scheduler = Scheduler.CRON if use_cron or not schedule.has_systemd() else Scheduler.SYSTEMD
        act = schedule.install if turn_on else schedule.remove
        done = act(
            job,
            scheduler=scheduler,
            unit_dir=schedule.default_unit_dir(system),
            runner=schedule.run_command,
            dry_run=dry_run,
        )
    except ScheduleError as error:
        return refuse(options.translator, error)
    except OSError as error:
        return refuse(
            options.translator,
            ScheduleError(N_("The timer could not be written: {reason}"), reason=error.strerror or error),
        )
    show_done(Console(highlight=False), options.translator, job, done, turn_on)
    return OK


def show_done(console: Console, translator: Translator, job: Job, done: Done, turn_on: bool) -> None:
    """Exactly what was installed or removed: each file with its text, each command, the cron line."""
    _ = translator.gettext
    if done.dry_run:
        say(console, _(WOULD))
    if turn_on:
        how = _(HOW[done.scheduler, job.system])
        say(console, _(WOULD_INSTALL if done.dry_run else INSTALLED).format(name=done.name, how=how))
    elif done.written or done.removed or done.cron_lines:
        say(console, _(WOULD_REMOVE if done.dry_run else REMOVED).format(name=done.name))
    else:
        say(console, _(NOTHING_TO_REMOVE).format(name=done.name))
    for path, text in done.written:
        console.print(show(_(WROTE).format(file=path)))
        for line in text.splitlines():
            console.print(show(f"    {line}"), soft_wrap=True)
    for path in done.removed:
        console.print(show(f"  - {path}"), soft_wrap=True)
    if done.cron_lines:
        console.print(show(_(CRON_LINE)))
        for line in done.cron_lines:
            console.print(show(f"    {line}"), soft_wrap=True)
    for command in done.commands:
        console.print(show(f"{_(RAN)} {' '.join(command)}"), soft_wrap=True)
    if turn_on and done.secrets_file is not None:
        say(console, _(SECRETS).format(file=done.secrets_file))
    if turn_on and done.scheduler is Scheduler.SYSTEMD and not job.system:
        say(console, _(LINGER))
        console.print(show(f"    loginctl enable-linger {_login()}"), soft_wrap=True)


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "$USER"
