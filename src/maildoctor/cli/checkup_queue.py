"""`checkup --queue` (put the check-ups on the task queue of the shared PostgreSQL book, wait for the
workers, report) and `checkup --worker` (work the queue until stopped). The queue's code and its
extra (procrastinate) are imported only here, when one of them runs."""

from __future__ import annotations

import asyncio
import os
from typing import Final

from rich.console import Console

from maildoctor.checkup.limits import ServerLimits
from maildoctor.checkup.runner import CheckupOptions
from maildoctor.cli.checkup_common import CheckupCommand, companies, show_reports, with_book
from maildoctor.display import say
from maildoctor.exitcode import ExitCode
from maildoctor.extras import QUEUE, is_missing_package
from maildoctor.i18n import N_, Translator
from maildoctor.ledger.location import ledger_url
from maildoctor.ledger.store import open_book

NEEDS_POSTGRESQL: Final = N_(
    "The task queue lives in a shared PostgreSQL book: give it with --db postgresql+psycopg://… "
    "(or MAILDOCTOR_LEDGER_URL)."
)
NO_EXTRA: Final = N_("The task queue needs the queue extra. Install it with: {command}")
QUEUED: Final = N_("Queued the check-up of {company}: {jobs} jobs (run {run}). Waiting for the workers…")
WORKING: Final = N_("Working the check-ups of the queue ({jobs} at once); stop with Ctrl+C.")
WORKER_JOBS: Final = 4


def run_queue_command(command: CheckupCommand, options: CheckupOptions, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    url = ledger_url(command.db, os.environ)
    if not url.startswith(("postgresql:", "postgresql+")):
        say(err, _(NEEDS_POSTGRESQL))
        return int(ExitCode.USAGE)
    try:
        from maildoctor.checkup import queue
    except ImportError as error:
        if not is_missing_package(error):
            raise
        say(err, _(NO_EXTRA).format(command=QUEUE.install_command))
        return int(ExitCode.NOT_RUN)

    def work() -> int:
        engine = open_book(url)
        if command.worker:
            say(err, _(WORKING).format(jobs=WORKER_JOBS))
            shared = queue.SharedSlots(engine, options.per_user, options.per_server)
            limits = ServerLimits(options.per_user, options.per_server, shared=shared)
            app = queue.make_app(url, queue.Worker(engine, options, limits))
            try:
                asyncio.run(queue.work(app, WORKER_JOBS))
            finally:
                shared.close()
            return int(ExitCode.OK)
        queued = asyncio.run(
            queue.enqueue(queue.make_app(url), engine, companies(engine, command), options.per_user)
        )
        for item in queued:
            say(err, _(QUEUED).format(company=item.company, jobs=item.jobs, run=item.run_id))
        reports = [queue.wait_for_report(engine, item) for item in queued]
        return show_reports(engine, reports, command, translator)

    return with_book(translator, work)
