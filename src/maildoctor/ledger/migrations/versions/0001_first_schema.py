"""The first schema of the book: companies, people, accounts, devices, domains, contacts, and the
append-only change log (database triggers refuse UPDATE and DELETE on it).

Revision ID: 0001
Revises:
Create Date: 2026-12-07 20:54:29.881493
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The change log is append-only: the database itself refuses to change or remove an entry.
_SQLITE_GUARDS = [
    f"CREATE TRIGGER changes_no_{verb.lower()} BEFORE {verb} ON changes "
    "BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRESQL_GUARDS = [
    "CREATE FUNCTION changes_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the change log is append-only'; END $$",
    "CREATE TRIGGER changes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON changes "
    "FOR EACH STATEMENT EXECUTE FUNCTION changes_append_only()",
]


def _guard_the_log() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_GUARDS, "postgresql": _POSTGRESQL_GUARDS}.get(dialect, []):
        op.execute(statement)


def _unguard_the_log() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS changes_no_update")
        op.execute("DROP TRIGGER IF EXISTS changes_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS changes_append_only ON changes")
        op.execute("DROP FUNCTION IF EXISTS changes_append_only()")


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "companies",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("default_provider", sa.String(length=64), nullable=True),
        sa.Column("default_incoming", sa.String(length=300), nullable=True),
        sa.Column("default_outgoing", sa.String(length=300), nullable=True),
        sa.Column("default_password_manager", sa.String(length=200), nullable=True),
        sa.Column("default_password_location", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("code", name=op.f("uq_companies_code")),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_key", sa.String(length=320), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_changes_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_changes_batch"), ["batch"], unique=False)
        batch_op.create_index(batch_op.f("ix_changes_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_changes_entity_key"), ["entity_key"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_contacts_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("company_id", "name", name=op.f("uq_contacts_company_id_name")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_company_id"), ["company_id"], unique=False)

    op.create_table(
        "domains",
        sa.Column("name", sa.String(length=253), nullable=False),
        sa.Column("registrar", sa.String(length=200), nullable=True),
        sa.Column("dns_provider", sa.String(length=200), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("renewal_contract", sa.String(length=200), nullable=True),
        sa.Column("renewal_on", sa.Date(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_domains_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domains")),
        sa.UniqueConstraint("company_id", "name", name=op.f("uq_domains_company_id_name")),
    )
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_domains_company_id"), ["company_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_people_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("company_id", "name", name=op.f("uq_people_company_id_name")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_company_id"), ["company_id"], unique=False)

    op.create_table(
        "accounts",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=True),
        sa.Column("incoming", sa.String(length=300), nullable=True),
        sa.Column("outgoing", sa.String(length=300), nullable=True),
        sa.Column("username", sa.String(length=320), nullable=True),
        sa.Column("password_manager", sa.String(length=200), nullable=True),
        sa.Column("password_location", sa.String(length=200), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_accounts_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_accounts_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("company_id", "address", name=op.f("uq_accounts_company_id_address")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_person_id"), ["person_id"], unique=False)

    op.create_table(
        "devices",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("leave_on_server", sa.Boolean(), nullable=True),
        sa.Column("leave_days", sa.Integer(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_devices_account_id_accounts")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_devices_company_id_companies")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_devices_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("company_id", "name", name=op.f("uq_devices_company_id_name")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_person_id"), ["person_id"], unique=False)

    _guard_the_log()


def downgrade() -> None:
    _unguard_the_log()

    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_person_id"))
        batch_op.drop_index(batch_op.f("ix_devices_company_id"))
        batch_op.drop_index(batch_op.f("ix_devices_account_id"))

    op.drop_table("devices")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_person_id"))
        batch_op.drop_index(batch_op.f("ix_accounts_company_id"))

    op.drop_table("accounts")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_company_id"))

    op.drop_table("people")
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_domains_company_id"))

    op.drop_table("domains")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_company_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_entity_key"))
        batch_op.drop_index(batch_op.f("ix_changes_company_id"))
        batch_op.drop_index(batch_op.f("ix_changes_batch"))
        batch_op.drop_index(batch_op.f("ix_changes_at"))

    op.drop_table("changes")
    op.drop_table("companies")
