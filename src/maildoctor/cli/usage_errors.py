"""Click's usage errors (exit 2) in the reader's language, with what was typed made safe to show.

Click words its errors in English ("No such command 'chek'.", "Missing argument 'ADDRESS'.").
The command classes of typer_texts catch them where the command line is read and raise them
again with our sentence; the exit status stays 2.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from typer._click import exceptions as click_errors

from maildoctor.display import safe
from maildoctor.i18n import Translator

_NOT_VALID = re.compile(r"Value .* is not a valid (?P<kind>\w+)\.$", re.DOTALL)
_EXTRA = re.compile(r"Got unexpected extra arguments?(?:\(s\))? \((?P<words>.*)\)$", re.DOTALL)
_NO_COMMAND = re.compile(r"No such command (?P<name>.*?)\.(?:\s|$)", re.DOTALL)
_NUMBER_KINDS = ("float", "int")


class TranslatedUsageError(click_errors.UsageError):
    """A usage error whose whole message is ours (no English prefix added by Click)."""

    def format_message(self) -> str:
        return self.message


def _hint(error: click_errors.BadParameter) -> str:
    param = error.param
    if param is None:
        return ""
    # what Click's Parameter.get_error_hint says, without its quotes (its signature differs by version)
    if param.param_type_name == "argument":
        return param.human_readable_name.upper()
    return " / ".join(param.opts or [param.human_readable_name])


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"" else text


def nearest(name: str, choices: Sequence[str]) -> str | None:
    """The choice closest to a mistyped `name` ("chek" → "check"), if one is close enough."""
    found = difflib.get_close_matches(name.lower(), list(choices), n=1, cutoff=0.5)
    return found[0] if found else None


def translate_usage_error(
    error: click_errors.UsageError, translator: Translator, commands: Sequence[str] = ()
) -> TranslatedUsageError:
    """The same error with a message in the reader's language (untrusted parts made safe)."""
    _ = translator.gettext
    ctx = error.ctx
    if isinstance(error, TranslatedUsageError) or getattr(error, "translated", False):
        return TranslatedUsageError(safe(error.format_message(), multiline=True), ctx)
    if isinstance(error, click_errors.NoSuchOption):
        text = _("There is no option {option}.").format(option=error.option_name)
        if error.possibilities:
            text += " " + _("Did you mean {options}?").format(options=", ".join(sorted(error.possibilities)))
    elif isinstance(error, click_errors.MissingParameter):
        text = _("{name} is missing: it is needed after the command.").format(name=_hint(error))
    elif isinstance(error, click_errors.BadParameter):
        match = _NOT_VALID.match(error.message)
        if (match and match["kind"] in _NUMBER_KINDS) or "valid number" in error.message:
            text = _("{name} takes a number (half-width digits).").format(name=_hint(error))
        else:
            text = _("The value given to {name} cannot be used: {reason}").format(
                name=_hint(error), reason=error.message
            )
    elif isinstance(error, click_errors.BadOptionUsage) and error.message.endswith("requires an argument."):
        text = _("{option} needs a value after it.").format(option=error.option_name)
    elif (extra := _EXTRA.match(error.message)) is not None:
        text = _(
            "There is more on the command line than the command takes: {words}. "
            "Text with spaces in it goes in quotes."
        ).format(words=extra["words"])
    elif error.message.startswith("Missing command"):
        text = _("Give a command: {commands}.").format(commands=", ".join(commands))
    elif (missing := _NO_COMMAND.match(error.message)) is not None:
        name = _unquote(missing["name"])
        text = _("There is no command “{name}”.").format(name=name)
        suggestion = nearest(name, commands)
        if suggestion:
            text += " " + _("Did you mean “{command}”?").format(command=suggestion)
        else:
            text += " " + _("The commands are: {commands}.").format(commands=", ".join(commands))
    else:
        text = error.format_message()
    return TranslatedUsageError(safe(text), ctx)
