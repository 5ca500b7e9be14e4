"""The cause catalogue of shared/spec/causes.md: code -> layer, default severity, title.

Codes are public and stable (they appear in the JSON report and in the ledger);
add codes, never rename or reuse one. tests/unit/test_causes.py checks this table
against causes.md, so the two cannot drift apart.

Titles are English message ids, marked with N_() so Babel extracts them; they are
translated when a report is shown, never here (i18n.py: gettext per call).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from maildoctor.i18n import N_
from maildoctor.model import Layer, Severity


class CauseCode(StrEnum):
    CREDENTIAL_TYPO_RISK = "CREDENTIAL_TYPO_RISK"
    ADDRESS_INVALID = "ADDRESS_INVALID"
    USERNAME_FORM = "USERNAME_FORM"
    SETTINGS_OUTDATED = "SETTINGS_OUTDATED"
    SETTINGS_UNCONFIRMED = "SETTINGS_UNCONFIRMED"
    NETWORK_OFFLINE = "NETWORK_OFFLINE"
    DNS_RESOLVER_BROKEN = "DNS_RESOLVER_BROKEN"
    HOST_NOT_FOUND = "HOST_NOT_FOUND"
    DOMAIN_NOT_RESOLVING = "DOMAIN_NOT_RESOLVING"
    DOMAIN_EXPIRING = "DOMAIN_EXPIRING"
    PORT_CLOSED = "PORT_CLOSED"
    PORT_BLOCKED = "PORT_BLOCKED"
    SERVER_UNREACHABLE = "SERVER_UNREACHABLE"
    PORT_SECURITY_MISMATCH = "PORT_SECURITY_MISMATCH"
    TLS_CERT_NAME_MISMATCH = "TLS_CERT_NAME_MISMATCH"
    TLS_CERT_EXPIRED = "TLS_CERT_EXPIRED"
    TLS_CERT_UNTRUSTED = "TLS_CERT_UNTRUSTED"
    TLS_INTERCEPTED = "TLS_INTERCEPTED"
    TLS_VERSION_OUTDATED = "TLS_VERSION_OUTDATED"
    STARTTLS_UNAVAILABLE = "STARTTLS_UNAVAILABLE"
    PLAINTEXT_LOGIN_REFUSED = "PLAINTEXT_LOGIN_REFUSED"
    AUTH_FAILED = "AUTH_FAILED"
    APP_PASSWORD_REQUIRED = "APP_PASSWORD_REQUIRED"  # noqa: S105 -- a cause code, not a password
    MODERN_AUTH_REQUIRED = "MODERN_AUTH_REQUIRED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    AUTH_MECHANISM_MISMATCH = "AUTH_MECHANISM_MISMATCH"
    SMTP_AUTH_REQUIRED = "SMTP_AUTH_REQUIRED"
    SMTP_PORT25_BLOCKED = "SMTP_PORT25_BLOCKED"
    SENDER_REJECTED = "SENDER_REJECTED"
    RECIPIENT_REJECTED = "RECIPIENT_REJECTED"
    MAILBOX_FULL = "MAILBOX_FULL"
    POP_DELETED_ELSEWHERE = "POP_DELETED_ELSEWHERE"
    TOO_MANY_CONNECTIONS = "TOO_MANY_CONNECTIONS"
    SERVER_OUTAGE = "SERVER_OUTAGE"
    SPF_FAIL = "SPF_FAIL"
    DKIM_MISSING = "DKIM_MISSING"
    DMARC_FAIL = "DMARC_FAIL"
    IP_BLOCKLISTED = "IP_BLOCKLISTED"
    MX_MISCONFIGURED = "MX_MISCONFIGURED"
    REVERSE_DNS_MISSING = "REVERSE_DNS_MISSING"
    MTA_STS_BROKEN = "MTA_STS_BROKEN"
    RECIPIENT_DOMAIN_INVALID = "RECIPIENT_DOMAIN_INVALID"
    RECIPIENT_MAILBOX_FULL = "RECIPIENT_MAILBOX_FULL"
    RECIPIENT_SERVER_PROBLEM = "RECIPIENT_SERVER_PROBLEM"
    MESSAGE_REFUSED = "MESSAGE_REFUSED"
    MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE"
    SENDING_LIMIT_EXCEEDED = "SENDING_LIMIT_EXCEEDED"
    SPAM_COMPLAINT = "SPAM_COMPLAINT"
    POP_DELETE_RISK = "POP_DELETE_RISK"


@dataclass(frozen=True, slots=True)
class Cause:
    code: CauseCode
    layer: Layer
    severity: Severity  # the default; a rule may report a milder or a stronger one
    title: str  # English message id; translate with Translator.gettext at display time


_E, _W = Severity.ERROR, Severity.WARNING

# Warnings are causes that do not stop mail by themselves yet (a risk, a date ahead,
# an explanation of missing mail) or that hurt delivery to others rather than the account.
_CAUSES: Final = (
    Cause(
        CauseCode.CREDENTIAL_TYPO_RISK,
        Layer.INPUT,
        _W,
        N_("A typed value contains characters that are easy to get wrong"),
    ),
    Cause(CauseCode.ADDRESS_INVALID, Layer.INPUT, _E, N_("The email address is not written correctly")),
    Cause(
        CauseCode.USERNAME_FORM,
        Layer.INPUT,
        _E,
        N_("The user name is in the wrong form (full address or only the part before @)"),
    ),
    Cause(
        CauseCode.SETTINGS_OUTDATED,
        Layer.INPUT,
        _W,
        N_("The server settings are old ones the provider replaced"),
    ),
    Cause(
        CauseCode.SETTINGS_UNCONFIRMED,
        Layer.INPUT,
        _W,
        N_("The settings found point to another domain's server: confirm them before the password is sent"),
    ),
    Cause(CauseCode.NETWORK_OFFLINE, Layer.NETWORK, _E, N_("This computer is not connected to the internet")),
    Cause(
        CauseCode.DNS_RESOLVER_BROKEN,
        Layer.NETWORK,
        _E,
        N_("The network in use gives wrong answers about server names (Wi-Fi login page, filter or router)"),
    ),
    Cause(CauseCode.HOST_NOT_FOUND, Layer.DNS, _E, N_("The server name does not exist (check for a typo)")),
    Cause(
        CauseCode.DOMAIN_NOT_RESOLVING,
        Layer.DNS,
        _E,
        N_("The mail domain is not working (expired or broken settings)"),
    ),
    Cause(CauseCode.DOMAIN_EXPIRING, Layer.DNS, _W, N_("The domain registration ends soon")),
    Cause(
        CauseCode.PORT_CLOSED,
        Layer.TRANSPORT,
        _E,
        N_("The server does not accept connections on this port number"),
    ),
    Cause(
        CauseCode.PORT_BLOCKED,
        Layer.TRANSPORT,
        _E,
        N_("A firewall, the internet provider or security software blocks this port"),
    ),
    Cause(CauseCode.SERVER_UNREACHABLE, Layer.TRANSPORT, _E, N_("The server does not answer at all")),
    Cause(
        CauseCode.PORT_SECURITY_MISMATCH,
        Layer.TLS,
        _E,
        N_("The encryption setting does not match the port number"),
    ),
    Cause(
        CauseCode.TLS_CERT_NAME_MISMATCH,
        Layer.TLS,
        _E,
        N_("The server's certificate is issued for a different server name"),
    ),
    Cause(CauseCode.TLS_CERT_EXPIRED, Layer.TLS, _E, N_("The server's certificate has expired")),
    Cause(
        CauseCode.TLS_CERT_UNTRUSTED,
        Layer.TLS,
        _E,
        N_("The server's certificate is not from a trusted issuer"),
    ),
    Cause(
        CauseCode.TLS_INTERCEPTED,
        Layer.TLS,
        _W,
        N_("Security software on this computer is checking encrypted mail connections"),
    ),
    Cause(
        CauseCode.TLS_VERSION_OUTDATED,
        Layer.TLS,
        _E,
        N_("Only an old encryption method is available that current programs no longer accept"),
    ),
    Cause(
        CauseCode.STARTTLS_UNAVAILABLE,
        Layer.TLS,
        _E,
        N_("The server does not offer the STARTTLS encryption that is set"),
    ),
    Cause(
        CauseCode.PLAINTEXT_LOGIN_REFUSED,
        Layer.AUTH,
        _E,
        N_("The server refuses to log in without encryption"),
    ),
    Cause(CauseCode.AUTH_FAILED, Layer.AUTH, _E, N_("The user name or password is wrong")),
    Cause(
        CauseCode.APP_PASSWORD_REQUIRED,
        Layer.AUTH,
        _E,
        N_("The provider requires a special password for mail programs"),
    ),
    Cause(
        CauseCode.MODERN_AUTH_REQUIRED,
        Layer.AUTH,
        _E,
        N_(
            "The provider no longer accepts a password here: "
            "the mail program must sign in on the provider's page"
        ),
    ),
    Cause(
        CauseCode.ACCOUNT_LOCKED,
        Layer.AUTH,
        _E,
        N_("The account is locked or suspended by the provider"),
    ),
    Cause(
        CauseCode.AUTH_MECHANISM_MISMATCH,
        Layer.AUTH,
        _E,
        N_("The mail program and the server have no login method in common"),
    ),
    Cause(
        CauseCode.SMTP_AUTH_REQUIRED,
        Layer.SMTP,
        _E,
        N_("The outgoing server requires a login, but the mail program does not log in"),
    ),
    Cause(
        CauseCode.SMTP_PORT25_BLOCKED,
        Layer.SMTP,
        _E,
        N_("Sending on port 25 is blocked by the internet provider; use port 587"),
    ),
    Cause(CauseCode.SENDER_REJECTED, Layer.SMTP, _E, N_("The server does not allow this sender address")),
    Cause(
        CauseCode.RECIPIENT_REJECTED,
        Layer.SMTP,
        _E,
        N_("The recipient's address does not exist or refuses mail"),
    ),
    Cause(CauseCode.MAILBOX_FULL, Layer.MAILBOX, _E, N_("The mailbox is full or nearly full")),
    Cause(
        CauseCode.POP_DELETED_ELSEWHERE,
        Layer.MAILBOX,
        _W,
        N_("Another device took the mail off the server"),
    ),
    Cause(
        CauseCode.TOO_MANY_CONNECTIONS,
        Layer.MAILBOX,
        _E,
        N_("Too many devices are connected to this account at the same time"),
    ),
    Cause(
        CauseCode.SERVER_OUTAGE,
        Layer.SERVER,
        _E,
        N_("The provider's mail server is having trouble or is under maintenance"),
    ),
    Cause(
        CauseCode.SPF_FAIL,
        Layer.SENDING_DOMAIN,
        _E,
        N_("The domain's SPF record is missing or does not allow this sending server"),
    ),
    Cause(
        CauseCode.DKIM_MISSING,
        Layer.SENDING_DOMAIN,
        _W,
        N_("Mail from this domain has no valid DKIM signature key"),
    ),
    Cause(
        CauseCode.DMARC_FAIL,
        Layer.SENDING_DOMAIN,
        _E,
        N_("The domain's DMARC record is missing or broken, or its policy makes receivers refuse its mail"),
    ),
    Cause(
        CauseCode.IP_BLOCKLISTED, Layer.SENDING_DOMAIN, _E, N_("The sending server is on a spam blocklist")
    ),
    Cause(
        CauseCode.MX_MISCONFIGURED,
        Layer.DNS,
        _E,
        N_("The domain's MX record (where mail to it is delivered) is set up wrongly"),
    ),
    Cause(
        CauseCode.REVERSE_DNS_MISSING,
        Layer.SENDING_DOMAIN,
        _W,
        N_("A mail server's address has no proper reverse name (PTR)"),
    ),
    Cause(
        CauseCode.MTA_STS_BROKEN,
        Layer.SENDING_DOMAIN,
        _E,
        N_("The domain's MTA-STS or TLS reporting settings are broken"),
    ),
    Cause(
        CauseCode.RECIPIENT_DOMAIN_INVALID,
        Layer.SMTP,
        _E,
        N_("The part of the recipient's address after @ is not a domain that receives mail"),
    ),
    Cause(CauseCode.RECIPIENT_MAILBOX_FULL, Layer.SMTP, _E, N_("The recipient's mailbox is full")),
    Cause(
        CauseCode.RECIPIENT_SERVER_PROBLEM,
        Layer.SERVER,
        _E,
        N_("The recipient's mail server could not be reached or failed to take the mail"),
    ),
    Cause(
        CauseCode.MESSAGE_REFUSED,
        Layer.SMTP,
        _E,
        N_(
            "The receiving server refused the message under its rules "
            "(spam or virus filter, format, security policy)"
        ),
    ),
    Cause(CauseCode.MESSAGE_TOO_LARGE, Layer.SMTP, _E, N_("The message is too large for the receiving side")),
    Cause(
        CauseCode.SENDING_LIMIT_EXCEEDED,
        Layer.SMTP,
        _E,
        N_("Too many messages were sent in a short time: a sending limit was reached"),
    ),
    Cause(
        CauseCode.SPAM_COMPLAINT,
        Layer.SENDING_DOMAIN,
        _W,
        N_("A recipient reported your message as spam"),
    ),
    Cause(
        CauseCode.POP_DELETE_RISK,
        Layer.MAILBOX,
        _W,
        N_("Mail is received with POP: a device can take it off the server, and the others then miss it"),
    ),
)

# Codes maildoctor added beyond shared/spec/causes.md (the catalogue says: add codes when reality
# needs them), each with why. tests/unit/test_causes.py holds every other code to the spec. Empty
# since 2026-12-07: causes.md accepted every code declared here.
EXTENSIONS: Final[Mapping[CauseCode, str]] = MappingProxyType({})

CAUSES: Final[Mapping[CauseCode, Cause]] = MappingProxyType({cause.code: cause for cause in _CAUSES})


def get_cause(code: str) -> Cause:
    """The catalogue entry of a code; KeyError for a code that causes.md does not have."""
    try:
        return CAUSES[CauseCode(code)]
    except ValueError:
        raise KeyError(f"unknown cause code {code!r}") from None
