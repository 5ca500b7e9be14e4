"""`--client NAME`: the mail program whose menus the fixes are given in."""

from __future__ import annotations

from typing import Literal

from rich.console import Console

from maildoctor.clients.catalog import listed_clients, load_client
from maildoctor.clients.model import ClientId, lang_of
from maildoctor.clients.render import resolve_client
from maildoctor.clients.versions import older_than_covered, split_version
from maildoctor.display import safe, say
from maildoctor.i18n import Translator


def known_clients(translator: Translator) -> str:
    lang = lang_of(translator.language.value)
    return ", ".join(f"{profile.id.value} ({profile.name.get(lang)})" for profile in listed_clients())


def resolve_client_option(
    name: str | None, err: Console, translator: Translator
) -> ClientId | Literal[False] | None:
    """The client named by --client; None when none was named; False (after a message) when unknown.

    `NAME@VERSION` (iphone@17, thunderbird@128) names the version too. The menus shown are the newest
    ones the data has; for a version older than those, a line says so (separate paths: not yet).
    """
    if not name:
        return None
    name, version = split_version(name)
    client = resolve_client(name)
    if client is not None and version is not None:
        _say_if_older(client, version, err, translator)
    if client is None:
        _ = translator.gettext
        say(err, _("Unknown mail program for --client: {name}").format(name=safe(name)))
        say(err, _("Known mail programs: {names}").format(names=known_clients(translator)))
        return False
    return client


def _say_if_older(client: ClientId, version: str, err: Console, translator: Translator) -> None:
    profile = load_client(client)
    if not older_than_covered(version, profile.versions):
        return
    _ = translator.gettext
    lang = lang_of(translator.language.value)
    say(
        err,
        _(
            "The menus shown are for {program} {newest}; menus for version {version} are not kept "
            "separately yet, so a label may differ in your version."
        ).format(program=profile.name.get(lang), newest=", ".join(profile.versions), version=safe(version)),
    )
