"""The cause catalogue of shared/spec/causes.md: code -> layer, default severity, title.

Codes are public and stable (they appear in the JSON report and in the ledger);
add codes, never rename or reuse one. tests/unit/test_causes.py checks the catalogue
against causes.md, so the two cannot drift apart.

The catalogue is data: one file per cause in src/maildoctor/data/knowledge/causes/, named by its
code (knowledge_data.py reads them strictly). `CauseCode` is made from the file names when this
module is imported (a directory listing, no parsing); `CAUSES` reads the files on first use.
Titles are English message ids, translated when a report is shown, never here (i18n.py).

For the type checker, `CauseCode` lists the codes that Python code names as `CauseCode.X`; a new
cause needs no line here unless code names it so (rules use the code as a string).
tests/unit/test_causes.py holds this list to the data files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from maildoctor.knowledge_data import LazyMapping, cause_codes, knowledge_base
from maildoctor.model import Layer, Severity

if TYPE_CHECKING:

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

else:
    CauseCode = StrEnum("CauseCode", [(code, code) for code in cause_codes()], module=__name__)


@dataclass(frozen=True, slots=True)
class Cause:
    code: CauseCode
    layer: Layer
    severity: Severity  # the default; a rule may report a milder or a stronger one
    title: str  # English message id; translate with Translator.gettext at display time


# Codes maildoctor added beyond shared/spec/causes.md (the catalogue says: add codes when reality
# needs them), each with why: the `extension` of the cause's data file. tests/unit/test_causes.py
# holds every other code to the spec. Empty since 2026-12-07: causes.md accepted every code.
def _extensions() -> Mapping[CauseCode, str]:
    return MappingProxyType(
        {
            CauseCode(code): entry.extension
            for code, entry in knowledge_base().causes.items()
            if entry.extension is not None
        }
    )


EXTENSIONS: Final[Mapping[CauseCode, str]] = LazyMapping(_extensions)


def _catalogue() -> Mapping[CauseCode, Cause]:
    return MappingProxyType(
        {
            CauseCode(code): Cause(CauseCode(code), entry.layer, entry.severity, entry.title)
            for code, entry in knowledge_base().causes.items()
        }
    )


CAUSES: Final[Mapping[CauseCode, Cause]] = LazyMapping(_catalogue)


def get_cause(code: str) -> Cause:
    """The catalogue entry of a code; KeyError for a code that causes.md does not have."""
    try:
        return CAUSES[CauseCode(code)]
    except ValueError:
        raise KeyError(f"unknown cause code {code!r}") from None
