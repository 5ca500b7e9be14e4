"""The exit statuses of interface.md: the one list, used by every command.

`1` says "there is something to look at", worded per command: problems found (check, domain), no
settings found (settings), a text maildoctor could not explain (explain).
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    """The exit statuses of interface.md."""

    OK = 0  # nothing wrong found
    PROBLEMS = 1  # problems found
    USAGE = 2  # the command line is wrong
    NOT_RUN = 3  # the diagnosis itself could not run
