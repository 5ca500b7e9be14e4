"""`maildoctor settings ADDRESS`: its options; the run is cli/settings_command.py's."""

from pathlib import Path
from typing import Annotated

import typer

from maildoctor.cli.help_examples import examples
from maildoctor.cli.options import SharedOptions
from maildoctor.i18n import Language
from maildoctor.model import Endpoint


def register(app: typer.Typer, shared: SharedOptions) -> None:
    translator = shared.translator
    _ = translator.gettext

    @app.command(
        "settings",
        epilog=examples("settings", translator),
        cls=shared.command_class,
        help=_("Show the right server settings for an email address."),
    )
    def settings(
        address: Annotated[
            str, typer.Argument(metavar="ADDRESS", help=_("The email address of the account."))
        ],
        format: Annotated[
            str,
            typer.Option(
                "--format",
                metavar="FORMAT",  # the names are in the help: this column would take half the width
                help=_(
                    "How to hand the settings over: table (a table), json, autoconfig (a Thunderbird "
                    "autoconfig file), mobileconfig (an iPhone configuration profile) "
                    "or sheet (a printable sheet)."
                ),
            ),
        ] = "table",
        json_output: Annotated[
            bool,
            typer.Option("--json", help=_("The same as --format json: the settings as JSON.")),
        ] = False,
        memo: Annotated[
            bool,
            typer.Option(
                "--memo",
                help=_(
                    "A memo to keep at hand when calling support (the password is left out). "
                    "With --format sheet it is printed on the sheet."
                ),
            ),
        ] = False,
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                metavar="FILE",
                help=_(
                    "Write to this file instead of the screen. "
                    "With --format sheet, a name ending in .pdf makes a PDF, any other name an HTML page."
                ),
            ),
        ] = None,
        incoming: Annotated[
            Endpoint | None,
            shared.server(
                "--incoming",
                _(
                    "For the memo: the receiving server as set in the mail program, "
                    "like imaps://imap.example.jp:993."
                ),
            ),
        ] = None,
        outgoing: Annotated[
            Endpoint | None,
            shared.server(
                "--outgoing",
                _(
                    "For the memo: the sending server as set in the mail program, "
                    "like smtp+starttls://smtp.example.jp:587."
                ),
            ),
        ] = None,
        user: Annotated[
            str | None,
            typer.Option(
                "--user", metavar="NAME", help=_("For the memo: the user name typed in the mail program.")
            ),
        ] = None,
        error: Annotated[
            str | None,
            typer.Option(
                "--error",
                metavar="TEXT",
                help=_("For the memo: the error message the mail program shows, copied as it is."),
            ),
        ] = None,
        dns: Annotated[list[str] | None, shared.dns()] = None,
        ca_file: Annotated[Path | None, shared.ca_file()] = None,
        timeout: Annotated[float, shared.timeout()] = 20,
        client: Annotated[str | None, shared.client()] = None,
        lang: Annotated[Language | None, shared.lang()] = None,
    ) -> None:
        # The server URLs were checked while the options were read (exit 2 when wrong).
        from maildoctor.cli.settings_command import SettingsOptions, run_settings_command

        options = SettingsOptions(
            address=address,
            format=format,
            json=json_output,
            memo=memo,
            dns=tuple(dns or ()),
            ca_file=ca_file,
            timeout=timeout,
            client=client,
            output=output,
            incoming=incoming,
            outgoing=outgoing,
            user=user,
            error=error,
        )
        raise typer.Exit(run_settings_command(options, translator))
