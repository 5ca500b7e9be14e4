"""`--client NAME[@VERSION]`: the mail program (and its version) whose menus the fixes are given in."""

from __future__ import annotations

from typing import Literal

from rich.console import Console

from maildoctor.clients.catalog import listed_clients, load_client
from maildoctor.clients.model import Client, ClientVersion, lang_of
from maildoctor.clients.render import resolve_client
from maildoctor.clients.versions import choose_variant, older_than_covered, split_version
from maildoctor.display import safe, say
from maildoctor.i18n import Translator


def known_clients(translator: Translator) -> str:
    lang = lang_of(translator.language.value)
    return ", ".join(f"{profile.id.value} ({profile.name.get(lang)})" for profile in listed_clients())


def resolve_client_option(
    name: str | None, err: Console, translator: Translator
) -> Client | Literal[False] | None:
    """The client named by --client; None when none was named; False (after a message) when unknown.

    `NAME@VERSION` names the version too: `outlook@classic` / `outlook@new` are the two Outlooks (any
    `NAME-VERSION` alias of a data file), `iphone@17` / `thunderbird@128` the older menus the program's
    file keeps (`[[variant]]`). Without a version the current menus are shown, and a line says where
    older versions differ; for a version older than every menu kept, a line says a label may differ.
    """
    if not name:
        return None
    program, version = split_version(name)
    if version is not None and (named := resolve_client(f"{program}-{version}")) is not None:
        return named
    client = resolve_client(program)
    if client is None:
        _ = translator.gettext
        say(err, _("Unknown mail program for --client: {name}").format(name=safe(program)))
        say(err, _("Known mail programs: {names}").format(names=known_clients(translator)))
        return False
    profile = load_client(client)
    if version is None:
        if profile.other_versions is not None:
            say(err, profile.other_versions.get(lang_of(translator.language.value)))
        return client
    variant = choose_variant(version, profile.variants)
    chosen: Client = client if variant is None else ClientVersion(client, variant.name)
    _say_if_older(chosen, version, err, translator)
    return chosen


def _say_if_older(client: Client, version: str, err: Console, translator: Translator) -> None:
    profile = load_client(client)
    if not older_than_covered(version, profile.versions):
        return
    _ = translator.gettext
    lang = lang_of(translator.language.value)
    say(
        err,
        _(
            "The menus shown are for {program} {newest}; menus for version {version} are not kept "
            "separately, so a label may differ in your version."
        ).format(program=profile.name.get(lang), newest=", ".join(profile.versions), version=safe(version)),
    )
