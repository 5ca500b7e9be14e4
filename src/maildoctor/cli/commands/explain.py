"""`maildoctor explain TEXT|CODE|FILE`: its options; the run is cli/explain_command.py's."""

from typing import Annotated

import typer

from maildoctor.cli.help_examples import examples
from maildoctor.cli.options import SharedOptions
from maildoctor.i18n import Language


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext

    @app.command(
        "explain",
        epilog=examples("explain", translator),
        cls=shared.command_class,
        context_settings=shared.extra_args,
        help=_("Explain an error message, an Outlook error code or a returned mail (.eml file)."),
    )
    def explain(
        subject: Annotated[
            str | None,
            typer.Argument(
                metavar="TEXT|CODE|FILE|-",
                help=_(
                    "The error message, the error code, or the file of the returned mail; "
                    "- (or nothing, with a pipe) reads standard input."
                ),
                show_default=False,
            ),
        ] = None,
        json_output: Annotated[
            bool,
            typer.Option(
                "--json",
                help=_(
                    "Print the explanation as JSON for other programs (format maildoctor.explain/1), "
                    "and nothing else."
                ),
            ),
        ] = False,
        client: Annotated[str | None, shared.client()] = None,
        lang: Annotated[Language | None, shared.lang()] = None,
    ) -> None:
        from maildoctor.cli.explain_command import ExplainOptions, run_explain_command

        raise typer.Exit(run_explain_command(ExplainOptions(subject, json_output, client), translator))
