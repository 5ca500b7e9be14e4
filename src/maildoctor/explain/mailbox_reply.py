"""A pasted IMAP or POP3 refusal (`A1 NO [AUTHENTICATIONFAILED] …`, `-ERR [SYS/TEMP] …`) read (pure).

Mail programs quote the receiving server's refusal inside their own dialog ("The server responded:
-ERR [IN-USE] …", 「メールサーバー pop.example.jp の応答: -ERR [AUTH] …」). The refusal's response
code and words are classified by `rules.replies` (the same table `check` uses on a real login),
and the kind's meaning in data/replies.toml gives the causes, most likely first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.model import Protocol
from maildoctor.rules.replies import AuthFailureKind, Step, explain_auth_failure, load_replies, login_rules


def kind_causes() -> dict[AuthFailureKind, tuple[CauseCode, ...]]:
    """The causes of each kind of refusal, most likely first (data/replies.toml)."""
    table = load_replies()
    return {
        kind: meaning.causes
        for kind in AuthFailureKind
        if (meaning := table.meaning(Step.LOGIN, kind)) is not None
    }


def kind_meanings() -> dict[AuthFailureKind, str]:
    """What each kind of refusal says, in plain words (message ids, translated where shown)."""
    table = load_replies()
    return {
        kind: meaning.text
        for kind in AuthFailureKind
        if (meaning := table.meaning(Step.LOGIN, kind)) is not None
    }


def __getattr__(name: str) -> object:
    # KIND_CAUSES and KIND_MEANINGS, read from the data only when asked for
    if name == "KIND_CAUSES":
        return kind_causes()
    if name == "KIND_MEANINGS":
        return kind_meanings()
    raise AttributeError(name)


def _known_codes() -> frozenset[str]:
    """Response codes the table knows (IMAP's RFC 5530 codes, POP3's RFC 2449/3206 ones, the providers')."""
    return frozenset(code for row in login_rules() for code in row.codes)


_CODE: Final = r"\[([A-Za-z][A-Za-z0-9/-]{0,40})(?:[ \t][^\]\r\n]{0,200})?\]"
# POP3: `-ERR [CODE] words`
_POP3: Final = re.compile(r"(?<![\w-])-ERR\b[ \t]*(?:" + _CODE + r")?[ \t]*([^\r\n]{0,500})")
# IMAP: `TAG NO [CODE] words` or `NO [CODE] words` (upper case: the protocol's, not the English word)
_IMAP: Final = re.compile(
    r"(?:(?<![\w.-])(?:\*|[A-Za-z]{0,10}[0-9][A-Za-z0-9.]{0,10})[ \t]+)?(?<![\w-])(?:NO|BAD)[ \t]+(?:"
    + _CODE
    + r")?[ \t]*([^\r\n]{0,500})"
)
# IMAP as some programs show it, the tag and NO dropped: `[AUTHENTICATIONFAILED] words`
_BARE_CODE: Final = re.compile(r"(?<![\w-])" + _CODE + r"[ \t]*([^\r\n]{0,500})")
_TRAILING_QUOTE: Final = re.compile(r"['\"」』]+\s*$")


@dataclass(frozen=True, slots=True)
class MailboxRefusal:
    protocol: Protocol
    response_code: str | None  # "AUTHENTICATIONFAILED", "SYS/TEMP"; None when none was given
    line: str  # the refusal as the server wrote it (one line)
    kind: AuthFailureKind
    causes: tuple[CauseCode, ...]  # most likely first; empty when the kind is unknown


def _found(text: str) -> tuple[Protocol, re.Match[str]] | None:
    pop3 = _POP3.search(text)
    if pop3 is not None:
        return Protocol.POP3, pop3
    for imap in _IMAP.finditer(text):
        tagged = imap.group(0).split()[0] not in ("NO", "BAD")
        if tagged or imap.group(1):
            return Protocol.IMAP, imap
    for bare in _BARE_CODE.finditer(text):
        if bare.group(1).upper() in _known_codes():
            return Protocol.IMAP, bare
    return None


def find_mailbox_refusal(text: str) -> MailboxRefusal | None:
    """The first IMAP or POP3 refusal in `text`, classified; None when the text holds none."""
    found = _found(text)
    if found is None:
        return None
    protocol, match = found
    code = match.group(1)
    line = _TRAILING_QUOTE.sub("", " ".join(match.group(0).split()))
    words = _TRAILING_QUOTE.sub("", match.group(2))
    kind = explain_auth_failure(protocol, code, None, None, words).kind
    return MailboxRefusal(protocol, code.upper() if code else None, line, kind, kind_causes().get(kind, ()))


__all__ = [
    "MailboxRefusal",
    "find_mailbox_refusal",
    "kind_causes",
    "kind_meanings",
]
