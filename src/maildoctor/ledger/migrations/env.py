"""Alembic's environment for the book: always run on a connection handed over by store.py
(`config.attributes["connection"]`), never from an alembic.ini."""

from alembic import context

from maildoctor.ledger.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
)
with context.begin_transaction():
    context.run_migrations()
