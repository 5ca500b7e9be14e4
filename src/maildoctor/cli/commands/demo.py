"""`maildoctor demo`: its options; the run is the demo's.

Registered on the app by cli/app.py's build_app, with every help text in the run's language.
"""

# No `from __future__ import annotations` here: Typer reads the Annotated[...] metadata at run time.

from typing import Annotated

import typer

from maildoctor.cli.help_examples import examples
from maildoctor.cli.options import SharedOptions
from maildoctor.i18n import Language


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext
    command_class = shared.command_class
    lang_option = shared.lang

    @app.command(
        "demo",
        epilog=examples("demo", translator),
        cls=command_class,
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
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        from maildoctor.lab.demo.command import run_demo_command

        raise typer.Exit(run_demo_command(translator, as_json=json))
