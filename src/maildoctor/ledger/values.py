"""What a value typed into the book may be: parsed from text, or refused with a LedgerError.

Pure: no database, no network. Every parser takes the text as typed (a command-line option, a CSV
cell, a JSON string) and returns the value kept in the book, so the commands, the CSV import and
the JSON import accept and refuse exactly the same things.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Collection
from datetime import date
from enum import StrEnum
from typing import Final, TypeVar

from maildoctor.i18n import N_
from maildoctor.ledger.errors import LedgerError
from maildoctor.model import Protocol, ServerUrlError, parse_server_url

E = TypeVar("E", bound=StrEnum)


class DeviceKind(StrEnum):
    """The mail programs and devices the guides name."""

    IPHONE = "iphone"
    IPAD = "ipad"
    ANDROID = "android"
    OUTLOOK = "outlook"
    NEW_OUTLOOK = "new-outlook"
    THUNDERBIRD = "thunderbird"
    MAC_MAIL = "mac-mail"
    WINDOWS_MAIL = "windows-mail"
    GMAIL_APP = "gmail-app"
    WEBMAIL = "webmail"
    OTHER = "other"


class MailboxProtocol(StrEnum):
    """How a device reads an account."""

    POP3 = "pop3"
    IMAP = "imap"


class ContactRole(StrEnum):
    """Whom to call when mail stops."""

    PROVIDER = "provider"  # the mail or rental-server company
    WEB = "web"  # the web company that set up the domain or site
    INHOUSE = "inhouse"  # the person in the office who looks after it
    OTHER = "other"


MAX_TEXT: Final = 500  # longer is a paste gone wrong, not a value
_CODE_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_ADDRESS_PATTERN: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DOMAIN_PATTERN: Final = re.compile(r"(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z0-9-]{1,63}")
_TRUE: Final = frozenset({"yes", "y", "true", "1", "on", "はい", "する"})
_FALSE: Final = frozenset({"no", "n", "false", "0", "off", "いいえ", "しない"})
_PROTOCOL_ALIASES: Final = {"pop": "pop3", "pop3": "pop3", "imap": "imap", "imap4": "imap"}


def _folded(text: str) -> str:
    """Full-width letters and digits as half-width (ＩＭＡＰ, ２０２６), spaces at the ends removed."""
    return unicodedata.normalize("NFKC", text).strip()


def text(value: str, field: str) -> str | None:
    """Free text (a name, a note): kept as typed, without control characters; empty means none."""
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_TEXT:
        raise LedgerError(N_("“{field}” is longer than {most} characters."), field=field, most=MAX_TEXT)
    if any(unicodedata.category(char) == "Cc" and char not in "\t" for char in value):
        raise LedgerError(
            N_("“{field}” contains a control character (a line break or similar)."), field=field
        )
    return value


def required_text(value: str, field: str) -> str:
    kept = text(value, field)
    if kept is None:
        raise LedgerError(N_("“{field}” must not be empty."), field=field)
    return kept


def code(value: str) -> str:
    """A company's short name for commands: lower-case letters, digits, '.', '_' and '-'."""
    folded = _folded(value).lower()
    if not _CODE_PATTERN.fullmatch(folded):
        raise LedgerError(
            N_(
                "“{value}” cannot be a company code: use up to 64 half-width letters, digits, "
                "“.”, “_” and “-” (for example yamada-shoji)."
            ),
            value=value,
        )
    return folded


def address(value: str) -> str:
    folded = _folded(value)
    if not _ADDRESS_PATTERN.fullmatch(folded):
        raise LedgerError(N_("“{value}” is not an email address."), value=value)
    local, _, domain_part = folded.rpartition("@")
    return f"{local}@{domain_part.lower()}"


def domain(value: str) -> str:
    folded = _folded(value).lower().rstrip(".")
    with contextlib.suppress(UnicodeError):  # the pattern below refuses what IDNA cannot encode
        folded = folded.encode("idna").decode("ascii")
    if not _DOMAIN_PATTERN.fullmatch(folded):
        raise LedgerError(N_("“{value}” is not a domain name (like example.co.jp)."), value=value)
    return folded


def server_url(value: str, *, incoming: bool) -> str | None:
    """A server URL of interface.md, kept in its canonical form; empty means none."""
    if not value.strip():
        return None
    try:
        endpoint = parse_server_url(_folded(value))
    except ServerUrlError:
        raise LedgerError(
            N_("“{value}” is not a server URL (like imaps://imap.example.jp:993)."), value=value
        ) from None
    if incoming != (endpoint.protocol is not Protocol.SMTP):
        message = (
            N_("“{value}” is a sending (SMTP) server; the receiving server is an imaps:// or pop3s:// URL.")
            if incoming
            else N_(
                "“{value}” is a receiving server; the sending server is an smtps:// or smtp+starttls:// URL."
            )
        )
        raise LedgerError(message, value=value)
    return endpoint.url


def provider(value: str, known: Collection[str]) -> str | None:
    """A provider id of maildoctor's provider data (src/maildoctor/data/providers); empty means none."""
    folded = _folded(value).lower()
    if not folded:
        return None
    if folded not in known:
        raise LedgerError(
            N_("“{value}” is not a provider maildoctor knows. Known: {known}."),
            value=value,
            known=", ".join(sorted(known)),
        )
    return folded


def choice(value: str, kind: type[E], field: str) -> E:
    folded = _folded(value).lower()
    folded = _PROTOCOL_ALIASES.get(folded, folded) if kind is MailboxProtocol else folded
    try:
        return kind(folded)
    except ValueError:
        raise LedgerError(
            N_("“{value}” cannot be used for “{field}”. Use one of: {choices}."),
            value=value,
            field=field,
            choices=", ".join(member.value for member in kind),
        ) from None


def day(value: str, field: str) -> date | None:
    """A date as 2026-12-31 or 2026/12/31 (full-width digits too); empty means none."""
    folded = _folded(value).replace("/", "-")
    if not folded:
        return None
    parts = folded.split("-")
    try:
        return date(*(int(part) for part in parts)) if len(parts) == 3 else date.fromisoformat(folded)
    except (ValueError, TypeError):
        raise LedgerError(
            N_("“{value}” is not a date for “{field}”: write it as 2026-12-31."), value=value, field=field
        ) from None


def flag(value: str, field: str) -> bool | None:
    """yes/no (also true/false, 1/0, はい/いいえ); empty means not known."""
    folded = _folded(value).lower()
    if not folded:
        return None
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise LedgerError(N_("“{value}” is not yes or no (for “{field}”)."), value=value, field=field)


def count(value: str, field: str) -> int | None:
    """A whole number of 0 or more (days, an order); empty means none."""
    folded = _folded(value)
    if not folded:
        return None
    if not folded.isdigit() or int(folded) > 100_000:
        raise LedgerError(N_("“{value}” is not a whole number for “{field}”."), value=value, field=field)
    return int(folded)
