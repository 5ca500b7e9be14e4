"""`maildoctor web`: its options; the pages are maildoctor.web's (the optional extra `[web]`)."""

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from maildoctor.cli.options import SharedOptions
from maildoctor.display import say, show
from maildoctor.exitcode import ExitCode
from maildoctor.extras import WEB, is_missing_package
from maildoctor.i18n import Language


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext

    @app.command(
        "web",
        cls=shared.command_class,
        help=_("Open maildoctor in the web browser."),
    )
    def web(
        host: Annotated[
            str,
            typer.Option(
                "--host",
                metavar="ADDRESS",
                help=_("The address to listen on (default 127.0.0.1: this computer only)."),
            ),
        ] = "127.0.0.1",
        port: Annotated[
            int, typer.Option("--port", min=1, max=65535, help=_("The port to listen on."))
        ] = 8025,
        dns: Annotated[list[str] | None, shared.dns()] = None,
        ca_file: Annotated[Path | None, shared.ca_file()] = None,
        timeout: Annotated[float, shared.timeout()] = 20,
        lang: Annotated[Language | None, shared.lang()] = None,
        db: Annotated[
            str | None,
            typer.Option(
                "--db",
                metavar="URL",
                help=_("The accounts book whose users may sign in (as for maildoctor ledger)."),
            ),
        ] = None,
        create_admin: Annotated[
            str | None,
            typer.Option(
                "--create-admin",
                metavar="NAME",
                help=_("Add an administrator of the web pages (the password is asked for), then stop."),
            ),
        ] = None,
        create_viewer: Annotated[
            str | None,
            typer.Option(
                "--create-viewer",
                metavar="NAME",
                help=_("Add a user who may only read (the password is asked for), then stop."),
            ),
        ] = None,
        allow_internal_targets: Annotated[
            bool,
            typer.Option(
                "--allow-internal-targets",
                help=_("Served beyond this computer: allow checks of servers inside the network as well."),
            ),
        ] = False,
    ) -> None:
        err = Console(stderr=True, highlight=False)
        try:
            from maildoctor.web.serve import refuses_host, serve, web_config
        except ImportError as exc:
            if not is_missing_package(exc):
                raise
            say(err, _("The browser interface is an optional part of maildoctor that is not installed."))
            say(err, _("Add it with this command, then run “maildoctor web” again:"))
            err.print(show(f"  {WEB.install_command}"), soft_wrap=True)
            raise typer.Exit(ExitCode.NOT_RUN) from None
        from maildoctor.ledger.location import ledger_url

        book_url = ledger_url(db, os.environ)
        if create_admin is not None or create_viewer is not None:
            from maildoctor.cli.web_users import create_user_command

            create_user_command(book_url, create_admin, create_viewer, translator, err)
            return
        if refuses_host(host, book_url):
            say(
                err,
                _(
                    "maildoctor web answers other computers (beyond 127.0.0.1) only with a login, and "
                    "nobody can log in yet. First create an administrator with: "
                    "maildoctor web --create-admin NAME"
                ),
            )
            raise typer.Exit(ExitCode.NOT_RUN)
        config = web_config(
            host,
            port,
            tuple(dns or ()),
            ca_file,
            timeout,
            book_url=book_url,
            allow_internal_targets=allow_internal_targets,
        )
        out = Console(highlight=False)

        def announce(url: str) -> None:
            say(out, _("maildoctor is ready in your web browser at: {url}").format(url=url))
            say(out, _("Leave this window open while you use it; press Ctrl+C to stop."))
            if config.beyond_loopback:
                say(out, _("Other computers can reach it: every page asks for a login."))

        serve(config, announce)
