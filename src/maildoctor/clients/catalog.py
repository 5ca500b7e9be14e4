"""Read and check `maildoctor/data/clients/*.toml`, one file per mail program.

The texts are English gettext message ids (babel.cfg extracts them; the ja catalog holds the
programs' Japanese labels). Strict on purpose: an unknown key, a missing text, an unknown field or a gap in
the client × field matrix raises `ClientDataError` naming the file and the entry, so a
data mistake fails the tests instead of showing a person half a path. See the
README.md next to the data for the schema.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Final, TypeVar

from maildoctor.clients.model import (
    QUALIFIER,
    Client,
    ClientField,
    ClientId,
    ClientProfile,
    Confirmed,
    FieldEntry,
    Path,
    Provenance,
    SecurityChoice,
    Text,
    Variant,
)
from maildoctor.datafile import DataFileError, choice, one_line
from maildoctor.model import Security

DATA_DIR: Final = "clients"
_E = TypeVar("_E", bound=ClientField | ClientId | Confirmed | Security)

_PROVENANCE: Final = frozenset({"source", "confirmed", "confirmed_note", "seen", "confirmed_words"})
_PATH_KEYS: Final = frozenset({"steps", "label", "note", "default"})
_UNSUPPORTED_KEYS: Final = frozenset({"unsupported", "reason"})
_CLIENT_KEYS: Final = frozenset(
    {"id", "name", "order", "versions", "checked", "note", "aliases", "explain_clients", "other_versions"}
)
LAST: Final = 1000  # where a program without an `order` is listed
_VARIANT_KEYS: Final = frozenset({"id", "versions", "before", "steps_from", "steps_to", "field"})
_CHOICE_KEYS: Final = frozenset({"words", "note", "unsupported", "reason"})
_PLACEHOLDER: Final = re.compile(r"\{([a-z]+)\}")
PLACEHOLDERS: Final = frozenset({"account", "server", "protocol"})
_SOURCE: Final = re.compile(r"https://[^\s]+")


class ClientDataError(DataFileError):
    """A client data file breaks its schema; the message names the file and the entry."""


def _text(where: str, table: Mapping[str, object], key: str) -> str:
    value = one_line(where, table, key, ClientDataError)
    for name in _PLACEHOLDER.findall(value):
        if name not in PLACEHOLDERS:
            raise ClientDataError(f"{where}: unknown placeholder {{{name}}} in {key}")
    return value


def _shown(where: str, table: Mapping[str, object], key: str) -> str:
    """A shown text: a message id, plain or (two programs, two Japanese labels) 'Qualifier|Label'."""
    value = _text(where, table, key)
    if QUALIFIER in value:
        qualifier, _, shown = value.partition(QUALIFIER)
        if QUALIFIER in shown or not qualifier.strip() or not shown.strip():
            raise ClientDataError(f"{where}: {key} must be 'text' or 'qualifier|text', both parts non-empty")
    return value


def _message(where: str, table: Mapping[str, object], key: str, *, required: bool) -> Text | None:
    """An English text (a message id) under `key`; None when optional and absent."""
    if key not in table and not required:
        return None
    return Text(_shown(where, table, key))


def _steps(where: str, table: Mapping[str, object], key: str) -> tuple[str, ...]:
    if key not in table:
        raise ClientDataError(f"{where}: missing key {key}")
    value = table[key]
    if not isinstance(value, list) or not value:
        raise ClientDataError(f"{where}: {key} must be a non-empty list of strings")
    return tuple(_shown(where, {key: item}, key) for item in value)


def _names(where: str, table: Mapping[str, object], key: str) -> tuple[str, ...]:
    """An optional list of one-line names (aliases, the explain catalogue's client names)."""
    value = table.get(key, [])
    if not isinstance(value, list):
        raise ClientDataError(f"{where}: {key} must be a list of strings")
    return tuple(one_line(where, {key: item}, key, ClientDataError, exact=True) for item in value)


def _choice(where: str, table: Mapping[str, object], key: str, kind: type[_E]) -> _E:
    return choice(where, table, key, kind, ClientDataError)


def _check_keys(where: str, table: Mapping[str, object], allowed: frozenset[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ClientDataError(f"{where}: unknown keys {', '.join(unknown)}")


def _provenance(where: str, table: Mapping[str, object]) -> Provenance:
    source = _text(where, table, "source")
    if not _SOURCE.fullmatch(source):
        raise ClientDataError(f"{where}: source must be one https:// URL")
    confirmed = _choice(where, table, "confirmed", Confirmed)
    note = _text(where, table, "confirmed_note") if "confirmed_note" in table else None
    if confirmed is Confirmed.RECALLED and note is None:
        raise ClientDataError(f"{where}: a recalled entry needs a confirmed_note saying what was checked")
    seen = table.get("seen")
    if not isinstance(seen, datetime.date) or isinstance(seen, datetime.datetime):
        raise ClientDataError(f"{where}: seen must be a TOML date (YYYY-MM-DD), the day the source was read")
    words = _words(where, table)
    if confirmed is not Confirmed.RECALLED and words is None:
        raise ClientDataError(f"{where}: a {confirmed} claim needs confirmed_words: what exactly was read")
    return Provenance(source=source, confirmed=confirmed, note=note, seen=seen, words=words)


def _words(where: str, table: Mapping[str, object]) -> str | None:
    """`confirmed_words`: the words read on the source, quoted (may be long; not shown, not translated)."""
    if "confirmed_words" not in table:
        return None
    words = table["confirmed_words"]
    if not isinstance(words, str) or not words.strip() or words != words.strip():
        raise ClientDataError(f"{where}: confirmed_words must be a non-empty string without outer spaces")
    return words


def _unsupported_flag(where: str, table: Mapping[str, object]) -> bool:
    flag = table.get("unsupported", False)
    if not isinstance(flag, bool):
        raise ClientDataError(f"{where}: unsupported must be true or false")
    return flag


def parse_field(client: ClientId, name: str, table: object, filename: str) -> FieldEntry:
    """One `[field.NAME]` table: a path, or `unsupported = true` with a reason in both languages."""
    where = f"{filename}: field.{name}"
    if not isinstance(table, dict):
        raise ClientDataError(f"{where}: not a table")
    try:
        field = ClientField(name)
    except ValueError:
        raise ClientDataError(f"{where}: unknown field {name!r}") from None
    provenance = _provenance(where, table)
    if _unsupported_flag(where, table):
        _check_keys(where, table, _UNSUPPORTED_KEYS | _PROVENANCE)
        reason = _message(where, table, "reason", required=True)
        return FieldEntry(client=client, field=field, path=None, unsupported=reason, provenance=provenance)
    _check_keys(where, table, _PATH_KEYS | _PROVENANCE | {"unsupported"})
    label = _message(where, table, "label", required=True)
    assert label is not None
    default = _message(where, table, "default", required=field is ClientField.POP_LEAVE_ON_SERVER)
    path = Path(
        step_messages=_steps(where, table, "steps"),
        label=label,
        note=_message(where, table, "note", required=False),
        default=default,
    )
    return FieldEntry(client=client, field=field, path=path, unsupported=None, provenance=provenance)


def _security(table: object, filename: str) -> tuple[dict[Security, SecurityChoice], Provenance]:
    where = f"{filename}: security"
    if not isinstance(table, dict):
        raise ClientDataError(f"{where}: missing or not a table")
    _check_keys(where, table, _PROVENANCE | {value.value for value in Security})
    provenance = _provenance(where, table)
    choices: dict[Security, SecurityChoice] = {}
    for value in Security:
        entry = f"{where}.{value}"
        choice = table.get(value.value)
        if not isinstance(choice, dict):
            raise ClientDataError(f"{entry}: missing or not a table")
        _check_keys(entry, choice, _CHOICE_KEYS)
        if _unsupported_flag(entry, choice):
            if "words" in choice:
                raise ClientDataError(f"{entry}: an unsupported choice has a reason, not words")
            reason = _message(entry, choice, "reason", required=True)
            choices[value] = SecurityChoice(value=value, words=None, note=None, unsupported=reason)
            continue
        words = _message(entry, choice, "words", required=True)
        note = _message(entry, choice, "note", required=False)
        choices[value] = SecurityChoice(value=value, words=words, note=note, unsupported=None)
    return choices, provenance


def _versions(where: str, table: Mapping[str, object]) -> tuple[str, ...]:
    versions = table.get("versions")
    if not isinstance(versions, list) or not versions:
        raise ClientDataError(f"{where}: versions must be a non-empty list of strings")
    return tuple(_text(where, {"versions": item}, "versions") for item in versions)


def _variant(client: ClientId, table: object, filename: str, index: int) -> Variant:
    """One `[[variant]]`: an older version's menus, as a step prefix that differs and/or whole fields."""
    where = f"{filename}: variant[{index}]"
    if not isinstance(table, dict):
        raise ClientDataError(f"{where}: not a table")
    _check_keys(where, table, _VARIANT_KEYS | _PROVENANCE)
    name = one_line(where, table, "id", ClientDataError, exact=True)
    before = table.get("before")
    if not isinstance(before, int) or isinstance(before, bool) or before <= 0:
        raise ClientDataError(f"{where}: before must be a whole version number (the first version it is not)")
    steps_from = _steps(where, table, "steps_from") if "steps_from" in table else ()
    steps_to = _steps(where, table, "steps_to") if "steps_to" in table else ()
    if bool(steps_from) != bool(steps_to):
        raise ClientDataError(f"{where}: steps_from and steps_to go together")
    fields_table = table.get("field", {})
    if not isinstance(fields_table, dict):
        raise ClientDataError(f"{where}: field must hold [variant.field.NAME] tables")
    fields = {
        entry.field: entry
        for entry in (
            parse_field(client, name_, entry_table, f"{filename}: variant {name}")
            for name_, entry_table in fields_table.items()
        )
    }
    if not steps_from and not fields:
        raise ClientDataError(f"{where}: a variant changes steps (steps_from/steps_to) or fields")
    return Variant(
        name=name,
        versions=_versions(where, table),
        before=before,
        steps_from=steps_from,
        steps_to=steps_to,
        fields=fields,
        provenance=_provenance(where, table),
    )


def _variants(client: ClientId, document: Mapping[str, object], filename: str) -> tuple[Variant, ...]:
    raw = document.get("variant", [])
    if not isinstance(raw, list):
        raise ClientDataError(f"{filename}: variant must be [[variant]] tables")
    variants = tuple(_variant(client, table, filename, index) for index, table in enumerate(raw))
    names = [variant.name for variant in variants]
    befores = [variant.before for variant in variants]
    if len(set(names)) != len(names) or befores != sorted(set(befores), reverse=True):
        raise ClientDataError(f"{filename}: variants need distinct names and falling `before`, newest first")
    return variants


def parse_document(document: Mapping[str, object], filename: str) -> ClientProfile:
    """Check one parsed file; every `ClientField` must be there, as a path or as unsupported."""
    _check_keys(filename, document, frozenset({"client", "security", "field", "variant"}))
    head = document.get("client")
    if not isinstance(head, dict):
        raise ClientDataError(f"{filename}: missing [client] table")
    where = f"{filename}: client"
    _check_keys(where, head, _CLIENT_KEYS)
    client = _choice(where, head, "id", ClientId)
    if filename != f"{client}.toml":
        raise ClientDataError(f"{where}: id {client} does not match the file name")
    order = head.get("order", LAST)
    if not isinstance(order, int) or isinstance(order, bool) or not 0 < order <= LAST:
        raise ClientDataError(f"{where}: order must be a whole number from 1 to {LAST}")
    checked = head.get("checked")
    if not isinstance(checked, datetime.date) or isinstance(checked, datetime.datetime):
        raise ClientDataError(f"{where}: checked must be a TOML date (YYYY-MM-DD)")
    fields_table = document.get("field")
    if not isinstance(fields_table, dict):
        raise ClientDataError(f"{filename}: missing [field.*] tables")
    fields = {
        entry.field: entry
        for entry in (parse_field(client, name, table, filename) for name, table in fields_table.items())
    }
    missing = [field.value for field in ClientField if field not in fields]
    if missing:
        raise ClientDataError(f"{filename}: missing fields {', '.join(missing)}")
    security, security_provenance = _security(document.get("security"), filename)
    name = _message(where, head, "name", required=True)
    assert name is not None
    return ClientProfile(
        id=client,
        name=name,
        order=order,
        versions=_versions(where, head),
        checked=checked,
        note=_message(where, head, "note", required=False),
        fields=fields,
        security=security,
        security_provenance=security_provenance,
        aliases=_names(where, head, "aliases"),
        explain_clients=_names(where, head, "explain_clients"),
        variants=_variants(client, document, filename),
        other_versions=_message(where, head, "other_versions", required=False),
    )


def parse_client(data: bytes | str, filename: str) -> ClientProfile:
    """Parse and check the text of one client file called `filename`."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ClientDataError(f"{filename}: not valid TOML: {error}") from None
    return parse_document(document, filename)


@functools.cache
def _shipped() -> Mapping[ClientId, ClientProfile]:
    folder = resources.files("maildoctor").joinpath("data").joinpath(DATA_DIR)
    profiles: dict[ClientId, ClientProfile] = {}
    for client in ClientId:  # the enum is the data files' names (model.client_ids)
        filename = f"{client}.toml"
        profiles[client] = parse_client(folder.joinpath(filename).read_bytes(), filename)
    _check_names_unique(profiles)
    return profiles


def _check_names_unique(profiles: Mapping[ClientId, ClientProfile]) -> None:
    """An alias or an explain client name means one program only."""
    for kind in ("aliases", "explain_clients"):
        owners: dict[str, ClientId] = {}
        for client, profile in profiles.items():
            for name in getattr(profile, kind):
                folded = name.casefold()
                if owners.setdefault(folded, client) is not client:
                    raise ClientDataError(f"{client}.toml: {kind} {name!r} is already {owners[folded]}'s")


def load_clients() -> Mapping[ClientId, ClientProfile]:
    """Every client maildoctor ships, read and checked once, then cached."""
    return _shipped()


def listed_clients() -> tuple[ClientProfile, ...]:
    """The programs in the order lists show them: the files' `order` (most used first), then id."""
    return tuple(sorted(_shipped().values(), key=lambda profile: (profile.order, profile.id.value)))


def load_client(client: Client) -> ClientProfile:
    """A program's menus: the current ones for a `ClientId`, an older version's for a `ClientVersion`."""
    if isinstance(client, ClientId):
        return _shipped()[client]
    return _variant_profile(client.id, client.variant)


@functools.cache
def _variant_profile(client: ClientId, name: str) -> ClientProfile:
    base = _shipped()[client]
    variant = next((item for item in base.variants if item.name == name), None)
    if variant is None:
        raise KeyError(f"{client} has no variant {name!r}")
    fields = {
        field: variant.fields.get(field) or _with_steps(entry, variant)
        for field, entry in base.fields.items()
    }
    return dataclasses.replace(
        base, versions=variant.versions, fields=fields, variants=(), other_versions=None, variant=name
    )


def _with_steps(entry: FieldEntry, variant: Variant) -> FieldEntry:
    """The entry with its leading `steps_from` replaced by `steps_to` (unchanged when it begins otherwise)."""
    path = entry.path
    size = len(variant.steps_from)
    if path is None or not size or path.step_messages[:size] != variant.steps_from:
        return entry
    steps = (*variant.steps_to, *path.step_messages[size:])
    return dataclasses.replace(entry, path=dataclasses.replace(path, step_messages=steps))
