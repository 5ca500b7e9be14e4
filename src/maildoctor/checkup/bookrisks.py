"""Risks only the book can see (pure): no server says them, the book's rows do.

- POP_DELETE_RISK: a device reads the account by POP and removes the mail from the server, while
  other devices of the same account expect to find it there (POP_DELETED_ELSEWHERE is what those
  other devices then see; one finding per deleting device says both).
- TOO_MANY_CONNECTIONS: more devices on one account than the connections its server allows per
  user — before the server starts refusing them.
- RETIRED_DEVICES_LISTED: a person who left (a retirement started in the book) still has devices
  listed on an account.
- DOMAIN_RENEWAL_UNKNOWN: a domain with neither an expiry nor a renewal date in the book.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from maildoctor.checkup.model import ItemKind, Outcome, RecordedFinding, RecordedItem
from maildoctor.i18n import N_

RETIRED_DEVICES: Final = "RETIRED_DEVICES_LISTED"
RENEWAL_UNKNOWN: Final = "DOMAIN_RENEWAL_UNKNOWN"
# The check day's own codes (not diagnosis causes): their titles, message ids with the parameters.
BOOK_TITLES: Final = {
    RETIRED_DEVICES: N_("{person} has left, but their devices are still listed on {account}: {devices}"),
    RENEWAL_UNKNOWN: N_("The book has no expiry or renewal date for the domain {domain}"),
}


@dataclass(frozen=True, slots=True)
class BookDevice:
    name: str
    protocol: str  # values.MailboxProtocol
    leave_on_server: bool | None
    leave_days: int | None
    person: str | None = None
    person_retired: bool = False

    @property
    def removes_mail(self) -> bool:
        """POP without "leave on server", or with it for a number of days only."""
        return self.protocol in ("pop", "pop3") and (
            self.leave_on_server is False or self.leave_days is not None
        )


@dataclass(frozen=True, slots=True)
class BookAccount:
    address: str
    server: str  # the incoming host (or "incoming")
    devices: tuple[BookDevice, ...]


@dataclass(frozen=True, slots=True)
class BookDomain:
    name: str
    expires_on: date | None
    renewal_on: date | None


def _account_risks(account: BookAccount, per_user_limit: int) -> Iterable[RecordedFinding]:
    devices = account.devices
    for device in devices:
        if device.removes_mail and len(devices) > 1:
            others = ", ".join(other.name for other in devices if other is not device)
            pop = (("role", "incoming"), ("device", device.name), ("others", others))
            yield RecordedFinding("POP_DELETE_RISK", account.address, device.name, "warning", pop)
    if len(devices) > per_user_limit:
        params = (
            ("role", "incoming"),
            ("host", account.server),
            ("devices", str(len(devices))),
            ("limit", str(per_user_limit)),
        )
        yield RecordedFinding("TOO_MANY_CONNECTIONS", account.address, account.server, "warning", params)
    retired: dict[str, list[str]] = {}
    for device in devices:
        if device.person_retired and device.person:
            retired.setdefault(device.person, []).append(device.name)
    for person, names in sorted(retired.items()):
        who = (("person", person), ("account", account.address), ("devices", ", ".join(names)))
        yield RecordedFinding(RETIRED_DEVICES, account.address, person, "warning", who)


def book_item(
    company: str, accounts: Iterable[BookAccount], domains: Iterable[BookDomain], per_user_limit: int
) -> RecordedItem:
    findings: list[RecordedFinding] = []
    for account in accounts:
        findings += _account_risks(account, per_user_limit)
    for domain in domains:
        if domain.expires_on is None and domain.renewal_on is None:
            findings.append(
                RecordedFinding(RENEWAL_UNKNOWN, domain.name, "book", "warning", (("domain", domain.name),))
            )
    return RecordedItem(ItemKind.BOOK, company, Outcome.CHECKED, findings=tuple(findings))
