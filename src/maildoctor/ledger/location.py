"""Where the book is: `--db`, else MAILDOCTOR_LEDGER_URL, else a SQLite file in the user's data folder.

A value without "://" is a file name and means a SQLite book there. Any other value is a SQLAlchemy
URL (postgresql+psycopg://… for a shared desk).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

ENV_VARIABLE: Final = "MAILDOCTOR_LEDGER_URL"
FILE_NAME: Final = "ledger.sqlite3"


def default_data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path("maildoctor", appauthor=False)


def ledger_url(option: str | None, environ: Mapping[str, str], data_dir: Path | None = None) -> str:
    chosen = option or environ.get(ENV_VARIABLE, "").strip() or None
    if chosen is None:
        return sqlite_url((data_dir or default_data_dir()) / FILE_NAME)
    return chosen if "://" in chosen else sqlite_url(Path(chosen).expanduser())


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)
