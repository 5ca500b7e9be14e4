"""Running the real CLI for a journey: `python -m maildoctor ...` in a clean environment, offline.

Each run is a subprocess of this interpreter (the project's .venv under `uv run`), with only
LANG, COLUMNS=80, PATH and a throw-away HOME in its environment, standard input from a pipe
(never a terminal) and a deadline. The resolvers it talks to are real DNS endpoints on
127.0.0.1 (journey_resolvers.py); the machine's own resolver is never used, because every
journey that needs DNS passes `--dns`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

RUN_DEADLINE: Final = 60.0
"""Seconds before a run counts as hung (interface.md's default --timeout is 20 s; a dead
resolver may legitimately take that long, so the deadline only catches a run that waits for
something that will never come, such as a prompt)."""

LOCALES: Final[Mapping[str, str]] = {"ja": "ja_JP.UTF-8", "en": "en_US.UTF-8"}


@dataclass(frozen=True)
class Run:
    """What one run of the CLI left behind."""

    argv: tuple[str, ...]
    status: int | None  # None: killed at the deadline
    stdout: bytes
    stderr: bytes
    seconds: float

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", errors="replace")

    @property
    def text(self) -> str:
        """Everything the person sees: standard output, then standard error."""
        return self.out + ("\n" if self.out and self.err else "") + self.err

    def describe(self) -> str:
        shown = " ".join(repr(arg) if " " in arg or not arg.isprintable() else arg for arg in self.argv)
        return f"maildoctor {shown} -> exit {self.status} in {self.seconds:.1f} s"


def clean_environment(lang: str, home: Path) -> dict[str, str]:
    """A first run's environment: a locale, an 80-column width, no terminal, nothing else."""
    return {
        "LANG": LOCALES[lang],
        "COLUMNS": "80",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(home),
    }


def run_cli(
    argv: Sequence[str],
    *,
    lang: str,
    stdin: bytes | None,
    cwd: Path,
    home: Path,
    deadline: float = RUN_DEADLINE,
) -> Run:
    """Run `python -m maildoctor ARGV` and collect what it printed; never raises for the CLI's sake."""
    started = time.monotonic()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "maildoctor", *argv],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            cwd=cwd,
            env=clean_environment(lang, home),
            timeout=deadline,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        return Run(
            tuple(argv), None, expired.stdout or b"", expired.stderr or b"", time.monotonic() - started
        )
    return Run(
        tuple(argv), completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started
    )
