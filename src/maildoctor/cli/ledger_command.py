"""`maildoctor ledger …`: the accounts book on the command line (Typer wiring only).

The commands' bodies import `ledger_run` (and with it SQLAlchemy) when they run, never when the
app is built: `check` starts without loading the database layer.
"""

# No `from __future__ import annotations`: Typer reads the Annotated[...] metadata at run time.

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from maildoctor.cli.help_examples import examples
from maildoctor.i18n import Language, Translator


class TransferFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def build_ledger_app(
    translator: Translator,
    group_class: type[TyperGroup],
    command_class: type[TyperCommand],
    lang_option: Callable[[], Any],
) -> typer.Typer:
    """The `ledger` group with its sub-groups and commands, every help text in `translator`'s language."""
    _ = translator.gettext

    def group(help_text: str, epilog: str | None = None) -> typer.Typer:
        return typer.Typer(
            cls=group_class,
            help=help_text,
            epilog=epilog,
            no_args_is_help=True,
            rich_markup_mode="rich",
            add_completion=False,
            pretty_exceptions_show_locals=False,  # a traceback must never print a value held in a variable
        )

    ledger = group(
        _("Keep the book of the company's mail accounts, devices, domains and contacts."),
        examples("ledger", translator),
    )
    groups = {
        "company": group(_("Companies (an IT helper keeps several customers in one book).")),
        "person": group(_("The people who use the accounts.")),
        "account": group(_("Mail accounts: address, servers, user name, who manages the password.")),
        "device": group(_("Phones and computers that read the accounts, by POP or IMAP.")),
        "domain": group(_("Domains: registrar, DNS, expiry and renewal.")),
        "contact": group(_("Whom to call when mail stops.")),
    }
    for name, sub in groups.items():
        ledger.add_typer(sub, name=name)
    for where in (ledger, *groups.values()):
        _lang_callback(where, lang_option)

    def command(where: typer.Typer, name: str, help_text: str) -> Callable[[Callable[..., Any]], Any]:
        return where.command(name, cls=command_class, help=help_text)

    # ------------------------------------------------------------ options every command shares

    def db_option() -> Any:
        return typer.Option(
            "--db",
            metavar="URL",
            help=_(
                "The book: a SQLite file or a database URL (default: MAILDOCTOR_LEDGER_URL, "
                "else ledger.sqlite3 in your data folder)."
            ),
        )

    def company_option() -> Any:
        return typer.Option(
            "--company", metavar="CODE", help=_("The company (needed when the book has more than one).")
        )

    def by_option() -> Any:
        return typer.Option(
            "--by", metavar="NAME", help=_("Your name for the change log (default: your login name).")
        )

    def reason_option() -> Any:
        return typer.Option("--reason", metavar="TEXT", help=_("Why, for the change log."))

    def json_option() -> Any:
        return typer.Option("--json", help=_("Print JSON on standard output, and nothing else there."))

    def text_option(name: str, help_text: str, metavar: str = "TEXT") -> Any:
        return typer.Option(name, metavar=metavar, help=help_text)

    note_help = _("A note to keep with it.")
    provider_help = _("The provider, as maildoctor names it (sakura, xserver, microsoft365, …).")
    incoming_help = _("The receiving server, like imaps://imap.example.jp:993.")
    outgoing_help = _("The sending server, like smtp+starttls://smtp.example.jp:587.")
    manager_help = _("Who manages the password (never the password itself).")
    location_help = _("Where the password is kept (a safe, a password manager, …).")
    email_help = _("An email address to reach them.")

    def run(**shared: Any) -> Any:
        from maildoctor.cli.ledger_run import LedgerRun

        return LedgerRun(translator, **shared)

    def done(status: int) -> None:
        raise typer.Exit(status)

    def runner() -> Any:
        from maildoctor.cli import ledger_run

        return ledger_run

    def tables() -> Any:
        from maildoctor.ledger import records

        return records

    # ------------------------------------------------------------ init

    @command(ledger, "init", _("Start the book (or bring an older one up to date)."))
    def init(
        db: Annotated[str | None, db_option()] = None, lang: Annotated[Language | None, lang_option()] = None
    ) -> None:
        done(runner().init(run(db=db)))

    # ------------------------------------------------------------ company

    @command(groups["company"], "add", _("Add a company, with the defaults its accounts take."))
    def company_add(
        code: Annotated[
            str, typer.Argument(metavar="CODE", help=_("A short name for commands, like yamada-shoji."))
        ],
        name: Annotated[str, typer.Argument(metavar="NAME", help=_("The company's name, like 山田商事."))],
        provider: Annotated[str | None, text_option("--provider", provider_help, "ID")] = None,
        incoming: Annotated[str | None, text_option("--incoming", incoming_help, "URL")] = None,
        outgoing: Annotated[str | None, text_option("--outgoing", outgoing_help, "URL")] = None,
        password_manager: Annotated[
            str | None, text_option("--password-manager", manager_help, "NAME")
        ] = None,
        password_location: Annotated[str | None, text_option("--password-location", location_help)] = None,
        note: Annotated[str | None, text_option("--note", note_help)] = None,
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        typed = {
            "code": code,
            "name": name,
            "default_provider": provider,
            "default_incoming": incoming,
            "default_outgoing": outgoing,
            "default_password_manager": password_manager,
            "default_password_location": password_location,
            "note": note,
        }
        done(runner().add(run(db=db, actor=by, note=reason), tables().COMPANIES, typed))

    # ------------------------------------------------------------ person

    @command(groups["person"], "add", _("Add a person."))
    def person_add(
        name: Annotated[str, typer.Argument(metavar="NAME", help=_("The person's name, like 山田太郎."))],
        email: Annotated[str | None, text_option("--email", email_help, "ADDRESS")] = None,
        department: Annotated[str | None, text_option("--department", _("Their department."))] = None,
        note: Annotated[str | None, text_option("--note", note_help)] = None,
        company: Annotated[str | None, company_option()] = None,
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        typed = {"name": name, "email": email, "department": department, "note": note}
        done(runner().add(run(db=db, company=company, actor=by, note=reason), tables().PEOPLE, typed))

    # ------------------------------------------------------------ account

    @command(
        groups["account"],
        "add",
        _("Add a mail account. What is not given is taken from the company's defaults."),
    )
    def account_add(
        address: Annotated[str, typer.Argument(metavar="ADDRESS", help=_("The email address."))],
        person: Annotated[str | None, text_option("--person", _("Who uses it."), "NAME")] = None,
        provider: Annotated[str | None, text_option("--provider", provider_help, "ID")] = None,
        incoming: Annotated[str | None, text_option("--incoming", incoming_help, "URL")] = None,
        outgoing: Annotated[str | None, text_option("--outgoing", outgoing_help, "URL")] = None,
        user: Annotated[
            str | None, text_option("--user", _("The user name for the servers."), "NAME")
        ] = None,
        password_manager: Annotated[
            str | None, text_option("--password-manager", manager_help, "NAME")
        ] = None,
        password_location: Annotated[str | None, text_option("--password-location", location_help)] = None,
        note: Annotated[str | None, text_option("--note", note_help)] = None,
        company: Annotated[str | None, company_option()] = None,
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        typed = {
            "address": address,
            "person": person,
            "provider": provider,
            "incoming": incoming,
            "outgoing": outgoing,
            "username": user,
            "password_manager": password_manager,
            "password_location": password_location,
            "note": note,
        }
        options = run(db=db, company=company, actor=by, note=reason)
        done(runner().add(options, tables().ACCOUNTS, typed, defaults=True))

    @command(
        groups["account"],
        "edit",
        _("Change an account. Each changed field is written to the change log (before → after)."),
    )
    def account_edit(
        address: Annotated[str, typer.Argument(metavar="ADDRESS", help=_("The email address."))],
        new_address: Annotated[
            str | None, text_option("--address", _("A new email address for it."), "ADDRESS")
        ] = None,
        person: Annotated[str | None, text_option("--person", _("Who uses it."), "NAME")] = None,
        provider: Annotated[str | None, text_option("--provider", provider_help, "ID")] = None,
        incoming: Annotated[str | None, text_option("--incoming", incoming_help, "URL")] = None,
        outgoing: Annotated[str | None, text_option("--outgoing", outgoing_help, "URL")] = None,
        user: Annotated[
            str | None, text_option("--user", _("The user name for the servers."), "NAME")
        ] = None,
        password_manager: Annotated[
            str | None, text_option("--password-manager", manager_help, "NAME")
        ] = None,
        password_location: Annotated[str | None, text_option("--password-location", location_help)] = None,
        note: Annotated[str | None, text_option("--note", note_help)] = None,
        company: Annotated[str | None, company_option()] = None,
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        json: Annotated[bool, json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        typed = {
            "address": new_address,
            "person": person,
            "provider": provider,
            "incoming": incoming,
            "outgoing": outgoing,
            "username": user,
            "password_manager": password_manager,
            "password_location": password_location,
            "note": note,
        }
        options = run(db=db, company=company, actor=by, note=reason, json=json)
        done(runner().edit(options, tables().ACCOUNTS, address, typed))

    @command(groups["account"], "show", _("Show one account and the devices that read it."))
    def account_show(
        address: Annotated[str, typer.Argument(metavar="ADDRESS", help=_("The email address."))],
        company: Annotated[str | None, company_option()] = None,
        json: Annotated[bool, json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        done(runner().show_account(run(db=db, company=company, json=json), address))

    # ------------------------------------------------------------ device

    @command(groups["device"], "add", _("Add a device that reads an account."))
    def device_add(
        name: Annotated[str, typer.Argument(metavar="NAME", help=_("A name for it, like 山田のiPhone."))],
        account: Annotated[str, text_option("--account", _("The account it reads."), "ADDRESS")],
        kind: Annotated[
            str,
            text_option(
                "--kind",
                _(
                    "What it is: iphone, ipad, android, outlook, new-outlook, thunderbird, mac-mail, "
                    "windows-mail, gmail-app, webmail or other."
                ),
                "KIND",
            ),
        ],
        protocol: Annotated[
            str, text_option("--protocol", _("How it reads the mail: pop3 or imap."), "pop3|imap")
        ],
        person: Annotated[str | None, text_option("--person", _("Whose it is."), "NAME")] = None,
        leave_on_server: Annotated[
            str | None,
            text_option(
                "--leave-on-server", _("POP: whether it leaves a copy on the server (yes or no)."), "yes|no"
            ),
        ] = None,
        leave_days: Annotated[
            str | None,
            text_option(
                "--leave-days", _("POP: after how many days it removes the copy from the server."), "DAYS"
            ),
        ] = None,
        last_seen: Annotated[
            str | None, text_option("--last-seen", _("When it was last seen in use (2026-12-31)."), "DATE")
        ] = None,
        note: Annotated[str | None, text_option("--note", note_help)] = None,
        company: Annotated[str | None, company_option()] = None,
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        typed = {
            "name": name,
            "account": account,
            "kind": kind,
            "protocol": protocol,
            "person": person,
            "leave_on_server": leave_on_server,
            "leave_days": leave_days,
            "last_seen": last_seen,
            "note": note,
        }
        done(runner().add(run(db=db, company=company, actor=by, note=reason), tables().DEVICES, typed))

    # ------------------------------------------------------------ domain

    @command(groups["domain"], "add", _("Add a domain and its renewal dates."))
    def domain_add(
        name: Annotated[str, typer.Argument(metavar="DOMAIN", help=_("The domain, like example.jp."))],
        registrar: Annotated[
            str | None, text_option("--registrar", _("Where it is registered."), "NAME")
        ] = None,
        dns_provider: Annotated[
            str | None, text_option("--dns-provider", _("Who serves its DNS."), "NAME")
        ] = None,
        expires: Annotated[
            str | None, text_option("--expires", _("When it expires (2027-03-31)."), "DATE")
        ] = None,
        renewal_contract: Annotated[
            str | None,
            text_option("--renewal-contract", _("The renewal contract (auto-renewal, yearly, …).")),
        ] = None,
        renewal_date: Annotated[
            str | None, text_option("--renewal-date", _("When it is to be renewed (2027-03-01)."), "DATE")
        ] = None,
        note: Annotated[str | None, text_option("--note", note_help)] = None,
        company: Annotated[str | None, company_option()] = None,
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        typed = {
            "name": name,
            "registrar": registrar,
            "dns_provider": dns_provider,
            "expires_on": expires,
            "renewal_contract": renewal_contract,
            "renewal_on": renewal_date,
            "note": note,
        }
        done(runner().add(run(db=db, company=company, actor=by, note=reason), tables().DOMAINS, typed))

    # ------------------------------------------------------------ contact

    @command(groups["contact"], "add", _("Add someone to call when mail stops."))
    def contact_add(
        name: Annotated[
            str, typer.Argument(metavar="NAME", help=_("The name, like さくらインターネット サポート."))
        ],
        role: Annotated[
            str,
            text_option(
                "--role",
                _("provider (the mail company), web (the web company), inhouse (a person here) or other."),
                "ROLE",
            ),
        ],
        organisation: Annotated[
            str | None, text_option("--organisation", _("The company they are at."))
        ] = None,
        phone: Annotated[str | None, text_option("--phone", _("The telephone number."), "NUMBER")] = None,
        email: Annotated[str | None, text_option("--email", email_help, "ADDRESS")] = None,
        url: Annotated[str | None, text_option("--url", _("A web page (support page, form)."), "URL")] = None,
        order: Annotated[str | None, text_option("--order", _("Call order: 1 is called first."), "N")] = None,
        note: Annotated[str | None, text_option("--note", note_help)] = None,
        company: Annotated[str | None, company_option()] = None,
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        typed = {
            "name": name,
            "role": role,
            "organisation": organisation,
            "phone": phone,
            "email": email,
            "url": url,
            "priority": order,
            "note": note,
        }
        done(runner().add(run(db=db, company=company, actor=by, note=reason), tables().CONTACTS, typed))

    # ------------------------------------------------------------ lists

    list_help = {
        "company": _("List the companies."),
        "person": _("List the people."),
        "account": _("List the accounts."),
        "device": _("List the devices."),
        "domain": _("List the domains."),
        "contact": _("List whom to call when mail stops."),
    }
    table_names = {
        "company": "companies",
        "person": "people",
        "account": "accounts",
        "device": "devices",
        "domain": "domains",
        "contact": "contacts",
    }
    for group_name, help_text in list_help.items():
        _list_command(
            command(groups[group_name], "list", help_text),
            table_names[group_name],
            run,
            runner,
            tables,
            company_option,
            json_option,
            db_option,
            lang_option,
        )

    # ------------------------------------------------------------ history, transfer, backup, retire

    @command(ledger, "history", _("Show the change log: of one account, one person, or a company."))
    def history(
        account: Annotated[str | None, text_option("--account", _("Only this account."), "ADDRESS")] = None,
        person: Annotated[str | None, text_option("--person", _("Only this person."), "NAME")] = None,
        company: Annotated[str | None, company_option()] = None,
        json: Annotated[bool, json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        done(runner().history(run(db=db, company=company, json=json), account, person))

    format_help = _("csv (one file per table, in a folder) or json (one file).")

    @command(ledger, "export", _("Write the whole book out as CSV files or JSON, so nothing is locked in."))
    def export(
        fmt: Annotated[TransferFormat, typer.Argument(metavar="csv|json", help=format_help)],
        target: Annotated[
            Path,
            typer.Argument(metavar="PLACE", help=_("The folder (csv) or the file (json; - for the screen).")),
        ],
        company: Annotated[str | None, company_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        done(runner().export(run(db=db, company=company), fmt.value, target))

    @command(
        ledger,
        "import",
        _(
            "Read CSV (UTF-8 or Shift_JIS, as Excel saves it) or JSON into the book: new rows are added, "
            "known ones changed, every change logged."
        ),
    )
    def import_(
        fmt: Annotated[TransferFormat, typer.Argument(metavar="csv|json", help=format_help)],
        source: Annotated[
            Path,
            typer.Argument(
                metavar="PLACE",
                help=_("The folder or a file named after its table (accounts.csv), or the JSON file."),
            ),
        ],
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        done(runner().import_(run(db=db, actor=by, note=reason), fmt.value, source))

    @command(ledger, "backup", _("Copy the book (SQLite) to a new file, safely even while it is in use."))
    def backup(
        file: Annotated[Path, typer.Argument(metavar="FILE", help=_("The new file."))],
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        done(runner().backup(run(db=db), file))

    @command(
        ledger,
        "retire",
        _(
            "The checklist for when someone leaves: forwarding, automatic reply, password, devices, "
            "mailbox, confirmation. Each step given is written to the change log."
        ),
    )
    def retire(
        person: Annotated[str, typer.Argument(metavar="PERSON", help=_("The person who leaves."))],
        on: Annotated[
            str | None, text_option("--on", _("The last working day (2026-12-25)."), "DATE")
        ] = None,
        forward_to: Annotated[
            str | None, text_option("--forward-to", _("Their mail is forwarded to this address."), "ADDRESS")
        ] = None,
        keep_copy: Annotated[
            str | None,
            text_option(
                "--keep-copy", _("Whether the forwarded mail is also kept in the mailbox."), "yes|no"
            ),
        ] = None,
        auto_reply_from: Annotated[
            str | None, text_option("--auto-reply-from", _("The automatic reply starts on this day."), "DATE")
        ] = None,
        auto_reply_until: Annotated[
            str | None, text_option("--auto-reply-until", _("The automatic reply ends on this day."), "DATE")
        ] = None,
        password_changed: Annotated[
            bool,
            typer.Option("--password-changed", help=_("The password was changed (do not type it here).")),
        ] = False,
        devices_removed: Annotated[
            bool, typer.Option("--devices-removed", help=_("The account was removed from their devices."))
        ] = False,
        mailbox: Annotated[
            str | None,
            text_option(
                "--mailbox",
                _("What became of the mailbox: keep, shared (made a shared mailbox) or delete."),
                "keep|shared|delete",
            ),
        ] = None,
        confirmed_by: Annotated[
            str | None, text_option("--confirmed-by", _("Who confirmed that all is done."), "NAME")
        ] = None,
        skip: Annotated[
            list[str] | None,
            text_option(
                "--skip",
                _(
                    "A step not needed for this person: forwarding, auto-reply, password-change, devices, "
                    "mailbox or confirmed (can be given more than once)."
                ),
                "STEP",
            ),
        ] = None,
        company: Annotated[str | None, company_option()] = None,
        by: Annotated[str | None, by_option()] = None,
        reason: Annotated[str | None, reason_option()] = None,
        json: Annotated[bool, json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        from maildoctor.cli.ledger_retire import RetireInput
        from maildoctor.cli.ledger_retire import retire as run_retire

        given = RetireInput(
            on=on,
            forward_to=forward_to,
            keep_copy=keep_copy,
            auto_reply_from=auto_reply_from,
            auto_reply_until=auto_reply_until,
            password_changed=password_changed,
            devices_removed=devices_removed,
            mailbox=mailbox,
            confirmed_by=confirmed_by,
            skip=tuple(skip or ()),
        )
        done(run_retire(run(db=db, company=company, actor=by, note=reason, json=json), person, given))

    _check_day_commands(command, ledger, translator, run, company_option, db_option, lang_option)
    return ledger


class ScheduleChoice(StrEnum):
    MONTHLY = "monthly"
    OFF = "off"


class PrintableChoice(StrEnum):
    ACCOUNTS = "accounts"
    WALL = "wall"


def _check_day_commands(
    command: Callable[[typer.Typer, str, str], Callable[[Callable[..., Any]], Any]],
    ledger: typer.Typer,
    translator: Translator,
    run: Callable[..., Any],
    company_option: Callable[[], Any],
    db_option: Callable[[], Any],
    lang_option: Callable[[], Any],
) -> None:
    """`ledger print accounts|wall` (HTML on standard output, or a .html / .pdf file) and
    `ledger schedule monthly|off` (the monthly `maildoctor checkup` timer)."""
    _ = translator.gettext

    def print_(
        what: Annotated[
            PrintableChoice,
            typer.Argument(
                metavar="accounts|wall",
                help=_(
                    "accounts: the list of mail accounts; wall: the “when mail stops” sheet for the wall."
                ),
            ),
        ],
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                "-o",
                metavar="FILE",
                help=_(
                    "Save to this file: .html, or .pdf (needs the PDF part). Without it: HTML on the screen."
                ),
            ),
        ] = None,
        company: Annotated[str | None, company_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        from maildoctor.cli.ledger_print import Printable, print_sheet

        raise typer.Exit(print_sheet(run(db=db, company=company), Printable(what.value), output))

    command(ledger, "print", _("Print the account list or the “when mail stops” wall sheet."))(print_)

    def schedule(
        when: Annotated[
            ScheduleChoice,
            typer.Argument(
                metavar="monthly|off",
                help=_("monthly: install the timer (shown in full); off: remove it."),
            ),
        ],
        all_companies: Annotated[
            bool, typer.Option("--all", help=_("Check every company of the book, not just one."))
        ] = False,
        system: Annotated[
            bool,
            typer.Option(
                "--system", help=_("A timer for the whole computer (needs root), not just your user.")
            ),
        ] = False,
        cron: Annotated[
            bool, typer.Option("--cron", help=_("Use crontab even where there is systemd."))
        ] = False,
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help=_("Show what would be installed or removed; change nothing.")),
        ] = False,
        company: Annotated[str | None, company_option()] = None,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        from maildoctor.cli.ledger_schedule import schedule_checkup

        options = run(db=db, company=company)
        raise typer.Exit(
            schedule_checkup(
                options,
                turn_on=when is ScheduleChoice.MONTHLY,
                all_companies=all_companies,
                system=system,
                use_cron=cron,
                dry_run=dry_run,
                lang=lang.value if lang is not None else None,
            )
        )

    command(
        ledger, "schedule", _("Run the check-up every month on this computer (a systemd timer or cron).")
    )(schedule)


def run_ledger(
    translator: Translator,
    group_class: type[TyperGroup],
    command_class: type[TyperCommand],
    lang_option: Callable[[], Any],
    args: list[str],
) -> int:
    """Run `maildoctor ledger ARGS…`; the exit status."""
    app = build_ledger_app(translator, group_class, command_class, lang_option)
    try:
        app(args=args, prog_name="maildoctor ledger")
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else 0 if code is None else 1
    return 0


def _lang_callback(where: typer.Typer, lang_option: Callable[[], Any]) -> None:
    """--lang on a group too (`maildoctor ledger --lang ja account …`); main() has read it already."""

    def accept_lang(lang: Annotated[Language | None, lang_option()] = None) -> None:
        pass

    where.callback()(accept_lang)


def _list_command(
    register: Callable[[Callable[..., Any]], Any],
    table_name: str,
    run: Callable[..., Any],
    runner: Callable[[], Any],
    tables: Callable[[], Any],
    company_option: Callable[[], Any],
    json_option: Callable[[], Any],
    db_option: Callable[[], Any],
    lang_option: Callable[[], Any],
) -> None:
    """One `list` command (the six differ only in their table and help)."""

    def listing(
        company: Annotated[str | None, company_option()] = None,
        json: Annotated[bool, json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
        lang: Annotated[Language | None, lang_option()] = None,
    ) -> None:
        raise typer.Exit(
            runner().listing(run(db=db, company=company, json=json), tables().TABLES[table_name])
        )

    register(listing)
