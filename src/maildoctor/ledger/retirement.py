"""The checklist when someone leaves (pure): its steps, and their state read from the change log.

Every step taken is a change-log entry of the entity "retirements" keyed by the person's name, so
the log is the checklist's only record: who did what and when is there, and nothing can be quietly
undone. The state is the latest value of each field; the mailbox is one field, so its three
choices (keep, convert to shared, delete) exclude each other by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from maildoctor.i18n import N_

ENTITY: Final = "retirements"


class Step(StrEnum):
    FORWARDING = "forwarding"  # mail forwarded to someone, a copy kept or not
    AUTO_REPLY = "auto-reply"  # an automatic reply, from and until a date
    PASSWORD_CHANGE = "password-change"  # noqa: S105 -- a step name; the password is never written
    DEVICES = "devices"  # the account removed from the person's devices
    MAILBOX = "mailbox"  # kept, converted to a shared mailbox, or deleted
    CONFIRMED = "confirmed"  # who confirmed that all is done


class MailboxChoice(StrEnum):
    KEEP = "keep"
    SHARED = "shared"
    DELETE = "delete"


class StepStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"  # not needed for this person


# The fields the log holds for a retirement (field → the step it belongs to).
FIELDS: Final[Mapping[str, Step | None]] = {
    "scheduled_on": None,  # the last working day
    "forward_to": Step.FORWARDING,
    "keep_copy": Step.FORWARDING,
    "auto_reply_from": Step.AUTO_REPLY,
    "auto_reply_until": Step.AUTO_REPLY,
    "password_changed": Step.PASSWORD_CHANGE,
    "devices_removed": Step.DEVICES,
    "mailbox": Step.MAILBOX,
    "confirmed_by": Step.CONFIRMED,
}
SKIP_PREFIX: Final = "skip_"  # "skip_forwarding" = "yes": the step is not needed

# What the change log calls each field (gettext message ids).
FIELD_LABELS: Final[Mapping[str, str]] = {
    "scheduled_on": N_("Last working day"),
    "forward_to": N_("Forwarded to"),
    "keep_copy": N_("Copy kept"),
    "auto_reply_from": N_("Automatic reply from"),
    "auto_reply_until": N_("Automatic reply until"),
    "password_changed": N_("Password changed"),
    "devices_removed": N_("Removed from the devices"),
    "mailbox": N_("Mailbox"),
    "confirmed_by": N_("Confirmed by"),
}
SKIPPED_LABEL: Final = N_("Not needed: {step}")

STEP_LABELS: Final[Mapping[Step, str]] = {
    Step.FORWARDING: N_("Forward the mail to someone"),
    Step.AUTO_REPLY: N_("Set an automatic reply"),
    Step.PASSWORD_CHANGE: N_("Change the password"),
    Step.DEVICES: N_("Remove the account from the devices"),
    Step.MAILBOX: N_("The mailbox: keep it, make it a shared mailbox, or delete it"),
    Step.CONFIRMED: N_("Someone confirms that all is done"),
}
MAILBOX_LABELS: Final[Mapping[str, str]] = {
    MailboxChoice.KEEP: N_("kept"),
    MailboxChoice.SHARED: N_("made a shared mailbox"),
    MailboxChoice.DELETE: N_("deleted"),
}


@dataclass(frozen=True, slots=True)
class Checklist:
    values: Mapping[str, str | None]  # the latest value of each field
    devices: tuple[str, ...]  # the person's devices in the book now

    def status(self, step: Step) -> StepStatus:
        if self.values.get(SKIP_PREFIX + step.value) == "yes":
            return StepStatus.SKIPPED
        done = {
            Step.FORWARDING: bool(self.values.get("forward_to")),
            Step.AUTO_REPLY: bool(self.values.get("auto_reply_until")),
            Step.PASSWORD_CHANGE: self.values.get("password_changed") == "yes",
            Step.DEVICES: bool(self.values.get("devices_removed")) or not self.devices,
            Step.MAILBOX: bool(self.values.get("mailbox")),
            Step.CONFIRMED: bool(self.values.get("confirmed_by")),
        }[step]
        return StepStatus.DONE if done else StepStatus.OPEN

    @property
    def complete(self) -> bool:
        return all(self.status(step) is not StepStatus.OPEN for step in Step)

    @property
    def started(self) -> bool:
        return any(value is not None for value in self.values.values())


def checklist(entries: Iterable[tuple[str | None, str | None]], devices: Iterable[str]) -> Checklist:
    """The checklist from the log's (field, new value) pairs, oldest first."""
    values: dict[str, str | None] = {}
    for field, new in entries:
        if field is not None:
            values[field] = new
    return Checklist(values, tuple(devices))
