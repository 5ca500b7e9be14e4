"""Turn the client model into the one line a person follows in their own mail program.

Pure: no I/O beyond reading the packaged data once (through `catalog`). A line is the
steps joined with " → " and the field's label, with the value to enter after a colon
(security values in the program's own words), e.g.

    設定 → アプリ → メール → メールアカウント → (アカウント名) → アカウント → SMTP
      → プライマリサーバ → サーバポート: 587   (one line; wrapped here)
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from typing import Final

from maildoctor.clients.catalog import load_client, load_clients
from maildoctor.clients.model import SECURITY_FIELDS, Client, ClientField, ClientId, Lang, Text
from maildoctor.i18n import N_
from maildoctor.model import Security

ARROW: Final = " → "

# What a placeholder shows when the caller does not know the real value.
_GENERIC: Final = {
    "account": Text(N_("(account name)")),
    "server": Text(N_("(server name)")),
    "protocol": Text("IMAP/POP3"),  # the same in both languages: not a message id
}
_PROTOCOL_WORDS: Final = {"imap": "IMAP", "pop": "POP3", "pop3": "POP3"}

# The three programs `how_to_find` shows when the person's own program is unknown. A
# judgment, not a sourced fact: in Japan most phones are iPhones, the Android share is
# next with the Gmail app preinstalled, and classic Outlook is still the desktop
# program most offices hand out. Thunderbird and the new Outlook are common too, but
# less so than these three; change the order here if support tickets say otherwise.
COMMON_CLIENTS: Final = (ClientId.IPHONE, ClientId.OUTLOOK_CLASSIC, ClientId.GMAIL_ANDROID)


@functools.cache
def _by_alias() -> Mapping[str, ClientId]:
    """Every program's id and the aliases its data file lists (data/clients/<id>.toml), folded."""
    names: dict[str, ClientId] = {}
    for client, profile in load_clients().items():
        for alias in (client.value, *profile.aliases):
            names.setdefault(_key(alias), client)
    return names


@functools.cache
def _message_clients() -> Mapping[str, ClientId]:
    """explain/catalog.py's `Client` values -> ours, as the data files' `explain_clients` say
    (Windows Mail was replaced by the new Outlook; "android" there means the phone's own mail
    app, not the Gmail app)."""
    return {
        _key(name): client for client, profile in load_clients().items() for name in profile.explain_clients
    }


class UnsupportedField(ValueError):
    """The program has no such setting (or cannot express the value); the message says why."""


def _key(name: str) -> str:
    """Fold a typed name: full-width to ASCII (NFKC), case, and spaces or '_' to '-'."""
    folded = unicodedata.normalize("NFKC", name).strip().casefold()
    return "-".join(folded.replace("_", " ").split())


def resolve_client(name: str) -> ClientId | None:
    """The client a person or option named ("iPhone", "ＴＢ", "new outlook"), or None."""
    key = _key(name)
    return _by_alias().get(key) or _by_alias().get(key.replace("-", ""))


def client_of_message_client(name: str) -> ClientId:
    """Our id for a client name of the explain catalogue (`maildoctor.explain.catalog.Client`)."""
    try:
        return _message_clients()[_key(name)]
    except KeyError:
        raise ValueError(f"unknown explain-catalogue client {name!r}") from None


def _fill(text: str, lang: Lang, account: str | None, server: str | None, protocol: str | None) -> str:
    known = {
        "account": account,
        "server": server,
        "protocol": _PROTOCOL_WORDS.get(protocol.casefold(), protocol) if protocol else None,
    }
    for name, value in known.items():
        text = text.replace(f"{{{name}}}", value if value else _GENERIC[name].get(lang))
    return text


def unsupported_reason(client: Client, field: ClientField, lang: Lang) -> str | None:
    """Why `client` has no `field` setting, or None when it has one."""
    entry = load_client(client).fields[field]
    return entry.unsupported.get(lang) if entry.unsupported else None


def security_words(client: Client, value: Security, lang: Lang) -> str:
    """How `client` words one of our security values; raises `UnsupportedField` with the reason."""
    choice = load_client(client).security[value]
    if choice.words is None:
        assert choice.unsupported is not None
        raise UnsupportedField(choice.unsupported.get(lang))
    return choice.words.get(lang)


def field_default(client: Client, field: ClientField, lang: Lang) -> str | None:
    """The program's default for a setting, where the data records it (POP: keep or remove)."""
    path = load_client(client).fields[field].path
    return path.default.get(lang) if path is not None and path.default is not None else None


def field_note(client: Client, field: ClientField, lang: Lang) -> str | None:
    """The caveat that goes with a path (e.g. "only when the account is added"), if any."""
    path = load_client(client).fields[field].path
    return path.note.get(lang) if path is not None and path.note is not None else None


def field_step(
    client: Client,
    field: ClientField,
    lang: Lang,
    value: str | None = None,
    account: str | None = None,
    server: str | None = None,
    protocol: str | None = None,
) -> str:
    """One line: the steps, then `label` or `label: value`.

    For the two security fields `value` may be "ssl", "starttls" or "none" and is shown
    in the program's own words. Raises `UnsupportedField` (message = the reason in
    `lang`) when the program has no such setting; ask `unsupported_reason` first to avoid it.
    """
    entry = load_client(client).fields[field]
    if entry.path is None:
        assert entry.unsupported is not None
        raise UnsupportedField(entry.unsupported.get(lang))
    shown = value
    if value is not None and field in SECURITY_FIELDS and value in set(Security):
        shown = security_words(client, Security(value), lang)
    parts = [_fill(step, lang, account, server, protocol) for step in entry.path.steps(lang)]
    label = _fill(entry.path.label.get(lang), lang, account, server, protocol)
    parts.append(label if shown is None else f"{label}: {shown}")
    return ARROW.join(parts)


def how_to_find(field: ClientField, lang: Lang, account: str | None = None) -> list[str]:
    """Where `field` is in each of `COMMON_CLIENTS`, one "Program: path" line each.

    A program without the setting gets its reason instead, so the list always has one
    line per program and the person can see their own program is covered.
    """
    lines: list[str] = []
    separator = ": " if lang == "en" else "："
    for client in COMMON_CLIENTS:
        name = load_client(client).name.get(lang)
        reason = unsupported_reason(client, field, lang)
        path = reason if reason is not None else field_step(client, field, lang, account=account)
        lines.append(f"{name}{separator}{path}")
    return lines
