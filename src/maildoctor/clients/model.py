"""The client model: where a setting lives in each mail program, as frozen data.

A fix is only useful when the person can find the field in *their* program, so every
step is kept as the menu path and the label the program itself shows. The data lives in
`maildoctor/data/clients/*.toml` (read by `catalog`) in English, the program's English
labels; each is a gettext message id and the ja catalog holds the program's Japanese label.
This module only names the pieces so the loader and the renderer agree on them.

Where two programs show the same English label with different Japanese ones (Thunderbird's
"Server Settings" is サーバー設定, Mac Mail's サーバ設定), the data qualifies the rarer one in the
GLib `Q_()` manner: "Thunderbird|Server Settings". The part before `|` only tells the
message ids apart; English shows the part after it (see `translate`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Final, Literal

from maildoctor.i18n import get_translator
from maildoctor.model import Security

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


def lang_of(language: str) -> Lang:
    """A translator's language ("ja" or "en") as the data's language key."""
    return "ja" if language == "ja" else "en"


QUALIFIER: Final = "|"


@functools.cache
def _gettext(lang: Lang) -> Callable[[str], str]:
    return get_translator(lang).gettext


def translate(message: str, lang: Lang) -> str:
    """A data text in `lang`: the catalog's translation, else the English (without a qualifier)."""
    shown = _gettext(lang)(message)
    return shown.split(QUALIFIER, 1)[1] if shown == message and QUALIFIER in message else shown


CLIENTS_DIR: Final = "clients"  # maildoctor/data/clients: one <id>.toml per mail program
CLIENT_ID_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def client_ids(folder: Traversable | None = None) -> tuple[str, ...]:
    """The mail programs maildoctor ships: the names of the data files, sorted.

    Only file names are read (no TOML), so building the enum costs nothing at start-up; adding a
    program is adding its file. Lists shown to people follow the files' `order`, not this one.
    """
    if folder is None:
        folder = resources.files("maildoctor").joinpath("data").joinpath(CLIENTS_DIR)
    files = (item.name for item in folder.iterdir() if item.is_file() and item.name.endswith(".toml"))
    names = sorted(name.removesuffix(".toml") for name in files)
    for name in names:
        if not name or not set(name) <= CLIENT_ID_CHARS:
            raise ValueError(f"clients/{name}.toml: a mail program's file is named by its id (a-z, 0-9, -)")
    return tuple(names)


if TYPE_CHECKING:
    # The ids the code names; the enum itself is built from the data files' names below.
    class ClientId(StrEnum):
        ANDROID_MAIL = "android-mail"
        GMAIL_ANDROID = "gmail-android"
        GMAIL_IOS = "gmail-ios"
        IPHONE = "iphone"
        MAC_MAIL = "mac-mail"
        OUTLOOK_CLASSIC = "outlook-classic"
        OUTLOOK_NEW = "outlook-new"
        THUNDERBIRD = "thunderbird"

else:
    ClientId = StrEnum(
        "ClientId", [(name.upper().replace("-", "_"), name) for name in client_ids()], module=__name__
    )


@dataclass(frozen=True, slots=True)
class ClientVersion:
    """A mail program whose menus differ by version, at an older version: the file's `[[variant]]`
    named `variant` (`--client iphone@17` -> ClientVersion(IPHONE, "ios17")). Shown (and written to
    reports) as the program's id, like a plain `ClientId`."""

    id: ClientId
    variant: str

    def __str__(self) -> str:
        return self.id.value

    @property
    def value(self) -> str:
        return self.id.value


Client = ClientId | ClientVersion  # the current menus, or an older version's


def client_id(client: Client) -> ClientId:
    return client if isinstance(client, ClientId) else client.id


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
    # where the account is added through the provider's own sign-in page (OAuth2), or switched to it
    PROVIDER_SIGN_IN = "provider_sign_in"


SECURITY_FIELDS = frozenset({ClientField.INCOMING_SECURITY, ClientField.OUTGOING_SECURITY})


class Confirmed(StrEnum):
    STORED_PAGE = "stored-page"  # the wording was read on a stored copy of the cited page
    RECALLED = "recalled"  # from memory; `confirmed_note` says what was checked


@dataclass(frozen=True, slots=True)
class Text:
    """One piece of wording: its message id (English, maybe qualified), shown in either language."""

    message: str

    def get(self, lang: Lang) -> str:
        return translate(self.message, lang)

    @property
    def ja(self) -> str:
        return self.get("ja")

    @property
    def en(self) -> str:
        return self.get("en")


@dataclass(frozen=True, slots=True)
class Provenance:
    source: str  # the vendor's public help page
    confirmed: Confirmed
    note: str | None  # what was (and was not) checked
    seen: datetime.date | None = None  # the day the source was read (or the wording written down)
    words: str | None = None  # the words read on the source, for a stored-page claim


@dataclass(frozen=True, slots=True)
class Path:
    """Taps or clicks to reach a field, then the field's label exactly as on screen.

    Steps may hold `{account}`, `{server}` or `{protocol}`; the renderer fills them.
    """

    step_messages: tuple[str, ...]  # message ids, like `Text.message`
    label: Text
    note: Text | None  # e.g. "only when the account is added"
    default: Text | None  # the program's default, where it matters (POP: keep on server)

    def steps(self, lang: Lang) -> tuple[str, ...]:
        return tuple(translate(step, lang) for step in self.step_messages)


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
class Variant:
    """An older version's menus (`[[variant]]` in the program's file): the steps that begin with
    `steps_from` begin with `steps_to` there, and `fields` replace whole entries."""

    name: str
    versions: tuple[str, ...]  # the versions it is for, as the file names them
    before: int  # for a version number below this (and at or above the next older variant's)
    steps_from: tuple[str, ...]
    steps_to: tuple[str, ...]
    fields: Mapping[ClientField, FieldEntry]
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ClientProfile:
    id: ClientId
    name: Text
    order: int  # where lists show it (most used in Japan first)
    versions: tuple[str, ...]
    checked: datetime.date
    note: Text | None
    fields: Mapping[ClientField, FieldEntry]
    security: Mapping[Security, SecurityChoice]
    security_provenance: Provenance
    aliases: tuple[str, ...] = ()  # what people type for it (--client), besides its id
    explain_clients: tuple[str, ...] = ()  # the explain catalogue's client names that mean this program
    variants: tuple[Variant, ...] = ()  # older versions whose menus differ, newest first
    # said when the program is named without a version: where older versions differ, and how to ask
    other_versions: Text | None = None
    variant: str | None = None  # None: the current menus; else the variant this profile is
