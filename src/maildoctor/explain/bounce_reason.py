"""Why a delivery failed: a bounce's words and codes to a reason, and the reason to a cause (pure).

The reasons are the vocabulary of Sisimai, the established bounce-analysis project whose
test corpus we measure on (shared/data/bounces): `userunknown`, `mailboxfull`, … Its names
are widely known in the bounce world, so `explain --json` reports them as they are, and one
fixed table (`REASON_CAUSES`) turns each into a maildoctor cause code.

The judgement goes from the most specific evidence to the least:

1. the server's words (`TEXT_RULES`, ordered: the first rule whose pattern is in the text
   wins, so narrow phrases come before broad ones);
2. the enhanced status code (RFC 3463 subject and detail, `STATUS_REASONS`), unless it is a
   catch-all (X.0.0, 5.7.1: "refused for policy", used by servers for anything);
3. the basic reply code and the action (a delay that was given up on is `expired`).

The patterns are our own, written from the texts of the MTAs and providers in the corpus and
the providers' published replies; they match a normalised text (lower case, one space).
"""

# ruff: noqa: E501 -- the rule table keeps each pattern on the line of its reason
from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from maildoctor.causes import CauseCode

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


# --------------------------------------------------------------------------- the server's words

# (reason, pattern) in order; patterns run on the normalised text (lower case, single spaces).
_RULES: Final[tuple[tuple[str, str], ...]] = (
    # sender authentication (SPF, DKIM, DMARC) before anything mentioning "policy" or "rejected"
    ("authfailure", r"dmarc (?:policy|rejection|reject)|unauthenticated email|\bdmarc\b.*\b(?:fail|reject)"),
    ("authfailure", r"spf (?:check )?fail|\bspf\b.*\b(?:fail|not pass)|sender policy framework|dkim.*fail"),
    ("authfailure", r"5\.7\.(?:2[0-46]|29)\b|sending domain .* does not pass"),
    ("requireptr", r"reverse (?:dns|lookup|hostname)|\bptr\b|no rdns|rdns|cannot find your hostname"),
    ("requireptr", r"5\.7\.25\b|ip name lookup failed|client host .* has no reverse|mismatches client ip"),
    (
        "requireptr",
        r"hostname does not resolve|unresolvable (?:address|hostname)|fcrdns|unverifiable sending ip",
    ),
    ("requireptr", r"unverifyable sending ip"),
    (
        "rejected",
        r"sender address rejected|domain of sender address|bad sender|sender verify failed|"
        r"sender (?:domain )?must resolve|purported responsible address|mail from .* rejected|5\.1\.[78]\b",
    ),
    (
        "securityerror",
        r"authentication required|smtp authentication|without authentication|must authenticate|"
        r"authrequired|not authenticated",
    ),
    ("badreputation", r"reputation|\[bl2[123]\]|\[tss0\d\]"),
    (
        "speeding",
        r"rate limit|too fast|receiving mail at a rate|unusual rate|sending rate|throttl|too many recipients",
    ),
    ("speeding", r"temporarily deferred due to user complaints|too many messages"),
    ("toomanyconn", r"too many (?:connections|concurrent|simultaneous)|connection limit|frequency limited"),
    (
        "blocked",
        r"client host (?:\S+ )?(?:blocked|rejected)|ip source bloquee|my name was rejected|"
        r"not accepting connections|invalid ip for sending|banned sending ip|blocked for abuse",
    ),
    ("virusdetected", r"virus|malware|infected|trojan"),
    (
        "spamdetected",
        r"\bspam\b|unsolicited|junk mail|bulk mail|spamassassin|content filter|"
        r"blacklisted (?:url|link)|\buribl\b|\bsurbl\b",
    ),
    ("spamdetected", r"message (?:looks|was identified as|is) (?:like )?spam|5\.7\.28\b"),
    (
        "blocked",
        r"blacklist|blocklist|block list|\bdnsbl\b|\brbl\b|spamhaus|spamcop|barracuda|sorbs|"
        r"(?:ip|client|host|connection|your address) (?:\S+ )?(?:is |has been |was )?(?:blocked|banned|"
        r"refused|rejected|denied|not allowed)|blocked using|(?<!not )listed (?:at|in|on)|"
        r"please use the smtp server of your isp|dial-?up|dynamic ip|residential|\bblocked\b|\bbanned\b",
    ),
    ("norelaying", r"relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited|refused)"),
    (
        "norelaying",
        r"not permitted to relay|unable to relay|we do not relay|relay not permitted|no relay|"
        r"not configured to relay",
    ),
    ("mesgtoobig", r"message (?:size|file) (?:exceeds|too (?:big|large))|too (?:big|large)|size limit"),
    (
        "mesgtoobig",
        r"message (?:is )?larger than|exceeds (?:the )?(?:maximum|max)(?: message)? size|5\.3\.4\b",
    ),
    ("exceedlimit", r"exceeded (?:the )?(?:storage )?allocation|message length exceeds"),
    (
        "systemfull",
        r"disk full|no space left|file system full|system (?:is )?full|out of (?:disk )?space|"
        r"insufficient (?:disk|system) (?:space|storage)",
    ),
    (
        "mailboxfull",
        r"mailbox (?:is )?full|mailbox full|over ?quota|quota exceeded|exceed(?:ed|s)? (?:the |his |her |its )?"
        r"(?:storage |mailbox |disk )?quota|mail ?box (?:size )?limit|"
        r"not enough (?:storage|space)|user has exhausted allowed storage space|mailfolder is full|"
        r"mailbox has exceeded|account is full|storage full|5\.2\.2\b",
    ),
    (
        "suspend",
        r"suspend|account (?:is |has been )?(?:disabled|deactivated|inactive|locked|expired)|"
        r"mailbox (?:is )?(?:disabled|inactive|unavailable for|deactivated|frozen)|disabled recipient|"
        r"recipient (?:is )?(?:inactive|disabled)|user (?:is )?(?:inactive|disabled|suspended)|"
        r"not active|no longer (?:active|available)|is inactive",
    ),
    ("hasmoved", r"has moved|no forwarding|address (?:has )?changed|moved permanently|5\.1\.6\b"),
    (
        "userunknown",
        r"recipientnotfound|recipient not found by|recipient address rejected: access denied|"
        r"account that you tried to reach does not exist|doesn't have an? \S+ account|user not exist",
    ),
    ("hostunknown", r"host or domain name not found|dns lookup failure: host \S+ not found"),
    (
        "notaccept",
        r"null mx|does not accept (?:any )?mail|accepts no mail|doesn't receive email|no mx found|"
        r"not accepting network messages",
    ),
    (
        "mailererror",
        r"pipe to \||mailer \S+ (?:exited|died)|returned (?:status|exit code)|"
        r"local delivery failed|child process .* exited",
    ),
    ("networkerror", r"name service error|dns error|temporary (?:lookup|dns) failure|network error"),
    (
        "hostunknown",
        r"host (?:or domain name )?not found|unknown host|domain (?:name )?not found|no such domain|"
        r"domain (?:does not|doesn't) exist|nxdomain|unrouteable (?:mail )?(?:domain|address)|host unknown|"
        r"unknown domain|unroutable (?:domain|address)|name or service not known|domain is not reachable|"
        r"no (?:mx|mail exchanger)|5\.1\.2\b|domain of .* does not exist|all relevant mx records point to non-existent hosts|"
        r"(?<![@\w.\-])(?:[a-z0-9\-]+\.)+[a-z]{2,} does not exist",
    ),
    ("notaccept", r"null mx|does not accept (?:any )?mail|accepts no mail|5\.1\.10\b|5\.7\.27\b"),
    (
        "userunknown",
        r"user ?unknown|unknown user|no such (?:user|mailbox|recipient|address|account)|"
        r"(?:user|mailbox|recipient|address|account)(?: \S+)? (?:does not|doesn't|did not) exist|"
        r"invalid (?:recipient|mailbox|address|user)|"
        r"unknown (?:recipient|mailbox|address|local[- ]part)|not (?:a )?(?:valid|known) (?:user|recipient|mailbox)|"
        r"mailbox (?:not found|unavailable)|user not found|recipient not found|address not found|"
        r"no mailbox|not listed in|addressee unknown|bad destination mailbox|recipient name is not recognized|"
        r"undeliverable address|no such local user|"
        r"(?:user|recipient) (?:is )?not (?:found|here|local)|was not found in|"
        r"resolver\.adr\.(?:ex)?recipnotfound|5\.1\.[013]\b|no valid recipients",
    ),
    # Japanese carriers' and ISPs' own wordings
    (
        "userunknown",
        r"宛先不明|あて先不明|存在しない(?:メール)?アドレス|アドレスが存在しません|ユーザが存在しません|ユーザーが存在しません",
    ),
    ("mailboxfull", r"容量(?:が|を)?(?:超|いっぱい|オーバー)|メールボックスがいっぱい"),
    ("expired", r"再送信を試みましたが|一定期間(?:内に)?(?:配送|送信)できません"),
    ("rejected", r"the group you tried to contact .* may not exist|permission to post"),
    ("policyviolation", r"header error|policy|prohibited|not allowed|5\.7\.(?:1|13|14)\b"),
    (
        "networkerror",
        r"network (?:is )?unreachable|no route to host|connection (?:refused|reset)|"
        r"name server|dns (?:failure|lookup)|"
        r"loop(?:s)? back to myself|mail loop|too many hops|hop count exceeded|routing loop",
    ),
    (
        "expired",
        r"retry time(?:out)? (?:not reached|exceeded)|could not be delivered for|has been in the queue too long|"
        r"delivery time expired|message expired|expired|giving up|gave up|i've given up|connection timed out|"
        r"not (?:been )?delivered for \d|queue too long|retry timeout|did not accept our requests to connect|"
        r"could not find a gateway|unable to deliver in|host not reachable",
    ),
    (
        "syntaxerror",
        r"syntax error|command (?:not )?(?:unrecognized|not recognized)|bad sequence of commands",
    ),
    (
        "systemerror",
        r"system error|internal error|local error|server error|temporary (?:failure|error)|"
        r"mail ?system (?:failure|error)|mailer error|transaction failed|service (?:currently )?unavailable|"
        r"service refuse|could not load",
    ),
)

TEXT_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (reason, re.compile(pattern)) for reason, pattern in _RULES
)

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
_SPACES: Final = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def reason_from_text(text: str) -> str | None:
    """The first rule whose pattern is in the (normalised) text."""
    flat = normalise(text)
    for reason, pattern in TEXT_RULES:
        if pattern.search(flat):
            return reason
    return None


def reason_from_status(status: str) -> str | None:
    if not status or status[0] == "2":
        return "delivered" if status.startswith("2.") else None
    subject_detail = status.split(".", 1)[1] if "." in status else ""
    if subject_detail in _CATCH_ALL:
        return None
    return STATUS_REASONS.get(subject_detail)


_COMMAND: Final = re.compile(
    r"(?:in reply to|after|did not like our|for|error in reply to)\s+(?:the\s+)?"
    r"(mail from|rcpt to|end of data|data|initial connection|helo|ehlo|connect|text)\b|"
    r"\[(rcpt_to|mail_from|data)\]|>>> (mail from|rcpt to|data)|smtp command (data|rcpt|mail)",
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
    if said in ("initial connection", "connect"):
        return "CONN"
    if said in ("helo", "ehlo"):
        return "HELO"
    return "DATA"


def classify(text: str, status: str, reply_code: str, action: str = "") -> str:
    """The reason for one recipient; "undefined" when nothing tells."""
    if action.lower() in ("delivered", "relayed", "expanded"):
        return "delivered"
    by_text = reason_from_text(text) if text else None
    command = smtp_command(text) if text else ""
    if command == "MAIL" and by_text in (
        None,
        "userunknown",
        "hostunknown",
        "policyviolation",
        "securityerror",
    ):
        return "rejected"  # refused at MAIL FROM: the sender, not the recipient
    if command in ("CONN", "HELO") and by_text in (None, "policyviolation", "securityerror", "userunknown"):
        return "blocked"  # refused before any address was given: the sending server itself
    if by_text is not None:
        return by_text
    if command == "RCPT" and (status.startswith("5") or reply_code.startswith("5")):
        return "userunknown"
    by_status = reason_from_status(status)
    if by_status is not None:
        return by_status
    if action.lower() == "delayed":
        return "expired"
    if status.endswith(".7.1") or reply_code == "554":
        return "policyviolation" if status else "onhold"
    return "onhold" if status or reply_code else "undefined"
