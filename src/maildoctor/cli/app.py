"""The `maildoctor` command line: Typer for parsing, Rich for output.

Typer fixes help texts when a command is defined, so the language has to be
known before the app exists: main() reads `--lang` from the arguments (or the
locale from the environment), then builds the app with that language's texts.
"""

# No `from __future__ import annotations` here: Typer reads the Annotated[...] metadata
# of the commands at run time, and those refer to the translator of build_app().

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Annotated, Final, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from maildoctor import __version__
from maildoctor.cli.codecache import keep_generated_code
from maildoctor.cli.codecache import save as save_generated_code
from maildoctor.cli.commands import check, checkup, demo, domain, explain, settings, web
from maildoctor.cli.help_examples import examples
from maildoctor.cli.options import MAX_TIMEOUT, SharedOptions, known_language, server_url_error_message
from maildoctor.cli.startup import quick_start
from maildoctor.cli.typer_texts import command_classes, translated_typer_texts
from maildoctor.exitcode import ExitCode
from maildoctor.i18n import Language, Translator, get_translator, resolve_language

PROG_NAME: Final = "maildoctor"


def _stdout() -> Console:
    # made per use: tests and `python -m` swap sys.stdout, and Rich only colours a terminal
    return Console(highlight=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


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

    shared = SharedOptions(translator, command_class, extra_args)
    lang_option = shared.lang

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

    for register in (check.register, settings.register, domain.register, explain.register, demo.register):
        register(app, shared)
    checkup.register(app, shared)

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

    web.register(app, shared)

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
    if explicit is not None and known_language(explicit) is None:
        explicit = None  # --lang itself is wrong: say so in the language of the locale
    return resolve_language(explicit, environ)


def main(argv: Sequence[str] | None = None) -> None:
    """The console-script entry point (`maildoctor`, `python -m maildoctor`); exits the process."""
    if argv is None:  # the process's own entry point (the console script): see startup.py
        quick_start()
        keep_generated_code()
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
    save_generated_code()
    try:
        if code is not None and not isinstance(code, int):
            sys.stderr.write(f"{code}\n")
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
        status = status or 1
    os._exit(status)


__all__ = ["MAX_TIMEOUT", "build_app", "language_for", "main", "server_url_error_message"]
