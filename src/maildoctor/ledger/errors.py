"""A problem with what was asked of the book: a message id (English, translated where shown) and
its parameters. `usage` problems are the person's input (exit 2); others mean the book could not be
used (exit 3)."""

from __future__ import annotations

from enum import StrEnum


class ProblemKind(StrEnum):
    USAGE = "usage"  # the input is wrong: exit 2
    NOT_RUN = "not_run"  # the book could not be opened or written: exit 3


class LedgerError(Exception):
    """`message` is a gettext message id with {placeholders}; `params` fill them after translation."""

    def __init__(self, message: str, kind: ProblemKind = ProblemKind.USAGE, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.params = {name: str(value) for name, value in params.items()}
        self.where: tuple[str, int] | None = None  # the table and row of an imported file at fault
