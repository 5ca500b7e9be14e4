"""The operations on the book: add, edit, list, history — every change logged field by field.

A `Book` works inside one session (one transaction) for one actor; every change it makes shares
one batch id, so `history` can show what one command did together.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from maildoctor.i18n import N_
from maildoctor.ledger import records, values
from maildoctor.ledger.changes import FieldChange, field_changes, refuse_secrets
from maildoctor.ledger.errors import LedgerError
from maildoctor.ledger.records import ACCOUNTS, COMPANIES, PEOPLE, Table
from maildoctor.ledger.retirement import ENTITY as RETIREMENTS
from maildoctor.ledger.schema import Account, Change, Company, Person


def known_providers() -> frozenset[str]:
    from maildoctor.discover.curated import load_curated

    return frozenset(entry.id for entry in load_curated())


@dataclass(frozen=True, slots=True)
class _CompanyLookup:
    session: Session
    company: Company
    providers: Collection[str]

    def person(self, name: str) -> Person:
        found = self.session.scalar(select(Person).filter_by(company=self.company, name=name))
        if found is None:
            raise LedgerError(
                N_("There is no person “{name}” in {company}. Add them first: maildoctor ledger person add"),
                name=name,
                company=self.company.code,
            )
        return found

    def account(self, address: str) -> Account:
        found = self.session.scalar(select(Account).filter_by(company=self.company, address=address))
        if found is None:
            raise LedgerError(
                N_("There is no account {address} in {company}. Add it first: maildoctor ledger account add"),
                address=address,
                company=self.company.code,
            )
        return found


@dataclass
class Book:
    session: Session
    actor: str
    note: str | None = None
    providers: Collection[str] = field(default_factory=known_providers)
    batch: str = field(default_factory=lambda: uuid.uuid4().hex)
    logging: bool = True  # False only while a restore copies an exported log that has these changes

    # ------------------------------------------------------------------ finding rows

    def company(self, code: str | None) -> Company:
        """The company with `code`; without one, the only company of the book."""
        if code is not None:
            found = self.session.scalar(select(Company).filter_by(code=values.code(code)))
            if found is None:
                raise LedgerError(
                    N_("There is no company “{code}” in the book. The companies: {codes}"),
                    code=code,
                    codes=self._codes(),
                )
            return found
        companies = self.session.scalars(select(Company).limit(2)).all()
        if len(companies) == 1:
            return companies[0]
        if not companies:
            raise LedgerError(
                N_("The book has no company yet. Add one: maildoctor ledger company add CODE NAME")
            )
        raise LedgerError(
            N_("The book has several companies: say which with --company ({codes})."), codes=self._codes()
        )

    def _codes(self) -> str:
        return ", ".join(self.session.scalars(select(Company.code).order_by(Company.code))) or "-"

    def find(self, table: Table, company: Company | None, key: str) -> Any | None:
        criteria: dict[str, Any] = {table.key: key}
        if table is not COMPANIES:
            criteria["company"] = company
        return self.session.scalar(select(table.model).filter_by(**criteria))

    def get(self, table: Table, company: Company | None, key: str) -> Any:
        found = self.find(table, company, key)
        if found is None:
            raise LedgerError(N_("There is no “{key}” in {table}."), key=key, table=table.name)
        return found

    def rows(self, table: Table, company: Company | None) -> list[Any]:
        query = select(table.model)
        if company is not None:
            query = (
                query.filter_by(company=company) if table is not COMPANIES else query.filter_by(id=company.id)
            )
        return list(self.session.scalars(query.order_by(table.model.id)))

    def lookup(self, company: Company) -> records.Lookup:
        return _CompanyLookup(self.session, company, self.providers)

    # ------------------------------------------------------------------ changing rows

    def add(self, table: Table, company: Company | None, typed: Mapping[str, str]) -> Any:
        """A new row of `table` (in `company`, unless it is a company), logged field by field."""
        refuse_secrets(typed)
        missing = [
            column.id for column in table.typed if column.required and not typed.get(column.id, "").strip()
        ]
        if missing:
            raise LedgerError(N_("{table} needs: {columns}"), table=table.name, columns=", ".join(missing))
        row = table.model()
        if table is not COMPANIES:
            assert company is not None
            row.company = company
        records.fill(table, row, typed, self._lookup_for(row, company))
        key = getattr(row, table.key)
        if self.find(table, company, key) is not None:
            raise LedgerError(N_("“{key}” is already in {table}."), key=key, table=table.name)
        self.session.add(row)
        self.session.flush()
        owner = row if table is COMPANIES else company
        assert isinstance(owner, Company)
        self._log(owner, table, key, (FieldChange("", None, key),))
        new = {
            name: value
            for name, value in records.typed_values(table, row).items()
            if value is not None and name != table.key  # the key is in the "created" entry
        }
        self._log(owner, table, key, field_changes({}, new))
        return row

    def edit(
        self, table: Table, company: Company | None, key: str, typed: Mapping[str, str]
    ) -> tuple[FieldChange, ...]:
        """Change the typed columns of one row; the changed fields are logged and returned."""
        refuse_secrets(typed)
        row = self.get(table, company, key)
        before = records.typed_values(table, row)
        records.fill(table, row, typed, self._lookup_for(row, company))
        changes = field_changes(before, records.typed_values(table, row))
        new_key = getattr(row, table.key)
        if new_key != key and self.find(table, company, new_key) not in (None, row):
            raise LedgerError(N_("“{key}” is already in {table}."), key=new_key, table=table.name)
        if changes:
            self.session.flush()
            owner = row if table is COMPANIES else company
            assert isinstance(owner, Company)
            self._log(owner, table, key, changes)
        return changes

    def _lookup_for(self, row: Any, company: Company | None) -> records.Lookup:
        return self.lookup(company if company is not None else row)

    def _log(self, company: Company, table: Table, key: str, changes: Iterable[FieldChange]) -> None:
        self.record(company, table.name, key, changes)

    def record(self, company: Company, entity: str, key: str, changes: Iterable[FieldChange]) -> None:
        """Append `changes` of one row (or one retirement) to the log, in this book's batch."""
        if not self.logging:
            return
        for change in changes:
            self.session.add(
                Change(
                    company_id=company.id,
                    actor=self.actor,
                    batch=self.batch,
                    entity=entity,
                    entity_key=key,
                    field=change.field or None,
                    old=change.old,
                    new=change.new,
                    note=self.note,
                )
            )
        self.session.flush()

    # ------------------------------------------------------------------ history

    def history(
        self, company: Company | None, *, account: str | None = None, person: str | None = None
    ) -> list[Change]:
        """The log, oldest first: of one account (under all its addresses), one person (and the
        rows that named them), or a whole company."""
        query = select(Change)
        if company is not None:
            query = query.where(Change.company_id == company.id)
        if account is not None:
            keys = self._former_keys(company, ACCOUNTS, values.address(account))
            query = query.where(Change.entity == ACCOUNTS.name, Change.entity_key.in_(keys))
        if person is not None:
            name = values.required_text(person, "person")
            keys = self._former_keys(company, PEOPLE, name)
            query = query.where(
                or_(
                    Change.entity.in_((PEOPLE.name, RETIREMENTS)) & Change.entity_key.in_(keys),
                    (Change.field == "person") & (Change.old.in_(keys) | Change.new.in_(keys)),
                )
            )
        return list(self.session.scalars(query.order_by(Change.id)))

    def _former_keys(self, company: Company | None, table: Table, key: str) -> set[str]:
        """`key` and every key the same row had before (a changed address or name)."""
        keys = {key}
        while True:
            query = select(Change.old).where(
                Change.entity == table.name, Change.field == table.key, Change.new.in_(keys)
            )
            if company is not None:
                query = query.where(Change.company_id == company.id)
            found = {old for old in self.session.scalars(query) if old is not None} - keys
            if not found:
                return keys
            keys |= found

    def company_code(self, change: Change) -> str:
        company = self.session.get(Company, change.company_id)
        return company.code if company is not None else ""
