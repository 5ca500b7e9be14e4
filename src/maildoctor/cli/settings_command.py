"""`maildoctor settings`: find the right settings for an address and hand them over."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console

from maildoctor import __version__
from maildoctor.checkplan import compare_typed
from maildoctor.cli.client_option import resolve_client_option
from maildoctor.clients.catalog import load_client
from maildoctor.clients.guidance import entry_lines, is_note, server_values
from maildoctor.clients.model import ClientId, lang_of
from maildoctor.discover.candidates import DiscoveredSettings
from maildoctor.discover.engine import DiscoveryRequest, discover
from maildoctor.display import safe, say
from maildoctor.export.autoconfig import render_autoconfig
from maildoctor.export.common import NoServerError
from maildoctor.export.memo import Memo, build_memo, render_memo_text
from maildoctor.export.mobileconfig import render_mobileconfig
from maildoctor.export.settings_json import settings_to_json
from maildoctor.export.sheet import PdfUnavailableError, ensure_pdf_support, render_sheet, sheet_to_pdf
from maildoctor.export.table import render_settings_table
from maildoctor.i18n import Translator
from maildoctor.model import Endpoint, Finding, MailSettings
from maildoctor.net.resolver import Nameserver

EXIT_OK, EXIT_NOTHING_FOUND, EXIT_USAGE, EXIT_NOT_RUN = 0, 1, 2, 3
FORMATS = ("table", "json", "autoconfig", "mobileconfig", "sheet")
# the formats a memo goes with: alone (instead of the table), or as a section of the sheet
MEMO_FORMATS = ("table", "sheet")
TABLE_FILE_WIDTH = 100  # the table written to a file: plain text, this many columns


@dataclass(frozen=True)
class SettingsOptions:
    address: str
    format: str
    memo: bool
    dns: tuple[str, ...]
    ca_file: Path | None
    timeout: float
    client: str | None
    output: Path | None = None
    # for the memo: the settings as typed in the mail program, and the error it shows
    incoming: Endpoint | None = None
    outgoing: Endpoint | None = None
    user: str | None = None
    error: str | None = None


def _is_pdf(path: Path | None) -> bool:
    return path is not None and path.suffix.lower() == ".pdf"


def run_settings_command(options: SettingsOptions, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    if options.format not in FORMATS:
        say(
            err,
            _("Unknown format “{value}”. Use one of: {formats}.").format(
                value=safe(options.format), formats=", ".join(FORMATS)
            ),
        )
        return EXIT_USAGE
    if options.memo and options.format not in MEMO_FORMATS:
        say(
            err,
            _(
                "--memo cannot be combined with --format {format}: use it alone for the memo as text, "
                "or with --format sheet for the memo on the printable sheet."
            ).format(format=safe(options.format)),
        )
        return EXIT_USAGE
    if _is_pdf(options.output) and options.format != "sheet":
        say(err, _("Only the printable sheet can be saved as a PDF: add --format sheet."))
        return EXIT_USAGE
    local, at, domain = options.address.strip().rpartition("@")
    if not at or not local or not domain:
        say(err, _("“{address}” is not an email address.").format(address=safe(options.address)))
        return EXIT_USAGE
    try:
        nameservers = tuple(Nameserver.parse(text) for text in options.dns)
    except ValueError:
        say(
            err,
            _("A --dns value is not a server address: {value}").format(value=safe(", ".join(options.dns))),
        )
        return EXIT_USAGE
    client = resolve_client_option(options.client, err, translator)
    if client is False:
        return EXIT_USAGE  # before the discovery: a misspelt program name should not cost a wait
    if _is_pdf(options.output):
        try:  # before the discovery: no point in waiting for settings that cannot be saved
            ensure_pdf_support()
        except PdfUnavailableError as exc:
            say(err, _pdf_unavailable(exc, translator))
            return EXIT_NOT_RUN
    request = DiscoveryRequest(options.address.strip(), nameservers, options.ca_file, options.timeout)
    try:
        settings, _facts = asyncio.run(discover(request))
    except (OSError, ValueError) as exc:
        say(err, _("The diagnosis could not run: {reason}").format(reason=type(exc).__name__))
        return EXIT_NOT_RUN
    typed = MailSettings(incoming=options.incoming, outgoing=options.outgoing, username=options.user)
    findings = compare_typed(typed, settings.address, settings) if options.memo else ()
    return hand_over(settings, options, translator, today=date.today(), findings=findings, client=client)


def hand_over(
    settings: DiscoveredSettings,
    options: SettingsOptions,
    translator: Translator,
    *,
    today: date,
    findings: Sequence[Finding] = (),
    client: ClientId | None = None,
) -> int:
    """Write the discovered settings in the asked format (and the memo) to standard output or the file.

    `findings` is the diagnosis so far, for the memo: what in the typed settings differs from
    the discovered ones (no server is logged in to here). `client`: the mail program whose
    fields the table and the sheet name (resolved from --client before the discovery).
    """
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    found = bool(settings.incoming or settings.outgoing)
    status = EXIT_OK if found else EXIT_NOTHING_FOUND
    if options.format == "json":
        text = json.dumps(settings_to_json(settings), ensure_ascii=False, indent=2) + "\n"
        return _deliver(text.encode(), options.output, translator) or status
    memo = _memo(settings, options, translator, findings) if options.memo else None
    if not found and memo is None:
        say(err, _("No settings were found for {address}.").format(address=safe(settings.address)))
        return EXIT_NOTHING_FOUND
    if memo is not None and options.format == "table":
        return _deliver(render_memo_text(memo, translator).encode(), options.output, translator) or status
    try:
        if options.format == "sheet":
            return _sheet(settings, options, translator, today, memo, client) or status
        if options.format == "autoconfig":
            return _deliver(render_autoconfig(settings).encode(), options.output, translator)
        if options.format == "mobileconfig":
            profile = render_mobileconfig(settings, translator)
            code = _deliver(profile.content, options.output, translator)
            for note in profile.notes:
                say(err, _(note))
            return code
        if options.output is None:
            console = Console(highlight=False)
            render_settings_table(console, settings, translator)
            if client is not None:
                render_client_entries(console, settings, client, translator)
            return EXIT_OK
        buffer = io.StringIO()
        render_settings_table(
            Console(file=buffer, width=TABLE_FILE_WIDTH, color_system=None, highlight=False),
            settings,
            translator,
        )
        return _deliver(buffer.getvalue().encode(), options.output, translator)
    except NoServerError as exc:
        say(err, _(exc.message))
        return EXIT_NOTHING_FOUND


def render_client_entries(
    console: Console, settings: DiscoveredSettings, client: ClientId, translator: Translator
) -> None:
    """The best settings found, as the fields of the person's mail program with the values to enter."""
    _ = translator.gettext
    lang = lang_of(translator.language.value)
    servers = server_values(settings)
    if not servers:
        return
    name = load_client(client).name.get(lang)
    say(console, _("In {program}, enter:").format(program=name), style="bold")
    for line in entry_lines(client, servers, lang, settings.address):
        say(console, line, first="    " if is_note(line) else "  → ", rest="    ")


def _memo(
    settings: DiscoveredSettings,
    options: SettingsOptions,
    translator: Translator,
    findings: Sequence[Finding],
) -> Memo:
    typed = MailSettings(incoming=options.incoming, outgoing=options.outgoing, username=options.user)
    return build_memo(
        settings.address,
        translator,
        typed=typed,
        client=options.client,
        error_text=options.error,
        settings=settings,
        findings=findings,
    )


def _sheet(
    settings: DiscoveredSettings,
    options: SettingsOptions,
    translator: Translator,
    today: date,
    memo: Memo | None,
    client: ClientId | None,
) -> int:
    sheet = render_sheet(settings, translator, made_on=today, version=__version__, memo=memo, client=client)
    if not _is_pdf(options.output):
        return _deliver(sheet.encode(), options.output, translator)
    try:
        pdf = sheet_to_pdf(sheet)
    except PdfUnavailableError as exc:
        say(Console(stderr=True, highlight=False), _pdf_unavailable(exc, translator))
        return EXIT_NOT_RUN
    return _deliver(pdf, options.output, translator)


def _pdf_unavailable(exc: PdfUnavailableError, translator: Translator) -> str:
    return translator.gettext(
        "A PDF cannot be made on this computer: the WeasyPrint library or the Pango library it needs "
        "is missing ({reason}). Save the sheet as HTML instead (a file name ending in .html) "
        "and print it from a web browser."
    ).format(reason=exc.reason)


def _deliver(content: bytes, output: Path | None, translator: Translator) -> int:
    """Write to the file if there is one, else to standard output: 0, or EXIT_NOT_RUN if writing failed."""
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    if output is None:
        _write_stdout(content)
        return EXIT_OK
    try:
        output.write_bytes(content)
    except OSError as exc:
        say(
            err,
            _("The file {file} could not be written: {reason}").format(
                file=safe(str(output)), reason=exc.strerror or type(exc).__name__
            ),
        )
        return EXIT_NOT_RUN
    say(err, _("Saved to {file}.").format(file=safe(str(output))))
    return EXIT_OK


def _write_stdout(content: bytes) -> None:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        sys.stdout.flush()
        buffer.write(content)
        buffer.flush()
    else:  # a text stream without bytes underneath (tests capture into StringIO)
        sys.stdout.write(content.decode("utf-8", errors="replace"))
