"""Typer's own words (panel titles, "Usage:", the --help option) in the language of the run.

Typer keeps these as module constants of typer.rich_utils, read when help or an
error is printed, and click hard-codes the --help option's text and the "Usage:"
prefix. We set the constants for the duration of one run and give Typer command
classes that use our texts, instead of installing a translation globally.
"""

import copy
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup

from maildoctor.cli.usage_errors import translate_usage_error
from maildoctor.display import PhraseText, say
from maildoctor.i18n import Translator

# Typer imports its Rich help and error formatting only when it prints help or an error; importing
# it for every run would cost a sizeable part of a check's start (Markdown, syntax highlighting).
_RICH_UTILS = "typer.rich_utils"
_HIDDEN: frozenset[str] = frozenset()  # commands never suggested (none now)


@contextmanager
def translated_typer_texts(translator: Translator) -> Iterator[None]:
    """Translate Typer's panel titles and messages while the block runs; restore them after.

    When Typer has not imported its help formatting yet, the texts are set the moment it does.
    """
    _ = translator.gettext
    texts: dict[str, Any] = {
        "ARGUMENTS_PANEL_TITLE": _("Arguments"),
        "OPTIONS_PANEL_TITLE": _("Options"),
        "COMMANDS_PANEL_TITLE": _("Commands"),
        "ERRORS_PANEL_TITLE": _("Error"),
        "ABORTED_TEXT": _("Aborted."),
        # TRANSLATORS: keep the Rich markup [blue]…[/] and both {placeholders} as they are
        "RICH_HELP": _("Try [blue]'{command_path} {help_option}'[/] for help."),
        # TRANSLATORS: {} is the default value of an option
        "DEFAULT_STRING": _("[default: {}]"),
        "REQUIRED_LONG_STRING": _("[required]"),
        # Typer forces colour when it sees GITHUB_ACTIONS or PY_COLORS even if the output
        # is a pipe or a file; we leave the choice to Rich: colour only on a terminal
        # (or when the user sets FORCE_COLOR, which Rich honours itself).
        "FORCE_TERMINAL": None,
    }
    saved: dict[str, Any] = {}

    def translate(rich_utils: ModuleType) -> None:
        make_rich_text = getattr(rich_utils, "_make_rich_text", None)
        values = dict(texts)
        if make_rich_text is not None:
            values["_make_rich_text"] = _folding(make_rich_text)
        if isinstance(getattr(rich_utils, "Table", None), type):
            values["Table"] = _CompactTable
        format_error = getattr(rich_utils, "rich_format_error", None)
        if format_error is not None and hasattr(rich_utils, "highlighter"):
            values["rich_format_error"] = _phrased_error(rich_utils, format_error)
        saved.update({name: getattr(rich_utils, name) for name in values})
        for name, value in values.items():
            setattr(rich_utils, name, value)

    hook: _AfterImport | None = None
    if _RICH_UTILS in sys.modules:
        translate(sys.modules[_RICH_UTILS])
    else:
        hook = _AfterImport(_RICH_UTILS, translate)
        sys.meta_path.insert(0, hook)
    try:
        yield
    finally:
        if hook is not None and hook in sys.meta_path:
            sys.meta_path.remove(hook)
        rich_utils = sys.modules.get(_RICH_UTILS)
        if rich_utils is not None:
            for name, value in saved.items():
                setattr(rich_utils, name, value)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds one module as the other finders do, and calls `then` with it once it has run."""

    def __init__(self, name: str, then: Callable[[ModuleType], None]) -> None:
        self.name = name
        self.then = then

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # once, and not for the search below
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _LoaderThen(spec.loader, self.then)
        return spec


class _LoaderThen(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, then: Callable[[ModuleType], None]) -> None:
        self.loader = loader
        self.then = then

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        self.then(module)


def _folding(make_rich_text: Callable[..., Any]) -> Callable[..., Any]:
    """Help texts broken where maildoctor.wrap breaks them: Japanese at phrase boundaries with 禁則,
    URLs and commands whole. Rich alone breaks only at spaces, and would cut a Japanese sentence
    anywhere ("Thunderbi/rd"). (A private Typer helper; if a Typer release renames it, help texts
    wrap the Rich way again, nothing breaks.)"""

    def make_phrase_text(*args: Any, **kwargs: Any) -> Any:
        return _phrase(make_rich_text(*args, **kwargs))

    return make_phrase_text


def _phrase(rich_text: Any) -> Any:
    """`rich_text` as a PhraseText (same spans and style); anything else as it is."""
    if isinstance(rich_text, Text) and not isinstance(rich_text, PhraseText):
        phrased = PhraseText(style=rich_text.style, end=rich_text.end)
        phrased.append_text(rich_text)
        return phrased
    return rich_text


def _phrased_error(rich_utils: ModuleType, format_error: Callable[[Any], None]) -> Callable[[Any], None]:
    """Typer's error panel (a usage error, exit 2) with its message wrapped as help texts are
    (`_folding`): Rich alone would cut a URL ("h|ttps") or start a Japanese line with 。. Typer
    builds the panel's text with its module's `highlighter`; for the panel's time it gives
    PhraseText."""

    def format_phrased(error: Any) -> None:
        highlighter = rich_utils.highlighter
        rich_utils.highlighter = lambda text: _phrase(highlighter(text))  # type: ignore[attr-defined]
        try:
            format_error(error)
        finally:
            rich_utils.highlighter = highlighter  # type: ignore[attr-defined]

    return format_phrased


class _CompactTable(Table):
    """Typer's options table without its columns that are empty in every row: Typer gives short
    names and negative forms columns of their own, and maildoctor has none, so each would take its
    padding from the help texts' column (then too narrow for an example URL at 80 columns)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        kept = [column for column in self.columns if any(map(_has_content, column.cells))]
        if kept and len(kept) < len(self.columns):
            for index, column in enumerate(kept):
                column._index = index  # Rich's own numbering of the columns (first/last padding)
            self.columns = kept
        yield from super().__rich_console__(console, options)


def _has_content(cell: Any) -> bool:
    return bool(cell.plain if isinstance(cell, Text) else cell)


def print_examples(console: Console, text: str) -> None:
    """The examples below a help screen, as Typer sets an epilog (a blank line around, one space
    in), each line wrapped by maildoctor.wrap with its own indentation kept."""
    console.print()
    for line in text.splitlines():
        indent = " " * (1 + len(line) - len(line.lstrip()))
        if line.strip():
            say(console, line.strip(), first=indent, rest=indent)
        else:
            console.print()
    console.print()


def _no_type(ctx: Any) -> None:
    return None


def _no_metavar(*args: Any, **kwargs: Any) -> str:
    return ""


class _TranslatedHelp:
    """Mixin for Typer's command classes: our --help text and usage prefix, our examples.

    The texts are class attributes because Typer creates the command objects
    itself from a class; command_classes() makes one pair of classes per run.
    """

    help_option_text: str = "Show this message and exit."
    usage_prefix: str = "Usage: "
    translator: Translator | None = None

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc,no-any-return]
        except UsageError as error:
            raise self._translated(error, ctx) from None

    def _translated(self, error: UsageError, ctx: Any) -> UsageError:
        if self.translator is None:
            return error
        commands = getattr(self, "commands", {})
        return translate_usage_error(error, self.translator, [n for n in commands if n not in _HIDDEN])

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, without the type Typer writes after each (<bool> after a flag, <str>
        after ADDRESS): a flag takes no value, and an argument's name already says what it is."""
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) or getattr(param, "param_type_name", "") == "argument":
                setattr(param, "display_type_rich", _no_type)  # noqa: B010 -- one object, not the class
            if getattr(param, "param_type_name", "") == "argument" and not hasattr(param.type, "_untyped"):
                # Typer 0.28 writes the type's metavar (or "<str>") after an argument's name; the
                # type object is shared by every string parameter, so this one gets its own copy
                untyped = copy.copy(param.type)
                untyped.get_metavar = _no_metavar
                untyped._untyped = True
                param.type = untyped
        return params

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = self.help_option_text
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Typer's help, then the examples (the epilog) printed by us: Typer would place them in
        the console's width and fold a command wider than that; printed with `say`, a command keeps a
        line of its own, longer than the screen if need be (the terminal wraps it, copying joins it)."""
        epilog = getattr(self, "epilog", None)
        if not epilog or getattr(self, "rich_markup_mode", None) is None:
            super().format_help(ctx, formatter)  # type: ignore[misc]
            return
        self.epilog = None
        try:
            super().format_help(ctx, formatter)  # type: ignore[misc]
        finally:
            self.epilog = epilog
        print_examples(Console(highlight=False), epilog)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=self.usage_prefix)


def command_classes(translator: Translator) -> tuple[type[TyperGroup], type[TyperCommand]]:
    """A group class (for the app) and a command class (for each command) speaking `translator`'s language."""
    _ = translator.gettext
    help_option_text = _("Show this message and exit.")
    # TRANSLATORS: starts the line that shows how to call a command; keep the trailing space
    usage_prefix = _("Usage: ")

    class TranslatedGroup(_TranslatedHelp, TyperGroup):
        def resolve_command(self, ctx: Any, args: list[str]) -> Any:
            try:
                return super().resolve_command(ctx, args)
            except UsageError as error:
                raise self._translated(error, ctx) from None

        def invoke(self, ctx: Any) -> Any:
            try:  # "Missing command." comes from here (a command's own errors are translated already)
                return super().invoke(ctx)
            except UsageError as error:
                raise self._translated(error, error.ctx or ctx) from None

    class TranslatedCommand(_TranslatedHelp, TyperCommand):
        pass

    for command_class in (TranslatedGroup, TranslatedCommand):
        command_class.help_option_text = help_option_text
        command_class.usage_prefix = usage_prefix
        command_class.translator = translator
    return TranslatedGroup, TranslatedCommand
