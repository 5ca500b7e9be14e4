"""The tables of the book (SQLAlchemy 2 typed ORM). Every row belongs to one company.

The schema changes only through an Alembic migration (ledger/migrations); a test checks that the
migrations and these classes describe the same tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
NAME: Final = 200  # length of a name column
CHANGES_TABLE: Final = "changes"


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC: SQLite keeps no time zone, so it is stored naive in UTC and read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime for the book")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class _Row:
    """Columns every table of the book has besides the change log."""

    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, onupdate=now)


class Company(_Row, Base):
    """A customer of the IT helper (or the office itself), with the defaults its accounts take."""

    __tablename__ = "companies"
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(NAME))
    default_provider: Mapped[str | None] = mapped_column(String(64))
    default_incoming: Mapped[str | None] = mapped_column(String(300))
    default_outgoing: Mapped[str | None] = mapped_column(String(300))
    default_password_manager: Mapped[str | None] = mapped_column(String(NAME))
    default_password_location: Mapped[str | None] = mapped_column(String(NAME))


class _Owned(_Row):
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)


class Person(_Owned, Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("company_id", "name"),)
    name: Mapped[str] = mapped_column(String(NAME))
    email: Mapped[str | None] = mapped_column(String(320))
    department: Mapped[str | None] = mapped_column(String(NAME))
    company: Mapped[Company] = relationship()


class Account(_Owned, Base):
    """A mailbox: where it lives and who holds its password — never the password itself."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("company_id", "address"),)
    address: Mapped[str] = mapped_column(String(320))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    provider: Mapped[str | None] = mapped_column(String(64))
    incoming: Mapped[str | None] = mapped_column(String(300))  # a server URL of interface.md
    outgoing: Mapped[str | None] = mapped_column(String(300))
    username: Mapped[str | None] = mapped_column(String(320))
    password_manager: Mapped[str | None] = mapped_column(String(NAME))  # who manages the password
    password_location: Mapped[str | None] = mapped_column(String(NAME))  # where it is kept
    company: Mapped[Company] = relationship()
    person: Mapped[Person | None] = relationship()


class Device(_Owned, Base):
    """A phone or computer that reads an account, and whether it leaves the mail on the server."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("company_id", "name"),)
    name: Mapped[str] = mapped_column(String(NAME))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # values.DeviceKind
    protocol: Mapped[str] = mapped_column(String(8))  # values.MailboxProtocol
    leave_on_server: Mapped[bool | None]
    leave_days: Mapped[int | None]  # removed from the server after this many days (None: never)
    last_seen: Mapped[date | None] = mapped_column(Date)
    company: Mapped[Company] = relationship()
    person: Mapped[Person | None] = relationship()
    account: Mapped[Account] = relationship()


class Domain(_Owned, Base):
    __tablename__ = "domains"
    __table_args__ = (UniqueConstraint("company_id", "name"),)
    name: Mapped[str] = mapped_column(String(253))
    registrar: Mapped[str | None] = mapped_column(String(NAME))
    dns_provider: Mapped[str | None] = mapped_column(String(NAME))
    expires_on: Mapped[date | None] = mapped_column(Date)
    renewal_contract: Mapped[str | None] = mapped_column(String(NAME))
    renewal_on: Mapped[date | None] = mapped_column(Date)
    company: Mapped[Company] = relationship()


class Contact(_Owned, Base):
    """When mail stops, whom to call: `priority` 1 is called first."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("company_id", "name"),)
    name: Mapped[str] = mapped_column(String(NAME))
    role: Mapped[str] = mapped_column(String(16))  # values.ContactRole
    organisation: Mapped[str | None] = mapped_column(String(NAME))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    url: Mapped[str | None] = mapped_column(String(500))
    priority: Mapped[int | None]
    company: Mapped[Company] = relationship()


class Change(Base):
    """One field of one row changed: append-only (store.py refuses updates and deletes, and the
    migration adds database triggers that do too)."""

    __tablename__ = CHANGES_TABLE
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, index=True)
    actor: Mapped[str] = mapped_column(String(NAME))  # the name of who made the change, as text
    batch: Mapped[str] = mapped_column(String(32), index=True)  # the changes made by one command
    entity: Mapped[str] = mapped_column(String(32))  # the table: "accounts", "people", …
    entity_key: Mapped[str] = mapped_column(String(320), index=True)  # its address, name, …
    field: Mapped[str | None] = mapped_column(String(64))  # None: the row as a whole (created)
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


# --------------------------------------------------------------------------- the check day (issue 14)
# Results are codes and parameters, never text: the report re-renders them in any language.


class CheckupRun(Base):
    """One check day of one company. `finished_at` stays empty until every item is recorded: a run
    killed halfway is completed by the next `checkup` (its owner no longer alive)."""

    __tablename__ = "checkup_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    owner: Mapped[str] = mapped_column(String(NAME))  # host:pid of the process running it
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class CheckupItem(Base):
    """One account or domain examined in one run: checked, or could not be tested (and why)."""

    __tablename__ = "checkup_items"
    __table_args__ = (UniqueConstraint("run_id", "kind", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("checkup_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # account | domain | book
    subject: Mapped[str] = mapped_column(String(320))  # the address or the domain name
    outcome: Mapped[str] = mapped_column(String(32))  # checkup.model.Outcome
    reason: Mapped[str | None] = mapped_column(String(64))  # why it could not be tested
    login: Mapped[str | None] = mapped_column(String(32))  # checkup.model.LoginMode
    facts: Mapped[str] = mapped_column(Text, default="{}")  # JSON: numbers for the trends
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class CheckupFinding(Base):
    """One finding of one item: a stable id (cause + subject + server), its code and parameters."""

    __tablename__ = "checkup_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checkup_items.id"), index=True)
    finding_id: Mapped[str] = mapped_column(String(700))
    cause: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(320))  # the account or domain it is about
    server: Mapped[str] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(16))
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON object of strings


class CheckupSending(Base):
    """The report of one run sent to one target (its address without secrets): kept whether it went or
    not, and why not (a message id). The report itself is the run's: rendered again from its items."""

    __tablename__ = "checkup_sendings"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("checkup_runs.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    channel: Mapped[str] = mapped_column(String(16))  # mail | apprise
    target: Mapped[str] = mapped_column(String(700))
    ok: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(300))


class CheckupAlert(Base):
    """An expiry alert (30, 14, 7 days, 0: expired) that was sent: each is sent once per expiry date."""

    __tablename__ = "checkup_alerts"
    __table_args__ = (UniqueConstraint("company_id", "kind", "what", "expires", "threshold"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("checkup_runs.id"))
    kind: Mapped[str] = mapped_column(String(16))  # cert | domain
    what: Mapped[str] = mapped_column(String(300))  # the certificate's host or the domain
    expires: Mapped[date] = mapped_column(Date)
    threshold: Mapped[int]
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class CheckupLogin(Base):
    """A login attempt of a check-up, claimed here before it is made — the one-login guard across
    workers and machines sharing the book: one row per run, server, protocol and user name (a second
    claim in the same run finds it), its outcome once known (a failure is honoured by every worker and
    later runs for a while). Never the password."""

    __tablename__ = "checkup_logins"
    __table_args__ = (
        UniqueConstraint("run_id", "host", "protocol", "username"),
        Index("ix_checkup_logins_account", "host", "protocol", "username"),  # the remembered failures
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("checkup_runs.id"))
    host: Mapped[str] = mapped_column(String(255))  # lower case, no final dot
    protocol: Mapped[str] = mapped_column(String(16))  # imap | pop3 | smtp: as the login guard names it
    username: Mapped[str] = mapped_column(String(320))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    outcome: Mapped[str | None] = mapped_column(String(16))  # ok | failed; none: claimed, not known
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# --------------------------------------------------------------------------- the web pages' login (issue 15)


class WebUser(Base):
    """Who may sign in to `maildoctor web`: a name, an argon2 hash of the password (never the
    password), and a role (admin or viewer)."""

    __tablename__ = "web_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
