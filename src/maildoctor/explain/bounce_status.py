"""RFC 3463 enhanced status codes to reasons in Sisimai's vocabulary (pure).

Two readings: `specific_status_reason` for the details that name the problem (5.1.1 bad
destination mailbox, 5.2.2 mailbox full, 5.7.26 multiple authentication checks failed, …), and
`reason_from_status` for the class and subject of any code, the catch-alls (X.0.0, X.7.1)
excepted. The names of the details are RFC 3463 §3 and the IANA "Enumerated Status Codes"
registry (RFC 5248); 5.7.20-5.7.29 are RFC 7372, 5.7.30 RFC 8689, 5.1.10 RFC 7505.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# RFC 3463 subjects and details to reasons. Catch-alls (X.0.0, X.7.1) are left to the words.
STATUS_REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "1.0": "userunknown", "1.1": "userunknown", "1.2": "hostunknown", "1.3": "userunknown",
        "1.4": "filtered", "1.6": "hasmoved", "1.7": "rejected", "1.8": "rejected", "1.9": "systemerror",
        "1.10": "notaccept",
        "2.0": "filtered", "2.1": "filtered", "2.2": "mailboxfull", "2.3": "exceedlimit", "2.4": "filtered",
        "3.0": "systemerror", "3.1": "systemfull", "3.2": "notaccept", "3.3": "systemerror",
        "3.4": "mesgtoobig", "3.5": "systemerror",
        "4.0": "networkerror", "4.1": "expired", "4.2": "networkerror", "4.3": "systemerror",
        "4.4": "hostunknown", "4.5": "systemfull", "4.6": "networkerror", "4.7": "expired",
        "4.8": "networkerror",
        "5.2": "syntaxerror", "5.3": "toomanyconn", "5.4": "systemerror", "5.5": "systemerror",
        "5.6": "syntaxerror",
        "6.0": "contenterror", "6.1": "contenterror", "6.2": "contenterror", "6.3": "contenterror",
        "6.5": "contenterror", "6.6": "contenterror", "6.7": "contenterror", "6.8": "contenterror",
        "6.9": "contenterror",
        "7.0": "securityerror", "7.2": "securityerror", "7.3": "securityerror", "7.4": "securityerror",
        "7.5": "securityerror", "7.6": "securityerror", "7.7": "securityerror", "7.8": "securityerror",
        "7.9": "securityerror", "7.10": "securityerror", "7.11": "securityerror", "7.12": "securityerror",
        "7.13": "suspend", "7.14": "securityerror", "7.15": "securityerror", "7.16": "mesgtoobig",
        "7.17": "hasmoved", "7.18": "hasmoved", "7.19": "securityerror",
        "7.20": "authfailure", "7.21": "authfailure", "7.22": "authfailure", "7.23": "authfailure",
        "7.24": "authfailure", "7.25": "requireptr", "7.26": "authfailure", "7.27": "notaccept",
        "7.28": "spamdetected", "7.29": "authfailure", "7.30": "failedstarttls",
    }
)  # fmt: skip

_CATCH_ALL: Final = frozenset({"0.0", "7.1"})


def reason_from_status(status: str) -> str | None:
    if not status or status[0] == "2":
        return "delivered" if status.startswith("2.") else None
    subject_detail = status.split(".", 1)[1] if "." in status else ""
    if subject_detail in _CATCH_ALL:
        return None
    return STATUS_REASONS.get(subject_detail)


# RFC 3463 details that say what went wrong; the others (X.0.0, X.1.0, X.2.0, X.3.0, X.5.0,
# X.7.0, X.7.1 …) are used by servers for anything of their class and subject.
_SPECIFIC: Final = frozenset(
    {
        "1.1", "1.2", "1.3", "1.6", "1.7", "1.8", "1.10", "2.2", "2.3", "3.1", "3.4", "4.4", "4.7",
        "7.13", "7.16", "7.17", "7.18", "7.20", "7.21", "7.22", "7.23", "7.24", "7.25", "7.26",
        "7.27", "7.28", "7.29", "7.30",
    }
)  # fmt: skip


def _subject_detail(status: str) -> str:
    return status.split(".", 1)[1] if status.count(".") == 2 else ""


def specific_status_reason(status: str) -> str | None:
    """The reason of an RFC 3463 detail that names the problem; None for a catch-all."""
    subject_detail = _subject_detail(status)
    if not status or status[0] not in "45" or subject_detail not in _SPECIFIC:
        return None
    return STATUS_REASONS.get(subject_detail)
