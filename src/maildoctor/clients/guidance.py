"""A fix step's settings as lines in the person's own mail program (pure).

A knowledge-base step names the settings it changes (`Setting`: which field, from which
parameter its new value comes, and for which server). With a client, each becomes that
program's menu path and label (`field_step`); without one, the path in the three most
common programs (`how_to_find`), so the person can still find the field.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from maildoctor.clients.model import LANGS, Client, ClientField, Lang
from maildoctor.clients.render import field_default, field_note, field_step, how_to_find, unsupported_reason
from maildoctor.discover.candidates import DiscoveredSettings
from maildoctor.i18n import N_, get_translator
from maildoctor.knowledge_data import Setting  # the knowledge base's (its steps name them)
from maildoctor.model import Security

_ROLED: Final = frozenset({"host", "port", "security", "username", "password"})
_DEFAULT: Final = N_("Default: {default}")
_NOTE: Final = N_("Note: {note}")
# fields whose caveat belongs beside the path (the POP default, "only when the account is added")
_NOTED: Final = frozenset(
    {
        ClientField.POP_LEAVE_ON_SERVER,
        ClientField.PROTOCOL,
        ClientField.OUTGOING_AUTH,
        ClientField.PROVIDER_SIGN_IN,
    }
)
_FIXED: Final[Mapping[str, ClientField]] = {
    "outgoing_auth": ClientField.OUTGOING_AUTH,
    "pop_leave_on_server": ClientField.POP_LEAVE_ON_SERVER,
    "protocol": ClientField.PROTOCOL,
    "email_address": ClientField.EMAIL_ADDRESS,
    "account_settings": ClientField.ACCOUNT_SETTINGS,
    "add_account": ClientField.ADD_ACCOUNT,
    "remove_account": ClientField.REMOVE_ACCOUNT,
    "provider_sign_in": ClientField.PROVIDER_SIGN_IN,
}


@dataclass(frozen=True, slots=True)
class Guidance:
    """Whose screens to speak in: a client, or None for "the three most common programs"."""

    client: Client | None  # a ClientVersion: an older version's menus
    account: str | None = None  # the account's name as the program lists it (usually the address)
    role: str | None = None  # the server a role-less finding is about (explain: the message tells)
    protocol: str | None = None  # the incoming protocol (imap, pop3) when known: some labels name it


def client_field(
    setting: Setting, params: Mapping[str, str], default_role: str | None = None
) -> ClientField | None:
    """The program field a setting means for this finding, or None when it cannot be told."""
    name = setting.field
    if name == "{field}":
        name = params.get("field", "")
        if name not in _ROLED:
            return ClientField.EMAIL_ADDRESS if name == "address" else None
    if name in _FIXED:
        return _FIXED[name]
    if name not in _ROLED:
        return None
    role = setting.role or params.get("role") or default_role or ""
    if role not in ("incoming", "outgoing"):
        return None
    return ClientField(f"{role}_{name}")


def _value(field: ClientField, setting: Setting, params: Mapping[str, str]) -> str | None:
    value = params.get(setting.value) if setting.value else None
    if not value:
        return None
    if field in (ClientField.INCOMING_SECURITY, ClientField.OUTGOING_SECURITY) and value not in set(Security):
        return None
    return value


def where_lines(
    settings: Sequence[Setting], params: Mapping[str, str], guidance: Guidance, lang: Lang
) -> tuple[str, ...]:
    """The lines that show where a step's settings are: one per setting with a client, else three."""
    lines: list[str] = []
    for setting in settings:
        field = client_field(setting, params, guidance.role)
        if field is None:
            continue
        if guidance.client is None:
            lines.extend(line for line in how_to_find(field, lang, guidance.account) if line not in lines)
            continue
        reason = unsupported_reason(guidance.client, field, lang)
        if reason is not None:
            lines.append(reason)
            continue
        value = _value(field, setting, params)
        server = params.get("host") or params.get("typed_host")  # the server as the program lists it
        protocol = guidance.protocol if field.value.startswith("incoming_") else None
        try:
            line = field_step(
                guidance.client,
                field,
                lang,
                value=value,
                account=guidance.account,
                server=server,
                protocol=protocol,
            )
        except ValueError as unsupported:  # the program cannot express this value (UnsupportedField)
            line = field_step(
                guidance.client, field, lang, account=guidance.account, server=server, protocol=protocol
            )
            line += f" ({unsupported})"
        if not any(known == line or known.startswith(line + ":") for known in lines):
            lines.append(line)  # a switch whose field is the user name line itself says nothing new
            default = field_default(guidance.client, field, lang) if field in _NOTED else None
            if default:
                lines.append(get_translator(lang).gettext(_DEFAULT).format(default=default))
            note = field_note(guidance.client, field, lang) if field in _NOTED else None
            if note:
                lines.append(get_translator(lang).gettext(_NOTE).format(note=note))
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class ServerValues:
    """One server's settings as `settings` found them, to be entered in the mail program."""

    role: str  # incoming | outgoing
    protocol: str  # imap | pop3 | smtp
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str


def server_values(settings: DiscoveredSettings) -> list[ServerValues]:
    """The best incoming and the best outgoing server found, as the values to enter."""
    return [
        ServerValues(role, str(best.protocol), best.host, best.port, str(best.security), best.username)
        for role, candidates in (("incoming", settings.incoming), ("outgoing", settings.outgoing))
        for best in candidates[:1]
    ]


def entry_lines(
    client: Client, servers: Sequence[ServerValues], lang: Lang, account: str | None
) -> tuple[str, ...]:
    """Each value to enter, as the program's path and label with the value: host, port, encryption, user."""
    lines: list[str] = []
    for server in servers:
        params = {
            "role": server.role,
            "host": server.host,
            "port": str(server.port),
            "security": server.security,
            "username": server.username,
        }
        settings = [Setting(name, name) for name in ("host", "port", "security", "username")]
        if server.role == "incoming" and server.protocol.startswith("pop"):
            settings.append(Setting("pop_leave_on_server"))
        if server.role == "outgoing":
            settings.append(Setting("outgoing_auth"))
        guidance = Guidance(client, account=account, protocol=server.protocol)
        lines.extend(where_lines(settings, params, guidance, lang))
    return tuple(lines)


@functools.cache
def _note_prefixes() -> tuple[str, ...]:
    """How a caveat line begins in each language (the catalogs are read once, not per line)."""
    return tuple(
        get_translator(lang).gettext(message).split("{", 1)[0]
        for lang in LANGS
        for message in (_NOTE, _DEFAULT)
    )


def is_note(line: str) -> bool:
    """Whether a `where_lines` line is a caveat (the default, a note) rather than a menu path."""
    return line.startswith(_note_prefixes())


__all__ = [
    "Guidance",
    "ServerValues",
    "Setting",
    "client_field",
    "entry_lines",
    "is_note",
    "server_values",
    "where_lines",
]
