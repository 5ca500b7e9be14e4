"""The knowledge base: for each cause code, the fix as numbered steps and what not to do.

Findings carry a code and parameters, never text (architecture.md, house rule 3);
this module turns them into words at display time, in the reader's language.

Every text is an English message id marked with N_() (Babel extracts it; the ja
catalog translates it) and may hold `{param}` placeholders. A text is shown only
when every placeholder in it has a value in the finding, so a step naming
`{right_port}` appears only when a working port is known. A step can name a
plainer text to show instead (`otherwise`), for when the exact one cannot be
filled in: "change the port from 465 to 587", else "change the port to 587",
else "check the port against the provider's guide".

Values are inserted as they are, except these, which are translated into what
mail programs show: `role` (incoming, outgoing, domain, input), any parameter
ending in `security` (ssl, starttls, none) and `field` (username, password,
host, address).

The title of a cause is its catalogue title (causes.py).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final

from maildoctor.causes import CAUSES, CauseCode
from maildoctor.clients.guidance import Guidance, Setting, where_lines
from maildoctor.clients.model import lang_of
from maildoctor.i18n import N_, Translator
from maildoctor.model import Evidence, Finding, Layer, Security, ServerRole, Verdict

# --------------------------------------------------------------------------- data types


@dataclass(frozen=True, slots=True)
class Step:
    """One text of the knowledge base; `otherwise` is shown instead when a placeholder has no value."""

    text: str  # an English message id with {param} placeholders
    otherwise: Step | None = None
    settings: tuple[Setting, ...] = ()  # the mail-program settings the step changes (for --client)


@dataclass(frozen=True, slots=True)
class Entry:
    """What the knowledge base knows about one cause."""

    params: tuple[str, ...]  # the parameters the engine sets for this cause; texts use only these
    fix: tuple[Step, ...]  # numbered steps, each one action
    do_not: Step | None = None  # what not to do while the cause lasts


@dataclass(frozen=True, slots=True)
class RenderedFinding:
    title: str
    fix: tuple[str, ...]
    do_not: str | None
    where: tuple[tuple[str, ...], ...] = ()  # per fix step, where its settings are in the mail program


def _at(step: Step | str, *settings: Setting) -> Step:
    """A step that changes these settings; with --client it is shown as the program's menu path."""
    return replace(Step(step) if isinstance(step, str) else step, settings=settings)


def _field(name: str, value: str | None = None, role: str | None = None) -> Setting:
    return Setting(name, value, role)


def _or(*texts: str) -> Step:
    """A step and its plainer stand-ins, most exact first."""
    step: Step | None = None
    for text in reversed(texts):
        step = Step(text, step)
    assert step is not None
    return step


def _steps(*steps: str | Step) -> tuple[Step, ...]:
    return tuple(Step(step) if isinstance(step, str) else step for step in steps)


# --------------------------------------------------------------------------- texts shared by several causes

_OPEN_ROLE: Final = _or(
    N_("In the mail program, open the {role} settings."),
    N_("In the mail program, open the account settings."),
)
_OPEN_ROLE_HOST: Final = _or(
    N_("In the mail program, open the {role} settings (server name {host})."),
    N_("In the mail program, open the {role} settings."),
    N_("In the mail program, open the account settings."),
)
_OPEN_OUTGOING_HOST: Final = _or(
    N_("In the mail program, open the outgoing server settings (server name {host})."),
    N_("In the mail program, open the outgoing server settings."),
)
_SAVE_AND_RETRY: Final = N_("Save the settings and try sending or receiving again.")
_SAVE_AND_TEST_MAIL: Final = N_("Save the settings and send a test mail to your own address.")
_STATUS_PAGE: Final = N_("Check the provider's service status or maintenance page for reported trouble.")
_SET_SECURITY: Final = N_("Set the encryption to {right_security}.")
_CHANGE_PORT: Final = _or(
    N_("Change the port number from {port} to {right_port}."),
    N_("Change the port number to {right_port}."),
    N_(
        "Check the port number against the provider's guide "
        "(usually 993 or 995 for incoming mail, 587 or 465 for outgoing mail)."
    ),
)
_CHANGE_PORT_AND_SECURITY: Final = N_(
    "Change the port number from {port} to {right_port}, and the encryption to {right_security}."
)
_SET_PORT_AND_SECURITY: Final = N_(
    "Set the port number to {right_port} and the encryption to {right_security}."
)
_SMTP_AUTH_ON: Final = N_(
    "Turn on “My outgoing server requires authentication” "
    "(also called “SMTP authentication” or “Outgoing server requires authentication”)."
)
_PASSWORD_PAGE: Final = _or(
    N_("Look up or reset the password on the {provider} page: {password_page}"),
    N_("Look up or reset the password here: {password_page}"),
)
_RECORD: Final = N_("For reference, the record found now: {record}")
_SUGGESTED_RECORD: Final = N_("Change the record to: {suggested_record}")

# --------------------------------------------------------------------------- the knowledge base

_C = CauseCode

_ENTRIES: Final[dict[CauseCode, Entry]] = {
    _C.CREDENTIAL_TYPO_RISK: Entry(
        params=("field", "role", "value_marked", "positions", "kinds"),
        fix=_steps(
            N_("Look at the {field} you typed: {value_marked} (the marked characters are easy to mix up)."),
            N_("Characters to check: position {positions} ({kinds})."),
            _at(
                _or(
                    N_("In the mail program, open the {role} settings and type the {field} again by hand."),
                    N_("In the mail program, type the {field} again by hand."),
                    N_("Type the value again by hand instead of pasting it."),
                ),
                _field("{field}"),
            ),
            N_("Use half-width letters and digits (Japanese input off), with no space before or after."),
            N_(
                "Watch for characters that look alike: l (small L), 1 (one) and I (capital i); "
                "O (letter) and 0 (zero); - (hyphen) and _ (underscore)."
            ),
            N_("If capital and small letters come out the wrong way round, turn Caps Lock off."),
        ),
    ),
    _C.ADDRESS_INVALID: Entry(
        params=("address_marked", "problem", "suggestion"),
        fix=_steps(
            N_("The address as typed: {address_marked}"),
            N_("What is wrong: {problem}"),
            N_("Did you mean {suggestion}? If so, enter this address."),
            N_(
                "Type the address again in half-width characters: one @, no spaces, "
                "and a domain such as example.co.jp after the @."
            ),
            N_("Compare it with a business card or a mail sent from this address."),
        ),
    ),
    _C.USERNAME_FORM: Entry(
        params=("role", "typed_username", "right_username"),
        fix=_steps(
            _at(_OPEN_ROLE, _field("host")),
            _at(
                _or(
                    N_("Change the user name from {typed_username} to {right_username}."),
                    N_("Change the user name to {right_username}."),
                    N_(
                        "If the user name is only the part before @, enter the full email address; "
                        "if it is the full address, enter only the part before @ "
                        "(as the provider's guide says)."
                    ),
                ),
                _field("username", "right_username"),
            ),
            _SAVE_AND_RETRY,
        ),
    ),
    _C.SETTINGS_OUTDATED: Entry(
        params=("role", "typed_host", "right_host", "right_port", "right_security"),
        fix=_steps(
            _at(_OPEN_ROLE, _field("host")),
            _at(
                _or(
                    N_("Change the server name from {typed_host} to {right_host}."),
                    N_("Change the server name to {right_host}."),
                    N_("Look up the current server settings on the provider's support page and enter them."),
                ),
                _field("host", "right_host"),
            ),
            _at(N_("Set the port number to {right_port}."), _field("port", "right_port")),
            _at(_SET_SECURITY, _field("security", "right_security")),
            _SAVE_AND_RETRY,
        ),
    ),
    _C.SETTINGS_UNCONFIRMED: Entry(
        params=("role", "host", "option", "url"),
        fix=_steps(
            _or(
                N_(
                    "Check in your provider's guide, or ask the provider, that {host} is really its mail "
                    "server."
                ),
                N_("Check in your provider's guide, or ask the provider, which mail server to use."),
            ),
            _or(
                N_("If it is, check again with that server given on purpose: --{option} {url}"),
                N_("If it is, check again with that server given on purpose (--incoming or --outgoing)."),
            ),
        ),
        do_not=Step(N_("Do not enter your password for a server you do not recognise.")),
    ),
    _C.NETWORK_OFFLINE: Entry(
        params=(),
        fix=_steps(
            N_("Check whether other websites open in the browser."),
            N_("Check the Wi-Fi or the network cable; if nothing opens, restart the router."),
            N_("In an office, ask the person who manages the network."),
            N_("When the internet works again, run this diagnosis again."),
        ),
    ),
    _C.DNS_RESOLVER_BROKEN: Entry(
        params=(),
        fix=_steps(
            N_(
                "Open any website in the browser: if a login or consent page of the Wi-Fi appears "
                "(hotel, café, station), complete it, then run this diagnosis again."
            ),
            N_(
                "Otherwise try from another line, such as a smartphone on mobile data (not Wi-Fi); "
                "if mail works there, the network in use is the cause."
            ),
            N_(
                "At home, restart the router; in an office, ask the person who manages the network "
                "whether a filter or security software blocks server names."
            ),
        ),
        do_not=Step(
            N_(
                "Do not change the mail settings or renew the domain because of this result: "
                "the server names could not be checked from this network."
            )
        ),
    ),
    _C.HOST_NOT_FOUND: Entry(
        params=("role", "host", "suggestion"),
        fix=_steps(
            _at(_OPEN_ROLE, _field("host")),
            _or(
                N_("Check the server name {host} for typos."),
                N_("Check the server name for typos."),
            ),
            _at(
                _or(
                    N_("Did you mean {suggestion}? If so, change the server name to it."),
                    N_("Compare the server name with the provider's guide, letter by letter."),
                ),
                _field("host", "suggestion"),
            ),
            _SAVE_AND_RETRY,
        ),
    ),
    _C.DOMAIN_NOT_RESOLVING: Entry(
        params=("domain", "rcode"),
        fix=_steps(
            _or(
                N_(
                    "Ask the person or company that manages the domain {domain} whether its contract "
                    "has expired or its DNS settings (the domain's address book) were changed."
                ),
                N_(
                    "Ask the person or company that manages your mail domain whether its contract "
                    "has expired or its DNS settings (the domain's address book) were changed."
                ),
            ),
            N_("Tell them the answer the check got: {rcode}."),
            N_("If the contract has expired, renew it at once: mail sent to you meanwhile can be lost."),
        ),
    ),
    _C.DOMAIN_EXPIRING: Entry(
        params=("domain", "expires"),
        fix=_steps(
            _or(
                N_("Ask the person who manages the domain {domain} to renew it before {expires}."),
                N_("Ask the person who manages the domain {domain} to renew it soon."),
                N_("Ask the person who manages your mail domain to renew it soon."),
            ),
            N_("If it is not renewed, mail to and from this domain stops working."),
        ),
    ),
    _C.PORT_CLOSED: Entry(
        params=("role", "host", "port", "right_port", "right_security"),
        fix=_steps(
            _at(_OPEN_ROLE_HOST, _field("host")),
            _at(_CHANGE_PORT, _field("port", "right_port")),
            _at(_SET_SECURITY, _field("security", "right_security")),
            _SAVE_AND_RETRY,
        ),
    ),
    _C.PORT_BLOCKED: Entry(
        params=("role", "host", "port", "right_port", "right_security"),
        fix=_steps(
            _at(_OPEN_ROLE_HOST, _field("host")),
            _at(_CHANGE_PORT, _field("port", "right_port")),
            _at(_SET_SECURITY, _field("security", "right_security")),
            _SAVE_AND_RETRY,
            N_(
                "If security software is installed, allow the mail program in its settings "
                "(add it to the exceptions)."
            ),
            _or(
                N_("In an office, ask the person who manages the network whether port {port} is blocked."),
                N_("In an office, ask the person who manages the network whether this port is blocked."),
            ),
        ),
        do_not=Step(
            N_(
                "Do not switch off the security software or the firewall entirely: "
                "allow only the mail program in it instead."
            )
        ),
    ),
    _C.SERVER_UNREACHABLE: Entry(
        params=("role", "host"),
        fix=_steps(
            _at(_OPEN_ROLE_HOST, _field("host")),
            N_("Compare the server name with the provider's guide, letter by letter."),
            N_("Wait a while and try again: the server may be stopped for a time."),
            _STATUS_PAGE,
            N_(
                "Try from another line, such as a smartphone on mobile data (not Wi-Fi); "
                "if it works there, ask the person who manages this network."
            ),
        ),
    ),
    _C.PORT_SECURITY_MISMATCH: Entry(
        params=("role", "host", "port", "typed_security", "right_port", "right_security"),
        fix=_steps(
            _at(_OPEN_ROLE_HOST, _field("host")),
            _at(
                _or(
                    _CHANGE_PORT_AND_SECURITY,
                    _SET_PORT_AND_SECURITY,
                    N_(
                        "Make the port number and the encryption fit together: 993, 995 and 465 go with "
                        "SSL/TLS; 143, 110 and 587 go with STARTTLS."
                    ),
                ),
                _field("port", "right_port"),
                _field("security", "right_security"),
            ),
            _at(
                _or(
                    N_(
                        "Or keep the port number {port} and change only the encryption from {typed_security} "
                        "to the one that fits: SSL/TLS for 465, 993 and 995; STARTTLS for 587, 143 and 110."
                    ),
                    N_(
                        "Or keep the port number {port} and change only the encryption to the one that fits: "
                        "SSL/TLS for 465, 993 and 995; STARTTLS for 587, 143 and 110."
                    ),
                ),
                _field("security"),
            ),
            _SAVE_AND_RETRY,
        ),
    ),
    _C.TLS_CERT_NAME_MISMATCH: Entry(
        params=("role", "host", "cert_names", "suggested_host"),
        fix=_steps(
            _at(_OPEN_ROLE_HOST, _field("host")),
            _at(
                _or(
                    N_("Change the server name from {host} to {suggested_host}."),
                    N_("Change the server name to {suggested_host}."),
                    N_("Change the server name to one the certificate is issued for: {cert_names}."),
                    N_(
                        "Change the server name to the one in your provider's or rental server's guide "
                        "(often a name like sv1234.example.ne.jp, not mail.your-domain)."
                    ),
                ),
                _field("host", "suggested_host"),
            ),
            N_("Leave the port number and the encryption as they are."),
            _SAVE_AND_RETRY,
        ),
    ),
    _C.TLS_CERT_EXPIRED: Entry(
        params=("role", "host", "not_after"),
        fix=_steps(
            N_(
                "Check that this computer's date and time are right "
                "(a wrong date makes certificates look expired)."
            ),
            _or(
                N_(
                    "Tell the provider or the server manager that the certificate of {host} "
                    "expired on {not_after}, and ask them to renew it."
                ),
                N_(
                    "Tell the provider or the server manager that the certificate of {host} "
                    "has expired, and ask them to renew it."
                ),
                N_(
                    "Tell the provider or the server manager that the server's certificate "
                    "has expired, and ask them to renew it."
                ),
            ),
            N_("When they have renewed it, try sending or receiving again."),
        ),
    ),
    _C.TLS_CERT_UNTRUSTED: Entry(
        params=("role", "host", "issuer"),
        fix=_steps(
            _or(
                N_(
                    "Tell the provider or the server manager that the certificate of {host} "
                    "is issued by {issuer}, which is not trusted, and ask them to fix it."
                ),
                N_(
                    "Tell the provider or the server manager that the certificate of {host} "
                    "is not from a trusted issuer, and ask them to fix it."
                ),
                N_(
                    "Tell the provider or the server manager that the server's certificate "
                    "is not from a trusted issuer, and ask them to fix it."
                ),
            ),
            _at(
                _or(
                    N_(
                        "If the provider's guide gives another server name for mail, "
                        "enter that name in the {role} settings."
                    ),
                    N_("If the provider's guide gives another server name for mail, enter that name."),
                ),
                _field("host"),
            ),
        ),
    ),
    _C.TLS_INTERCEPTED: Entry(
        params=("role", "host", "issuer", "product"),
        fix=_steps(
            _or(
                N_("Open the settings of the security software {product}."),
                N_("Open the settings of the security software on this computer."),
            ),
            N_(
                "Find the setting that checks mail or encrypted connections "
                "(names like “mail scan”, “mail shield” or “SSL scan”)."
            ),
            N_("Turn that check off for the mail program only, or add the mail program to the exceptions."),
            N_(
                "For reference: the mail program now sees a certificate from {issuer} "
                "instead of the one {host} sends."
            ),
            N_("In an office, ask the person who manages the security software."),
            N_("Restart the mail program and try sending or receiving again."),
        ),
        do_not=Step(
            N_("Do not switch off the security software entirely: exempt only the mail program from it.")
        ),
    ),
    _C.TLS_VERSION_OUTDATED: Entry(
        params=("role", "host", "version"),
        fix=_steps(
            N_("Update the mail program and the computer's operating system to the latest version."),
            _or(
                N_(
                    "Ask the provider or the server manager to turn on TLS 1.2 or later on {host} "
                    "(it offers only {version} now)."
                ),
                N_("Ask the provider or the server manager to turn on TLS 1.2 or later on {host}."),
                N_("Ask the provider or the server manager to turn on TLS 1.2 or later on the server."),
            ),
        ),
    ),
    _C.STARTTLS_UNAVAILABLE: Entry(
        params=("role", "host", "port", "right_port", "right_security"),
        fix=_steps(
            _at(_OPEN_ROLE_HOST, _field("host")),
            _at(
                _or(
                    _CHANGE_PORT_AND_SECURITY,
                    _SET_PORT_AND_SECURITY,
                    N_(
                        "Change the encryption to SSL/TLS and the port number to the one that goes with it: "
                        "993 (IMAP), 995 (POP) or 465 (sending)."
                    ),
                ),
                _field("port", "right_port"),
                _field("security", "right_security"),
            ),
            _SAVE_AND_RETRY,
            N_("If it still fails, ask the provider which encryption the server supports."),
        ),
    ),
    _C.PLAINTEXT_LOGIN_REFUSED: Entry(
        params=("role", "host", "port", "right_port", "right_security"),
        fix=_steps(
            _at(_OPEN_ROLE_HOST, _field("host")),
            _at(
                _or(
                    _CHANGE_PORT_AND_SECURITY,
                    _SET_PORT_AND_SECURITY,
                    N_(
                        "Turn the encryption on: SSL/TLS with port 993 (IMAP), 995 (POP) or 465 (sending), "
                        "or STARTTLS with port 143, 110 or 587."
                    ),
                ),
                _field("port", "right_port"),
                _field("security", "right_security"),
            ),
            _SAVE_AND_RETRY,
        ),
    ),
    _C.AUTH_FAILED: Entry(
        params=("role", "host", "username", "provider", "password_page"),
        fix=_steps(
            _PASSWORD_PAGE,
            N_("Check the password by logging in to the provider's member page or webmail in a browser."),
            _at(
                _or(
                    N_(
                        "In the {role} settings, check that the user name {username} is right "
                        "(often it is the full email address)."
                    ),
                    N_("Check that the user name {username} is right (often it is the full email address)."),
                    N_("Check that the user name is right (often it is the full email address)."),
                ),
                _field("username"),
            ),
            _at(
                N_(
                    "Type the password once more, slowly, in half-width characters "
                    "with Caps Lock and the Japanese input off."
                ),
                _field("password"),
            ),
            _at(
                N_(
                    "If you do not know the password, reset it on the provider's member page "
                    "and enter the new one in the mail program."
                ),
                _field("password"),
            ),
        ),
        do_not=Step(
            N_("Do not type the password again and again: after several failures the account can be locked.")
        ),
    ),
    _C.APP_PASSWORD_REQUIRED: Entry(
        params=("role", "host", "provider", "password_page"),
        fix=_steps(
            _or(
                N_("The page where the {provider} password for mail programs is made: {password_page}"),
                N_("The page where the password for mail programs is made: {password_page}"),
            ),
            _or(
                N_(
                    "In a browser, log in to your {provider} account and create a password for mail "
                    "programs (called “app password”, “IMAP password” or similar)."
                ),
                N_(
                    "In a browser, log in to the provider's member page and create a password for mail "
                    "programs (called “app password”, “IMAP password” or similar)."
                ),
            ),
            _at(
                _or(
                    N_(
                        "In the mail program's {role} settings, enter that password instead of the usual one."
                    ),
                    N_("In the mail program, enter that password instead of the usual one."),
                ),
                _field("password"),
            ),
            N_(
                "If the provider allows no such password, add the account again in the mail program, "
                "choose the provider's name (such as Gmail or Outlook) and sign in on the page it shows."
            ),
        ),
    ),
    _C.MODERN_AUTH_REQUIRED: Entry(
        params=("role", "host", "provider"),
        fix=_steps(
            _or(
                N_(
                    "{provider} no longer lets mail programs log in with a password, not even an app "
                    "password: the program must sign in on {provider}'s own sign-in page."
                ),
                N_(
                    "The provider no longer lets mail programs log in with a password, not even an app "
                    "password: the program must sign in on the provider's own sign-in page."
                ),
            ),
            _at(
                N_(
                    "Remove the account from the mail program and add it again, choosing the provider's name "
                    "(such as “Microsoft Exchange”, “Outlook.com” or “Google”), not “Other”; then sign in "
                    "on the page that opens."
                ),
                _field("remove_account"),
                _field("add_account"),
            ),
            N_(
                "If the mail program offers no such choice, use the provider's own app "
                "(such as Outlook or Gmail) or a newer mail program."
            ),
            N_(
                "For a company account: the administrator may have switched off password logins "
                "(SMTP AUTH) for the organisation; ask them whether it can be allowed for this mailbox."
            ),
        ),
        do_not=Step(
            N_(
                "Do not change or retype the password because of this message: the password is not what "
                "is refused."
            )
        ),
    ),
    _C.ACCOUNT_LOCKED: Entry(
        params=("role", "host", "provider", "password_page"),
        fix=_steps(
            N_(
                "Close the mail program on every device that uses this account "
                "(computers, smartphones, tablets) so that they stop trying to log in."
            ),
            N_(
                "In a browser, log in to the provider's member page or webmail and follow "
                "the steps shown to unlock the account."
            ),
            _or(
                N_("If that is not possible, contact the provider's support: logins to {host} are refused."),
                N_("If that is not possible, contact the provider's support."),
            ),
            _PASSWORD_PAGE,
            _at(
                N_("When it is unlocked, enter the correct password on each device, one at a time."),
                _field("password"),
            ),
        ),
        do_not=Step(N_("Do not keep trying to log in: each failed try can make the lock last longer.")),
    ),
    _C.AUTH_MECHANISM_MISMATCH: Entry(
        params=("role", "host", "offered"),
        fix=_steps(
            _at(_OPEN_ROLE_HOST, _field("host")),
            N_(
                "Set the authentication method to “Normal password”; in Outlook, untick "
                "“Require logon using Secure Password Authentication (SPA)”."
            ),
            _at(
                N_(
                    "Turn the encryption on (SSL/TLS or STARTTLS): many servers allow logging in "
                    "only over an encrypted connection."
                ),
                _field("security"),
            ),
            _SAVE_AND_RETRY,
            _or(
                N_(
                    "If it still fails, ask the provider: the server offers only these login methods: "
                    "{offered}."
                ),
                N_("If it still fails, ask the provider which login methods the server supports."),
            ),
        ),
    ),
    _C.SMTP_AUTH_REQUIRED: Entry(
        params=("host", "port"),
        fix=_steps(
            _at(_OPEN_OUTGOING_HOST, _field("host", role="outgoing")),
            _at(_SMTP_AUTH_ON, _field("outgoing_auth")),
            _at(
                N_(
                    "Choose “Use same settings as my incoming mail server”, or enter the same "
                    "user name and password as for the incoming server."
                ),
                _field("username", role="outgoing"),
                _field("password", role="outgoing"),
            ),
            _SAVE_AND_TEST_MAIL,
        ),
    ),
    _C.SMTP_PORT25_BLOCKED: Entry(
        params=("host", "right_port", "right_security"),
        fix=_steps(
            _at(_OPEN_OUTGOING_HOST, _field("host", role="outgoing")),
            _at(
                _or(
                    N_("Change the port number from 25 to {right_port}."),
                    N_("Change the port number from 25 to 587."),
                ),
                _field("port", "right_port", "outgoing"),
            ),
            _at(
                _or(
                    _SET_SECURITY,
                    N_("Set the encryption to STARTTLS (for port 587) or SSL/TLS (for port 465)."),
                ),
                _field("security", "right_security", "outgoing"),
            ),
            _at(_SMTP_AUTH_ON, _field("outgoing_auth")),
            _SAVE_AND_TEST_MAIL,
        ),
    ),
    _C.SENDER_REJECTED: Entry(
        params=("address", "host"),
        fix=_steps(
            _at(
                _or(
                    N_(
                        "Check the sender address set in the mail program (now {address}): "
                        "it must be this account's own address."
                    ),
                    N_(
                        "Check the sender address set in the mail program: "
                        "it must be this account's own address."
                    ),
                ),
                _field("email_address"),
            ),
            N_(
                "If you send from several addresses, choose the outgoing server that belongs to that address."
            ),
            _or(
                N_(
                    "To send as a different address through {host}, ask the provider or the server manager "
                    "to allow it."
                ),
                N_("To send as a different address, ask the provider or the server manager to allow it."),
            ),
        ),
    ),
    _C.RECIPIENT_REJECTED: Entry(
        params=("recipient",),
        fix=_steps(
            _or(
                N_("Check the recipient's address {recipient} for typos."),
                N_("Check the recipient's address for typos."),
            ),
            N_("Compare it with the address on a business card or in a mail from that person."),
            N_("If it is right, ask the recipient by phone or another way whether the address still works."),
        ),
    ),
    _C.MAILBOX_FULL: Entry(
        params=("used", "limit", "percent"),
        fix=_steps(
            _or(
                N_("The mailbox holds {used} of {limit} ({percent}%)."),
                N_("The mailbox holds {used} of {limit}."),
                N_("The mailbox is full to {percent}%."),
            ),
            N_(
                "Delete large old mails (such as ones with big attachments) "
                "after checking you no longer need them."
            ),
            N_("Empty the trash (deleted items) folder: only then is the space freed."),
            N_("Move mail you want to keep into a folder on this computer (a local folder)."),
            N_("If that is not enough, ask the provider or the mail manager for more space."),
        ),
        do_not=Step(
            N_(
                "Do not delete mail on the server in bulk before checking what is there: "
                "deleted mail cannot be brought back."
            )
        ),
    ),
    _C.POP_DELETED_ELSEWHERE: Entry(
        params=(),
        fix=_steps(
            N_("Find the other devices that receive this account's mail (computers, smartphones, tablets)."),
            _at(
                N_(
                    "On each device that uses POP, turn on “Leave a copy of messages on the server” "
                    "(turn “Remove from server” off)."
                ),
                _field("pop_leave_on_server"),
            ),
            N_("The mail already taken off the server is on that other device: look for it there."),
            _at(
                N_(
                    "If several devices need the same mail, ask the mail manager about "
                    "switching every device to IMAP."
                ),
                _field("protocol"),
            ),
        ),
    ),
    _C.TOO_MANY_CONNECTIONS: Entry(
        params=("role", "host"),
        fix=_steps(
            N_("Close the mail program on the devices you are not using now."),
            N_("If several people share this account, reduce the number of devices that check it at once."),
            N_("Wait about 10 minutes for the old connections to end, then try again."),
            _or(
                N_("If it happens often, ask the provider to raise the connection limit on {host}."),
                N_("If it happens often, ask the provider to raise the connection limit."),
            ),
        ),
    ),
    _C.SERVER_OUTAGE: Entry(
        params=("role", "host"),
        fix=_steps(
            _STATUS_PAGE,
            N_(
                "Wait a while, then try again: once the server works again, "
                "the mail program sends and receives by itself."
            ),
            _or(
                N_("If it lasts long, contact the provider's support and say that {host} is not working."),
                N_("If it lasts long, contact the provider's support."),
            ),
        ),
        do_not=Step(
            N_(
                "Do not delete and re-create the account or change the server settings at random: "
                "the settings are not the cause."
            )
        ),
    ),
    _C.SPF_FAIL: Entry(
        params=("domain", "record", "suggested_record"),
        fix=_steps(
            _or(
                N_(
                    "Ask the person who manages the domain {domain} to add the sending server "
                    "to the domain's SPF record."
                ),
                N_("Ask the person who manages your domain to add the sending server to its SPF record."),
            ),
            _SUGGESTED_RECORD,
            _RECORD,
        ),
    ),
    _C.DKIM_MISSING: Entry(
        params=("domain", "record", "suggested_record"),
        fix=_steps(
            _or(
                N_(
                    "Ask the person who manages the domain {domain} (or the mail provider) "
                    "to set up DKIM signing."
                ),
                N_("Ask the person who manages your domain (or the mail provider) to set up DKIM signing."),
            ),
            _SUGGESTED_RECORD,
            _RECORD,
        ),
    ),
    _C.DMARC_FAIL: Entry(
        params=("domain", "record", "suggested_record"),
        fix=_steps(
            _or(
                N_(
                    "Ask the person who manages the domain {domain} to check its SPF and DKIM settings "
                    "first, then its DMARC record."
                ),
                N_(
                    "Ask the person who manages your domain to check its SPF and DKIM settings first, "
                    "then its DMARC record."
                ),
            ),
            _SUGGESTED_RECORD,
            _RECORD,
        ),
    ),
    _C.IP_BLOCKLISTED: Entry(
        params=("domain", "record", "suggested_record"),
        fix=_steps(
            _or(
                N_(
                    "Ask the mail provider or the manager of the sending server for {domain} "
                    "to have it removed from the blocklist."
                ),
                N_(
                    "Ask the mail provider or the manager of the sending server "
                    "to have it removed from the blocklist."
                ),
            ),
            N_("Check the computers that send mail for viruses: spam sent from them can cause the listing."),
            _SUGGESTED_RECORD,
            _RECORD,
        ),
    ),
    _C.MX_MISCONFIGURED: Entry(
        params=("domain", "record", "suggested_record"),
        fix=_steps(
            _or(
                N_(
                    "Ask the person or company that manages the DNS of {domain} to correct its MX record "
                    "(where mail to the domain is delivered)."
                ),
                N_("Ask the person or company that manages your domain's DNS to correct its MX record."),
            ),
            _SUGGESTED_RECORD,
            _RECORD,
        ),
    ),
    _C.REVERSE_DNS_MISSING: Entry(
        params=("domain", "record", "suggested_record"),
        fix=_steps(
            N_(
                "Ask whoever runs the mail server (the provider, or the company that lends the line or "
                "the server) to set its reverse name (PTR) to the server's own host name."
            ),
            N_("The host name must lead back to the same address (forward-confirmed reverse DNS)."),
            _RECORD,
        ),
    ),
    _C.MTA_STS_BROKEN: Entry(
        params=("domain", "record", "suggested_record"),
        fix=_steps(
            _or(
                N_(
                    "Ask the person who manages the domain {domain} to correct its MTA-STS settings, or "
                    "to set the policy to mode: testing until they are right."
                ),
                N_(
                    "Ask the person who manages your domain to correct its MTA-STS settings, or to set "
                    "the policy to mode: testing until they are right."
                ),
            ),
            _SUGGESTED_RECORD,
            _RECORD,
        ),
    ),
    # ---- causes read from a bounce: the failure is on the way to someone else
    _C.RECIPIENT_DOMAIN_INVALID: Entry(
        params=("recipient",),
        fix=_steps(
            _or(
                N_("Check the part after @ of the address {recipient}: it is probably misspelled."),
                N_("Check the part after @ of the recipient's address: it is probably misspelled."),
            ),
            N_("Compare it with the address on a business card or in a mail from that person."),
            N_(
                "If it is right, ask the recipient by phone or another way "
                "whether their mail address changed."
            ),
        ),
    ),
    _C.RECIPIENT_MAILBOX_FULL: Entry(
        params=("recipient",),
        fix=_steps(
            _or(
                N_("The mailbox of {recipient} is full; nothing is wrong on your side."),
                N_("The recipient's mailbox is full; nothing is wrong on your side."),
            ),
            N_("Tell the recipient by phone or another way, so they can delete old mail."),
            N_("Send the message again after they have made room."),
        ),
        do_not=Step(
            N_("Do not send the same message again and again; it will be refused until they make room.")
        ),
    ),
    _C.RECIPIENT_SERVER_PROBLEM: Entry(
        params=("recipient",),
        fix=_steps(
            N_("Nothing needs changing in your mail program: the trouble is on the receiving side."),
            N_("Send the message again later (after a few hours)."),
            _or(
                N_("If it fails again, tell the recipient {recipient} by phone or another way."),
                N_("If it fails again, tell the recipient by phone or another way."),
            ),
        ),
    ),
    _C.MESSAGE_REFUSED: Entry(
        params=("recipient",),
        fix=_steps(
            N_("Read the receiving server's words in the bounce: they say which rule refused the message."),
            N_("Remove links and attachments that could look suspicious, and send a plain message to try."),
            N_("Ask the recipient by phone or another way to allow mail from your address."),
            N_("If many recipients refuse your mail, check your domain with: maildoctor domain YOUR-DOMAIN"),
        ),
    ),
    _C.MESSAGE_TOO_LARGE: Entry(
        params=("recipient",),
        fix=_steps(
            N_(
                "Make the message smaller: attach fewer or smaller files "
                "(many servers accept about 10 MB at most)."
            ),
            N_("For large files, share a download link instead of attaching them."),
        ),
    ),
    _C.SENDING_LIMIT_EXCEEDED: Entry(
        params=("recipient",),
        fix=_steps(
            N_("Wait an hour or more before sending again; the limit resets with time."),
            N_("Send to many recipients in smaller groups, or through a mailing service."),
            N_("Ask your provider about its sending limits if you must send to many people."),
        ),
        do_not=Step(N_("Do not keep sending while the limit is reached; it can make the block longer.")),
    ),
    _C.SPAM_COMPLAINT: Entry(
        params=("recipient",),
        fix=_steps(
            N_("A recipient marked your message as spam; this report is not a delivery failure."),
            N_(
                "Stop sending this kind of message to that recipient, "
                "and send only to people who asked for it."
            ),
            N_(
                "If complaints continue, your mail may be refused more often: "
                "check your domain with maildoctor domain."
            ),
        ),
    ),
    _C.POP_DELETE_RISK: Entry(
        params=("role",),
        fix=_steps(
            _at(
                N_(
                    "If this account is read on more than one device, set every device that uses POP to "
                    "keep the mail on the server (“Leave a copy of messages on the server” on, or "
                    "“Remove from server” set to never)."
                ),
                _field("pop_leave_on_server"),
            ),
            N_("Better, move to IMAP, which keeps the mail on the server for every device, in this order:"),
            N_("Keep the old device as it is until the new one shows all the mail."),
            N_(
                "On the computer, export the mail that exists only there (in Outlook: File → Open & Export "
                "→ Import/Export; in Thunderbird: a backup of the profile folder)."
            ),
            _at(
                N_("Add the account again as IMAP on each device, with the provider's IMAP settings."),
                _field("protocol"),
            ),
            _at(
                N_(
                    "When the IMAP account shows the mail, import the exported mail, "
                    "then remove the POP account."
                ),
                _field("remove_account"),
            ),
        ),
        do_not=Step(
            N_(
                "Do not remove the POP account or the old device "
                "before the mail that lives only there is saved."
            )
        ),
    ),
}

KNOWLEDGE: Final[Mapping[CauseCode, Entry]] = MappingProxyType(_ENTRIES)
PARAMS: Final[Mapping[CauseCode, tuple[str, ...]]] = MappingProxyType(
    {code: entry.params for code, entry in _ENTRIES.items()}
)

# --------------------------------------------------------------------------- translated values

_ROLE_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        ServerRole.INCOMING: N_("incoming server"),
        ServerRole.OUTGOING: N_("outgoing server"),
        ServerRole.DOMAIN: N_("domain"),
        ServerRole.INPUT: N_("typed settings"),
    }
)
# as mail programs show them; "SSL/TLS" and "STARTTLS" read the same in every language,
# so they are no message ids (gettext gives them back as they are)
_SECURITY_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {Security.SSL: "SSL/TLS", Security.STARTTLS: "STARTTLS", Security.NONE: N_("None")}
)
_FIELD_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "username": N_("user name"),
        "password": N_("password"),
        "host": N_("server name"),
        "address": N_("email address"),
    }
)

LAYER_NAMES: Final[Mapping[Layer, str]] = MappingProxyType(
    {
        Layer.INPUT: N_("Typed settings"),
        Layer.NETWORK: N_("Internet connection"),
        Layer.DNS: N_("Server names (DNS)"),
        Layer.TRANSPORT: N_("Connection to the server"),
        Layer.TLS: N_("Encryption"),
        Layer.AUTH: N_("Login"),
        Layer.SMTP: N_("Sending"),
        Layer.MAILBOX: N_("Mailbox"),
        Layer.SERVER: N_("Provider's server"),
        Layer.SENDING_DOMAIN: N_("Domain's sending settings"),
    }
)
VERDICT_HEADLINES: Final[Mapping[Verdict, str]] = MappingProxyType(
    {
        Verdict.OK: N_("No problems found"),
        Verdict.PROBLEMS: N_("Problems found"),
        Verdict.INCOMPLETE: N_("The diagnosis could not finish"),
    }
)


def layer_name(layer: Layer, translator: Translator) -> str:
    return translator.gettext(LAYER_NAMES[layer])


def verdict_headline(verdict: Verdict, translator: Translator) -> str:
    return translator.gettext(VERDICT_HEADLINES[verdict])


_OUTCOME_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "ok": N_("answered"),
        "nxdomain": N_("does not exist (NXDOMAIN)"),
        "nodata": N_("no such record"),
        "servfail": N_("DNS error (SERVFAIL)"),
        "refused": N_("refused"),
        "timeout": N_("no answer (timeout)"),
        "error": N_("error"),
        "open": N_("open"),
        "unreachable": N_("unreachable"),
    }
)


def render_evidence(item: str | Evidence, translator: Translator) -> str:
    """A server's words as they are; our own sentences in the reader's language."""
    if isinstance(item, str):
        return item
    values = {name: translate_value(name, value, translator) for name, value in item.values}
    return translator.gettext(item.message).format_map(values)


# the kinds of typing mistake (lint) as the reader sees them, for {problem} and {kinds}
_PROBLEM_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "fullwidth_at": N_("a full-width ＠"),
        "no_at": N_("no @"),
        "several_at": N_("more than one @"),
        "space": N_("a space"),
        "fullwidth_chars": N_("full-width characters"),
        "invisible": N_("an invisible character"),
        "invalid_local_part": N_("a character that cannot be used before the @"),
        "invalid_domain": N_("a domain that cannot exist"),
        "leading_space": N_("a space at the start"),
        "trailing_space": N_("a space at the end"),
        "inner_space": N_("a space inside"),
        "fullwidth": N_("full-width characters"),
        "non_ascii": N_("Japanese or other non-English characters"),
        "lookalike": N_("characters that look alike"),
        "caps_lock_like": N_("capital and small letters the wrong way round"),
        "scheme_in_host": N_("a web address part (like imaps://) in the server name"),
        "email_in_host": N_("an email address in the server name"),
        "double_dot": N_("two dots in a row"),
        "trailing_dot": N_("a dot at the end"),
    }
)
# the English stand-ins of a record to paste (domain/dkim.py, domain/mtasts.py)
_PLACEHOLDERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "<the public key your provider gives you>": N_("<the public key your provider gives you>"),
        "<domain>": N_("<domain>"),
    }
)


def _record_in_words(value: str, translator: Translator) -> str:
    """A record with its placeholders in the reader's language; the record's syntax as it is."""
    for placeholder, message in _PLACEHOLDERS.items():
        value = value.replace(placeholder, translator.gettext(message))
    return value


def translate_value(name: str, value: str, translator: Translator) -> str:
    """A parameter value as the reader sees it: role, security and field values in words, others as is."""
    if name == "role":
        table: Mapping[str, str] = _ROLE_NAMES
    elif name.endswith("security"):
        table = _SECURITY_NAMES
    elif name == "field":
        table = _FIELD_NAMES
    elif name == "outcome" or name.endswith("_outcome"):
        table = _OUTCOME_NAMES
    elif name in ("problem", "kinds"):
        parts = value.split(",")
        if not all(part in _PROBLEM_NAMES for part in parts):
            return value  # not a lint kind (a domain problem's key, say): as it is
        shown = [translator.gettext(_PROBLEM_NAMES[part]) for part in parts]
        return ("、" if translator.language.value == "ja" else ", ").join(shown)
    elif name.endswith("record"):
        return _record_in_words(value, translator)
    else:
        return value
    message = table.get(value)
    return value if message is None else translator.gettext(message)


# --------------------------------------------------------------------------- rendering


def placeholders(text: str) -> frozenset[str]:
    """The {param} names in a text."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def texts_of(step: Step) -> tuple[str, ...]:
    """A step's text and the texts of its stand-ins, most exact first."""
    texts: list[str] = []
    current: Step | None = step
    while current is not None:
        texts.append(current.text)
        current = current.otherwise
    return tuple(texts)


# "from {a} to {b}" pairs: a text naming both with the same value ("from 993 to 993") says nothing,
# so its plainer stand-in is shown instead
_FROM_TO: Final = (
    ("port", "right_port"),
    ("typed_host", "right_host"),
    ("host", "suggested_host"),
    ("typed_username", "right_username"),
    ("typed_security", "right_security"),
)


def render_step(step: Step, values: Mapping[str, str], translator: Translator) -> str | None:
    """The first text of the step whose placeholders all have values, filled in; None when there is none."""
    for message in texts_of(step):
        translated = translator.gettext(message)
        names = placeholders(message) | placeholders(translated)
        if not names.issubset(values):
            continue
        if any({a, b} <= names and values[a] == values[b] for a, b in _FROM_TO):
            continue
        return translated.format_map(values)
    return None


def finding_values(finding: Finding, translator: Translator) -> dict[str, str]:
    """The finding's parameters, translated where the reader sees words, without empty ones.

    A finding without a `role` parameter takes it from its server when that is
    the incoming or the outgoing server.
    """
    return {
        name: translate_value(name, value, translator) for name, value in finding_raw_values(finding).items()
    }


def render_finding(
    finding: Finding, translator: Translator, guidance: Guidance | None = None
) -> RenderedFinding:
    """Title, numbered fix steps and the do-not line of a finding, in the translator's language.

    With `guidance`, each step that changes a setting also gets where that setting is:
    the menu path in the person's mail program, or in the three most common programs
    (`RenderedFinding.where`, one tuple per fix step).

    A cause code this version does not know (say, from a newer ledger) renders as
    its code with no steps, rather than failing the whole report.
    """
    try:
        code = CauseCode(finding.cause)
    except ValueError:
        return RenderedFinding(title=finding.cause, fix=(), do_not=None)
    entry = KNOWLEDGE[code]
    values = finding_values(finding, translator)
    rendered = [(step, render_step(step, values, translator)) for step in entry.fix]
    shown = [(step, text) for step, text in rendered if text is not None]
    fix = tuple(text for _, text in shown)
    where: tuple[tuple[str, ...], ...] = ()
    if guidance is not None:
        raw = finding_raw_values(finding)
        lang = lang_of(translator.language.value)
        where = tuple(where_lines(step.settings, raw, guidance, lang) for step, _ in shown)
    do_not = None if entry.do_not is None else render_step(entry.do_not, values, translator)
    return RenderedFinding(title=translator.gettext(CAUSES[code].title), fix=fix, do_not=do_not, where=where)


def finding_raw_values(finding: Finding) -> dict[str, str]:
    """The finding's parameters as the engine set them (security as ssl/starttls/none), with its role."""
    raw = {name: value for name, value in finding.params if value}
    if "role" not in raw and finding.server in (ServerRole.INCOMING, ServerRole.OUTGOING):
        raw["role"] = finding.server.value
    return raw
