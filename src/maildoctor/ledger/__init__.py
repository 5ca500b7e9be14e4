"""The accounts book of a small company (issue 14): companies, people, accounts, devices, domains,
contacts, and an append-only log of every change.

Pure parts (no database): `values` (what a typed value may be), `changes` (field changes, secrets
refused), `errors` (problems as message ids with parameters). Storage: `schema` (SQLAlchemy 2 ORM),
`store` (engine, session, migrations, append-only guard), `book` (the operations), `transfer`
(CSV/JSON), `backup` (SQLite's backup API). Imported only by the `ledger` commands: `check` never
loads SQLAlchemy.
"""
