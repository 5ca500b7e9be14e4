"""What a check-up records (pure): per run, per account or domain, the findings as stable ids with
their cause code and parameters — never text — and "could not test" kept apart from "failed"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ItemKind(StrEnum):
    ACCOUNT = "account"
    DOMAIN = "domain"
    BOOK = "book"  # the risks only the book can see, one item per company


class Outcome(StrEnum):
    CHECKED = "checked"  # examined: its findings are what is wrong (none: all well)
    COULD_NOT_TEST = "could_not_test"  # nothing can be concluded: never read as "failed" or "fine"


class Untested(StrEnum):
    """Why an item could not be tested."""

    TIMEOUT = "timeout"
    RATE_LIMITED = "rate_limited"
    RESOLVER_BROKEN = "resolver_broken"
    OFFLINE = "offline"
    CRASHED = "crashed"
    BAD_SETTINGS = "bad_settings"  # the book's server URL cannot be read


class LoginMode(StrEnum):
    LOGGED_IN = "login"  # the password came from the keyring: login tried (once)
    NO_PASSWORD = "no_password"  # noqa: S105 -- a mode, not a password; none kept: checked without login, and the report says so
    # the run's one login to a server of this account was already attempted — by this job before its
    # worker was killed, or by another worker: not tried again (the one-login guard in the book)
    NOT_REPEATED = "not_repeated"


def finding_id(cause: str, subject: str, server: str) -> str:
    """The stable id of a finding: the same cause on the same account and server is the same
    finding on every run, whatever its text or parameters."""
    return f"{cause}|{subject.lower()}|{server.lower()}"


@dataclass(frozen=True, slots=True)
class RecordedFinding:
    cause: str
    subject: str
    server: str  # a host name, or the role (incoming, outgoing, domain, book)
    severity: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        return finding_id(self.cause, self.subject, self.server)

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


@dataclass(frozen=True, slots=True)
class RecordedItem:
    kind: ItemKind
    subject: str
    outcome: Outcome
    findings: tuple[RecordedFinding, ...] = ()
    reason: Untested | None = None
    login: LoginMode | None = None
    # numbers for the trends: quota_used_kib, quota_limit_kib, cert_expires:<host>, domain_expires
    facts: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[ItemKind, str]:
        return self.kind, self.subject.lower()


@dataclass(frozen=True, slots=True)
class RecordedRun:
    run_id: int
    company: str  # the company's code
    started_at: datetime
    finished: bool
    items: tuple[RecordedItem, ...]
