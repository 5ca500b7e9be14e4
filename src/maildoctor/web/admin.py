"""Adding a user of the web pages from the terminal (`maildoctor web --create-admin NAME`): the
password is typed without echo, twice, or read from standard input when it is not a terminal
(a script's pipe). Never from an option: it would stay in the shell's history and the process list."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import TextIO

from maildoctor.i18n import N_
from maildoctor.web.users import MAX_PASSWORD, UserError


def read_new_password(
    translate: Callable[[str], str],
    stdin: TextIO | None = None,
    ask: Callable[[str], str] = getpass.getpass,
) -> str:
    """The new password, without echo on a terminal (typed twice), else the first line of stdin."""
    stream = stdin or sys.stdin
    if not stream.isatty():
        return stream.readline(MAX_PASSWORD + 2).rstrip("\r\n")
    first = ask(translate(N_("New password for the web pages (not shown while you type): ")))
    again = ask(translate(N_("The same password again: ")))
    if first != again:
        raise UserError(N_("The two passwords are not the same."))
    return first


__all__ = ["read_new_password"]
