"""The book's tables as columns of text: how each row is shown, exported and typed in.

One column list per table serves the `list` output, CSV, JSON, the change log and the import, so a
value is parsed and shown the same way everywhere. A column's `put` parses the typed text
(values.py) and sets it on the row; references (a person by name, an account by address) are found
through a `Lookup` the book supplies.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final, Protocol

from maildoctor.i18n import N_
from maildoctor.ledger import values
from maildoctor.ledger.errors import LedgerError
from maildoctor.ledger.schema import Account, Change, Company, Contact, Device, Domain, Person


class Lookup(Protocol):
    """What a column needs from the book while a row of one company is filled in."""

    @property
    def providers(self) -> Collection[str]: ...

    def person(self, name: str) -> Person: ...

    def account(self, address: str) -> Account: ...


Put = Callable[[Any, str, Lookup], None]


@dataclass(frozen=True, slots=True)
class Column:
    id: str  # the attribute, the CSV header and the JSON key
    label: str  # the heading people read (a gettext message id)
    show: Callable[[Any], str | None]
    put: Put | None = None  # None: shown and exported, never typed in
    required: bool = False  # a new row needs it


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # the table and file name: "accounts" → accounts.csv
    label: str  # its name for people (a gettext message id)
    model: type[Any]  # a class of schema.py
    key: str  # the column that names a row within its company
    columns: tuple[Column, ...]

    def column(self, column_id: str) -> Column:
        for column in self.columns:
            if column.id == column_id:
                return column
        raise KeyError(column_id)

    @property
    def typed(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.put is not None)


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | StrEnum):
        return str(value) if isinstance(value, StrEnum) else value.isoformat()
    return str(value)


def _attribute(name: str) -> Callable[[Any], str | None]:
    return lambda row: as_text(getattr(row, name))


def _setter(name: str, parse: Callable[[str], object]) -> Put:
    def put(row: Any, typed: str, lookup: Lookup) -> None:
        setattr(row, name, parse(typed))

    return put


def _plain(name: str, label: str, *, required: bool = False) -> Column:
    parse = (
        (lambda typed: values.required_text(typed, name)) if required else (lambda t: values.text(t, name))
    )
    return Column(name, label, _attribute(name), _setter(name, parse), required)


def _parsed(name: str, label: str, parse: Callable[[str], object], *, required: bool = False) -> Column:
    return Column(name, label, _attribute(name), _setter(name, parse), required)


def _company_code(row: Any) -> str | None:
    return row.company.code if row.company is not None else None


def _person_name(row: Any) -> str | None:
    return row.person.name if row.person is not None else None


def _put_person(row: Any, typed: str, lookup: Lookup) -> None:
    name = values.text(typed, "person")
    row.person = lookup.person(name) if name else None


def _put_account(row: Any, typed: str, lookup: Lookup) -> None:
    row.account = lookup.account(values.address(typed))


def _put_provider(row: Any, typed: str, lookup: Lookup) -> None:
    row.provider = values.provider(typed, lookup.providers)


def _put_default_provider(row: Any, typed: str, lookup: Lookup) -> None:
    row.default_provider = values.provider(typed, lookup.providers)


COMPANY: Final = Column("company", N_("Company"), _company_code)
PERSON: Final = Column("person", N_("Person"), _person_name, _put_person)
NOTE: Final = _plain("note", N_("Notes"))
LAST_CHANGE: Final = Column("updated_at", N_("Last change"), _attribute("updated_at"))


def _incoming(name: str, label: str) -> Column:
    return _parsed(name, label, lambda typed: values.server_url(typed, incoming=True))


def _outgoing(name: str, label: str) -> Column:
    return _parsed(name, label, lambda typed: values.server_url(typed, incoming=False))


COMPANIES: Final = Table(
    "companies",
    N_("Companies"),
    Company,
    "code",
    (
        _parsed("code", N_("Company code"), values.code, required=True),
        _plain("name", N_("Company name"), required=True),
        Column(
            "default_provider", N_("Default provider"), _attribute("default_provider"), _put_default_provider
        ),
        _incoming("default_incoming", N_("Default receiving server")),
        _outgoing("default_outgoing", N_("Default sending server")),
        _plain("default_password_manager", N_("Default password manager")),
        _plain("default_password_location", N_("Default password location")),
        NOTE,
    ),
)
PEOPLE: Final = Table(
    "people",
    N_("People"),
    Person,
    "name",
    (
        COMPANY,
        _plain("name", N_("Name"), required=True),
        _parsed("email", N_("Email"), lambda typed: values.address(typed) if typed.strip() else None),
        _plain("department", N_("Department")),
        NOTE,
    ),
)
ACCOUNTS: Final = Table(
    "accounts",
    N_("Accounts"),
    Account,
    "address",
    (
        COMPANY,
        _parsed("address", N_("Address"), values.address, required=True),
        PERSON,
        Column("provider", N_("Provider"), _attribute("provider"), _put_provider),
        _incoming("incoming", N_("Receiving server")),
        _outgoing("outgoing", N_("Sending server")),
        _plain("username", N_("User name")),
        _plain("password_manager", N_("Password managed by")),
        _plain("password_location", N_("Password kept at")),
        NOTE,
        LAST_CHANGE,
    ),
)
DEVICES: Final = Table(
    "devices",
    N_("Devices"),
    Device,
    "name",
    (
        COMPANY,
        _plain("name", N_("Device"), required=True),
        PERSON,
        Column(
            "account",
            N_("Account"),
            lambda row: row.account.address if row.account else None,
            _put_account,
            True,
        ),
        _parsed("kind", N_("Kind"), lambda t: values.choice(t, values.DeviceKind, "kind"), required=True),
        _parsed(
            "protocol",
            N_("POP or IMAP"),
            lambda t: values.choice(t, values.MailboxProtocol, "protocol"),
            required=True,
        ),
        _parsed("leave_on_server", N_("Leave on server"), lambda t: values.flag(t, "leave_on_server")),
        _parsed("leave_days", N_("Removed after (days)"), lambda t: values.count(t, "leave_days")),
        _parsed("last_seen", N_("Last seen"), lambda t: values.day(t, "last_seen")),
        NOTE,
    ),
)
DOMAINS: Final = Table(
    "domains",
    N_("Domains"),
    Domain,
    "name",
    (
        COMPANY,
        _parsed("name", N_("Domain"), values.domain, required=True),
        _plain("registrar", N_("Registrar")),
        _plain("dns_provider", N_("DNS provider")),
        _parsed("expires_on", N_("Expires on"), lambda t: values.day(t, "expires_on")),
        _plain("renewal_contract", N_("Renewal contract")),
        _parsed("renewal_on", N_("Renewal date"), lambda t: values.day(t, "renewal_on")),
        NOTE,
    ),
)
CONTACTS: Final = Table(
    "contacts",
    N_("Contacts"),
    Contact,
    "name",
    (
        COMPANY,
        _plain("name", N_("Contact"), required=True),
        _parsed("role", N_("Role"), lambda t: values.choice(t, values.ContactRole, "role"), required=True),
        _plain("organisation", N_("Organisation")),
        _plain("phone", N_("Phone")),
        _parsed("email", N_("Email"), lambda typed: values.address(typed) if typed.strip() else None),
        _plain("url", N_("Web page")),
        _parsed("priority", N_("Call order"), lambda t: values.count(t, "priority")),
        NOTE,
    ),
)
CHANGES: Final = Table(
    "changes",
    N_("Change log"),
    Change,
    "entity_key",
    (
        Column("company", N_("Company"), lambda row: None),  # filled in by the book (no relationship)
        Column("at", N_("When"), _attribute("at")),
        Column("actor", N_("By"), _attribute("actor")),
        Column("batch", N_("Batch"), _attribute("batch")),
        Column("entity", N_("Table"), _attribute("entity")),
        Column("entity_key", N_("Row"), _attribute("entity_key")),
        Column("field", N_("Field"), _attribute("field")),
        Column("old", N_("Before"), _attribute("old")),
        Column("new", N_("After"), _attribute("new")),
        Column("note", N_("Notes"), _attribute("note")),
    ),
)

# In the order an import needs them: a person before the accounts that name them, and so on.
BOOK_TABLES: Final = (COMPANIES, PEOPLE, ACCOUNTS, DEVICES, DOMAINS, CONTACTS)
TABLES: Final[Mapping[str, Table]] = {table.name: table for table in (*BOOK_TABLES, CHANGES)}


def field_label(table_name: str, field: str) -> str:
    """The label (a message id) of a column named in the change log; the name itself if unknown."""
    table = TABLES.get(table_name)
    if table is None:
        return field
    try:
        return table.column(field).label
    except KeyError:
        return field


def shown(table: Table, row: Any) -> dict[str, str | None]:
    """The row as text, column by column."""
    return {column.id: column.show(row) for column in table.columns}


def typed_values(table: Table, row: Any) -> dict[str, str | None]:
    """The columns a person types, as text: what the change log compares."""
    return {column.id: column.show(row) for column in table.typed}


def fill(table: Table, row: Any, typed: Mapping[str, str], lookup: Lookup) -> None:
    """Set the typed columns on `row`; an unknown column is refused (a typo must not be lost)."""
    for column_id, text in typed.items():
        try:
            column = table.column(column_id)
        except KeyError:
            column = None
        if column is None or column.put is None:
            raise LedgerError(
                N_("“{column}” is not a column of {table}."), column=column_id, table=table.name
            )
        column.put(row, text, lookup)
