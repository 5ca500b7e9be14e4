"""The last stage of the bounce reader: a reason from the server's words (pure).

One entry point, `phrase_reason(status, text, provider, table)`, so that the one reply
classifier of rules/ can later take this stage over with the same inputs: the enhanced status
written (or ""), the server's words (untrusted text), the provider id of the refusing or
reporting server (or ""), and a `PhraseTable`; it returns a reason in Sisimai's vocabulary
(`bounce_reason.REASON_CAUSES` turns it into a cause) or None.

It runs after the structural stages (bounce_reason.classify) and has two parts:

* `GENERAL_RULES`: wordings that MTAs and providers write in their documentation and source,
  each with where it comes from. These are general knowledge, not fitted to any corpus.
* a `PhraseTable` fitted from labelled bounces (`fit_phrases`): word n-grams (one to three
  words, after host names, addresses and numbers are taken out) that at least two different
  bounces of one reason share and that other reasons seldom use. The shipped table
  (`data/bounce_phrases.json`) is fitted on the shared corpus; bench/bounce_heldout.py fits
  one per fold on four fifths of it and scores the fifth it did not see.
"""

# ruff: noqa: E501 -- the rule table keeps each pattern on the line of its reason
from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Final

from maildoctor.explain.bounce_status import specific_status_reason

_SPACES: Final = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


# --------------------------------------------------------------------------- general knowledge

# (reason, pattern, source). Patterns run on the normalised text (lower case, single spaces), in
# order: narrow before broad. Sources: RFC 3463 (the detail names, §3.x), Postfix's own messages
# (postfix.org: ADDRESS_CLASS_README, postconf(5) *_reject_code, smtp(8)), Exim's (Exim
# specification ch. "Retry configuration", "Routing"), Sendmail's (op.me, "Host unknown",
# "User unknown"), qmail's (qmail-remote/qmail-local messages), Microsoft's NDR pages
# (learn.microsoft.com "Email non-delivery reports and SMTP errors in Exchange Online"),
# Google's SMTP error reference (support.google.com/a/answer/3726730), Yahoo's SMTP error codes
# (senders.yahooinc.com/smtp-error-codes), Spamhaus/DNSBL reply conventions (RFC 5782 §2.1).
# fmt: off
_GENERAL: Final[tuple[tuple[str, str, str], ...]] = (
    ("authfailure", r"\bdmarc\b.*\b(?:fail|reject|policy)|\bspf\b.*\b(?:fail|not pass)|dkim.*fail|sender policy framework", "RFC 7208/7489 result names; Google 5.7.26"),
    ("authfailure", r"does not have authentication information|fails to pass authentication checks|unauthenticated (?:email|mail)", "Google 5.7.26"),
    ("requireptr", r"reverse (?:dns|lookup|hostname)|\bptr (?:record|resource record)|\brdns\b|cannot find your (?:reverse )?hostname|client host .* has no reverse|ip name lookup failed", "Postfix reject_unknown_client_hostname; Sendmail 'IP name lookup failed'; Google 5.7.25"),
    ("requireptr", r"does not have a ptr record|fcrdns|forward-confirmed reverse", "Google 5.7.25; RFC 8601 iprev"),
    ("rejected", r"purported responsible address|sender address rejected|domain of sender address|sender verify failed|bad sender|sender (?:domain )?must resolve", "Postfix reject_unknown_sender_domain; Exim sender verify; RFC 4407 PRA (Courier); RFC 3463 5.1.7"),
    ("securityerror", r"authentication required|must authenticate|smtp authentication|not authenticated", "RFC 4954 530 5.7.0"),
    ("badreputation", r"\breputation\b|\[tss?0\d\]", "Google/Microsoft IP reputation; Yahoo [TS0x]/[TSS0x] deferrals (senders.yahooinc.com/smtp-error-codes)"),
    ("speeding", r"rate limit|receiving mail at a rate|sending rate|too many (?:messages|recipients)|too fast|throttl", "Google 4.2.1/5.2.1 rate; Postfix smtpd_client_*_rate_limit"),
    ("toomanyconn", r"too many (?:connections|concurrent|simultaneous)|connection limit", "Postfix smtpd_client_connection_count_limit; RFC 3463 5.5.3"),
    ("blocked", r"client host (?:\S+ )?(?:blocked|rejected)|(?:sending |source |your )?ip (?:address )?(?:\S+ )?(?:is |has been |was )?(?:blocked|banned|blacklisted)", "Postfix check_client_access 'Client host rejected'; the sending address named as blocked, whatever for"),
    ("virusdetected", r"\bvirus\b|malware|infected|trojan", "clamav-milter / amavis replies"),
    ("spamdetected", r"\bspam\b|unsolicited|junk mail|spamassassin|content filter|\buribl\b|\bsurbl\b|blacklisted url", "SpamAssassin/amavis replies; Google 5.7.1 unsolicited; URIBL/SURBL list links in content"),
    ("blocked", r"blocked using|(?<!not )listed (?:at|in|on)|\bdnsbl\b|\brbl\b|spamhaus|spamcop|barracuda|blacklist|blocklist|block list", "Postfix reject_rbl_client; RFC 5782"),
    ("blocked", r"client host (?:\S+ )?(?:blocked|rejected)|(?:ip|client|host|connection|your address) (?:\S+ )?(?:is |has been |was )?(?:blocked|banned|refused|rejected|denied|not allowed)|dynamic ip|dial-?up|residential|use the smtp server of your isp|use your isp'?s (?:smtp|mail) server|(?:invalid|banned|blocked) (?:sending )?ip|my name was rejected|\bblocked\b", "Postfix check_client_access; Microsoft 5.7.606-649; qmail-remote 'my name was rejected'; dynamic-IP (PBL-style) policy replies"),
    ("norelaying", r"relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited|refused)|not permitted to relay|unable to relay|we do not relay|not configured to relay|relay not permitted", "Postfix reject_unauth_destination; Sendmail 550 5.7.1 Relaying denied"),
    ("mesgtoobig", r"message (?:size|file) (?:exceeds|too (?:big|large))|too (?:big|large)|size limit|larger than|exceeds (?:the )?(?:maximum|max)(?: message)? size", "RFC 3463 5.3.4; Postfix message_size_limit"),
    ("exceedlimit", r"message length exceeds|exceeded (?:the )?(?:storage )?allocation", "RFC 3463 5.2.3; Sendmail"),
    ("systemfull", r"disk full|no space left|file system full|out of (?:disk )?space|insufficient (?:disk|system) (?:space|storage)", "RFC 3463 4.3.1 mail system full"),
    ("mailboxfull", r"mailbox (?:is )?full|over ?quota|quota exceeded|exceed(?:ed|s)? (?:the |his |her |its )?(?:storage |mailbox |disk )?quota|mail ?box (?:size )?limit|not enough (?:storage|space)|mailfolder is full|account is full|is full\b", "RFC 3463 5.2.2; Google 4.2.2/5.2.2 over quota; Postfix virtual_mailbox_limit"),
    ("suspend", r"(?<!delivery temporarily )\bsuspended\b|account (?:is |has been )?(?:disabled|deactivated|inactive|locked)|mailbox (?:is )?(?:disabled|inactive|deactivated|frozen)|(?:user|recipient) (?:is )?(?:inactive|disabled|suspended)|no longer (?:active|available)", "RFC 3463 5.2.1 mailbox disabled; Google 5.2.1 account disabled"),
    ("hasmoved", r"has moved|no forwarding address|moved permanently", "RFC 3463 5.1.6"),
    ("hostunknown", r"host or domain name not found", "Postfix smtp(8) 'Host or domain name not found'"),
    ("notaccept", r"(?:doesn't|does not) receive (?:e-?)?mail|null mx", "RFC 7505 null MX; Gmail's DSN 'The domain … doesn't receive email according to the administrator's null MX record'"),
    ("networkerror", r"\bdns error\b|name service error|network error|host not found, try again|temporary (?:lookup|dns) failure", "Postfix 'Name service error … Host not found, try again' (a DNS failure, not an answer); Gmail's 'DNS Error: …' DSN"),
    ("hostunknown", r"host (?:\S+ )?not found|unknown host|host unknown|no such domain|domain (?:name )?not found|domain (?:does not|doesn't) exist|nxdomain|unrout(?:e)?able (?:mail )?(?:domain|address)|all relevant mx records point to non-existent hosts|no (?:mx|mail exchanger)|domain is not reachable|(?<![@\w.\-])(?:[a-z0-9\-]+\.)+[a-z]{2,} does not exist", "Exim 'Unrouteable address'; Sendmail 'Host unknown'; '<domain> does not exist'; RFC 3463 5.1.2"),
    ("notaccept", r"null mx|does not accept (?:any )?mail|accepts no mail|not accepting network messages", "RFC 7505 null MX; RFC 3463 5.3.2"),
    ("mailererror", r"pipe to \||mailer \S+ (?:exited|died)|returned (?:status|exit code)|child process .* exited|command died with status|mailer error", "Postfix pipe(8)/local(8); Sendmail prog mailer"),
    ("networkerror", r"loops back to myself|mail loop|too many hops|hop count exceeded|routing loop|network (?:is )?unreachable|no route to host|connection (?:refused|reset)", "Postfix 'loops back to myself'; RFC 3463 5.4.6"),
    ("userunknown", r"user ?unknown|unknown user|no such (?:user|mailbox|recipient|address|account|local user)|(?:user|mailbox|recipient|address|account)(?: \S+)? (?:does not|doesn't|did not|not) exist|invalid (?:recipient|mailbox|address|user)|unknown (?:recipient|mailbox|address|local[- ]part)|not (?:a )?(?:valid|known) (?:user|recipient|mailbox)|mailbox (?:not found|unavailable)|(?:user|recipient|address) not found|no mailbox here|addressee unknown|bad destination mailbox|recipnotfound|recipientnotfound|account that you tried to reach does not exist|doesn't have an? \S+ account|no valid recipients|not listed in (?:the )?(?:domino directory|public name & address book)", "Postfix 'User unknown in local recipient table'; qmail 'no mailbox here by that name'; Sendmail 'User unknown'; Microsoft RESOLVER.ADR.RecipNotFound; Google 5.1.1; Yahoo 554 'doesn't have a yahoo.com account'; Lotus Domino 'not listed in Domino Directory'; RFC 3463 5.1.1"),
    ("userunknown", r"宛先不明|あて先不明|存在しない(?:メール)?アドレス|アドレスが存在しません|ユーザー?が存在しません", "Japanese carriers' and ISPs' standard wording (宛先不明: address unknown)"),
    ("mailboxfull", r"容量(?:が|を)?(?:超|いっぱい|オーバー)|メールボックスがいっぱい", "Japanese ISPs' standard wording (mailbox over capacity)"),
    ("expired", r"retry time(?:out)? (?:not reached|exceeded)|could not be delivered for|in the queue too long|(?:delivery time|message|envelope) expired|\bexpired\b|giving up|gave up|given up|connection timed out|timed out", "Exim 'retry timeout exceeded'; Sendmail 'could not be delivered for N days'; Postfix maximal_queue_lifetime; OpenSMTPD 'Envelope expired'"),
    ("failedstarttls", r"(?:does not|doesn't) support (?:tls|starttls)|starttls (?:is )?required|must issue a starttls", "RFC 3207 530 5.7.0 Must issue a STARTTLS command first"),
    ("notcompliantrfc", r"duplicate header|not (?:rfc|rfc ?5322) compliant|rfc ?5322 (?:compliance|violation)", "RFC 5322 §3.6 (how often each header field may appear)"),
    ("syntaxerror", r"syntax error|command (?:not )?(?:unrecognized|not recognized)|bad sequence of commands", "RFC 5321 500/501/503"),
    ("systemerror", r"system error|internal error|local error|server error|temporary (?:failure|error)|mail ?system (?:failure|error)|transaction failed|service (?:currently )?unavailable|service refused|try (?:again )?later", "RFC 5321 421/451/554 texts"),
    ("policyviolation", r"\bpolicy\b|prohibited|not allowed", "RFC 3463 5.7.1 delivery not authorized"),
)
# fmt: on


GENERAL_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (reason, re.compile(pattern)) for reason, pattern, _source in _GENERAL
)


def general_reason(text: str) -> str | None:
    """The first general rule whose pattern is in the (normalised) text."""
    flat = normalise(text)
    for reason, pattern in GENERAL_RULES:
        if pattern.search(flat):
            return reason
    return None


# --------------------------------------------------------------------------- the fitted table

MIN_FILES: Final = 2  # an n-gram is kept only when at least this many bounces share it
MIN_SHARE: Final = 0.75  # … and at least this share of the bounces with it have its reason
MIN_FAMILIES: Final = (
    1  # … written by at least this many kinds of bounce (family(): the id without its number)
)
MAX_N: Final = 3
_UNLEARNT: Final = frozenset({"feedback", "vacation", "delivered", "undefined", "onhold"})
_NOISE: Final = re.compile(
    r"\S+@\S+|<[^>]*>|\[[^\]]*\]|\b[\w\-]+(?:\.[\w\-]+)+\b|\d+",
)
_TOKEN: Final = re.compile(r"[a-z][a-z']*[a-z]|[ぁ-んァ-ヶー一-龯]+")
_STOP_WORDS: Final = (
    "the a an to of for in on at is was be by from this that your you our we it its and or with as "
    "are has have not no mail message email smtp server host error about please following could would "
    "been will were which there their more than into only also other some such when what sent send "
    "these those here"
)
_STOP: Final = frozenset(_STOP_WORDS.split(" "))


# Where the receiving server's own reply starts in a bounce's words: a reply code (RFC 5321 §4.2)
# followed by text. The prose before it is the reporting MTA's, the same for every reason.
_REPLY_START: Final = re.compile(r"(?<![\w.\-])[45][0-5]\d(?:[ \-]|$)")


def server_words(text: str) -> str:
    """The receiving server's reply within a bounce's words, or the whole text without one."""
    found = _REPLY_START.search(text)
    return text[found.start() :] if found is not None else text


def ngrams(text: str) -> set[str]:
    """The word n-grams (1..MAX_N) of the server's words (`server_words`), after addresses, host
    names and numbers are removed."""
    words = _TOKEN.findall(_NOISE.sub(" ", server_words(text).lower()))
    found: set[str] = set()
    for size in range(1, MAX_N + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if all(word in _STOP for word in gram) or (size == 1 and len(gram[0]) < 4):
                continue
            found.add(" ".join(gram))
    return found


@dataclass(frozen=True, slots=True)
class Phrase:
    reason: str
    share: float  # of the bounces with this n-gram, the share with this reason
    files: int  # how many bounces of this reason have it


@dataclass(frozen=True, slots=True)
class PhraseTable:
    phrases: Mapping[str, Phrase] = field(default_factory=dict)

    def reason(self, text: str) -> str | None:
        """The reason of the best n-gram in the text: highest share, then most bounces, then longest."""
        best: tuple[float, int, int, str] | None = None
        for gram in ngrams(text):
            phrase = self.phrases.get(gram)
            if phrase is None:
                continue
            key = (phrase.share, phrase.files, gram.count(" "), phrase.reason)
            if best is None or key > best:
                best = key
        return best[3] if best is not None else None


def family(bounce: str) -> str:
    """The kind of a bounce from its id: "lhost-postfix-17.eml" -> "lhost-postfix"."""
    return re.sub(r"-\d+$", "", bounce.removesuffix(".eml"))


def fit_phrases(
    examples: Iterable[tuple[str, str, str]],
    min_files: int = MIN_FILES,
    min_share: float = MIN_SHARE,
    min_families: int = MIN_FAMILIES,
) -> PhraseTable:
    """A table from labelled words: (bounce id, server's words, reason). A bounce with several
    recipients of one reason counts once, so one long file cannot make a phrase on its own."""
    files: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for bounce, text, reason in examples:
        if reason in _UNLEARNT or not text:
            continue
        for gram in ngrams(text):
            files[gram][reason].add(bounce)
    phrases: dict[str, Phrase] = {}
    for gram, by_reason in files.items():
        everyone = set().union(*by_reason.values())
        reason, holders = max(by_reason.items(), key=lambda item: (len(item[1]), item[0]))
        share = len(holders) / len(everyone)
        families = {family(bounce) for bounce in holders}
        if len(holders) >= min_files and share >= min_share and len(families) >= min_families:
            phrases[gram] = Phrase(reason, round(share, 3), len(holders))
    return PhraseTable(phrases)


def table_to_json(table: PhraseTable) -> str:
    """One n-gram a line: {"gram": [reason, share, files], ...}."""
    rows = [
        f"{json.dumps(gram, ensure_ascii=False)}: {json.dumps([p.reason, p.share, p.files])}"
        for gram, p in sorted(table.phrases.items())
    ]
    return "{\n" + ",\n".join(rows) + "\n}\n"


def table_from_json(text: str) -> PhraseTable:
    rows = json.loads(text)
    if not isinstance(rows, dict):
        raise TypeError("bounce phrase table: not an object")
    phrases = {}
    for gram, row in rows.items():
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)):
            raise TypeError(f"bounce phrase table: bad row for {gram!r}")
        phrases[str(gram)] = Phrase(row[0], float(row[1]), int(row[2]))
    return PhraseTable(phrases)


@functools.cache
def shipped_table() -> PhraseTable:
    """The table fitted on the shared corpus (bench/bounce_heldout.py --write), read once."""
    path = resources.files("maildoctor").joinpath("data").joinpath("bounce_phrases.json")
    return table_from_json(path.read_text(encoding="utf-8")) if path.is_file() else PhraseTable()


# --------------------------------------------------------------------------- the seam


def phrase_reason(status: str, text: str, provider: str, table: PhraseTable | None = None) -> str | None:
    """A reason from the words: the general rules first, then — only when `status` is not an RFC
    3463 detail that names the problem — the fitted table (the shipped one unless `table` is
    given). `provider` is part of the signature so that the shared reply classifier can use it."""
    del provider  # not used yet by the words stage: see the module docstring
    if not text:
        return None
    general = general_reason(text)
    if general is not None or specific_status_reason(status) is not None:
        return general  # a fitted phrase does not overrule an RFC 3463 detail that names the problem
    return (table if table is not None else shipped_table()).reason(text)
