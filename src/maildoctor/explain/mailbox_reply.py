"""A pasted IMAP or POP3 refusal (`A1 NO [AUTHENTICATIONFAILED] …`, `-ERR [SYS/TEMP] …`) read (pure).

Mail programs quote the receiving server's refusal inside their own dialog ("The server responded:
-ERR [IN-USE] …", 「メールサーバー pop.example.jp の応答: -ERR [AUTH] …」). The refusal's response
code and words are classified by `protocol.classify` (the same table `check` uses on a real login),
and the kind gives the causes, most likely first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from maildoctor.causes import CauseCode
from maildoctor.i18n import N_
from maildoctor.model import Protocol
from maildoctor.protocol.classify import AUTH_FAILURE_RULES, AuthFailureKind, explain_auth_failure

_C = CauseCode
_K = AuthFailureKind

# The causes of each kind of refusal, most likely first.
KIND_CAUSES: Final[dict[AuthFailureKind, tuple[CauseCode, ...]]] = {
    _K.WRONG_CREDENTIALS: (_C.AUTH_FAILED, _C.USERNAME_FORM, _C.APP_PASSWORD_REQUIRED, _C.ACCOUNT_LOCKED),
    _K.APP_PASSWORD_REQUIRED: (_C.APP_PASSWORD_REQUIRED, _C.AUTH_FAILED),
    _K.MODERN_AUTH_REQUIRED: (_C.MODERN_AUTH_REQUIRED,),
    _K.ACCOUNT_LOCKED: (_C.ACCOUNT_LOCKED, _C.AUTH_FAILED),
    _K.TOO_MANY_CONNECTIONS: (_C.TOO_MANY_CONNECTIONS, _C.SERVER_OUTAGE),
    _K.PLAINTEXT_REFUSED: (_C.PLAINTEXT_LOGIN_REFUSED,),
    _K.TEMPORARY: (_C.SERVER_OUTAGE, _C.TOO_MANY_CONNECTIONS),
}

# What each kind of refusal says, in plain words (message ids, translated where shown).
KIND_MEANINGS: Final[dict[AuthFailureKind, str]] = {
    _K.WRONG_CREDENTIALS: N_("The receiving server did not accept the user name or password."),
    _K.APP_PASSWORD_REQUIRED: N_(
        "The receiving server does not take the account's own password from a mail program; "
        "it needs an app password."
    ),
    _K.MODERN_AUTH_REQUIRED: N_(
        "The receiving server takes no password from a mail program; it must sign in on the provider's page."
    ),
    _K.ACCOUNT_LOCKED: N_("The receiving server says the account is locked or stopped."),
    _K.TOO_MANY_CONNECTIONS: N_(
        "The receiving server refused because the mailbox is in use by another device or session."
    ),
    _K.PLAINTEXT_REFUSED: N_("The receiving server takes the password only over an encrypted connection."),
    _K.TEMPORARY: N_("The receiving server is busy or has a temporary problem; it asks to try again later."),
}

# Response codes the table knows (IMAP's RFC 5530 codes, POP3's RFC 2449/3206 ones, the providers').
_KNOWN_CODES: Final = frozenset(code for row in AUTH_FAILURE_RULES for code in row.codes)
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
        if bare.group(1).upper() in _KNOWN_CODES:
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
    return MailboxRefusal(protocol, code.upper() if code else None, line, kind, KIND_CAUSES.get(kind, ()))


__all__ = ["KIND_CAUSES", "KIND_MEANINGS", "MailboxRefusal", "find_mailbox_refusal"]
