"""The book's database: engine, sessions, migrations, and the guard that keeps the change log
append-only in code (the migration adds triggers that refuse it in the database as well)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from maildoctor.i18n import N_
from maildoctor.ledger.errors import LedgerError, ProblemKind
from maildoctor.ledger.location import sqlite_path
from maildoctor.ledger.schema import Change

MIGRATIONS: Final = Path(__file__).parent / "migrations"
VERSION_TABLE: Final = "alembic_version"


class AppendOnlyError(RuntimeError):
    """Code tried to change or remove an entry of the change log: a bug, never a user's doing."""


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url)
    except ImportError as error:  # the database's driver is not installed
        raise LedgerError(
            N_(
                "The book at {url} needs the database driver {driver}, which is not installed. "
                "For PostgreSQL, install maildoctor with its postgresql extra: "
                "pip install 'maildoctor[postgresql]'"
            ),
            ProblemKind.NOT_RUN,
            url=shown_url(url),
            driver=error.name or "?",
        ) from error
    except (SQLAlchemyError, ValueError) as error:
        raise LedgerError(
            N_("The book at {url} cannot be opened: {reason}"),
            ProblemKind.NOT_RUN,
            url=shown_url(url),
            reason=error.__class__.__name__,  # the driver's words may repeat the URL with its password
        ) from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    return engine


def shown_url(url: str) -> str:
    """`url` as it may be shown: a database password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (SQLAlchemyError, ValueError):
        return "?"


def alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def open_book(url: str, *, create: bool = False) -> Engine:
    """The engine of the book at `url`, its schema brought up to date.

    Without `create`, a book that was never set up is a problem ("run ledger init"), not a new
    empty file that would hide a wrong --db.
    """
    path = sqlite_path(url)
    if path is not None and not create and not path.exists():
        raise LedgerError(
            N_("There is no book at {path} yet. Start one with: maildoctor ledger init"),
            ProblemKind.NOT_RUN,
            path=path,
        )
    if path is not None and create:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        if not create and not inspect(engine).has_table(VERSION_TABLE):
            raise LedgerError(
                N_("The database at {url} is not a maildoctor book. Start one with: maildoctor ledger init"),
                ProblemKind.NOT_RUN,
                url=engine.url.render_as_string(hide_password=True),
            )
        upgrade(engine)
    except (SQLAlchemyError, OSError) as error:
        engine.dispose()
        raise LedgerError(
            N_("The book at {url} cannot be opened: {reason}"),
            ProblemKind.NOT_RUN,
            url=engine.url.render_as_string(hide_password=True),
            reason=error.__class__.__name__ if isinstance(error, DBAPIError) else error,
        ) from error
    return engine


def _refuse_log_rewrites(session: Session, _context: Any, _instances: Any) -> None:
    for row in (*session.dirty, *session.deleted):
        if isinstance(row, Change) and (row in session.deleted or session.is_modified(row)):
            raise AppendOnlyError("the change log is append-only: an entry cannot be changed or removed")


def _refuse_bulk_rewrites(state: Any) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is Change:
        raise AppendOnlyError("the change log is append-only: no UPDATE or DELETE on it")


def sessions(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _refuse_log_rewrites)
    event.listen(factory, "do_orm_execute", _refuse_bulk_rewrites)
    return factory


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed when the block ends, and rolled back when it raises."""
    with sessions(engine).begin() as session:
        yield session
