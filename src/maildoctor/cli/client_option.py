"""`--client NAME`: the mail program whose menus the fixes are given in."""

from __future__ import annotations

from typing import Literal

from rich.console import Console

from maildoctor.clients.catalog import load_client
from maildoctor.clients.model import ClientId, lang_of
from maildoctor.clients.render import resolve_client
from maildoctor.display import safe, say
from maildoctor.i18n import Translator


def known_clients(translator: Translator) -> str:
    lang = lang_of(translator.language.value)
    return ", ".join(f"{client.value} ({load_client(client).name.get(lang)})" for client in ClientId)


def resolve_client_option(
    name: str | None, err: Console, translator: Translator
) -> ClientId | Literal[False] | None:
    """The client named by --client; None when none was named; False (after a message) when unknown."""
    if not name:
        return None
    client = resolve_client(name)
    if client is None:
        _ = translator.gettext
        say(err, _("Unknown mail program for --client: {name}").format(name=safe(name)))
        say(err, _("Known mail programs: {names}").format(names=known_clients(translator)))
        return False
    return client
