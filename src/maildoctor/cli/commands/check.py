"""`maildoctor check ADDRESS`: its options; the run is cli/check_command.py's."""

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
        "check",
        epilog=examples("check", translator),
        cls=shared.command_class,
        help=_("Diagnose one email account: why it cannot send or receive."),
    )
    def check(
        address: Annotated[
            str, typer.Argument(metavar="ADDRESS", help=_("The email address of the account."))
        ],
        incoming: Annotated[
            Endpoint | None,
            shared.server(
                "--incoming",
                _(
                    "The receiving server as set in the mail program, like imaps://imap.example.jp:993. "
                    "Found automatically when not given."
                ),
            ),
        ] = None,
        outgoing: Annotated[
            Endpoint | None,
            shared.server(
                "--outgoing",
                _(
                    "The sending server as set in the mail program, "
                    "like smtp+starttls://smtp.example.jp:587. Found automatically when not given."
                ),
            ),
        ] = None,
        user: Annotated[
            str | None,
            typer.Option(
                "--user",
                metavar="NAME",
                help=_("The user name typed in the mail program (default: the email address)."),
            ),
        ] = None,
        no_outgoing_auth: Annotated[
            bool,
            typer.Option(
                "--no-outgoing-auth",
                help=_(
                    "The mail program sends without logging in "
                    "(“outgoing server requires authentication” is off)."
                ),
            ),
        ] = False,
        roundtrip: Annotated[
            bool,
            typer.Option(
                "--roundtrip",
                help=_("Also send a test message to the address itself and wait for it to arrive."),
            ),
        ] = False,
        force_login: Annotated[
            bool,
            typer.Option(
                "--force-login",
                help=_(
                    "Log in even though a login to this server with this user name failed recently "
                    "(normally skipped, so that the account does not get locked)."
                ),
            ),
        ] = False,
        transcript: Annotated[
            bool,
            typer.Option(
                "--transcript", help=_("Show the conversation with each server (passwords hidden).")
            ),
        ] = False,
        password_stdin: Annotated[
            bool,
            typer.Option(
                "--password-stdin",
                help=_(
                    "Read the password from standard input (one line). Without it, the password is "
                    "asked for on the terminal and not shown while typed."
                ),
            ),
        ] = False,
        no_auth: Annotated[bool, typer.Option("--no-auth", help=_("Do not log in at all."))] = False,
        client: Annotated[str | None, shared.client()] = None,
        dns: Annotated[list[str] | None, shared.dns()] = None,
        ca_file: Annotated[Path | None, shared.ca_file()] = None,
        timeout: Annotated[float, shared.timeout()] = 20,
        json: Annotated[
            bool,
            typer.Option(
                "--json", help=_("Print the report as JSON on standard output, and nothing else there.")
            ),
        ] = False,
        lang: Annotated[Language | None, shared.lang()] = None,
        oauth2: Annotated[
            bool,
            typer.Option(
                "--oauth2",
                help=_(
                    "Sign in on the provider's own page (Microsoft 365, Outlook.com, Google) and test "
                    "the login with that sign-in instead of a password (Microsoft's device-code sign-in; "
                    "Google accounts: not available yet)."
                ),
            ),
        ] = False,
        oauth2_client_id: Annotated[
            str | None,
            typer.Option(
                "--oauth2-client-id",
                metavar="ID",
                envvar="MAILDOCTOR_OAUTH2_CLIENT_ID",
                show_envvar=False,
                help=_(
                    "The application (client) ID registered for maildoctor with the provider, for "
                    "--oauth2 (see the README)."
                ),
            ),
        ] = None,
        oauth2_authority: Annotated[
            str | None,
            typer.Option(
                "--oauth2-authority",
                metavar="URL",
                envvar="MAILDOCTOR_OAUTH2_AUTHORITY",
                show_envvar=False,
                help=_(
                    "With --oauth2: the sign-in server, whose device-code and token addresses are "
                    "URL/devicecode and URL/token (default: Microsoft's, for the address's provider)."
                ),
            ),
        ] = None,
        oauth2_scope: Annotated[
            str | None,
            typer.Option(
                "--oauth2-scope",
                metavar="SCOPES",
                help=_(
                    "With --oauth2: the permissions to ask for (default: Microsoft's IMAP, POP and SMTP)."
                ),
            ),
        ] = None,
        keep_token: Annotated[
            bool,
            typer.Option(
                "--keep-token",
                help=_(
                    "With --oauth2: keep the sign-in in the system's keyring (only there) for the next "
                    "check, until it expires."
                ),
            ),
        ] = False,
        # for reporting a fault in maildoctor: a check that crashed shows its traceback (no password)
        debug: Annotated[bool, typer.Option("--debug", hidden=True)] = False,
    ) -> None:
        # The server URLs were checked while the options were read (exit 2 when wrong).
        from maildoctor.cli.check_command import CheckOptions, run_check_command
        from maildoctor.cli.oauth2_sign_in import SignInRequest

        options = CheckOptions(
            address=address,
            incoming=incoming,
            outgoing=outgoing,
            user=user,
            no_outgoing_auth=no_outgoing_auth,
            force_login=force_login,
            transcript=transcript,
            password_stdin=password_stdin,
            no_auth=no_auth,
            dns=tuple(dns or ()),
            ca_file=ca_file,
            timeout=timeout,
            json=json,
            roundtrip=roundtrip,
            client=client,
            debug=debug,
            sign_in=SignInRequest(
                address, oauth2_client_id, oauth2_authority, oauth2_scope, (), ca_file, keep_token
            )
            if oauth2
            else None,
        )
        raise typer.Exit(run_check_command(options, translator))
