"""The settings as a terminal table, with the field names of the iPhone and Outlook screens.

The best candidate of each side comes first as "what to type", field by field;
the other candidates follow as alternatives, one row each. Host and user names
come from servers and DNS: they are always Text, never Rich markup.
"""

from __future__ import annotations

from typing import Final

from rich.console import Console
from rich.table import Table

from maildoctor.discover.candidates import DiscoveredSettings, PasswordKind, ServerCandidate, Source
from maildoctor.display import phrased, safe, say, show
from maildoctor.export.oauth2 import oauth2_note
from maildoctor.i18n import N_, Translator
from maildoctor.model import Protocol, Security, ServerRole

# Labels: plain English; in Japanese the words of the iPhone / Outlook settings screens.
SERVER_TITLES: Final = {
    ServerRole.INCOMING: N_("Incoming mail server"),
    ServerRole.OUTGOING: N_("Outgoing mail server"),
}
ALTERNATIVE_TITLES: Final = {
    ServerRole.INCOMING: N_("Other possible incoming mail servers"),
    ServerRole.OUTGOING: N_("Other possible outgoing mail servers"),
}
NO_SERVER: Final = {
    ServerRole.INCOMING: N_("No incoming mail server was found."),
    ServerRole.OUTGOING: N_("No outgoing mail server was found."),
}
LABEL_ACCOUNT_TYPE: Final = N_("Account type")
LABEL_HOST: Final = N_("Host name")
LABEL_USERNAME: Final = N_("User name")
LABEL_PASSWORD: Final = N_("Password")
LABEL_PORT: Final = N_("Port")
LABEL_SECURITY: Final = N_("Use SSL / Encryption")
LABEL_SOURCE: Final = N_("Where this came from")
LABEL_VERIFIED: Final = N_("Connection checked")
LABEL_FIELD: Final = N_("Field")
LABEL_VALUE: Final = N_("Value")
LABEL_SERVER: Final = N_("Server")
PORT_VALUE: Final = N_("port {port}")

PROTOCOL_NAMES: Final = {Protocol.IMAP: "IMAP", Protocol.POP3: "POP", Protocol.SMTP: "SMTP"}
SECURITY_VALUES: Final = {
    Security.SSL: N_("On / SSL/TLS"),
    Security.STARTTLS: N_("Off / STARTTLS"),
    Security.NONE: N_("Off / no encryption"),
}
SECURITY_SHORT: Final = {
    Security.SSL: "SSL/TLS",
    Security.STARTTLS: "STARTTLS",
    Security.NONE: N_("no encryption"),
}
PASSWORD_KINDS: Final = {
    PasswordKind.NORMAL: N_("The usual password of the account"),
    PasswordKind.APP_SPECIFIC: N_("An app password (made in the provider's security settings)"),
    PasswordKind.MAIL_SPECIFIC: N_("The mail password (from the provider's member page)"),
    PasswordKind.OAUTH2: N_("Sign in on the provider's page (OAuth2)"),
}
SOURCES: Final = {
    Source.PROVIDER: N_("the provider's published settings"),
    Source.AUTOCONFIG: N_("the domain's autoconfig file"),
    Source.SRV: N_("the domain's DNS SRV records"),
    Source.AUTODISCOVER: N_("the domain's Autodiscover (Microsoft)"),
    Source.MX: N_("guessed from the domain's MX record"),
    Source.GUESS: N_("guessed from the usual server names"),
}
VERIFIED: Final = {True: N_("confirmed in this run"), False: N_("not confirmed")}
LABEL_NOTE: Final = N_("Note")
USERNAME_IN_NOTE: Final = N_("(not the address: see the provider's note above)")
CERTIFICATE_NOTE: Final = N_(
    "The server's certificate is made out to {certificate_host}: use that name, or the mail program "
    "will warn that the server cannot be verified."
)
CONSENT_NOTE: Final = N_(
    "Found through a forwarding to another domain or an unprotected page: make sure this is really "
    "your provider's server before you enter the password."
)
PASSWORD_PAGE: Final = N_("Where to get or change the password: {url}")


def candidate_notes(candidate: ServerCandidate, translator: Translator) -> list[str]:
    """What the person must know about a candidate before typing it in (translated)."""
    _ = translator.gettext
    notes = []
    if candidate.certificate_host:
        notes.append(_(CERTIFICATE_NOTE).format(certificate_host=candidate.certificate_host))
    if candidate.needs_consent:
        notes.append(_(CONSENT_NOTE))
    if (oauth2 := oauth2_note(candidate)) is not None:
        notes.append(_(oauth2))
    return notes


def render_settings_table(console: Console, settings: DiscoveredSettings, translator: Translator) -> None:
    """Print the settings: the best server of each side field by field, then the alternatives."""
    _ = translator.gettext
    say(console, _("Settings for {address}").format(address=safe(settings.address)), style="bold")
    if settings.provider is not None:
        provider = settings.provider
        language = translator.language.value
        say(console, _("Provider: {name}").format(name=provider.display_name(language)))
        for note in provider.in_language(language):
            say(console, note, style="yellow")
        if provider.password_page:
            say(console, _(PASSWORD_PAGE).format(url=provider.password_page))
    for role, candidates in (
        (ServerRole.INCOMING, settings.incoming),
        (ServerRole.OUTGOING, settings.outgoing),
    ):
        if not candidates:
            console.print(show(_(NO_SERVER[role]), style="yellow"))
            continue
        console.print(_best_table(role, candidates[0], translator))
        if len(candidates) > 1:
            console.print(_alternatives_table(role, candidates[1:], translator))


def _best_table(role: ServerRole, candidate: ServerCandidate, translator: Translator) -> Table:
    _ = translator.gettext
    table = Table(title=show(_(SERVER_TITLES[role]), style="bold"), title_justify="left")
    table.add_column(show(_(LABEL_FIELD)), style="cyan", no_wrap=True)
    table.add_column(show(_(LABEL_VALUE)), overflow="fold")
    rows = (
        (LABEL_ACCOUNT_TYPE, PROTOCOL_NAMES[candidate.protocol]),
        (LABEL_HOST, candidate.host),
        (LABEL_USERNAME, candidate.username or _(USERNAME_IN_NOTE)),
        (LABEL_PASSWORD, _(PASSWORD_KINDS[candidate.password_kind])),
        (LABEL_PORT, str(candidate.port)),
        (LABEL_SECURITY, _(SECURITY_VALUES[candidate.security])),
        (LABEL_SOURCE, _(SOURCES[candidate.source])),
        (LABEL_VERIFIED, _(VERIFIED[candidate.verified])),
    )
    for label, value in rows:
        table.add_row(
            show(_(label)),
            phrased(value, style="green" if label == LABEL_VERIFIED and candidate.verified else ""),
        )
    for note in candidate_notes(candidate, translator):
        table.add_row(show(_(LABEL_NOTE)), phrased(note, style="yellow"))
    return table


def notes(candidate: ServerCandidate, translator: Translator) -> list[tuple[str, str]]:
    return [(note, "yellow") for note in candidate_notes(candidate, translator)]


def _alternatives_table(
    role: ServerRole, candidates: tuple[ServerCandidate, ...], translator: Translator
) -> Table:
    _ = translator.gettext
    table = Table(title=show(_(ALTERNATIVE_TITLES[role])), title_justify="left")
    # host and user names are never cut short: a shortened name typed in would be wrong
    table.add_column(show(_(LABEL_SERVER)), overflow="fold")
    table.add_column(show(_(LABEL_USERNAME)), overflow="fold")
    table.add_column(show(_(LABEL_SOURCE)))
    for candidate in candidates:
        server = "  ".join(
            (
                PROTOCOL_NAMES[candidate.protocol],
                candidate.host,
                _(PORT_VALUE).format(port=candidate.port),
                _(SECURITY_SHORT[candidate.security]),
            )
        )
        where = phrased(_(SOURCES[candidate.source]))
        for line, style in ((_(VERIFIED[candidate.verified]), ""), *notes(candidate, translator)):
            where.append("\n")
            where.append_text(phrased(line, style=style))
        table.add_row(phrased(server), phrased(candidate.username), where)
    return table
