"""`maildoctor web`: its options; the pages are maildoctor.web's (the optional extra `[web]`)."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from maildoctor.cli.options import SharedOptions
from maildoctor.exitcode import ExitCode
from maildoctor.extras import WEB, is_missing_package
from maildoctor.i18n import Language


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext

    @app.command(
        "web",
        cls=shared.command_class,
        help=_("Open maildoctor in the web browser (reachable from this computer only)."),
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
    ) -> None:
        err = Console(stderr=True, highlight=False)
        try:
            from maildoctor.web.serve import refuses_host, serve, web_config
        except ImportError as exc:
            if not is_missing_package(exc):
                raise
            err.print(
                Text(_("The browser interface is an optional part of maildoctor that is not installed."))
            )
            err.print(Text(_("Add it with this command, then run “maildoctor web” again:")))
            err.print(Text(f"  {WEB.install_command}"), soft_wrap=True)
            raise typer.Exit(ExitCode.NOT_RUN) from None
        if refuses_host(host):
            err.print(
                Text(
                    _(
                        "maildoctor web listens only on this computer (127.0.0.1, ::1 or localhost) in this "
                        "version: reaching it from other computers needs a login, which is not there yet."
                    )
                )
            )
            raise typer.Exit(ExitCode.NOT_RUN)
        config = web_config(host, port, tuple(dns or ()), ca_file, timeout)
        out = Console(highlight=False)

        def announce(url: str) -> None:
            out.print(Text(_("maildoctor is ready in your web browser at: {url}").format(url=url)))
            out.print(Text(_("Leave this window open while you use it; press Ctrl+C to stop.")))

        serve(config, announce)
