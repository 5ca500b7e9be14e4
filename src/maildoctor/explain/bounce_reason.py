"""Why a delivery failed: a bounce's words and codes to a reason, and the reason to a cause (pure).

The reasons are the vocabulary of Sisimai, the established bounce-analysis project whose
test corpus we measure on (shared/data/bounces): `userunknown`, `mailboxfull`, … Its names
are widely known in the bounce world, so `explain --json` reports them as they are, and one
fixed table (`REASON_CAUSES`) turns each into a maildoctor cause code.

The judgement is structural first, words last (issue 13):

1. the RFC 3464 Action: delivered, relayed or expanded is not a failure;
2. what a provider documents about its own codes (`provider_reason`: Microsoft's 5.4.1 is an
   unknown recipient, Google's X.2.1 "receiving mail at a rate" is a rate limit);
3. the SMTP step at which the server refused (RFC 5321 §3.3, §3.1: a refusal of MAIL FROM is
   about the sender, one at connect or HELO about the sending server itself); only the general
   wordings may name a more exact sender-side reason there;
4. the words, `bounce_phrases.phrase_reason`: the general wordings with their sources, which are
   rows of the one reply classifier (rules/replies.py, data/replies.toml: the rows `check` and
   `explain` read), asked with the step, reply code, status and provider; then — only when the
   status is not an RFC 3463 detail that names the problem — a phrase table fitted from
   labelled bounces;
5. an RFC 3463 detail that names the problem (`bounce_status.specific_status_reason`);
6. a refusal of RCPT TO (RFC 5321: 550 at RCPT is about that mailbox), then the class and
   subject of a vague status, then a delay given up on (`expired`).

The figures, held out and on the whole corpus, are printed by bench/bounce_heldout.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.explain.bounce_phrases import PhraseTable, general_reason, normalise, phrase_reason
from maildoctor.explain.bounce_status import reason_from_status, specific_status_reason

_C = CauseCode

# One fixed table from Sisimai's reasons (shared/data/bounces/reasons.txt) to our causes.
# None: not a failure (delivered, an auto-reply) or no reason could be told.
REASON_CAUSES: Final[Mapping[str, CauseCode | None]] = MappingProxyType(
    {
        "authfailure": _C.DMARC_FAIL,
        "badreputation": _C.IP_BLOCKLISTED,
        "blocked": _C.IP_BLOCKLISTED,
        "contenterror": _C.MESSAGE_REFUSED,
        "delivered": None,
        "exceedlimit": _C.MESSAGE_TOO_LARGE,
        "expired": _C.RECIPIENT_SERVER_PROBLEM,
        "failedstarttls": _C.STARTTLS_UNAVAILABLE,
        "feedback": _C.SPAM_COMPLAINT,
        "filtered": _C.RECIPIENT_REJECTED,
        "hasmoved": _C.RECIPIENT_REJECTED,
        "hostunknown": _C.RECIPIENT_DOMAIN_INVALID,
        "mailboxfull": _C.RECIPIENT_MAILBOX_FULL,
        "mailererror": _C.RECIPIENT_SERVER_PROBLEM,
        "mesgtoobig": _C.MESSAGE_TOO_LARGE,
        "networkerror": _C.RECIPIENT_SERVER_PROBLEM,
        "norelaying": _C.SMTP_AUTH_REQUIRED,
        "notaccept": _C.RECIPIENT_DOMAIN_INVALID,
        "notcompliantrfc": _C.MESSAGE_REFUSED,
        "onhold": None,
        "policyviolation": _C.MESSAGE_REFUSED,
        "rejected": _C.SENDER_REJECTED,
        "requireptr": _C.REVERSE_DNS_MISSING,
        "securityerror": _C.MESSAGE_REFUSED,
        "spamdetected": _C.MESSAGE_REFUSED,
        "speeding": _C.SENDING_LIMIT_EXCEEDED,
        "suppressed": _C.RECIPIENT_REJECTED,
        "suspend": _C.RECIPIENT_REJECTED,
        "syntaxerror": _C.RECIPIENT_SERVER_PROBLEM,
        "systemerror": _C.RECIPIENT_SERVER_PROBLEM,
        "systemfull": _C.RECIPIENT_SERVER_PROBLEM,
        "toomanyconn": _C.RECIPIENT_SERVER_PROBLEM,
        "undefined": None,
        "userunknown": _C.RECIPIENT_REJECTED,
        "vacation": None,
        "virusdetected": _C.MESSAGE_REFUSED,
    }
)


def cause_of_reason(reason: str) -> CauseCode | None:
    return REASON_CAUSES.get(reason)


_COMMAND: Final = re.compile(
    r"(?:in reply to|after|did not like our|for|error in reply to)\s+(?:the\s+)?"
    r"(mail from|rcpt to|end of data|data|initial connection|helo|ehlo|connect|text)\b|"
    r"\[(rcpt_to|mail_from|data)\]|>>> (mail from|rcpt to|data)|smtp command (data|rcpt|mail)|"
    # a refused greeting (RFC 5321 §3.1, "554 No SMTP service here"); Postfix smtp(8) writes
    # "server refused to talk to me" for it
    r"(refused to talk to me|no smtp service|not accepting connections)",
)


def smtp_command(text: str) -> str:
    """The SMTP step at which the server refused: MAIL, RCPT, DATA, CONN, HELO, or ""."""
    match = _COMMAND.search(normalise(text))
    if match is None:
        return ""
    said = next(group for group in match.groups() if group)
    if said.startswith("mail"):
        return "MAIL"
    if said.startswith("rcpt"):
        return "RCPT"
    if said in ("initial connection", "connect") or said.startswith(("refused", "no smtp", "not accepting")):
        return "CONN"
    if said in ("helo", "ehlo"):
        return "HELO"
    return "DATA"


# Providers' own documented codes (the provider ids of maildoctor/data/providers).
_MS_DBEB: Final = re.compile(r"recipient address rejected: access denied")
_GOOGLE_RATE: Final = re.compile(r"receiving mail at a rate|rate that prevents additional messages")
_MICROSOFT: Final = frozenset({"microsoft365", "outlook-com"})
_MS_REPUTATION: Final = re.compile(r"\b4\.7\.65\d\b|\b5\.7\.7[0-5]\d\b|ip reputation")


def provider_reason(provider: str, status: str, flat: str) -> str | None:
    """What a provider's documentation says its reply means, when it says more than RFC 3463.

    Microsoft 365 / Outlook.com: "550 5.4.1 Recipient address rejected: Access denied" is
    Directory-Based Edge Blocking, the recipient does not exist (learn.microsoft.com, "Fix NDR
    error 550 5.4.1 in Exchange Online"). Google: X.2.1 "The user you are trying to contact is
    receiving mail at a rate that prevents additional messages" is a rate limit, not a disabled
    mailbox (support.google.com/a/answer/3726730, SMTP error reference).
    """
    if status.endswith(".4.1") and _MS_DBEB.search(flat):
        return "userunknown"  # the wording is Microsoft's own, whichever host relayed it
    if _GOOGLE_RATE.search(flat):
        return "speeding"  # Google's wording, wherever it is quoted (providers forward it)
    if provider in _MICROSOFT and _MS_REPUTATION.search(flat):
        return "badreputation"  # 4.7.650 / 5.7.708-750: "rate limited due to IP reputation"
    return None


# A refusal before any recipient was named: about the sender (MAIL) or the sending server
# (CONN, HELO). The words may still say which sender-side problem it is.
_SENDER_SIDE: Final = frozenset(
    {"authfailure", "requireptr", "blocked", "badreputation", "speeding", "toomanyconn", "norelaying",
     "spamdetected", "virusdetected", "systemerror", "networkerror", "expired",
     "syntaxerror", "mesgtoobig", "systemfull", "notaccept"}
)  # fmt: skip


_VAGUE: Final = frozenset({".0.0", ".2.0"})  # RFC 3463 "other or undefined" (status), (mailbox)


def classify(
    text: str,
    status: str,
    reply_code: str,
    action: str = "",
    provider: str = "",
    phrases: PhraseTable | None = None,
    diagnostic_type: str = "",
) -> str:
    """The reason for one recipient; "undefined" when nothing tells. `phrases` is the fitted
    phrase table (the shipped one when None; the held-out bench passes one per fold);
    `diagnostic_type` the RFC 3464 Diagnostic-Code type ("smtp", "x-unix", …) when a DSN wrote one."""
    action = action.lower()
    if action in ("delivered", "relayed", "expanded"):
        return "delivered"
    if diagnostic_type == "x-unix":  # RFC 3464 §2.3.6: a local program's status (a prog mailer, Maildir)
        return general_reason(text, reply_code=reply_code, status=status, provider=provider) or "mailererror"
    flat = normalise(text) if text else ""
    by_provider = provider_reason(provider, status, flat) if flat else None
    if by_provider is not None:
        return by_provider
    command = smtp_command(text) if flat else ""
    if command in ("MAIL", "CONN", "HELO"):  # the step decides; only the general wordings refine it
        general = general_reason(
            text, command=command, reply_code=reply_code, status=status, provider=provider
        )
        if command == "MAIL":
            return general if general in _SENDER_SIDE or general == "rejected" else "rejected"
        return general if general in _SENDER_SIDE else "blocked"
    by_words = (
        phrase_reason(status, text, provider, phrases, command=command, reply_code=reply_code)
        if flat
        else None
    )
    if by_words is not None:  # general wordings; fitted phrases only where the status is vague
        return by_words
    by_status = specific_status_reason(status)
    if by_status is not None:
        return by_status
    if command == "RCPT" and (status.startswith("5") or reply_code.startswith("5")):
        return "userunknown"
    if command == "DATA" and status[1:] in _VAGUE and (status or reply_code).startswith("5"):
        # RFC 5321 §3.3: the recipients were accepted at RCPT TO, so a permanent refusal of the
        # message text itself, with no status that names another problem, is about the message
        return "contenterror"
    by_class = reason_from_status(status)
    if by_class is not None:
        return by_class
    if action == "delayed":
        return "expired"
    if status.endswith(".7.1") or reply_code == "554":
        return "policyviolation" if status else "onhold"
    return "onhold" if status or reply_code else "undefined"
