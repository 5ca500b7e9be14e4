"""Sending a finished check-up report: by mail through a configured account, or through Apprise.

The report comes in finished (subject, plain text, HTML, and whether anything changed); nothing is
sent when nothing changed. send_report() returns what was sent where, and what was not and why:
a `Sent` per target, its target written without secrets, its reason a message id to translate.

The mail account's password comes from the environment or the OS keyring (`keyring`), is used
for one login and is never logged, shown or kept. Apprise (and keyring) are imported only when
a report is sent, so `check` never loads them.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Final

from maildoctor.display import safe
from maildoctor.i18n import N_, Translator
from maildoctor.model import Protocol, Security, parse_server_url

PASSWORD_VARIABLE: Final = "MAILDOCTOR_NOTIFY_PASSWORD"  # noqa: S105 (the variable's name, not a password)
KEYRING_SERVICE: Final = "maildoctor-notify"
MAIL: Final = "mail"
APPRISE: Final = "apprise"
TIMEOUT: Final = 30.0  # seconds for each network read of the mail server

SENT: Final = N_("sent")
NO_PASSWORD: Final = N_(
    "not sent: no password for the mail account (keep it in the keyring as service {service}, user "
    "{user}, or in the variable {variable})"
)
LOGIN_REFUSED: Final = N_("not sent: the mail server refused the login ({code})")
REFUSED: Final = N_("not sent: the mail server refused the message ({code})")
NO_CONNECTION: Final = N_("not sent: could not reach the mail server ({reason})")
NOT_APPRISE: Final = N_("not sent: this is not a notification address Apprise knows")
NOT_ACCEPTED: Final = N_("not sent: the channel did not accept it")
NO_APPRISE: Final = N_("not sent: the Apprise library is not installed")
BY_MAIL: Final = N_("Mail")
BY_APPRISE: Final = N_("Notification")
SENT_LINE: Final = N_("{channel} to {target}: {result}")
NOTHING_CHANGED: Final = N_("Nothing changed since the last check day, so no report was sent.")
UNENCRYPTED: Final = N_(
    "The report is never sent over an unencrypted connection: give the sending server as "
    "smtps://HOST:465 or smtp+starttls://HOST:587."
)
NOT_SENDING: Final = N_(
    "The report is sent through a sending server (smtps:// or smtp+starttls://), not through {url}."
)


class RouteError(ValueError):
    """The sending server cannot carry the report; `message` is a message id, `params` fill it."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True, slots=True)
class Report:
    subject: str
    text: str
    html: str
    changed: bool  # anything changed since the last check day: without it nothing is sent


@dataclass(frozen=True, slots=True)
class MailRoute:
    """The account the report is sent through, and to whom."""

    host: str
    port: int
    security: Security  # SSL (port 465) or STARTTLS (submission, 587); never unencrypted
    username: str
    sender: str
    recipients: tuple[str, ...]
    password_variable: str = PASSWORD_VARIABLE
    keyring_service: str = KEYRING_SERVICE
    ca_file: Path | None = None  # trust this CA (a company's own) besides the system's
    timeout: float = TIMEOUT

    def __post_init__(self) -> None:
        if self.security is Security.NONE:
            raise RouteError(UNENCRYPTED)

    @property
    def keyring_user(self) -> str:
        return f"{self.username}@{self.host}"

    @property
    def where(self) -> str:
        scheme = "smtps" if self.security is Security.SSL else "smtp+starttls"
        return f"{scheme}://{self.username}@{self.host}:{self.port} → {', '.join(self.recipients)}"


@dataclass(frozen=True, slots=True)
class Sent:
    channel: str  # "mail" or "apprise"
    target: str  # where, without any secret
    ok: bool
    reason: str = SENT  # a message id
    params: Mapping[str, str] | None = None

    def describe(self, translator: Translator) -> str:
        _ = translator.gettext
        result = _(self.reason).format(**(self.params or {}))
        label = BY_MAIL if self.channel == MAIL else BY_APPRISE
        channel = _(label)
        return safe(_(SENT_LINE).format(channel=channel, target=self.target, result=result))


@dataclass(frozen=True, slots=True)
class Outcome:
    sent: tuple[Sent, ...]
    skipped: bool  # nothing changed: nothing was sent

    @property
    def ok(self) -> bool:
        return self.skipped or (bool(self.sent) and all(item.ok for item in self.sent))

    def describe(self, translator: Translator) -> list[str]:
        if self.skipped:
            return [translator.gettext(NOTHING_CHANGED)]
        return [item.describe(translator) for item in self.sent]


KeyringGet = Callable[[str, str], str | None]


def _keyring_get(service: str, user: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(service, user)
    except (KeyringError, RuntimeError, OSError):  # no backend, locked, no D-Bus: as if none
        return None


def find_password(
    route: MailRoute, environ: Mapping[str, str] = os.environ, keyring_get: KeyringGet = _keyring_get
) -> str | None:
    """The account's password: the environment variable first (headless), then the OS keyring."""
    from_environment = environ.get(route.password_variable)
    if from_environment:
        return from_environment
    return keyring_get(route.keyring_service, route.keyring_user) or None


def route_from_url(
    url: str,
    *,
    username: str,
    sender: str,
    recipients: Sequence[str],
    ca_file: Path | None = None,
) -> MailRoute:
    """A route from a sending-server URL of interface.md, as the book keeps an account's `outgoing`
    (smtp+starttls://smtp.example.jp:587): the account's user name and address are passed along.
    Raises RouteError for a receiving server or an unencrypted one, ServerUrlError for an unreadable URL."""
    endpoint = parse_server_url(url)
    if endpoint.protocol is not Protocol.SMTP:
        raise RouteError(NOT_SENDING, url=url)
    return MailRoute(
        endpoint.host, endpoint.port, endpoint.security, username, sender, tuple(recipients), ca_file=ca_file
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())  # no line break may reach a header


def build_message(report: Report, route: MailRoute, *, now: float | None = None) -> EmailMessage:
    """The report as a mail: plain text with the HTML as its alternative, UTF-8."""
    message = EmailMessage()
    message["Subject"] = _one_line(report.subject)
    message["From"] = _one_line(route.sender)
    message["To"] = ", ".join(_one_line(address) for address in route.recipients)
    message["Date"] = formatdate(now, localtime=False)
    message["Message-ID"] = make_msgid("maildoctor", domain=route.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # no auto-reply loops with the office
    message.set_content(report.text)
    message.add_alternative(report.html, subtype="html")
    return message


def _context(route: MailRoute) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if route.ca_file is not None:
        context.load_verify_locations(cafile=str(route.ca_file))
    return context


def send_mail(report: Report, route: MailRoute, password: str | None) -> Sent:
    """One connection, one login, one message; the result without the password or the server's words."""
    if password is None:
        params = {
            "service": route.keyring_service,
            "user": route.keyring_user,
            "variable": route.password_variable,
        }
        return Sent(MAIL, route.where, False, NO_PASSWORD, params)
    message = build_message(report, route)
    context = _context(route)
    try:
        client: smtplib.SMTP
        if route.security is Security.SSL:
            client = smtplib.SMTP_SSL(route.host, route.port, timeout=route.timeout, context=context)
        else:
            client = smtplib.SMTP(route.host, route.port, timeout=route.timeout)
        with client:
            if route.security is Security.STARTTLS:
                client.starttls(context=context)
            client.login(route.username, password)
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as error:
        return Sent(MAIL, route.where, False, LOGIN_REFUSED, {"code": str(error.smtp_code)})
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({str(code) for code, _ in error.recipients.values()})
        return Sent(MAIL, route.where, False, REFUSED, {"code": ", ".join(codes)})
    except smtplib.SMTPResponseException as error:
        return Sent(MAIL, route.where, False, REFUSED, {"code": str(error.smtp_code)})
    except (smtplib.SMTPException, OSError) as error:
        return Sent(MAIL, route.where, False, NO_CONNECTION, {"reason": type(error).__name__})
    return Sent(MAIL, route.where, True)


def _scheme_only(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return f"{safe(scheme)}://…" if sep else "…"


def send_apprise(report: Report, urls: Sequence[str]) -> list[Sent]:
    """The report's plain text to each Apprise URL, one at a time so each result is known."""
    try:
        import apprise
    except ImportError:
        return [Sent(APPRISE, _scheme_only(url), False, NO_APPRISE) for url in urls]
    results = []
    for url in urls:
        plugin: Any = apprise.Apprise.instantiate(url)
        if plugin is None:
            results.append(Sent(APPRISE, _scheme_only(url), False, NOT_APPRISE))
            continue
        where = safe(plugin.url(privacy=True))
        sender = apprise.Apprise()
        sender.add(plugin)
        accepted = sender.notify(
            body=report.text, title=_one_line(report.subject), body_format=apprise.NotifyFormat.TEXT
        )
        results.append(Sent(APPRISE, where, bool(accepted), SENT if accepted else NOT_ACCEPTED))
    return results


def send_report(
    report: Report,
    *,
    mail: MailRoute | None = None,
    apprise_urls: Sequence[str] = (),
    password: Callable[[MailRoute], str | None] = find_password,
) -> Outcome:
    """Send the report by mail and/or to the Apprise URLs — unless nothing changed."""
    if not report.changed:
        return Outcome((), skipped=True)
    sent: list[Sent] = []
    if mail is not None:
        sent.append(send_mail(report, mail, password(mail)))
    if apprise_urls:
        sent += send_apprise(report, apprise_urls)
    return Outcome(tuple(sent), skipped=False)
