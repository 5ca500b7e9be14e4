"""`maildoctor demo`: its options; the run is the demo's."""

from typing import Annotated

import typer

from maildoctor.cli.help_examples import examples
from maildoctor.cli.options import SharedOptions
from maildoctor.i18n import Language


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext

    @app.command(
        "demo",
        epilog=examples("demo", translator),
        cls=shared.command_class,
        help=_("Run the diagnosis against built-in example servers that are broken on purpose (offline)."),
    )
    def demo(
        json: Annotated[
            bool,
            typer.Option(
                "--json",
                help=_(
                    "Print the examples' reports as a JSON list on standard output, and nothing else there."
                ),
            ),
        ] = False,
        lang: Annotated[Language | None, shared.lang()] = None,
    ) -> None:
        from maildoctor.demo.command import run_demo_command

        raise typer.Exit(run_demo_command(translator, as_json=json))
