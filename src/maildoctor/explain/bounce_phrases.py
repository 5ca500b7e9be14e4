"""The last stage of the bounce reader: a reason from the server's words (pure).

One entry point, `phrase_reason(status, text, provider, table, command=, reply_code=)`: the
enhanced status written (or ""), the server's words (untrusted text), the provider id of the
refusing or reporting server (or ""), a `PhraseTable`, the SMTP step the bounce says and the
reply code; it returns a reason in Sisimai's vocabulary (`bounce_reason.REASON_CAUSES` turns it
into a cause) or None.

It runs after the structural stages (bounce_reason.classify) and has two parts:

* the general wordings: the rows of the one reply classifier (rules/replies.py,
  data/replies.toml) that read words, the rows `check` and `explain` read, each with its source.
  These are general knowledge, not fitted to any corpus.
* a `PhraseTable` fitted from labelled bounces (`fit_phrases`): word n-grams (one to three
  words, after host names, addresses and numbers are taken out) that at least two different
  bounces of one reason share and that other reasons seldom use. The shipped table
  (`data/bounce_phrases.json`) is fitted on the shared corpus; bench/bounce_heldout.py fits
  one per fold on four fifths of it and scores the fifth it did not see.
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Final

from maildoctor.explain.bounce_status import specific_status_reason
from maildoctor.model import Protocol
from maildoctor.rules.replies import ReplyVerdict, SmtpRejectionKind, Step, classify_reply

_SPACES: Final = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


# --------------------------------------------------------------------------- general knowledge

# The general wordings are rows of the one reply classifier (rules/replies.py, data/replies.toml),
# the rows `check` and `explain` read, each with its source and real replies. A row names its
# reason in Sisimai's vocabulary (`reason`) where its kind alone does not; these are the kinds'.
KIND_REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        SmtpRejectionKind.RECIPIENT_REJECTED: "userunknown",
        SmtpRejectionKind.MAILBOX_FULL: "mailboxfull",
        SmtpRejectionKind.SENDER_REJECTED: "rejected",
        SmtpRejectionKind.AUTH_REQUIRED: "securityerror",
        SmtpRejectionKind.ENCRYPTION_REQUIRED: "failedstarttls",
        SmtpRejectionKind.BLOCKED: "blocked",
        SmtpRejectionKind.REVERSE_DNS: "requireptr",
        SmtpRejectionKind.SENDER_AUTHENTICATION: "authfailure",
        SmtpRejectionKind.MESSAGE_REFUSED: "policyviolation",
        SmtpRejectionKind.MESSAGE_TOO_LARGE: "mesgtoobig",
        SmtpRejectionKind.RATE_LIMITED: "speeding",
        SmtpRejectionKind.DOMAIN_UNKNOWN: "hostunknown",
        SmtpRejectionKind.SERVER_PROBLEM: "systemerror",
        SmtpRejectionKind.TLS_UNAVAILABLE: "failedstarttls",
    }
)  # a temporary refusal (any 4yz) names no reason: the later stages judge it

# the SMTP step the bounce says (bounce_reason.smtp_command) -> the classifier's step; a refusal at
# connect, HELO or DATA, or at a step not said, is read with every sending row
_STEPS: Final[Mapping[str, Step]] = MappingProxyType({"MAIL": Step.MAIL, "RCPT": Step.RCPT})


def reply_verdict(
    text: str, *, command: str = "", reply_code: str = "", status: str = "", provider: str = ""
) -> ReplyVerdict | None:
    """The reply classifier's row for a bounce's words (the recipient's server wrote them: use the
    verdict's `remote_causes`): the step from `command` (MAIL, RCPT, …, or ""), the reply code and
    RFC 3463 status as written ("" when none), the provider id ("" when not known). Only the rows that
    read words: the codes are read structurally before (bounce_status, bounce_reason)."""
    return classify_reply(
        _STEPS.get(command, Step.SENDING),
        Protocol.SMTP,
        reply_code=int(reply_code) if reply_code.isdigit() else None,
        enhanced=status or None,
        text=text,
        provider=provider or None,
        words_only=True,
    )


def reason_of(verdict: ReplyVerdict) -> str | None:
    """A verdict in Sisimai's vocabulary: the row's reason, else its kind's."""
    return verdict.reason or KIND_REASONS.get(verdict.kind)


def general_reason(
    text: str, *, command: str = "", reply_code: str = "", status: str = "", provider: str = ""
) -> str | None:
    """The reason the reply classifier's wording rows give (`reply_verdict`), or None."""
    verdict = reply_verdict(text, command=command, reply_code=reply_code, status=status, provider=provider)
    return reason_of(verdict) if verdict is not None else None


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
    "these those here "
    # the reporting MTA's own wrapper: it says that delivery failed, never why
    "automatically generated delivery status notification failed permanently delivered deliver "
    "recipients unable"
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


def phrase_reason(
    status: str,
    text: str,
    provider: str,
    table: PhraseTable | None = None,
    *,
    command: str = "",
    reply_code: str = "",
) -> str | None:
    """A reason from the words: the reply classifier's wording rows first (`general_reason`, with the
    step, reply code, status and provider), then — only when `status` is not an RFC 3463 detail that
    names the problem — the fitted table (the shipped one unless `table` is given)."""
    if not text:
        return None
    verdict = reply_verdict(text, command=command, reply_code=reply_code, status=status, provider=provider)
    by_status = specific_status_reason(status)
    if verdict is not None and (verdict.reason is not None or by_status is None):
        return reason_of(verdict)
    if by_status is not None:
        # an RFC 3463 detail that names the problem is more exact than a row that names only its
        # kind (`Recipient address rejected:` with 5.1.2 is an unknown domain), and than a fitted phrase
        return None
    return (table if table is not None else shipped_table()).reason(text)
