"""The facts of the printables, read from the book for one company (printables.py draws them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maildoctor.discover.ispdb import ProviderEntry
from maildoctor.ledger.book import Book
from maildoctor.ledger.printables import AccountLine, ContactLine, DeviceLine, ProviderSupport, WallFacts
from maildoctor.ledger.records import ACCOUNTS, CONTACTS, DEVICES
from maildoctor.ledger.schema import Account, Company, Contact, Device


def provider_entries() -> dict[str, ProviderEntry]:
    from maildoctor.discover.curated import load_curated

    return {entry.id: entry for entry in load_curated()}


def provider_name(entry: ProviderEntry | None, provider_id: str | None, language: str) -> str | None:
    if entry is None:
        return provider_id
    from maildoctor.i18n import get_translator

    # curated provider names are English msgids; the catalogs hold their Japanese
    return get_translator(language).gettext(entry.display_name)


def _device(device: Device) -> DeviceLine:
    return DeviceLine(
        name=device.name,
        person=device.person.name if device.person is not None else None,
        kind=device.kind,
        protocol=device.protocol,
        leave_on_server=device.leave_on_server,
        leave_days=device.leave_days,
    )


def account_lines(
    book: Book, company: Company, providers: Mapping[str, ProviderEntry], language: str
) -> list[AccountLine]:
    """Every account of the company, by address, with the devices that read it."""
    devices: dict[int, list[Device]] = {}
    for device in book.rows(DEVICES, company):
        devices.setdefault(device.account_id, []).append(device)
    accounts: list[Account] = sorted(book.rows(ACCOUNTS, company), key=lambda row: row.address)
    return [
        AccountLine(
            address=account.address,
            person=account.person.name if account.person is not None else None,
            provider=provider_name(providers.get(account.provider or ""), account.provider, language),
            incoming=account.incoming,
            outgoing=account.outgoing,
            username=account.username,
            password_manager=account.password_manager,
            password_location=account.password_location,
            devices=tuple(_device(device) for device in sorted(devices.get(account.id, ()), key=_by_name)),
            last_change=account.updated_at.date(),
        )
        for account in accounts
    ]


def _by_name(row: Any) -> str:
    return str(row.name)


def _call_order(contact: Contact) -> tuple[bool, int, int]:
    """Priority 1 first; contacts without one after all that have one, in the order they were added."""
    return (contact.priority is None, contact.priority or 0, contact.id)


def wall_facts(
    book: Book, company: Company, providers: Mapping[str, ProviderEntry], language: str
) -> WallFacts:
    contacts: list[Contact] = sorted(book.rows(CONTACTS, company), key=_call_order)
    used = sorted({row.provider for row in book.rows(ACCOUNTS, company) if row.provider})
    supports = []
    for provider_id in used:
        entry = providers.get(provider_id)
        supports.append(
            ProviderSupport(
                name=provider_name(entry, provider_id, language) or provider_id,
                support_page=entry.source_url if entry is not None else None,
                password_page=entry.password_page if entry is not None else None,
            )
        )
    return WallFacts(
        company=company.name,
        contacts=tuple(
            ContactLine(c.name, c.role, c.organisation, c.phone, c.email, c.url) for c in contacts
        ),
        providers=tuple(supports),
    )
