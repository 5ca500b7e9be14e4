"""The `maildoctor` command line: Typer for parsing, Rich for output.

Typer fixes help texts when a command is defined, so the language has to be
known before the app exists: main() reads `--lang` from the arguments (or the
locale from the environment), then builds the app with that language's texts.
"""

# No `from __future__ import annotations` here: Typer reads the Annotated[...] metadata
# of the commands at run time, and those refer to the translator of build_app().

import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from maildoctor import __version__
from maildoctor.cli.dns_option import DnsValueProblem, dns_value_problem
from maildoctor.cli.help_examples import examples
from maildoctor.cli.typer_texts import command_classes, translated_typer_texts
from maildoctor.i18n import N_, Language, Translator, get_translator, resolve_language
from maildoctor.model import (
    SERVER_URL_SCHEMES,
    Endpoint,
    Protocol,
    ServerUrlError,
    ServerUrlReason,
    parse_server_url,
)

PROG_NAME: Final = "maildoctor"


class ExitCode(IntEnum):
    """The exit statuses of interface.md."""

    OK = 0  # nothing wrong found
    PROBLEMS = 1  # problems found
    USAGE = 2  # the command line is wrong
    NOT_RUN = 3  # the diagnosis itself could not run


# One sentence per reason a server URL is refused. {part} is the piece at fault.
_URL_REASON_MESSAGES: Final[Mapping[ServerUrlReason, str]] = {
    ServerUrlReason.EMPTY: N_("It is empty."),
    ServerUrlReason.WHITESPACE: N_("It contains a space or an invisible character ({part})."),
    ServerUrlReason.MISSING_SCHEME: N_(
        "It must start with the kind of server, like imaps:// or smtp+starttls://."
    ),
    ServerUrlReason.UNKNOWN_SCHEME: N_("“{part}” is not a known kind of server. Use one of: {schemes}."),
    ServerUrlReason.USERINFO: N_(
        "It contains a user name or password before “@”. "
        "Give the user name with --user; the password is asked for separately."
    ),
    ServerUrlReason.PATH: N_(
        "There is extra text after the server name (“{part}”). Give only the server name and the port number."
    ),
    ServerUrlReason.EMPTY_HOST: N_("The server name is missing."),
    ServerUrlReason.INVALID_HOST: N_(
        "The server name contains “{part}”, which cannot be part of a server name."
    ),
    ServerUrlReason.INVALID_IPV6: N_(
        "“{part}” is not a valid IPv6 address. "
        "Write an IPv6 address in square brackets, like [2001:db8::1]:993."
    ),
    ServerUrlReason.INVALID_PORT: N_(
        "The port number “{part}” is not a number. Use the digits 0-9 (half-width)."
    ),
    ServerUrlReason.PORT_OUT_OF_RANGE: N_("The port number {part} is not between 1 and 65535."),
}


class _TranslatedUsageError(typer.BadParameter):
    """A usage error (exit 2) whose whole message is ours: BadParameter would prefix English words."""

    translated = True  # names the option itself: translate_usage_error adds no prefix

    def format_message(self) -> str:
        return self.message


def server_url_error_message(translator: Translator, option: str, error: ServerUrlError) -> str:
    _ = translator.gettext
    part = error.part
    if error.reason is ServerUrlReason.WHITESPACE:
        part = " ".join(f"U+{ord(char):04X}" for char in part)  # a space cannot be shown; its code can
    reason = _(_URL_REASON_MESSAGES[error.reason]).format(part=part, schemes=", ".join(SERVER_URL_SCHEMES))
    return _("The server URL given to {option}, “{url}”, cannot be used. {reason}").format(
        option=option, url=error.text, reason=reason
    )


# The server kinds each server option takes: a sending server given as the receiving one is a slip.
_ROLE_PROTOCOLS: Final[Mapping[str, frozenset[Protocol]]] = {
    "--incoming": frozenset({Protocol.IMAP, Protocol.POP3}),
    "--outgoing": frozenset({Protocol.SMTP}),
}
_WRONG_ROLE_MESSAGES: Final[Mapping[str, str]] = {
    "--incoming": N_(
        "The server URL given to --incoming, “{url}”, is a sending (SMTP) server. --incoming takes the "
        "receiving server, in one of these forms: {schemes}. Give the sending server with --outgoing."
    ),
    "--outgoing": N_(
        "The server URL given to --outgoing, “{url}”, is a receiving (IMAP or POP3) server. --outgoing takes "
        "the sending server, in one of these forms: {schemes}. Give the receiving server with --incoming."
    ),
}


def _server_url_parser(translator: Translator, option: str) -> Callable[[str], Endpoint]:
    def parse(text: str) -> Endpoint:
        try:
            endpoint = parse_server_url(text)
        except ServerUrlError as error:
            raise _TranslatedUsageError(server_url_error_message(translator, option, error)) from None
        fitting = _ROLE_PROTOCOLS.get(option)
        if fitting is not None and endpoint.protocol not in fitting:
            schemes = [
                name for name in SERVER_URL_SCHEMES if parse_server_url(f"{name}://h").protocol in fitting
            ]
            message = translator.gettext(_WRONG_ROLE_MESSAGES[option])
            raise _TranslatedUsageError(
                message.format(url=text, schemes=", ".join(f"{s}://" for s in schemes))
            )
        return endpoint

    return parse


MAX_TIMEOUT: Final = 3600.0  # an hour: any longer is a typo (or milliseconds given as seconds)


def _timeout_parser(translator: Translator) -> Callable[[str], float]:
    """--timeout: seconds, more than 0 and at most an hour; anything else is a usage error (exit 2)."""

    def parse(text: str | float) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not 0 < value <= MAX_TIMEOUT:  # also false for NaN
            message = translator.gettext(
                "--timeout takes the time limit in seconds: a number more than 0 and at most {most} "
                "(for example --timeout 30). “{value}” cannot be used."
            )
            raise _TranslatedUsageError(message.format(most=int(MAX_TIMEOUT), value=text))
        return value

    return parse


def _lang_parser(translator: Translator) -> Callable[[str], Language]:
    """--lang: ja or en (any case); anything else is a usage error (exit 2) saying which fit."""

    def parse(text: str | Language) -> Language:
        language = _known_language(str(text))
        if language is None:
            message = translator.gettext(
                "--lang takes ja (Japanese) or en (English). “{value}” cannot be used."
            )
            raise _TranslatedUsageError(message.format(value=text))
        return language

    return parse


def _known_language(text: str) -> Language | None:
    try:
        return Language(text.strip().lower())
    except ValueError:
        return None


_DNS_VALUE_MESSAGES: Final[Mapping[DnsValueProblem, str]] = {
    DnsValueProblem.NOT_AN_ADDRESS: N_(
        "--dns takes the IP address of a DNS server, with a port number after a colon if needed "
        "(for example --dns 192.0.2.53 or --dns 192.0.2.53:5353). “{part}” is not an IP address."
    ),
    DnsValueProblem.BAD_PORT: N_(
        "The port number “{part}” given to --dns cannot be used: it is a number between 1 and 65535 "
        "in half-width digits (for example --dns 192.0.2.53:5353)."
    ),
}


def _dns_parser(translator: Translator) -> Callable[[str], str]:
    """--dns: an IP address, optionally :PORT; anything else is a usage error (exit 2)."""

    def parse(text: str) -> str:
        problem = dns_value_problem(text)
        if problem is not None:
            reason, part = problem
            raise _TranslatedUsageError(translator.gettext(_DNS_VALUE_MESSAGES[reason]).format(part=part))
        return text

    return parse


def _stdout() -> Console:
    # made per use: tests and `python -m` swap sys.stdout, and Rich only colours a terminal
    return Console(highlight=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _not_yet_available(translator: Translator, command: str) -> NoReturn:
    _ = translator.gettext
    message = _("“{command}” is not available in this version of maildoctor yet.").format(command=command)
    _stderr().print(Text(message))
    raise typer.Exit(ExitCode.NOT_RUN)


def build_app(translator: Translator) -> typer.Typer:
    """The Typer app with every help text in `translator`'s language."""
    _ = translator.gettext
    group_class, command_class = command_classes(translator)
    extra_args = {"allow_extra_args": True, "ignore_unknown_options": True}

    app = typer.Typer(
        name=PROG_NAME,
        cls=group_class,
        help=_(
            "Finds out why an email account cannot send or receive, and says in plain words what to change."
        ),
        epilog=examples(PROG_NAME, translator),
        no_args_is_help=True,
        add_completion=False,  # its options would be the only untranslated lines of the help
        pretty_exceptions_show_locals=False,  # a traceback must never print a password held in a variable
        rich_markup_mode="rich",
    )

    def show_version(value: bool) -> None:
        if value:
            _stdout().print(Text(f"{PROG_NAME} {__version__}"))
            raise typer.Exit(ExitCode.OK)

    lang_help = _("Language of the explanations: ja or en (default: from the locale, Japanese for ja_*).")

    def lang_option() -> Any:
        # a fresh OptionInfo per command: Typer keeps state on it
        return typer.Option("--lang", metavar="<ja|en>", parser=_lang_parser(translator), help=lang_help)

    dns_help = _("A DNS server to use instead of the computer's own (can be given more than once).")
    ca_file_help = _("A file of extra certificate authorities to trust like public ones.")
    timeout_help = _("The time limit for the whole diagnosis, in seconds.")
    client_help = _(
        "The mail program in use (iphone, outlook, thunderbird, gmail, …): the fixes then follow its menus."
    )

    # options `check` and `settings` share (fresh OptionInfo objects per command, as for --lang)
    def dns_option() -> Any:
        return typer.Option("--dns", metavar="HOST[:PORT]", parser=_dns_parser(translator), help=dns_help)

    def ca_file_option() -> Any:
        return typer.Option("--ca-file", metavar="FILE", help=ca_file_help)

    def timeout_option() -> Any:
        return typer.Option(
            "--timeout", metavar="SECONDS", parser=_timeout_parser(translator), help=timeout_help
        )

    def client_option() -> Any:
        return typer.Option("--client", metavar="NAME", help=client_help)

    def server_option(name: str, help_text: str) -> Any:
        """--incoming / --outgoing: a server URL, checked while the options are read (exit 2)."""
        return typer.Option(name, metavar="URL", parser=_server_url_parser(translator, name), help=help_text)

    # --lang is read by main() before the app is built; the options here document and validate it.
    @app.callback()
    def root(
        version: Annotated[
            bool,
            typer.Option(
                "--version", help=_("Show the version and exit."), is_eager=True, callback=show_version
            ),
        ] = False,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        pass

    @app.command(
        "check",
        epilog=examples("check", translator),
        cls=command_class,
        help=_("Diagnose one email account: why it cannot send or receive."),
    )
    def check(
        address: Annotated[
            str, typer.Argument(metavar="ADDRESS", help=_("The email address of the account."))
        ],
        incoming: Annotated[
            Endpoint | None,
            server_option(
                "--incoming",
                _(
                    "The receiving server as set in the mail program, like imaps://imap.example.jp:993. "
                    "Found automatically when not given."
                ),
            ),
        ] = None,
        outgoing: Annotated[
            Endpoint | None,
            server_option(
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
        client: Annotated[str | None, client_option()] = None,
        dns: Annotated[list[str] | None, dns_option()] = None,
        ca_file: Annotated[Path | None, ca_file_option()] = None,
        timeout: Annotated[float, timeout_option()] = 20,
        json: Annotated[
            bool,
            typer.Option(
                "--json", help=_("Print the report as JSON on standard output, and nothing else there.")
            ),
        ] = False,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        # The server URLs were checked while the options were read (exit 2 when wrong).
        from maildoctor.cli.check_command import CheckOptions, run_check_command

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
        )
        raise typer.Exit(run_check_command(options, translator))

    @app.command(
        "settings",
        epilog=examples("settings", translator),
        cls=command_class,
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
            server_option(
                "--incoming",
                _(
                    "For the memo: the receiving server as set in the mail program, "
                    "like imaps://imap.example.jp:993."
                ),
            ),
        ] = None,
        outgoing: Annotated[
            Endpoint | None,
            server_option(
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
        dns: Annotated[list[str] | None, dns_option()] = None,
        ca_file: Annotated[Path | None, ca_file_option()] = None,
        timeout: Annotated[float, timeout_option()] = 20,
        client: Annotated[str | None, client_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
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

    @app.command(
        "domain",
        epilog=examples("domain", translator),
        cls=command_class,
        context_settings=extra_args,
        help=_(
            "Check the sending side of a domain: MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, blocklists, expiry."
        ),
    )
    def domain(
        name: Annotated[str, typer.Argument(metavar="DOMAIN", help=_("The domain, like example.jp."))],
        sender_ip: Annotated[
            list[str] | None,
            typer.Option(
                "--sender-ip",
                metavar="IP",
                help=_("An address of a server that sends the domain's mail: SPF is checked for it."),
            ),
        ] = None,
        helo: Annotated[
            str | None,
            typer.Option("--helo", metavar="NAME", help=_("The name the sending server greets with.")),
        ] = None,
        mail_from: Annotated[
            str | None,
            typer.Option(
                "--mail-from", metavar="ADDRESS", help=_("The envelope sender for the SPF check (MAIL FROM).")
            ),
        ] = None,
        blocklists: Annotated[
            bool,
            typer.Option(
                "--blocklists",
                help=_(
                    "Also ask the major spam blocklists about the sender addresses (they have usage rules)."
                ),
            ),
        ] = False,
        dkim_selector: Annotated[
            list[str] | None,
            typer.Option(
                "--dkim-selector",
                metavar="NAME",
                help=_("A DKIM selector to look at besides the usual ones."),
            ),
        ] = None,
        dns: Annotated[list[str] | None, dns_option()] = None,
        ca_file: Annotated[Path | None, ca_file_option()] = None,
        timeout: Annotated[float, timeout_option()] = 20,
        json_output: Annotated[
            bool,
            typer.Option(
                "--json",
                help=_(
                    "Print the report as JSON for other programs (format maildoctor.domain/1), "
                    "and nothing else."
                ),
            ),
        ] = False,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        from maildoctor.cli.domain_command import DomainOptions, run_domain_command

        options = DomainOptions(
            domain=name,
            dns=tuple(dns or ()),
            sender_ips=tuple(sender_ip or ()),
            helo=helo,
            mail_from=mail_from,
            blocklists=blocklists,
            dkim_selectors=tuple(dkim_selector or ()),
            ca_file=ca_file,
            timeout=timeout,
            json=json_output,
        )
        raise typer.Exit(run_domain_command(options, translator))

    @app.command(
        "explain",
        epilog=examples("explain", translator),
        cls=command_class,
        context_settings=extra_args,
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
        client: Annotated[str | None, client_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        from maildoctor.cli.explain_command import ExplainOptions, run_explain_command

        raise typer.Exit(run_explain_command(ExplainOptions(subject, json_output, client), translator))

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

    @app.command(
        "ledger",
        cls=command_class,
        context_settings=extra_args,
        add_help_option=False,  # `ledger --help` is the ledger group's own help
        help=_("Keep the book of the company's mail accounts, devices, domains and contacts."),
    )
    def ledger(ctx: typer.Context) -> None:
        # the group and its commands are built only when it runs: every other command starts without them
        from maildoctor.cli.ledger_command import run_ledger

        raise typer.Exit(run_ledger(translator, group_class, command_class, lang_option, ctx.args))

    @app.command(
        "web",
        cls=command_class,
        context_settings=extra_args,
        help=_("(Not available yet.) Open the browser interface (reachable from this computer only)."),
    )
    def web(lang: Annotated[Language | None, lang_option()] = None) -> None:
        _not_yet_available(translator, "web")

    return app


def language_for(args: Sequence[str], environ: Mapping[str, str]) -> Language:
    """The language of this run: `--lang X` / `--lang=X` anywhere before `--`, else the locale."""
    explicit: str | None = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            explicit = args[index + 1]
        elif arg.startswith("--lang="):
            explicit = arg.removeprefix("--lang=")
    if explicit is not None and _known_language(explicit) is None:
        explicit = None  # --lang itself is wrong: say so in the language of the locale
    return resolve_language(explicit, environ)


def main(argv: Sequence[str] | None = None) -> None:
    """The console-script entry point (`maildoctor`, `python -m maildoctor`); exits the process."""
    args = list(sys.argv[1:] if argv is None else argv)
    translator = get_translator(language_for(args, os.environ))
    app = build_app(translator)
    try:
        with translated_typer_texts(translator):
            app(args=args, prog_name=PROG_NAME)
    except SystemExit as done:
        if argv is not None:  # called from Python (the tests): a normal exit
            raise
        _end_process(done.code)


def _end_process(code: object) -> NoReturn:
    """Ends the process at once, with the exit status `SystemExit(code)` would give, its output flushed.

    A normal exit tears down every module and frees every object one by one, which is a sizeable
    part of a short command's time; nothing is left to do by then (the event loop and its threads
    are closed, files are written and closed). mypy ends the same way (`mypy.util.hard_exit`).
    """
    status = code if isinstance(code, int) else 0 if code is None else 1
    try:
        if code is not None and not isinstance(code, int):
            sys.stderr.write(f"{code}\n")
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
        status = status or 1
    os._exit(status)
