"""What `maildoctor explain` was given, read safely: the argument's text, a file, or standard input.

Nothing a person types or pastes ends in a traceback. A string is handed to the file system only
when it can be a file name (`explain.subject.worth_probing`), and any error of that probe means
"not a file". What is read is bounded (`bounce.MAX_BYTES`, like the returned-mail reader), and a
file or standard input that holds no mail or text gets a calm message and the usage exit status.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from maildoctor.exitcode import ExitCode
from maildoctor.explain.bounce import MAX_BYTES
from maildoctor.explain.subject import (
    ContentKind,
    content_kind,
    decode_text,
    looks_like_file_name,
    unquoted,
    worth_probing,
)
from maildoctor.i18n import Translator
from maildoctor.protocol.lines import safe_text

STDIN: Final = "-"
_SHOWN_NAME: Final = 200
_BOMS: Final = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class Given:
    """Something to explain: `text` (a message, a reply, a code) or `mail` (bytes of a mail or mbox)."""

    text: str | None = None
    mail: bytes | None = None
    origin: str = "argument"  # argument | stdin | file
    truncated: bool = False  # only the first MAX_BYTES were read


@dataclass(frozen=True, slots=True)
class Refusal:
    """Nothing to explain: what to tell the person, and the exit status."""

    message: str
    status: int


def shown(name: str) -> str:
    """A file name as it may be printed: control characters escaped, cut."""
    return safe_text(name, _SHOWN_NAME)


def read_bounded(stream: BinaryIO) -> tuple[bytes, bool]:
    """At most MAX_BYTES from `stream`, and whether there was more."""
    data = stream.read(MAX_BYTES + 1)
    return data[:MAX_BYTES], len(data) > MAX_BYTES


def _from_bytes(
    data: bytes, truncated: bool, origin: str, name: str, translator: Translator
) -> Given | Refusal:
    _ = translator.gettext
    kind = content_kind(data)
    if kind is ContentKind.EMPTY:
        if origin == "stdin":
            nothing = _("Nothing came in on standard input: there is nothing to explain.")
            return Refusal(nothing, ExitCode.USAGE)
        return Refusal(
            _("The file {name} is empty: there is nothing to explain.").format(name=name), ExitCode.USAGE
        )
    if kind is ContentKind.OUTLOOK_MSG:
        return Refusal(
            _(
                "{name} is an Outlook message file (.msg), which maildoctor cannot read. Save the returned "
                "mail as an .eml file, or copy its text and give it with: maildoctor explain -"
            ).format(name=name or "-"),
            ExitCode.USAGE,
        )
    if kind is ContentKind.BINARY:
        return Refusal(
            _(
                "{name} is not a mail or a text (it looks like a picture, a document or a program). Give the "
                "returned mail's file (.eml), or the error message in quotes."
            ).format(name=name or "-"),
            ExitCode.USAGE,
        )
    if kind in (ContentKind.MAIL, ContentKind.JSON):
        if data.startswith(_BOMS):  # the mail parser wants the message's own bytes first
            data = decode_text(data).encode("utf-8")
        # a paste often starts with blank lines, which would end the header before it begins
        return Given(mail=data.lstrip(), origin=origin, truncated=truncated)
    return Given(text=decode_text(data), origin=origin, truncated=truncated)


def read_stdin(stream: BinaryIO, translator: Translator) -> Given | Refusal:
    try:
        data, truncated = read_bounded(stream)
    except (OSError, ValueError):  # closed (`<&-`), a terminal gone, a stream that is not readable
        return Refusal(translator.gettext("Standard input could not be read."), ExitCode.NOT_RUN)
    return _from_bytes(data, truncated, "stdin", "", translator)


def _read_file(path: Path, name: str, translator: Translator) -> Given | Refusal:
    _ = translator.gettext
    try:
        with path.open("rb") as handle:
            data, truncated = read_bounded(handle)
    except PermissionError:
        return Refusal(
            _("maildoctor may not read the file {name} (no permission).").format(name=name), ExitCode.NOT_RUN
        )
    except (OSError, ValueError):
        return Refusal(_("The file {name} could not be read.").format(name=name), ExitCode.NOT_RUN)
    return _from_bytes(data, truncated, "file", name, translator)


def resolve(subject: str, translator: Translator) -> Given | Refusal:
    """The argument as a file when it is one (or plainly names one), else as the text to explain."""
    _ = translator.gettext
    candidate = unquoted(subject)
    if not worth_probing(candidate):
        return Given(text=subject)
    name = shown(candidate)
    try:
        path = Path(candidate).expanduser()
        mode = path.stat().st_mode
    except (OSError, ValueError, RuntimeError) as error:  # RuntimeError: "~user" of no such user
        if not looks_like_file_name(candidate):
            return Given(text=subject)
        if isinstance(error, PermissionError):
            not_allowed = _("maildoctor may not read the file {name} (no permission).")
            return Refusal(not_allowed.format(name=name), ExitCode.NOT_RUN)
        return Refusal(
            _(
                "File not found: {name}. Check the file's name and folder; to explain an error message, "
                "put the message in quotes."
            ).format(name=name),
            ExitCode.USAGE,
        )
    if stat.S_ISDIR(mode):
        return Refusal(
            _("{name} is a folder, not a file. Give the returned mail's file (.eml) inside it.").format(
                name=name
            ),
            ExitCode.USAGE,
        )
    return _read_file(path, name, translator)


__all__ = ["STDIN", "Given", "Refusal", "read_bounded", "read_stdin", "resolve", "shown"]
