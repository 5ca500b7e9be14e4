"""A pasted SMTP reply explained: what its codes mean, whose words they are, and the likely causes (pure).

Built on `rules.replies` (the one reply classifier `check` uses too: its meaning leads) and `explain.smtp`
(the reply and status code registry and the providers' texts).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.explain.mailbox_reply import find_mailbox_refusal, kind_meanings
from maildoctor.explain.rank import ruled_out
from maildoctor.explain.smtp import (
    MatchBasis,
    RejectionMatch,
    ReplyCodeEntry,
    SmtpReply,
    StatusInfo,
    find_replies,
    match_rejection,
    reply_meaning,
    status_meaning,
)
from maildoctor.explain.smtp import classify_reply as classify_smtp_reply
from maildoctor.model import Protocol
from maildoctor.rules.modern_auth import EITHER_CAUSE, oauth_only_host_in
from maildoctor.rules.replies import AuthFailureKind, ReplyVerdict, classify_reply

_MAX_WORDS: Final = 500  # characters of the line holding a provider's words, kept as the reply's text

# What a mail program writes after the server's reply on the same line: Outlook's next fields
# ("', ポート: 587, …", "', Port: 25, …") and Thunderbird's closing advice ("Please verify …").
_WRAPPER_TAIL: Final = re.compile(
    r"'?\s*,\s*(?:ポート|port|セキュリティ|secure|サーバー ?エラー|server error|エラー番号|error number)"
    r"\s*[:：].*"
    r"|\.?\s+please (?:verify|check|ensure)\b.*",
    re.IGNORECASE | re.DOTALL,
)


def without_wrapper(text: str) -> str:
    """The server's words without the mail program's text that follows them on the line."""
    return _WRAPPER_TAIL.sub("", text).strip().strip("'")


@dataclass(frozen=True, slots=True)
class ReplyExplanation:
    reply: SmtpReply
    status: StatusInfo | None  # the enhanced status code's meaning (detail, else class and subject)
    code: ReplyCodeEntry | None  # the basic reply code's meaning
    rejection: RejectionMatch | None  # the provider's own text, when recognised
    causes: tuple[CauseCode, ...]  # most likely first
    specific: tuple[CauseCode, ...] = ()  # of those, the ones the provider's recognised words point to
    mailbox: str | None = None  # "imap" or "pop3": an IMAP or POP3 refusal, not an SMTP reply
    note: str | None = None  # a meaning as a message id (to translate), when no data entry gives one

    def meaning(self) -> str:
        """The plainest meaning known, a message id (translate it where shown): the provider's, else the
        status detail's, else the code's; "" when none."""
        if self.rejection is not None:
            return self.rejection.entry.meaning
        if self.status is not None:
            return (self.status.detail or self.status.subject).meaning
        if self.code is not None:
            return self.code.meaning
        return ""

    def action(self) -> str | None:
        """What to do, a message id (translate it where shown), when the provider's words are known."""
        return self.rejection.entry.action if self.rejection is not None else None


def _words_alone(text: str) -> ReplyExplanation | None:
    """A provider's words pasted without a reply code (an IMAP or POP3 refusal, a line of a dialog)."""
    matches = [match for match in match_rejection(text) if match.basis is MatchBasis.PATTERN]
    if not matches:
        return None
    pattern = (matches[0].pattern or "").casefold()
    line = next((line for line in text.splitlines() if pattern in " ".join(line.split()).casefold()), "")
    specific = tuple(dict.fromkeys(cause for match in matches for cause in match.entry.causes))
    words = without_wrapper(" ".join(line.split()))[:_MAX_WORDS] or matches[0].pattern or ""
    return ReplyExplanation(SmtpReply(None, None, words), None, None, matches[0], specific, specific)


def _mailbox_refusal(text: str) -> ReplyExplanation | None:
    """An IMAP or POP3 refusal: its response code and words say why (`rules.replies`); a
    provider's known words in it lead when recognised."""
    refusal = find_mailbox_refusal(text)
    if refusal is None or not refusal.causes:
        return None
    words = _words_alone(text)
    specific = words.specific if words is not None else refusal.causes[:1]
    causes = tuple(dict.fromkeys((*specific, *refusal.causes)))
    rejection = words.rejection if words is not None else None
    reply = SmtpReply(None, None, refusal.line[:_MAX_WORDS])
    note = kind_meanings().get(refusal.kind)
    bare = refusal.kind in (AuthFailureKind.WRONG_CREDENTIALS, AuthFailureKind.UNKNOWN)
    if bare and rejection is None and oauth_only_host_in(text) is not None:
        # a bare "LOGIN failed" from a server that takes no password (the mail program's message names
        # it): most likely the switched-off password login; the note says how to tell (rules.modern_auth)
        lead = (CauseCode.MODERN_AUTH_REQUIRED, CauseCode.AUTH_FAILED)
        causes = tuple(dict.fromkeys((*lead, *causes)))
        return ReplyExplanation(
            reply, None, None, None, causes, lead[:1], str(refusal.protocol), EITHER_CAUSE
        )
    return ReplyExplanation(reply, None, None, rejection, causes, specific, str(refusal.protocol), note)


def smtp_causes(code: str | None, status: str | None, text: str) -> tuple[CauseCode, ...]:
    """The causes the code registry and the providers' texts give (`explain.smtp.classify_reply`)."""
    return classify_smtp_reply(code, status, text)


def _verdict(reply: SmtpReply) -> ReplyVerdict | None:
    """The reply classifier's meaning of a pasted SMTP reply (its step unknown: only the rows whose
    words or codes say the step themselves)."""
    if reply.code is None or (reply.code or "")[:1] not in "45":
        return None
    return classify_reply(
        None, Protocol.SMTP, reply_code=int(reply.code), enhanced=reply.status, text=reply.text
    )


def explain_reply(text: str) -> ReplyExplanation | None:
    """The first failure reply in `text` explained, or a provider's known words when it holds no SMTP
    reply (then with no code and only those words' causes); None when it holds neither."""
    replies = [reply for reply in find_replies(text) if (reply.code or reply.status or "2")[0] in "45"]
    if not replies:
        return _mailbox_refusal(text) or _words_alone(text)
    first = replies[0]
    lines = tuple(line for line in (without_wrapper(line) for line in first.lines) if line)
    reply = dataclasses.replace(first, text=without_wrapper(first.text), lines=lines)
    status = status_meaning(reply.status) if reply.status else None
    code = reply_meaning(reply.code) if reply.code else None
    matches = match_rejection(text, status=reply.status)
    verdict = _verdict(reply)
    lead = verdict.causes if verdict is not None else ()
    causes = tuple(dict.fromkeys((*lead, *smtp_causes(reply.code, reply.status, text))))
    if not causes and status is None and code is None and not matches:
        return None
    # a provider's own recognised words are the most specific evidence (iCloud's "Relay not permitted for
    # user" is a switched-off alias, not a relay refusal); then the classifier's meaning, the one `check`
    # gives, before the registry's
    worded = [match for match in matches if match.basis is MatchBasis.PATTERN]
    provider = tuple(cause for match in worded for cause in match.entry.causes)
    others = tuple(cause for match in matches for cause in match.entry.causes)
    specific = tuple(dict.fromkeys((*provider, *lead[:1], *others)))
    if provider:
        causes = tuple(dict.fromkeys((*provider[:1], *causes)))
    # the first recognised entry's causes rule out others (modern sign-in only: no app password)
    first_entry = matches[0].entry.causes if matches else ()
    excluded = ruled_out((*first_entry, *(() if provider else lead[:1])))
    causes = tuple(cause for cause in causes if cause not in excluded)
    specific = tuple(cause for cause in specific if cause not in excluded)
    return ReplyExplanation(reply, status, code, matches[0] if matches else None, causes, specific)


__all__ = ["ReplyExplanation", "explain_reply", "without_wrapper"]
