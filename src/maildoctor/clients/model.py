"""The client model: where a setting lives in each mail program, as frozen data.

A fix is only useful when the person can find the field in *their* program, so every
step is kept as the menu path and the label the program itself shows, in Japanese and
English. The data lives in `maildoctor/data/clients/*.toml` (read by `catalog`); this
module only names the pieces so the loader and the renderer agree on them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from maildoctor.model import Security

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


def lang_of(language: str) -> Lang:
    """A translator's language ("ja" or "en") as the data's language key."""
    return "ja" if language == "ja" else "en"


class ClientId(StrEnum):
    IPHONE = "iphone"
    MAC_MAIL = "mac-mail"
    OUTLOOK_CLASSIC = "outlook-classic"
    OUTLOOK_NEW = "outlook-new"
    THUNDERBIRD = "thunderbird"
    GMAIL_ANDROID = "gmail-android"
    GMAIL_IOS = "gmail-ios"
    ANDROID_MAIL = "android-mail"


class ClientField(StrEnum):
    """The settings a diagnosis can ask the person to look at or change."""

    ADD_ACCOUNT = "add_account"
    ACCOUNT_SETTINGS = "account_settings"  # how to open the account's settings
    EMAIL_ADDRESS = "email_address"
    PROTOCOL = "protocol"  # POP or IMAP; most programs only ask when the account is added
    INCOMING_HOST = "incoming_host"
    INCOMING_PORT = "incoming_port"
    INCOMING_SECURITY = "incoming_security"
    INCOMING_USERNAME = "incoming_username"
    INCOMING_PASSWORD = "incoming_password"  # noqa: S105 (a field name, not a secret)
    OUTGOING_HOST = "outgoing_host"
    OUTGOING_PORT = "outgoing_port"
    OUTGOING_SECURITY = "outgoing_security"
    OUTGOING_AUTH = "outgoing_auth"  # the "outgoing server requires authentication" switch
    OUTGOING_USERNAME = "outgoing_username"
    OUTGOING_PASSWORD = "outgoing_password"  # noqa: S105 (a field name, not a secret)
    POP_LEAVE_ON_SERVER = "pop_leave_on_server"
    REMOVE_ACCOUNT = "remove_account"


SECURITY_FIELDS = frozenset({ClientField.INCOMING_SECURITY, ClientField.OUTGOING_SECURITY})


class Confirmed(StrEnum):
    STORED_PAGE = "stored-page"  # the wording was read on a stored copy of the cited page
    RECALLED = "recalled"  # from memory; `confirmed_note` says what was checked


@dataclass(frozen=True, slots=True)
class Text:
    """One piece of wording in both languages; every shown string has both."""

    ja: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True, slots=True)
class Provenance:
    source: str  # the vendor's public help page
    confirmed: Confirmed
    note: str | None  # what was (and was not) checked


@dataclass(frozen=True, slots=True)
class Path:
    """Taps or clicks to reach a field, then the field's label exactly as on screen.

    Steps may hold `{account}`, `{server}` or `{protocol}`; the renderer fills them.
    """

    steps_ja: tuple[str, ...]
    steps_en: tuple[str, ...]
    label: Text
    note: Text | None  # e.g. "only when the account is added"
    default: Text | None  # the program's default, where it matters (POP: keep on server)

    def steps(self, lang: Lang) -> tuple[str, ...]:
        return self.steps_ja if lang == "ja" else self.steps_en


@dataclass(frozen=True, slots=True)
class FieldEntry:
    """One client × field: a path, or the reason the program has no such setting."""

    client: ClientId
    field: ClientField
    path: Path | None
    unsupported: Text | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class SecurityChoice:
    """How one client expresses one `Security` value, or why it cannot."""

    value: Security
    words: Text | None  # shown after the field's label: "接続の保護: STARTTLS"
    note: Text | None
    unsupported: Text | None


@dataclass(frozen=True, slots=True)
class ClientProfile:
    id: ClientId
    name: Text
    versions: tuple[str, ...]
    checked: datetime.date
    note: Text | None
    fields: Mapping[ClientField, FieldEntry]
    security: Mapping[Security, SecurityChoice]
    security_provenance: Provenance
