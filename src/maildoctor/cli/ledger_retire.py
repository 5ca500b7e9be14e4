"""`maildoctor ledger retire PERSON`: the checklist when someone leaves, each step written to the
change log (ledger/retirement.py reads the state back from it)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from rich.text import Text
from sqlalchemy import select

from maildoctor.cli.ledger_run import OK, LedgerRun, Shown, run
from maildoctor.display import show
from maildoctor.i18n import N_, Translator
from maildoctor.ledger import values
from maildoctor.ledger.book import Book
from maildoctor.ledger.changes import field_changes
from maildoctor.ledger.records import PEOPLE
from maildoctor.ledger.retirement import (
    ENTITY,
    MAILBOX_LABELS,
    SKIP_PREFIX,
    STEP_LABELS,
    Checklist,
    MailboxChoice,
    Step,
    StepStatus,
    checklist,
)
from maildoctor.ledger.schema import Account, Change, Device, Person


@dataclass(frozen=True, slots=True)
class RetireInput:
    """What was done, as typed; None: not said this time."""

    on: str | None = None
    forward_to: str | None = None
    keep_copy: str | None = None
    auto_reply_from: str | None = None
    auto_reply_until: str | None = None
    password_changed: bool = False
    devices_removed: bool = False
    mailbox: str | None = None
    confirmed_by: str | None = None
    skip: tuple[str, ...] = ()


_STATUS: Final[Mapping[StepStatus, str]] = {
    StepStatus.DONE: N_("done"),
    StepStatus.OPEN: N_("to do"),
    StepStatus.SKIPPED: N_("not needed"),
}


def typed_fields(given: RetireInput, devices: Sequence[str]) -> dict[str, str]:
    """The log fields this run sets, each value checked as the book checks any value."""
    fields: dict[str, str | None] = {
        "scheduled_on": _day(given.on, "on"),
        "forward_to": values.address(given.forward_to) if given.forward_to else None,
        "keep_copy": _yes_no(values.flag(given.keep_copy or "", "keep_copy")),
        "auto_reply_from": _day(given.auto_reply_from, "auto_reply_from"),
        "auto_reply_until": _day(given.auto_reply_until, "auto_reply_until"),
        "password_changed": "yes" if given.password_changed else None,
        "devices_removed": (", ".join(devices) or "-") if given.devices_removed else None,
        "mailbox": values.choice(given.mailbox, MailboxChoice, "mailbox").value if given.mailbox else None,
        "confirmed_by": values.text(given.confirmed_by or "", "confirmed_by"),
    }
    for name in given.skip:
        fields[SKIP_PREFIX + values.choice(name, Step, "skip").value] = "yes"
    return {name: value for name, value in fields.items() if value is not None}


def _yes_no(flag: bool | None) -> str | None:
    return None if flag is None else "yes" if flag else "no"


def _day(typed: str | None, field: str) -> str | None:
    day = values.day(typed or "", field)
    return day.isoformat() if day is not None else None


def retire(options: LedgerRun, person_name: str, given: RetireInput) -> int:
    def work(book: Book) -> Shown:
        company = book.company(options.company)
        person: Person = book.get(PEOPLE, company, values.required_text(person_name, "person"))
        devices = [
            device.name
            for device in book.session.scalars(select(Device).filter_by(person=person).order_by(Device.id))
        ]
        accounts = list(book.session.scalars(select(Account.address).filter_by(person=person)))
        logged = book.session.execute(
            select(Change.field, Change.new)
            .where(Change.company_id == company.id, Change.entity == ENTITY, Change.entity_key == person.name)
            .order_by(Change.id)
        )
        before = checklist(((field, new) for field, new in logged), devices)
        changes = field_changes(before.values, typed_fields(given, devices))
        book.record(company, ENTITY, person.name, changes)
        after = checklist([*before.values.items(), *((c.field, c.new) for c in changes)], devices)
        return lambda: _show(options, person.name, after, accounts)

    return run(options, work)


def _show(options: LedgerRun, name: str, state: Checklist, accounts: Sequence[str]) -> int:
    if options.json:
        document = {
            "schema": "maildoctor.ledger.retirement/1",
            "person": name,
            "complete": state.complete,
            "steps": [{"step": step.value, "status": state.status(step).value} for step in Step],
            "values": dict(state.values),
            "accounts": list(accounts),
            "devices": list(state.devices),
        }
        print(json.dumps(document, ensure_ascii=False))
        return OK
    _ = options.translator.gettext
    console = options.stdout()
    scheduled = state.values.get("scheduled_on")
    if scheduled:
        title = _("When {name} leaves: the checklist (last working day {date})").format(
            name=name, date=scheduled
        )
    else:
        title = _("When {name} leaves: the checklist").format(name=name)
    console.print(show(title, "bold"))
    if accounts:
        console.print(show(_("Accounts: {addresses}").format(addresses=", ".join(accounts))))
    for step in Step:
        status = state.status(step)
        line = Text(
            f"  [{_(_STATUS[status])}] ", style="green" if status is not StepStatus.OPEN else "yellow"
        )
        line.append_text(show(_(STEP_LABELS[step])))
        detail = _detail(options.translator, step, state)
        if detail:
            line.append_text(show(f" — {detail}"))
        console.print(line)
    if state.complete:
        console.print(show(_("Every step is done.")))
    return OK


def _detail(translator: Translator, step: Step, state: Checklist) -> str:
    _ = translator.gettext
    get = state.values.get
    if step is Step.FORWARDING and get("forward_to"):
        copy = {"yes": _("a copy kept"), "no": _("no copy kept")}.get(get("keep_copy") or "", "")
        if copy:
            return _("to {address} ({copy})").format(address=get("forward_to"), copy=copy)
        return _("to {address}").format(address=get("forward_to"))
    if step is Step.AUTO_REPLY and get("auto_reply_until"):
        return f"{get('auto_reply_from') or ''} – {get('auto_reply_until')}"
    if step is Step.DEVICES:
        removed = get("devices_removed")
        if removed and removed != "-":
            return _("removed: {devices}").format(devices=removed)
        return ", ".join(state.devices) if state.devices else _("no devices in the book")
    if step is Step.MAILBOX and get("mailbox"):
        return _(MAILBOX_LABELS.get(get("mailbox") or "", get("mailbox") or ""))
    if step is Step.CONFIRMED and get("confirmed_by"):
        return get("confirmed_by") or ""
    return ""
