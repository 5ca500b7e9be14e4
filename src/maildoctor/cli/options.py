"""The options several commands share, and the parsers that make a wrong value a usage error
(exit 2) with a message in the run's language."""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import typer

from maildoctor.cli.dns_option import DnsValueProblem, dns_value_problem
from maildoctor.i18n import N_, Language, Translator
from maildoctor.model import (
    SERVER_URL_SCHEMES,
    Endpoint,
    Protocol,
    ServerUrlError,
    ServerUrlReason,
    parse_server_url,
)

# One sentence per reason a server URL is refused. {part} is the piece at fault.
_URL_REASON_MESSAGES: Final[Mapping[ServerUrlReason, str]] = {
    ServerUrlReason.EMPTY: N_("It is empty."),
    ServerUrlReason.WHITESPACE: N_("It contains a space or an invisible character ({part})."),
    ServerUrlReason.MISSING_SCHEME: N_(
        "It must start with the kind of server, like imaps:// or smtp+starttls://."
    ),
    ServerUrlReason.UNKNOWN_SCHEME: N_("“{part}” is not a known kind of server. Use one of: {schemes}."),
    ServerUrlReason.USERINFO: N_(
        "It contains a user name or password before “@”. "
        "Give the user name with --user; the password is asked for separately."
    ),
    ServerUrlReason.PATH: N_(
        "There is extra text after the server name (“{part}”). Give only the server name and the port number."
    ),
    ServerUrlReason.EMPTY_HOST: N_("The server name is missing."),
    ServerUrlReason.INVALID_HOST: N_(
        "The server name contains “{part}”, which cannot be part of a server name."
    ),
    ServerUrlReason.INVALID_IPV6: N_(
        "“{part}” is not a valid IPv6 address. "
        "Write an IPv6 address in square brackets, like [2001:db8::1]:993."
    ),
    ServerUrlReason.INVALID_PORT: N_(
        "The port number “{part}” is not a number. Use the digits 0-9 (half-width)."
    ),
    ServerUrlReason.PORT_OUT_OF_RANGE: N_("The port number {part} is not between 1 and 65535."),
}


class _TranslatedUsageError(typer.BadParameter):
    """A usage error (exit 2) whose whole message is ours: BadParameter would prefix English words."""

    translated = True  # names the option itself: translate_usage_error adds no prefix

    def format_message(self) -> str:
        return self.message


def server_url_error_message(translator: Translator, option: str, error: ServerUrlError) -> str:
    _ = translator.gettext
    part = error.part
    if error.reason is ServerUrlReason.WHITESPACE:
        part = " ".join(f"U+{ord(char):04X}" for char in part)  # a space cannot be shown; its code can
    reason = _(_URL_REASON_MESSAGES[error.reason]).format(part=part, schemes=", ".join(SERVER_URL_SCHEMES))
    return _("The server URL given to {option}, “{url}”, cannot be used. {reason}").format(
        option=option, url=error.text, reason=reason
    )


# The server kinds each server option takes: a sending server given as the receiving one is a slip.
_ROLE_PROTOCOLS: Final[Mapping[str, frozenset[Protocol]]] = {
    "--incoming": frozenset({Protocol.IMAP, Protocol.POP3}),
    "--outgoing": frozenset({Protocol.SMTP}),
}
_WRONG_ROLE_MESSAGES: Final[Mapping[str, str]] = {
    "--incoming": N_(
        "The server URL given to --incoming, “{url}”, is a sending (SMTP) server. --incoming takes the "
        "receiving server, in one of these forms: {schemes}. Give the sending server with --outgoing."
    ),
    "--outgoing": N_(
        "The server URL given to --outgoing, “{url}”, is a receiving (IMAP or POP3) server. --outgoing takes "
        "the sending server, in one of these forms: {schemes}. Give the receiving server with --incoming."
    ),
}


def _server_url_parser(translator: Translator, option: str) -> Callable[[str], Endpoint]:
    def parse(text: str) -> Endpoint:
        try:
            endpoint = parse_server_url(text)
        except ServerUrlError as error:
            raise _TranslatedUsageError(server_url_error_message(translator, option, error)) from None
        fitting = _ROLE_PROTOCOLS.get(option)
        if fitting is not None and endpoint.protocol not in fitting:
            schemes = [
                name for name in SERVER_URL_SCHEMES if parse_server_url(f"{name}://h").protocol in fitting
            ]
            message = translator.gettext(_WRONG_ROLE_MESSAGES[option])
            raise _TranslatedUsageError(
                message.format(url=text, schemes=", ".join(f"{s}://" for s in schemes))
            )
        return endpoint

    return parse


MAX_TIMEOUT: Final = 3600.0  # an hour: any longer is a typo (or milliseconds given as seconds)


def _timeout_parser(translator: Translator) -> Callable[[str], float]:
    """--timeout: seconds, more than 0 and at most an hour; anything else is a usage error (exit 2)."""

    def parse(text: str | float) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not 0 < value <= MAX_TIMEOUT:  # also false for NaN
            message = translator.gettext(
                "--timeout takes the time limit in seconds: a number more than 0 and at most {most} "
                "(for example --timeout 30). “{value}” cannot be used."
            )
            raise _TranslatedUsageError(message.format(most=int(MAX_TIMEOUT), value=text))
        return value

    return parse


def _lang_parser(translator: Translator) -> Callable[[str], Language]:
    """--lang: ja or en (any case); anything else is a usage error (exit 2) saying which fit."""

    def parse(text: str | Language) -> Language:
        language = known_language(str(text))
        if language is None:
            message = translator.gettext(
                "--lang takes ja (Japanese) or en (English). “{value}” cannot be used."
            )
            raise _TranslatedUsageError(message.format(value=text))
        return language

    return parse


def known_language(text: str) -> Language | None:
    try:
        return Language(text.strip().lower())
    except ValueError:
        return None


_DNS_VALUE_MESSAGES: Final[Mapping[DnsValueProblem, str]] = {
    DnsValueProblem.NOT_AN_ADDRESS: N_(
        "--dns takes the IP address of a DNS server, with a port number after a colon if needed "
        "(for example --dns 192.0.2.53 or --dns 192.0.2.53:5353). “{part}” is not an IP address."
    ),
    DnsValueProblem.BAD_PORT: N_(
        "The port number “{part}” given to --dns cannot be used: it is a number between 1 and 65535 "
        "in half-width digits (for example --dns 192.0.2.53:5353)."
    ),
}


def _dns_parser(translator: Translator) -> Callable[[str], str]:
    """--dns: an IP address, optionally :PORT; anything else is a usage error (exit 2)."""

    def parse(text: str) -> str:
        problem = dns_value_problem(text)
        if problem is not None:
            reason, part = problem
            raise _TranslatedUsageError(translator.gettext(_DNS_VALUE_MESSAGES[reason]).format(part=part))
        return text

    return parse


@dataclass(frozen=True)
class SharedOptions:
    """What every command's registration needs: the translator, the command class with translated
    usage errors, and the options several commands take (a fresh OptionInfo per use: Typer keeps
    state on it)."""

    translator: Translator
    command_class: Any
    extra_args: dict[str, Any]  # a command that takes unknown options, to answer them itself

    def lang(self) -> Any:
        _ = self.translator.gettext
        lang_help = _("Language of the explanations: ja or en (default: from the locale, Japanese for ja_*).")
        return typer.Option("--lang", metavar="<ja|en>", parser=_lang_parser(self.translator), help=lang_help)

    def dns(self) -> Any:
        _ = self.translator.gettext
        dns_help = _("A DNS server to use instead of the computer's own (can be given more than once).")
        return typer.Option(
            "--dns", metavar="HOST[:PORT]", parser=_dns_parser(self.translator), help=dns_help
        )

    def ca_file(self) -> Any:
        _ = self.translator.gettext
        ca_file_help = _("A file of extra certificate authorities to trust like public ones.")
        return typer.Option("--ca-file", metavar="FILE", help=ca_file_help)

    def timeout(self) -> Any:
        _ = self.translator.gettext
        timeout_help = _("The time limit for the whole diagnosis, in seconds.")
        return typer.Option(
            "--timeout", metavar="SECONDS", parser=_timeout_parser(self.translator), help=timeout_help
        )

    def client(self) -> Any:
        _ = self.translator.gettext
        client_help = _(
            "The mail program in use (iphone, outlook, thunderbird, gmail, …): "
            "the fixes then follow its menus."
        )
        return typer.Option("--client", metavar="NAME", help=client_help)

    def server(self, name: str, help_text: str) -> Any:
        """--incoming / --outgoing: a server URL, checked while the options are read (exit 2)."""
        return typer.Option(
            name, metavar="URL", parser=_server_url_parser(self.translator, name), help=help_text
        )
