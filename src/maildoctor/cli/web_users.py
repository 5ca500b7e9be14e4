"""`maildoctor web --create-admin NAME` / `--create-viewer NAME`: add a user of the web pages to the
accounts book. A command on the computer that runs maildoctor, not a first-run page: whoever can
run it can already open the book, while a page would be open to whoever reaches it first."""

from __future__ import annotations

import typer
from rich.console import Console

from maildoctor.cli.checkup_common import with_book
from maildoctor.display import say
from maildoctor.escaping import safe
from maildoctor.exitcode import ExitCode
from maildoctor.i18n import N_, Translator


def create_user_command(
    book_url: str, admin: str | None, viewer: str | None, translator: Translator, err: Console
) -> None:
    from maildoctor.web.admin import read_new_password
    from maildoctor.web.serve import create_user
    from maildoctor.web.users import Role, UserError

    _ = translator.gettext
    if admin is not None and viewer is not None:
        say(err, _("Give either --create-admin or --create-viewer, not both."))
        raise typer.Exit(ExitCode.USAGE)
    name, role = (admin, Role.ADMIN) if admin is not None else (viewer or "", Role.VIEWER)

    def work() -> int:
        try:
            create_user(book_url, name, read_new_password(_), role)
        except UserError as error:
            say(err, _(str(error)))
            return int(ExitCode.USAGE)
        message = N_("{name} may now sign in to the web pages ({role}).")
        say(Console(highlight=False), _(message).format(name=safe(name), role=role.value))
        return int(ExitCode.OK)

    code = with_book(translator, work)
    if code:
        raise typer.Exit(code)


__all__ = ["create_user_command"]
