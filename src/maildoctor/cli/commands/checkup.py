"""`maildoctor checkup`: its options; the run is cli/checkup_run.py's, imported only when it runs
(`check` never loads SQLAlchemy or the check-up)."""

from pathlib import Path
from typing import Annotated

import typer

from maildoctor.cli.help_examples import examples
from maildoctor.cli.options import SharedOptions
from maildoctor.i18n import Language


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext

    @app.command(
        "checkup",
        cls=shared.command_class,
        context_settings=shared.extra_args,
        epilog=examples("checkup", translator),
        help=_(
            "The check day: examine every account and domain in the book, keep the results, "
            "and report what changed since the last check day."
        ),
    )
    def checkup(
        company: Annotated[
            str | None,
            typer.Option("--company", metavar="CODE", help=_("The company to check (its code in the book).")),
        ] = None,
        all_companies: Annotated[
            bool, typer.Option("--all", help=_("Check every company in the book."))
        ] = False,
        db: Annotated[
            str | None,
            typer.Option(
                "--db",
                metavar="URL",
                help=_(
                    "The book: a SQLite file or a database URL (default: MAILDOCTOR_LEDGER_URL, "
                    "else ledger.sqlite3 in your data folder)."
                ),
            ),
        ] = None,
        per_user: Annotated[
            int,
            typer.Option(
                "--per-user", min=1, max=10, help=_("Connections at once per server and user name.")
            ),
        ] = 2,
        per_server: Annotated[
            int, typer.Option("--per-server", min=1, max=100, help=_("Connections at once per server."))
        ] = 10,
        html: Annotated[
            Path | None,
            typer.Option("--html", metavar="FILE", help=_("Also write the report as an HTML page to FILE.")),
        ] = None,
        no_rdap: Annotated[
            bool,
            typer.Option(
                "--no-rdap", help=_("Do not ask RDAP for domain expiry: use the book's dates only.")
            ),
        ] = False,
        store_password: Annotated[
            str | None,
            typer.Option(
                "--store-password",
                metavar="ADDRESS",
                help=_(
                    "Keep the password of ADDRESS for the check day (read from standard input): in the "
                    "keyring, or in the encrypted file when MAILDOCTOR_PASSWORDS_KEY is set."
                ),
            ),
        ] = None,
        send: Annotated[
            bool,
            typer.Option(
                "--send",
                help=_(
                    "Send the report (by mail with --mail-from and --mail-to, or to --notify) when "
                    "something changed."
                ),
            ),
        ] = False,
        mail_from: Annotated[
            str | None,
            typer.Option(
                "--mail-from",
                metavar="ADDRESS",
                help=_("Send the report by mail through this account of the book (its sending server)."),
            ),
        ] = None,
        mail_to: Annotated[
            list[str] | None,
            typer.Option(
                "--mail-to", metavar="ADDRESS", help=_("Who receives the report by mail (repeatable).")
            ),
        ] = None,
        notify: Annotated[
            list[str] | None,
            typer.Option(
                "--notify",
                metavar="URL",
                help=_(
                    "Send the report to this Apprise address (Slack, Teams, ntfy, a webhook; repeatable; "
                    "also read from MAILDOCTOR_NOTIFY_URLS)."
                ),
            ),
        ] = None,
        schedule: Annotated[
            str | None,
            typer.Option(
                "--schedule",
                metavar="monthly",
                help=_("Run this check-up every month on this computer (a systemd timer, or cron)."),
            ),
        ] = None,
        unschedule: Annotated[
            bool, typer.Option("--unschedule", help=_("Remove the monthly check-up from this computer."))
        ] = False,
        queue: Annotated[
            bool,
            typer.Option(
                "--queue",
                help=_(
                    "Put the check-up on the task queue in the shared PostgreSQL book for the workers, "
                    "wait until they are done, and report (needs the queue extra)."
                ),
            ),
        ] = False,
        worker: Annotated[
            bool,
            typer.Option(
                "--worker",
                help=_("Work the check-ups on the task queue of the shared PostgreSQL book until stopped."),
            ),
        ] = False,
        dns: Annotated[list[str] | None, shared.dns()] = None,
        ca_file: Annotated[Path | None, shared.ca_file()] = None,
        timeout: Annotated[float, shared.timeout()] = 20,
        json_output: Annotated[
            bool,
            typer.Option("--json", help=_("Print the report as JSON for other programs, and nothing else.")),
        ] = False,
        lang: Annotated[Language | None, shared.lang()] = None,
    ) -> None:
        from maildoctor.cli.checkup_common import CheckupCommand
        from maildoctor.cli.checkup_run import run_checkup_command

        command = CheckupCommand(
            company=company,
            all_companies=all_companies,
            db=db,
            per_user=per_user,
            per_server=per_server,
            html=html,
            registration=not no_rdap,
            dns=tuple(dns or ()),
            ca_file=ca_file,
            timeout=timeout,
            json=json_output,
            store_password=store_password,
            send=send,
            mail_from=mail_from,
            mail_to=tuple(mail_to or ()),
            notify=tuple(notify or ()),
            schedule=schedule,
            unschedule=unschedule,
            queue=queue,
            worker=worker,
        )
        raise typer.Exit(run_checkup_command(command, translator))
