"""`maildoctor settings`: find the right settings for an address and hand them over."""

from __future__ import annotations

import asyncio
import dataclasses
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
from maildoctor.cli.dns_option import parse_nameservers
from maildoctor.cli.render_check import render_findings
from maildoctor.cli.settings_dead_end import (
    NothingFound,
    nothing_found_lines,
    offline_lines,
    suggested_address,
    suggestion_lines,
    why_nothing_found,
)
from maildoctor.clients.catalog import load_client
from maildoctor.clients.guidance import Guidance, entry_lines, is_note, server_values, where_lines
from maildoctor.clients.model import Client, lang_of
from maildoctor.discover.candidates import DiscoveredSettings
from maildoctor.discover.engine import DiscoveryRequest, discover, known_settings
from maildoctor.discover.providers import ProviderIndex
from maildoctor.display import safe, say, show
from maildoctor.exitcode import ExitCode
from maildoctor.export.autoconfig import render_autoconfig
from maildoctor.export.common import NoServerError
from maildoctor.export.fonts import INSTALL_COMMAND, font_language, fonts_for
from maildoctor.export.memo import Memo, build_memo, render_memo_text
from maildoctor.export.mobileconfig import render_mobileconfig
from maildoctor.export.oauth2 import OAUTH2_NOTES, PROFILE_REFUSED, oauth2_only, sign_in_family
from maildoctor.export.settings_json import settings_to_json
from maildoctor.export.sheet import PdfUnavailableError, ensure_pdf_support, render_sheet, sheet_to_pdf
from maildoctor.export.table import render_settings_table
from maildoctor.extras import PDF
from maildoctor.i18n import Translator
from maildoctor.knowledge import render_evidence
from maildoctor.knowledge_data import Setting
from maildoctor.lint.address import check_address
from maildoctor.lint.findings import SUGGESTION_MESSAGE, lint_account
from maildoctor.model import Endpoint, Evidence, Finding, MailSettings, ServerRole
from maildoctor.resolver_guard import resolver_verdict, unless_offline
from maildoctor.rules.rank import rank

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
    json: bool = False  # --json: the same as --format json


def _with_json_alias(options: SettingsOptions) -> SettingsOptions | None:
    """--json means --format json; None when it contradicts another --format."""
    if not options.json or options.format == "json":
        return options
    if options.format != "table":  # the default: --json alone
        return None
    return dataclasses.replace(options, format="json")


def _is_pdf(path: Path | None) -> bool:
    return path is not None and path.suffix.lower() == ".pdf"


def run_settings_command(options: SettingsOptions, translator: Translator) -> int:
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    aliased = _with_json_alias(options)
    if aliased is None:
        message = _("--json cannot be combined with --format {format}: --json is the same as --format json.")
        say(err, message.format(format=safe(options.format)))
        return ExitCode.USAGE
    options = aliased
    if options.format not in FORMATS:
        say(
            err,
            _("Unknown format “{value}”. Use one of: {formats}.").format(
                value=safe(options.format), formats=", ".join(FORMATS)
            ),
        )
        return ExitCode.USAGE
    if options.memo and options.format not in MEMO_FORMATS:
        say(
            err,
            _(
                "--memo cannot be combined with --format {format}: use it alone for the memo as text, "
                "or with --format sheet for the memo on the printable sheet."
            ).format(format=safe(options.format)),
        )
        return ExitCode.USAGE
    if _is_pdf(options.output) and options.format != "sheet":
        say(err, _("Only the printable sheet can be saved as a PDF: add --format sheet."))
        return ExitCode.USAGE
    if not check_address(options.address.strip()).ok:
        _not_an_address(options.address, err, translator)
        return ExitCode.USAGE
    nameservers = parse_nameservers(options.dns, err, translator)
    if nameservers is None:
        return ExitCode.USAGE
    client = resolve_client_option(options.client, err, translator)
    if client is False:
        return ExitCode.USAGE  # before the discovery: a misspelt program name should not cost a wait
    if _is_pdf(options.output):
        # before the discovery: no point in waiting for settings that cannot be saved
        if fonts_for(translator.language.value) == ():
            _no_font(err, translator, translator.language.value)
            return ExitCode.NOT_RUN
        try:
            ensure_pdf_support()
        except PdfUnavailableError as exc:
            _pdf_unavailable(err, exc, translator)
            return ExitCode.NOT_RUN
    request = DiscoveryRequest(options.address.strip(), nameservers, options.ca_file, options.timeout)
    try:
        found = asyncio.run(unless_offline(discover(request), nameservers))
    except (OSError, ValueError) as exc:
        say(err, _("The diagnosis could not run: {reason}").format(reason=type(exc).__name__))
        return ExitCode.NOT_RUN
    if found is None:  # no DNS server answers: nothing can be looked up, each lookup would wait in vain
        return _offline(options, translator, client, err)
    settings, facts = found
    unconfirmed: Finding | None = None
    if _rests_on_dns(settings):
        broken = asyncio.run(resolver_verdict(nameservers))
        if broken is not None:
            return _unseen(settings.address, broken, translator)
    elif not _any_verified(settings):  # our own data holds, but no probe could confirm it: why?
        unconfirmed = asyncio.run(resolver_verdict(nameservers))
    if settings.provider is None:  # an unknown domain may be a known one mistyped (gmial.com)
        suggestion = suggested_address(settings.address, ProviderIndex.load().domains)
        if suggestion is not None:
            _print_lines(err, suggestion_lines(suggestion, translator))
    if not (settings.incoming or settings.outgoing) and not options.memo and options.format != "json":
        _print_lines(err, nothing_found_lines(settings.address, facts, translator))
        # no DNS answer at all: the search itself could not run; else the domain is what it is
        no_answer = why_nothing_found(facts) is NothingFound.NO_DNS_ANSWER
        return ExitCode.NOT_RUN if no_answer else ExitCode.PROBLEMS
    typed = MailSettings(incoming=options.incoming, outgoing=options.outgoing, username=options.user)
    findings = _memo_findings(typed, settings) if options.memo else ()
    status = hand_over(settings, options, translator, today=date.today(), findings=findings, client=client)
    if unconfirmed is None or status != ExitCode.OK:
        return status
    return _unconfirmed(unconfirmed, translator)


def _offline(options: SettingsOptions, translator: Translator, client: Client | None, err: Console) -> int:
    """No DNS server answered: our own data on the provider, said to be untried, or why nothing can
    be found. Either way the search itself could not run (exit 3), as with `check` and `domain`."""
    _ = translator.gettext
    settings = known_settings(options.address)
    if not (settings.incoming or settings.outgoing):
        # a known domain mistyped (gmial.com) is found in our own data, with or without a network
        suggestion = suggested_address(settings.address, ProviderIndex.load().domains)
        if suggestion is not None:
            _print_lines(err, suggestion_lines(suggestion, translator))
        _print_lines(err, offline_lines(settings.address, translator))
        return ExitCode.NOT_RUN
    say(
        err,
        _(
            "No DNS server answered, so nothing could be looked up or tried from this network. These are "
            "the provider's published settings:"
        ),
        style="bold",
    )
    status = hand_over(settings, options, translator, today=date.today(), findings=(), client=client)
    return ExitCode.NOT_RUN if status == ExitCode.OK else status


def _any_verified(settings: DiscoveredSettings) -> bool:
    return any(candidate.verified for candidate in (*settings.incoming, *settings.outgoing))


def _unconfirmed(broken: Finding, translator: Translator) -> int:
    """The provider's settings are shown, but the resolver lies, so none could be tried from this
    network: say so (on standard error, beside any JSON or file) and count the run as not done."""
    _ = translator.gettext
    console = Console(stderr=True, highlight=False)
    say(
        console,
        _(
            "These are the provider's published settings, but none of them could be tried from this "
            "network: its DNS server gives wrong answers."
        ),
        style="bold",
    )
    render_findings(console, (broken,), translator, min(console.width, 100))
    return ExitCode.NOT_RUN


def _memo_findings(typed: MailSettings, settings: DiscoveredSettings) -> tuple[Finding, ...]:
    """For the memo: typos in the typed values (full-width, look-alikes), what differs from the right ones."""
    hosts = {
        role: endpoint.host
        for role, endpoint in ((ServerRole.INCOMING, typed.incoming), (ServerRole.OUTGOING, typed.outgoing))
        if endpoint is not None
    }
    typos = lint_account(settings.address, typed.username, hosts, None)
    return rank((*typos, *compare_typed(typed, settings.address, settings)))


def _not_an_address(address: str, err: Console, translator: Translator) -> None:
    """Why the text is not an address (the same sentences as check's), and the corrected one if any."""
    _ = translator.gettext
    say(err, _("“{address}” is not an email address.").format(address=safe(address)))
    for item in lint_account(address.strip(), None, {}, None):
        for line in item.evidence:
            if isinstance(line, Evidence) and line.message != SUGGESTION_MESSAGE:
                say(err, render_evidence(line, translator))
    suggestion = suggested_address(address.strip(), ())
    if suggestion is not None:
        _print_lines(err, suggestion_lines(suggestion, translator))


def _print_lines(console: Console, lines: Sequence[str]) -> None:
    for line in lines:
        if line.startswith("  "):  # a command stays whole on its own line
            console.print(show(line), soft_wrap=True)
        else:
            say(console, line)


def _rests_on_dns(settings: DiscoveredSettings) -> bool:
    """Nothing from our own provider data and nothing a probe confirmed: what was found (or that
    nothing was) rests on the resolver's answers alone."""
    return settings.provider is None and not _any_verified(settings)


def _unseen(address: str, broken: Finding, translator: Translator) -> int:
    """The resolver lies: no settings and no "nothing is known" from it, only why (exit 3)."""
    _ = translator.gettext
    console = Console(stderr=True, highlight=False)
    domain = address.rpartition("@")[2]
    message = _("The settings for {domain} could not be looked up from this network.")
    say(console, message.format(domain=safe(domain)), style="bold")
    render_findings(console, (broken,), translator, min(console.width, 100))
    return ExitCode.NOT_RUN


def hand_over(
    settings: DiscoveredSettings,
    options: SettingsOptions,
    translator: Translator,
    *,
    today: date,
    findings: Sequence[Finding] = (),
    client: Client | None = None,
) -> int:
    """Write the discovered settings in the asked format (and the memo) to standard output or the file.

    `findings` is the diagnosis so far, for the memo: what in the typed settings differs from
    the discovered ones (no server is logged in to here). `client`: the mail program whose
    fields the table and the sheet name (resolved from --client before the discovery).
    """
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    found = bool(settings.incoming or settings.outgoing)
    status = ExitCode.OK if found else ExitCode.PROBLEMS
    if options.format == "json":
        text = json.dumps(settings_to_json(settings), ensure_ascii=False, indent=2) + "\n"
        return _deliver(text.encode(), options.output, translator) or status
    memo = _memo(settings, options, translator, findings) if options.memo else None
    if not found and memo is None:
        say(err, _("No settings were found for {address}.").format(address=safe(settings.address)))
        return ExitCode.PROBLEMS
    if memo is not None and options.format == "table":
        return _deliver(render_memo_text(memo, translator).encode(), options.output, translator) or status
    try:
        if options.format == "sheet":
            return _sheet(settings, options, translator, today, memo, client) or status
        if options.format == "autoconfig":
            return _deliver(render_autoconfig(settings).encode(), options.output, translator)
        if options.format == "mobileconfig":
            if (oauth2 := oauth2_only(settings)) is not None:
                # a profile holds a password, which this account refuses: write none, say what works
                say(err, _(PROFILE_REFUSED).format(address=safe(settings.address)))
                say(err, _(OAUTH2_NOTES[sign_in_family(oauth2.host)]))
                return ExitCode.PROBLEMS
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
            return ExitCode.OK
        buffer = io.StringIO()
        render_settings_table(
            Console(file=buffer, width=TABLE_FILE_WIDTH, color_system=None, highlight=False),
            settings,
            translator,
        )
        return _deliver(buffer.getvalue().encode(), options.output, translator)
    except NoServerError as exc:
        say(err, _(exc.message))
        return ExitCode.PROBLEMS


def render_client_entries(
    console: Console, settings: DiscoveredSettings, client: Client, translator: Translator
) -> None:
    """The best settings found, as the fields of the person's mail program with the values to enter."""
    _ = translator.gettext
    lang = lang_of(translator.language.value)
    servers = server_values(settings)
    if not servers:
        return
    name = load_client(client).name.get(lang)
    if oauth2_only(settings) is not None:
        # the account is added through the provider's own sign-in, not by typing servers and a password
        say(console, _("In {program}, add the account with the provider's own sign-in:").format(program=name))
        guidance = Guidance(client, account=settings.address)
        for line in where_lines((Setting("provider_sign_in"),), {}, guidance, lang):
            say(console, line, first="    " if is_note(line) else "  → ", rest="    ")
        say(console, _("The servers, where the program asks for them:"), style="bold")
    else:
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
    client: Client | None,
) -> int:
    sheet = render_sheet(settings, translator, made_on=today, version=__version__, memo=memo, client=client)
    if not _is_pdf(options.output):
        return _deliver(sheet.encode(), options.output, translator)
    # the sheet's own text decides: an English sheet may carry a Japanese provider name or note
    if fonts_for(language := font_language(sheet)) == ():
        _no_font(Console(stderr=True, highlight=False), translator, language)
        return ExitCode.NOT_RUN
    try:
        pdf = sheet_to_pdf(sheet)
    except PdfUnavailableError as exc:
        _pdf_unavailable(Console(stderr=True, highlight=False), exc, translator)
        return ExitCode.NOT_RUN
    return _deliver(pdf, options.output, translator)


def _no_font(err: Console, translator: Translator, language: str) -> None:
    """Why no PDF was written, and how to get a font: the install command on a line of its own."""
    _ = translator.gettext
    if language == "ja":
        why = _(
            "No PDF was written: the sheet has Japanese text, but this computer has no Japanese font, "
            "so every Japanese character would come out as an empty box."
        )
    else:
        why = _("No PDF was written: this computer has no font the PDF could be written with.")
    say(err, why + " " + _("Install a font and run the command again. On Debian or Ubuntu:"))
    err.print(show(f"  {INSTALL_COMMAND}"), soft_wrap=True)
    say(
        err,
        _(
            "On macOS and Windows, Japanese fonts come with the system; if this message appears there, "
            "save the sheet as HTML instead (a file name ending in .html) "
            "and print it from a web browser."
        ),
    )


def _pdf_unavailable(err: Console, exc: PdfUnavailableError, translator: Translator) -> None:
    """Why no PDF can be made; when maildoctor's PDF part is missing, the command that adds it."""
    _ = translator.gettext
    if not exc.not_installed:
        say(
            err,
            _(
                "A PDF cannot be made on this computer: the WeasyPrint library or the Pango library it needs "
                "is missing ({reason}). Save the sheet as HTML instead (a file name ending in .html) "
                "and print it from a web browser."
            ).format(reason=exc.reason),
        )
        return
    say(
        err,
        _(
            "A PDF cannot be made yet: the PDF maker is an optional part of maildoctor that is not "
            "installed on this computer. Install it with this command, then run the command again:"
        ),
    )
    err.print(show(f"  {PDF.install_command}"), soft_wrap=True)
    say(
        err,
        _("Or save the sheet as HTML instead (a file name ending in .html) and print it from a web browser."),
    )


def _deliver(content: bytes, output: Path | None, translator: Translator) -> int:
    """Write to the file if there is one, else to standard output: OK, or NOT_RUN if writing failed."""
    _ = translator.gettext
    err = Console(stderr=True, highlight=False)
    if output is None:
        _write_stdout(content)
        return ExitCode.OK
    try:
        output.write_bytes(content)
    except OSError as exc:
        say(
            err,
            _("The file {file} could not be written: {reason}").format(
                file=safe(str(output)), reason=exc.strerror or type(exc).__name__
            ),
        )
        return ExitCode.NOT_RUN
    say(err, _("Saved to {file}.").format(file=safe(str(output))))
    return ExitCode.OK


def _write_stdout(content: bytes) -> None:
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        sys.stdout.flush()
        buffer.write(content)
        buffer.flush()
    else:  # a text stream without bytes underneath (tests capture into StringIO)
        sys.stdout.write(content.decode("utf-8", errors="replace"))
