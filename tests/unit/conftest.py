"""Fixtures the unit tests of the book's check-day commands share."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from maildoctor.cli.app import main

LedgerCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def ledger_cli(monkeypatch: pytest.MonkeyPatch) -> LedgerCli:
    """`maildoctor ledger ARGS… --db BOOK` through main(): (status, stdout, stderr), in a clean locale."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "MAILDOCTOR_LEDGER_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")

    def run(book: Path, *args: str) -> tuple[int, str, str]:
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as done:
            main(["ledger", *args, "--db", str(book)])
        code = done.value.code
        return (code if isinstance(code, int) else 0), stdout.getvalue(), stderr.getvalue()

    return run
